"""Nothing from a log or the command line acts on the terminal: escape sequences and bidi
overrides are shown as visible escapes on stdout and stderr (issue 13, item 7)."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers.event_log import CHAIN, EventLog, record_run

from kedro_run_report.cli import EXIT_BAD_INPUT, report
from kedro_run_report.formatting import terminal_safe
from kedro_run_report.report.terminal import print_summary

CLEAR = "\x1b[2J"
TITLE = "\x1b]0;title\x07"
LINK = "\x1b]8;;http://example.invalid\x1b\\link\x1b]8;;\x1b\\"
RLO = "\u202e"
PAYLOAD = f"{CLEAR}{TITLE}{LINK}{RLO}evil"
FILE_PAYLOAD = f"{CLEAR}{TITLE}{RLO}evil"  # no "/": it can be a file name
#: What must never reach the terminal raw: ESC, BEL, C1 CSI and OSC, bidi overrides.
RAW = ["\x1b", "\x07", "\x9b", "\x9d", "\u202e", "\u202d", "\u2066", "\u2069"]


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "TERM", "FORCE_COLOR"):
        monkeypatch.delenv(name, raising=False)


def _assert_nothing_raw(*texts: str) -> None:
    for text in texts:
        for char in RAW:
            assert char not in text, f"{char!r} reached the terminal in {text!r}"


def _hostile_log(root: Path) -> None:
    """Two runs whose run ids, pipeline names, node names and messages carry the payload."""
    names = [f"pipe{PAYLOAD}"]
    old = EventLog(run_id=f"old{PAYLOAD}").start(CHAIN, pipeline_names=names).node("a").end()
    record_run(root, old, f"old{PAYLOAD}")
    new = EventLog(t0=1_700_000_100.0, run_id=f"new{PAYLOAD}").start(
        [(f"node{PAYLOAD}", ["raw"], ["mid"])], pipeline_names=names
    )
    new.warning(f"warn{PAYLOAD}").node_fails(f"node{PAYLOAD}", message=f"msg{PAYLOAD}")
    record_run(root, new.error(message=f"run{PAYLOAD}"), f"new{PAYLOAD}")


def _invoke(*args: str) -> Result:
    return CliRunner().invoke(report, list(args))


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (CLEAR, "\\x1b[2J"),
        (TITLE, "\\x1b]0;title\\x07"),
        (RLO + "abc", "\\u202eabc"),
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("\x9b31m\x7f\x00", "\\x9b31m\\x7f\\x00"),
        ("a\nb\tc", "a\\x0ab\\x09c"),
        ("plain ünïcödé → ok", "plain ünïcödé → ok"),
    ],
)
def test_terminal_safe_shows_controls_as_escapes(text: str, shown: str) -> None:
    assert terminal_safe(text) == shown


def test_terminal_safe_can_keep_newlines() -> None:
    assert terminal_safe(f"a\n{CLEAR}b", newlines=True) == "a\n\\x1b[2Jb"


def test_list_shows_hostile_run_ids_and_pipelines_as_escapes(tmp_path: Path) -> None:
    _hostile_log(tmp_path)
    result = _invoke("--events", str(tmp_path), "--list")
    assert result.exit_code == 0, result.output
    _assert_nothing_raw(result.stdout, result.stderr)
    assert "new\\x1b[2J\\x1b]0;title\\x07" in result.stdout
    assert "pipe\\x1b[2J" in result.stdout and "\\u202eevil" in result.stdout
    assert len(result.stdout.splitlines()) == 3  # the header and one line per run


def test_list_json_keeps_the_names_as_escaped_json_data(tmp_path: Path) -> None:
    _hostile_log(tmp_path)
    result = _invoke("--events", str(tmp_path), "--list", "--json")
    assert result.exit_code == 0, result.output
    _assert_nothing_raw(result.stdout, result.stderr)
    rows = json.loads(result.stdout)
    assert {row["run_id"] for row in rows} == {f"old{PAYLOAD}", f"new{PAYLOAD}"}
    assert rows[0]["pipelines"] == [f"pipe{PAYLOAD}"]


@pytest.mark.parametrize(
    "args",
    [
        ["--run-id", f"nope{PAYLOAD}"],
        ["--compare", f"nope{PAYLOAD}", "-f", "json", "-o", "-"],
        ["--group", f"nope{PAYLOAD}"],
    ],
    ids=["run-id", "compare", "group"],
)
def test_error_lines_echo_hostile_ids_as_escapes(tmp_path: Path, args: list[str]) -> None:
    _hostile_log(tmp_path)
    result = _invoke("--events", str(tmp_path), *args)
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    _assert_nothing_raw(result.stdout, result.stderr)
    assert "nope" in result.stderr


def test_error_lines_echo_hostile_file_names_as_escapes(tmp_path: Path) -> None:
    missing = tmp_path / f"events{FILE_PAYLOAD}.jsonl"
    result = _invoke("--events", str(missing), "-f", "json", "-o", "-")
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1
    _assert_nothing_raw(result.stdout, result.stderr)


def test_error_lines_show_hostile_messages_of_a_log_as_escapes(tmp_path: Path) -> None:
    # an empty log whose reading warning quotes the file name
    bad = tmp_path / f"runs{FILE_PAYLOAD}"
    bad.mkdir()
    (bad / "events-h-1.jsonl").write_text(f"not json {PAYLOAD}\n")
    result = _invoke("--events", str(bad / "events-h-1.jsonl"), "-f", "json", "-o", "-")
    assert result.exit_code == EXIT_BAD_INPUT, result.output
    _assert_nothing_raw(result.stdout, result.stderr)


def test_report_summary_and_notices_show_hostile_names_as_escapes(
    tmp_path: Path, no_layout_program: object
) -> None:
    _hostile_log(tmp_path / "log")
    out = tmp_path / f"out{FILE_PAYLOAD}"
    out.mkdir()
    result = _invoke("--events", str(tmp_path / "log"), "-f", "html", "-f", "json", "-o", str(out))
    assert result.exit_code == 0, result.output
    _assert_nothing_raw(result.stdout, result.stderr)
    assert "written to" in result.stderr and "\\x1b[2J" in result.stderr
    assert "node\\x1b[2J" in result.stderr and "msg\\x1b[2J" in result.stderr  # the summary
    assert "\\u202eevil" in result.stderr


def test_the_summary_escapes_bidi_overrides_on_a_terminal_too(tmp_path: Path) -> None:
    from kedro_run_report.report.load import load_run_status

    _hostile_log(tmp_path)

    class FakeTTY(io.StringIO):
        def isatty(self) -> bool:
            return True

    tty = FakeTTY()
    print_summary(load_run_status(events=str(tmp_path)), file=tty)
    text = tty.getvalue()
    assert "\x1b[" in text  # our own colours ...
    for char in ("\x07", "\u202e", "\x1b]", "\x1b[2J"):  # ... and nothing of the log's
        assert char not in text
