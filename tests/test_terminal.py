"""The terminal summary: short, plain without a terminal, coloured on one, never hijacked."""

from __future__ import annotations

import io

import pytest
from helpers import scenarios
from helpers.runs import big_failed_run, hostile_run, interrupted_run, pipeline_error_run

from kedro_run_report.report.terminal import print_summary, render_terminal, use_color

ESC = "\x1b"


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "TERM", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


def test_plain_success() -> None:
    text = render_terminal(scenarios.success(), color=False)
    assert ESC not in text
    lines = text.splitlines()
    assert lines[0] == "SUCCESS  Run execution completed successfully in 1m 11s"
    assert "Nodes:    7/7 succeeded" in text
    assert "Datasets: 11 loaded, 10 saved, 0 failed, read 18.0 MB, written 7.0 MB" in text
    assert len(lines) == 4


def test_plain_failure_names_the_culprit() -> None:
    text = render_terminal(scenarios.node_failure(), color=False)
    assert text.splitlines()[0] == "FAILED  Run execution failed after 8.9 s"
    assert "4/7 succeeded, 1 failed, 2 not run" in text
    assert (
        "  failed node data_science.train_model_node: ValueError: Input X contains NaN.\n" in text
    )
    missing = render_terminal(scenarios.missing_input(), color=False)
    assert "  failed dataset companies: DatasetError: Failed while loading" in missing
    assert "failed pipeline pipeline: ValueError: Pipeline input(s)" in render_terminal(
        pipeline_error_run(), color=False
    )


def test_interrupted() -> None:
    text = render_terminal(interrupted_run(), color=False)
    assert text.startswith("INTERRUPTED  Run execution interrupted after")
    assert "1 interrupted" in text and "  interrupted node b\n" in text


def test_colour_when_forced() -> None:
    text = render_terminal(scenarios.node_failure(), color=True)
    assert ESC + "[" in text
    assert "FAILED" in text and "data_science.train_model_node" in text


def test_colour_is_forced_even_with_no_color_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # the caller decided; print_summary reads NO_COLOR
    assert ESC + "[" in render_terminal(scenarios.success(), color=True)


def test_many_failures_are_cut() -> None:
    lines = render_terminal(big_failed_run(200, 1_000), color=False).splitlines()
    assert len(lines) == 4 + 10 + 1 + 2
    assert lines[-3] == "  ... 190 more failures in the report"
    # every node failed, so nothing finished: the same command again
    assert lines[-2] == "  Resume:   kedro run"
    assert lines[-1] == "            No node finished: this command runs all 200 again."


def test_hostile_names_cannot_drive_the_terminal() -> None:
    for color in (False, True):
        text = render_terminal(hostile_run(), color=color)
        # the name's escape sequence and NUL are shown as text, not sent to the terminal
        assert "\\x1b[31m" in text
        assert "\x00" not in text and "\x1b[31m" not in text
        assert "<script>alert(1)</script> ]]> a|b `x` ``y``" in text  # plain text as is
    assert ESC not in render_terminal(hostile_run(), color=False)


def test_print_summary_is_plain_when_not_a_terminal() -> None:
    out = io.StringIO()
    print_summary(scenarios.node_failure(), file=out)
    assert ESC not in out.getvalue() and out.getvalue().startswith("FAILED")


def test_print_summary_colours_a_terminal() -> None:
    out = FakeTTY()
    print_summary(scenarios.node_failure(), file=out)
    assert ESC + "[" in out.getvalue()


@pytest.mark.parametrize(("name", "value"), [("NO_COLOR", ""), ("NO_COLOR", "1"), ("TERM", "dumb")])
def test_print_summary_respects_the_environment(
    name: str, value: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(name, value)
    out = FakeTTY()
    print_summary(scenarios.node_failure(), file=out)
    assert ESC not in out.getvalue()


def test_use_color() -> None:
    assert use_color(FakeTTY(), {"TERM": "xterm-256color"})
    assert not use_color(io.StringIO(), {})
    assert not use_color(FakeTTY(), {"NO_COLOR": ""})
    closed = io.StringIO()
    closed.close()  # isatty() raises ValueError
    assert not use_color(closed, {})


def test_print_summary_survives_a_narrow_encoding() -> None:
    raw = io.BytesIO()
    out = io.TextIOWrapper(raw, encoding="ascii")
    print_summary(hostile_run(), file=out)
    assert b"?" in raw.getvalue() and b"FAILED" in raw.getvalue()


def test_print_summary_defaults_to_stderr(capsys: pytest.CaptureFixture[str]) -> None:
    print_summary(scenarios.success())
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("SUCCESS")


def test_the_resume_command_is_never_shortened() -> None:
    from helpers.event_log import EventLog

    from kedro_run_report.model import aggregate

    long = "n" * 500
    log = EventLog().start(
        [("a", ["raw"], ["mid"]), (long, ["mid"], ["out"])], types={"mid": "x.CSVDataset"}
    )
    log.node("a").node_fails(long).error()
    text = render_terminal(aggregate(log.events), color=False)
    assert f"  Resume:   kedro run --from-nodes {long}\n" in text
