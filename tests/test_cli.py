"""``kedro viz report`` through Click: formats, outputs and every kind of bad input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.event_log import CHAIN, EventLog, record_run
from helpers.layout_stub import LayoutStub

from kedro_run_report.cli import EXIT_BAD_INPUT, report


def _good_run() -> EventLog:
    log = EventLog().start(CHAIN).load("raw", "a", size=3).node("a").save("mid", "a")
    return log.load("mid", "b").node_fails("b").error()


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(report, list(args), obj=None)
    return result.exit_code, result.stdout, result.stderr


def test_json_to_stdout_from_a_log_directory(cwd: Path) -> None:
    record_run(cwd / "log", _good_run())
    code, out, err = invoke("--events", str(cwd / "log"), "-f", "json", "-o", "-")
    assert code == 0, err
    data = json.loads(out)
    assert data["pipeline"]["status"] == "failed"
    assert {n["name"]: n["status"] for n in data["nodes"].values()} == {
        "a": "success",
        "b": "failed",
        "c": "not_run",
    }


def test_json_to_a_file_says_where(cwd: Path) -> None:
    run = record_run(cwd / "log", _good_run())
    code, _out, err = invoke("--events", str(run), "-f", "json", "-o", "status.json")
    assert code == 0
    assert f"written to {cwd / 'status.json'}" in err
    assert json.loads((cwd / "status.json").read_text())["pipeline"]["run_id"] == "run-1"


def test_run_id_picks_an_older_run(cwd: Path) -> None:
    record_run(cwd / "log", _good_run(), "old")
    newer = EventLog(t0=1_800_000_000.0).start(CHAIN).end()
    record_run(cwd / "log", newer, "new")
    for run_id, expected in (("old", "failed"), ("new", "success")):
        args = ("--events", str(cwd / "log"), "--run-id", run_id, "-f", "json", "-o", "-")
        code, out, _err = invoke(*args)
        assert code == 0 and json.loads(out)["pipeline"]["status"] == expected
    code, _out, _err = invoke("--events", str(cwd / "log"), "-f", "json", "-o", "-")
    assert json.loads(_out)["pipeline"]["status"] == "success"  # latest by start time


def test_a_single_stream_file_and_a_kedro_viz_file_are_read(cwd: Path) -> None:
    from kedro_run_report.model import aggregate
    from kedro_run_report.store.viz_events import to_viz_events

    run = record_run(cwd / "log", _good_run())
    (stream,) = run.glob("events-*.jsonl")
    code, out, _err = invoke("--events", str(stream), "-f", "json", "-o", "-")
    assert code == 0 and json.loads(out)["pipeline"]["status"] == "failed"

    viz_file = cwd / "kedro_pipeline_events.json"
    viz_file.write_text(json.dumps(to_viz_events(aggregate(_good_run().events))))
    code, out, _err = invoke("--events", str(viz_file), "-f", "json", "-o", "-")
    assert code == 0
    data = json.loads(out)
    assert data["pipeline"]["status"] == "failed"
    assert any("Kedro-Viz events file" in w for w in data["warnings"])


def test_a_torn_last_line_still_reports(cwd: Path) -> None:
    run = record_run(cwd / "log", EventLog().start(CHAIN).load("raw", "a").node("a"))
    (stream,) = run.glob("events-*.jsonl")
    with stream.open("a") as handle:
        handle.write('{"kind":"node_start","t":17000')
    code, out, _err = invoke("--events", str(cwd / "log"), "-f", "json", "-o", "-")
    assert code == 0
    data = json.loads(out)
    assert data["pipeline"]["status"] == "interrupted"
    assert data["warnings"] == []


BAD_INPUTS = {
    "missing path": (None, "does not exist"),
    "empty file": ("", "is empty"),
    "binary junk": ("\x00\x01\x02garbage", "not an event log"),
    "corrupt JSON list": ('[{"event": "before_pipeline_run"', "not valid JSON"),
    "foreign JSON list": ('[{"name": "x"}]', "not Kedro-Viz run events"),
    "foreign JSON lines": ('{"hello": 1}\n{"world": 2}\n', "holds no kedro-run-report run"),
    "JSON lines without a run": ('{"kind":"node_start","t":1}\n', "holds no kedro-run-report run"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_event_files_give_one_line_and_exit_2(cwd: Path, case: str) -> None:
    content, message = BAD_INPUTS[case]
    path = cwd / "events.json"
    if content is not None:
        path.write_text(content)
    code, out, err = invoke("--events", str(path), "-f", "json", "-o", "-")
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert err.count("\n") == 1 and err.startswith("Error: ") and message in err
    assert "Traceback" not in err


def test_no_runs_recorded_yet(cwd: Path) -> None:
    code, _out, err = invoke("-f", "json")
    assert code == EXIT_BAD_INPUT
    assert "No runs recorded" in err and "kedro run" in err


def test_unknown_run_id(cwd: Path) -> None:
    record_run(cwd / "log", _good_run())
    code, _out, err = invoke("--events", str(cwd / "log"), "--run-id", "nope", "-f", "json")
    assert code == EXIT_BAD_INPUT and "No recorded run has the id 'nope'" in err


def test_an_empty_directory_is_not_an_event_log(cwd: Path) -> None:
    (cwd / "empty").mkdir()
    code, _out, err = invoke("--events", str(cwd / "empty"), "-f", "json")
    assert code == EXIT_BAD_INPUT and "without kedro-run-report events" in err


def test_missing_parent_directories_are_created(cwd: Path) -> None:
    record_run(cwd / "log", _good_run())
    code, _out, err = invoke("--events", str(cwd / "log"), "-f", "json", "-o", "new/dir/s.json")
    assert code == 0, err
    assert json.loads((cwd / "new" / "dir" / "s.json").read_text())["pipeline"]["status"]


def test_a_directory_output_takes_every_format_with_default_names(cwd: Path) -> None:
    record_run(cwd / "log", _good_run())
    (cwd / "out").mkdir()
    (cwd / "out" / "keep.txt").write_text("keep me")
    args = ["--events", str(cwd / "log"), "-o", "out", "-q"]
    for fmt in ("html", "json", "junit", "markdown", "email"):
        args += ["-f", fmt]
    code, _out, err = invoke(*args)
    assert code == 0, err
    assert sorted(p.name for p in (cwd / "out").iterdir()) == [
        "keep.txt",
        "run-report.email.html",
        "run-report.html",
        "run-report.junit.xml",
        "run-report.md",
        "run-status.json",
    ]
    assert (cwd / "out" / "keep.txt").read_text() == "keep me"
    assert err.count("written to") == 5


def test_output_under_a_file_is_refused(cwd: Path) -> None:
    record_run(cwd / "log", _good_run())
    (cwd / "a-file").write_text("keep me")
    code, _out, err = invoke(
        "--events", str(cwd / "log"), "-f", "json", "-o", str(cwd / "a-file" / "x.json")
    )
    assert code == EXIT_BAD_INPUT and "Cannot write the report" in err
    assert err.count("\n") == 1
    assert (cwd / "a-file").read_text() == "keep me"


def test_a_failed_write_keeps_the_previous_report(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    record_run(cwd / "log", _good_run())
    (cwd / "report.json").write_text("previous")

    def refuse(*_args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    code, _out, err = invoke("--events", str(cwd / "log"), "-f", "json", "-o", "report.json")
    assert code == EXIT_BAD_INPUT and "No space left on device" in err
    assert (cwd / "report.json").read_text() == "previous"
    assert sorted(p.name for p in cwd.iterdir()) == ["log", "report.json"]


def test_every_option_has_help_text() -> None:
    for param in report.params:
        assert getattr(param, "help", None), param.name
    assert report.help


def test_html_is_the_default_format(cwd: Path) -> None:
    record_run(cwd / "log", _good_run())
    code, _out, err = invoke("--events", str(cwd / "log"), "-o", "report.html")
    assert code == 0, err
    html = (cwd / "report.html").read_text()
    assert html.startswith("<!DOCTYPE html>") and "Run execution failed" in html
    assert 'id="kedro-run-status"' in html


@pytest.mark.usefixtures("no_layout_program")
def test_no_layout_program_still_writes_the_report(cwd: Path) -> None:
    record_run(cwd / "log", _good_run())
    code, _out, err = invoke("--events", str(cwd / "log"), "-o", "report.html")
    assert code == 0
    assert "Graphviz 'dot' was not found" in err and "apt-get install graphviz" in err
    assert "Run execution failed" in (cwd / "report.html").read_text()


def test_no_datasets_draws_only_nodes(cwd: Path, stub_layout: LayoutStub) -> None:
    record_run(cwd / "log", _good_run())
    assert invoke("--events", str(cwd / "log"), "-o", "a.html")[0] == 0
    assert invoke("--events", str(cwd / "log"), "-o", "b.html", "--no-datasets")[0] == 0
    with_data, without = stub_layout.sources
    assert "#dataset-" in with_data and "#node-" in with_data
    assert "#dataset-" not in without and "#node-" in without


def test_open_hands_the_file_to_the_browser(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import webbrowser

    opened: list[str] = []
    monkeypatch.setattr(webbrowser, "open", lambda url: opened.append(url) or True)
    record_run(cwd / "log", _good_run())
    code, _out, _err = invoke("--events", str(cwd / "log"), "-o", "r.html", "--open")
    assert code == 0 and opened == [(cwd / "r.html").as_uri()]


def test_several_formats_pair_with_their_outputs_from_one_aggregation(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kedro_run_report.report import load

    calls: list[int] = []
    original = load.aggregate_checked

    def counting(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        calls.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(load, "aggregate_checked", counting)
    record_run(cwd / "log", _good_run())
    code, _out, err = invoke(
        "--events", str(cwd / "log"), "-f", "junit", "-f", "json", "-o", "j.xml", "-o", "s.json"
    )
    assert code == 0, err
    assert (cwd / "j.xml").read_text().startswith("<?xml")
    assert json.loads((cwd / "s.json").read_text())["pipeline"]["status"] == "failed"
    assert len(calls) == 1  # one aggregation serves every format (no history: one file)


def test_mismatched_outputs_are_a_clear_error(cwd: Path) -> None:
    record_run(cwd / "log", _good_run())
    code, _out, err = invoke("--events", str(cwd / "log"), "-f", "json", "-f", "junit", "-o", "a")
    assert code == EXIT_BAD_INPUT and "give one -o per --format" in err
    code, _out, err = invoke(
        "--events", str(cwd / "log"), "-f", "json", "-f", "junit", "-o", "-", "-o", "-"
    )
    assert code == EXIT_BAD_INPUT and "Only one report can go to standard output" in err


@pytest.mark.parametrize(
    ("log", "expected"),
    [
        (lambda: EventLog().start(CHAIN).load("raw", "a").node("a").end(), 0),
        (_good_run, 3),
        (lambda: EventLog().start(CHAIN).load("raw", "a").node("a"), 4),
    ],
    ids=["success", "failed", "interrupted"],
)
def test_fail_on_error_exit_codes(cwd: Path, log, expected: int) -> None:  # type: ignore[no-untyped-def]
    record_run(cwd / "log", log())
    base = ["--events", str(cwd / "log"), "-f", "json", "-o", "s.json", "-q"]
    assert invoke(*base)[0] == 0  # without the flag, a written report is success
    code, _out, _err = invoke(*base, "--fail-on-error")
    assert code == expected
    assert (cwd / "s.json").exists()  # the report is written before the verdict


def test_github_summary_is_appended(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    summary = cwd / "summary.md"
    summary.write_text("# Earlier step\n")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    record_run(cwd / "log", _good_run())
    code, _out, err = invoke(
        "--events", str(cwd / "log"), "-f", "json", "-o", "s.json", "--github-summary"
    )
    assert code == 0, err
    text = summary.read_text()
    assert text.startswith("# Earlier step\n") and "FAILED" in text
    monkeypatch.delenv("GITHUB_STEP_SUMMARY")
    code, _out, err = invoke(
        "--events", str(cwd / "log"), "-f", "json", "-o", "s.json", "--github-summary"
    )
    assert code == 0 and "GITHUB_STEP_SUMMARY is not set" in err


def test_terminal_summary_is_printed_unless_quiet(cwd: Path) -> None:
    record_run(cwd / "log", _good_run())
    _code, _out, err = invoke("--events", str(cwd / "log"), "-f", "json", "-o", "s.json")
    assert "FAILED" in err and "Run execution failed" in err
    assert "\x1b[" not in err  # not a terminal: no colour codes
    _code, _out, err = invoke("--events", str(cwd / "log"), "-f", "json", "-o", "s.json", "-q")
    assert "Run execution failed" not in err


def test_list_shows_recorded_runs(cwd: Path) -> None:
    record_run(cwd / "log", _good_run(), "first-run")
    record_run(cwd / "log", EventLog(t0=1_800_000_000.0).start(CHAIN).end(), "second-run")
    code, out, _err = invoke("--events", str(cwd / "log"), "--list")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("RUN ID")
    assert lines[1].startswith("second-run") and "success" in lines[1]
    assert lines[2].startswith("first-run") and "failed" in lines[2]
    code, out, _err = invoke("--events", str(cwd / "log"), "--list", "--json")
    rows = json.loads(out)
    assert [r["run_id"] for r in rows] == ["second-run", "first-run"]
    assert rows[1]["nodes"]["failed"] == 1 and rows[1]["nodes"]["not_run"] == 1


def test_report_compares_with_the_previous_run(cwd: Path) -> None:
    slow = EventLog().start(CHAIN).load("raw", "a").node("a", 1.0).end()
    record_run(cwd / "log", slow, "before")
    fast = EventLog(t0=1_800_000_000.0).start(CHAIN).load("raw", "a").node("a", 5.0).end()
    record_run(cwd / "log", fast, "after")
    code, out, _err = invoke("--events", str(cwd / "log"), "-f", "json", "-o", "-", "-q")
    assert code == 0
    data = json.loads(out)
    comparison = data["comparison"]
    assert comparison["previous_run_id"] == "before"
    assert comparison["current_run_id"] == "after"
    assert [h["run_id"] for h in data["history"]] == ["after", "before"]
    code, out, err = invoke(
        "--events", str(cwd / "log"), "--compare", "nope", "-f", "json", "-o", "-"
    )
    assert code == EXIT_BAD_INPUT and "'nope'" in err


def test_a_second_report_reuses_the_cached_layout(cwd: Path) -> None:
    record_run(cwd / "log", _good_run())
    assert invoke("--events", str(cwd / "log"), "-o", "first.html", "-q")[0] == 0
    cached = list((cwd / "log" / "layouts").glob("*.svg"))
    assert len(cached) == 1  # the layout of this pipeline's structure
    assert invoke("--events", str(cwd / "log"), "-o", "second.html", "-q")[0] == 0
    assert list((cwd / "log" / "layouts").glob("*.svg")) == cached
    assert (cwd / "first.html").read_text() == (cwd / "second.html").read_text()
