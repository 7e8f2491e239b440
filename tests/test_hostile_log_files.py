"""Hostile files inside the event log: bad manifests, FIFOs, directories, symlinks, huge files.

Whatever the log holds, ``--list`` and a report end in a listing or a report (the bad run
shown as "unreadable", a skipped file named in a warning) or in one ``Error:`` line: never a
traceback, never a hang, and never a file read whole that should not be. Cases where a
regression would block forever (a FIFO opened for reading) run the command in a subprocess
with a timeout, so that the test fails instead of hanging the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers.event_log import CHAIN, EventLog, record_run

from kedro_run_report.analysis import history_rows, pick_baseline
from kedro_run_report.cli import EXIT_BAD_INPUT, report
from kedro_run_report.report.load import read_record
from kedro_run_report.store import manifest as manifest_module
from kedro_run_report.store.runs import RunRecord, prune_runs

#: Generous: the slowest case here takes a couple of seconds; a hang takes forever.
TIMEOUT = 120

pytestmark = pytest.mark.usefixtures("stub_layout")


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(report, list(args), obj=None)


def _run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The command in a subprocess: a hang fails the test (TimeoutExpired) instead of the suite."""
    code = "from kedro_run_report.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=TIMEOUT
    )


def _two_runs(root: Path) -> tuple[Path, Path]:
    """An older run and a newer, good one; tests spoil the older."""
    old = record_run(root, EventLog(t0=1.7e9).start(CHAIN).node("a").end(), "old")
    new = record_run(root, EventLog(t0=1.8e9).start(CHAIN).node("a").end(), "new")
    return old, new


def _assert_clean(result: Any) -> None:
    assert result.exit_code == 0, result.stderr or result.output
    assert "Traceback" not in result.output and "Traceback" not in result.stderr


def _listed(root: Path) -> dict[str, dict[str, Any]]:
    result = _invoke("--events", str(root), "--list", "--json")
    _assert_clean(result)
    return {row["key"]: row for row in json.loads(result.stdout)}


# -- item 3: hostile manifests ----------------------------------------------------------------

DEEP = "[" * 200_000 + "]" * 200_000

HOSTILE_MANIFESTS = {
    "start-overflows": '{"run_id": "old", "start": 1e308}',
    "start-nan": '{"run_id": "old", "start": NaN}',
    "start-negative": '{"run_id": "old", "start": -5}',
    "pipeline-names-int": '{"run_id": "old", "start": 1.7e9, "pipeline_names": 5, "filters": {}}',
    "pipeline-names-ints": '{"run_id": "old", "start": 1.7e9, "pipeline_names": [1], '
    '"filters": {}}',
    "filters-list": '{"run_id": "old", "start": 1.7e9, "pipeline_names": [], "filters": [1]}',
    "run-id-object": '{"run_id": {"a": 1}, "start": 1.7e9}',
    "nested-200000": '{"run_id": "old", "start": 1.7e9, "x": ' + DEEP + "}",
    "nested-40": '{"run_id": "old", "start": 1.7e9, "x": ' + "[" * 40 + "]" * 40 + "}",
    "outcome-counts": '{"run_id": "old", "start": 1.7e9, "outcome": {"status": "success", '
    '"nodes": {"success": "many"}}}',
    "outcome-duration": '{"run_id": "old", "start": 1.7e9, "outcome": {"status": "success", '
    '"duration": Infinity}}',
    "outcome-status": '{"run_id": "old", "start": 1.7e9, "outcome": {"status": 7}}',
    "not-an-object": "[1, 2]",
    "not-json": '{"run_id": "old", "sta',
    "huge-int": '{"run_id": "old", "start": ' + "9" * 5000 + "}",
}


@pytest.mark.parametrize("text", HOSTILE_MANIFESTS.values(), ids=HOSTILE_MANIFESTS.keys())
def test_a_hostile_manifest_makes_its_run_unreadable_never_a_traceback(
    cwd: Path, text: str
) -> None:
    old, _ = _two_runs(cwd / "log")
    (old / "run.json").write_text(text)
    rows = _listed(cwd / "log")
    assert rows["new"]["status"] == "success"
    assert rows["old"]["status"] == "unreadable"
    assert rows["old"]["message"] and "run.json" in rows["old"]["message"]
    table = _invoke("--events", str(cwd / "log"), "--list")
    _assert_clean(table)
    assert "unreadable" in table.stdout
    # the report of the other run (which looks at the history and picks a baseline) is whole
    latest = _invoke("--events", str(cwd / "log"), "-f", "json", "-o", "-", "-q")
    _assert_clean(latest)
    assert json.loads(latest.stdout)["pipeline"]["run_id"] == "new"
    for fmt in ("html", "markdown"):
        _assert_clean(_invoke("--events", str(cwd / "log"), "-f", fmt, "-o", "-", "-q"))


def test_the_unreadable_run_itself_gets_one_error_line(cwd: Path) -> None:
    old, _ = _two_runs(cwd / "log")
    (old / "run.json").write_text('{"start": 1e308}')
    result = _invoke("--events", str(cwd / "log"), "--run-id", "old", "-f", "json", "-o", "-")
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert "run.json" in result.stderr


def test_an_unreadable_run_is_never_pruned(cwd: Path) -> None:
    old, _ = _two_runs(cwd / "log")
    (old / "run.json").write_text('{"start": 1e308}')
    assert prune_runs(str(cwd / "log"), 1) == []
    assert (old / "run.json").read_text() == '{"start": 1e308}'


def test_analysis_tolerates_bad_values_in_hand_made_records(tmp_path: Path) -> None:
    """Records built by hand (not through list_runs) with hostile values: no exception."""
    good = record_run(tmp_path, EventLog(t0=1.8e9).start(CHAIN).node("a").end(), "good")
    hostile = [
        {"start": 1.7e9, "pipeline_names": 5, "filters": {}},
        {"start": 1.7e9, "outcome": {"status": "success", "nodes": {"success": "x"}}},
        {"start": 1.7e9, "outcome": {"status": "success", "duration": float("inf")}},
    ]
    current = RunRecord("good", "good", str(good), 1.8e9, {"pipeline_names": [], "filters": {}})
    for index, manifest in enumerate(hostile):
        for start in (1.7e9, 1e308):  # earlier than the current run (a baseline candidate), absurd
            bad = RunRecord("bad", f"bad{index}", str(good), start, manifest)
            rows = history_rows([bad, current], read_record)
            assert len(rows) == 2
            found = pick_baseline([bad, current], current, read_record)
            assert found is None or found.record.key != bad.key or "pipeline_names" not in manifest


# -- items 3 and 4: files that are not regular files ------------------------------------------


def test_an_events_file_that_is_a_directory_is_skipped_with_a_note(cwd: Path) -> None:
    _, new = _two_runs(cwd / "log")
    (new / "events-evil-2.jsonl").mkdir()
    result = _invoke("--events", str(cwd / "log"), "-f", "json", "-o", "-", "-q")
    _assert_clean(result)
    warnings = json.loads(result.stdout)["warnings"]
    assert any("events-evil-2.jsonl" in w and "directory" in w for w in warnings)
    _listed(cwd / "log")


def test_a_run_made_only_of_a_directory_events_file_gets_one_error_line(cwd: Path) -> None:
    _, new = _two_runs(cwd / "log")
    (new / "events-host-1.jsonl").unlink()
    (new / "events-host-1.jsonl").mkdir()
    result = _invoke("--events", str(cwd / "log"), "-f", "json", "-o", "-")
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    assert _listed(cwd / "log")["new"]["status"] in ("success", "unreadable")


def test_a_manifest_that_is_a_directory_makes_the_run_unreadable(cwd: Path) -> None:
    old, _ = _two_runs(cwd / "log")
    (old / "run.json").unlink()
    (old / "run.json").mkdir()
    rows = _listed(cwd / "log")
    assert rows["old"]["status"] == "unreadable" and "directory" in rows["old"]["message"]
    _assert_clean(_invoke("--events", str(cwd / "log"), "-f", "json", "-o", "-", "-q"))


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def test_a_fifo_manifest_is_never_opened(cwd: Path) -> None:
    old, _ = _two_runs(cwd / "log")
    _fifo(old / "run.json")
    listed = _run_cli("--events", str(cwd / "log"), "--list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["key"]: row for row in json.loads(listed.stdout)}
    assert rows["old"]["status"] == "unreadable" and "FIFO" in rows["old"]["message"]
    assert rows["new"]["status"] == "success"
    result = _run_cli("--events", str(cwd / "log"), "-f", "json", "-o", "-", "-q")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["pipeline"]["run_id"] == "new"


def test_a_fifo_events_file_is_skipped_with_a_note(cwd: Path) -> None:
    _, new = _two_runs(cwd / "log")
    os.mkfifo(new / "events-evil-2.jsonl")
    result = _run_cli("--events", str(cwd / "log"), "-f", "json", "-o", "-", "-q")
    assert result.returncode == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    assert any("events-evil-2.jsonl" in w and "FIFO" in w for w in warnings)
    listed = _run_cli("--events", str(cwd / "log"), "--list")
    assert listed.returncode == 0, listed.stderr


def test_a_fifo_in_an_older_runs_events_is_never_opened(cwd: Path) -> None:
    """An older run without an outcome in its manifest is read for the history: its FIFO too."""
    old, _ = _two_runs(cwd / "log")
    _fifo(old / "events-host-1.jsonl")
    listed = _run_cli("--events", str(cwd / "log"), "--list", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {row["key"]: row for row in json.loads(listed.stdout)}
    assert rows["old"]["status"] == "unreadable"
    result = _run_cli("--events", str(cwd / "log"), "-f", "html", "-o", "-", "-q")
    assert result.returncode == 0, result.stderr


def test_a_fifo_given_as_the_events_file_gets_one_error_line(cwd: Path) -> None:
    os.mkfifo(cwd / "events.jsonl")
    result = _run_cli("--events", str(cwd / "events.jsonl"), "-f", "json", "-o", "-")
    assert result.returncode == EXIT_BAD_INPUT
    assert result.stderr.startswith("Error: ") and "Traceback" not in result.stderr


# -- item 9: symlinks at any depth below the log root -----------------------------------------


def test_a_symlinked_runs_directory_is_not_followed(cwd: Path) -> None:
    record_run(cwd / "elsewhere", EventLog().start(CHAIN).node("a").end(), "theirs")
    (cwd / "log").mkdir()
    (cwd / "log" / "runs").symlink_to(cwd / "elsewhere" / "runs", target_is_directory=True)
    for args in (["--list"], ["-f", "json", "-o", "-"]):
        result = _invoke("--events", str(cwd / "log"), *args)
        assert result.exit_code == EXIT_BAD_INPUT, result.output
        assert result.stderr.count("\n") == 1 and "symlink" in result.stderr
        assert "theirs" not in result.stdout
    # pruning never deletes through the link
    with pytest.raises(Exception, match="symlink"):
        prune_runs(str(cwd / "log"), 0)
    assert (cwd / "elsewhere" / "runs" / "theirs" / "run.json").exists()


def test_a_log_root_that_is_a_symlink_is_the_users_choice(cwd: Path) -> None:
    record_run(cwd / "real", EventLog().start(CHAIN).node("a").end(), "mine")
    (cwd / "log").symlink_to(cwd / "real", target_is_directory=True)
    assert list(_listed(cwd / "log")) == ["mine"]


def test_a_symlinked_manifest_is_not_read(cwd: Path) -> None:
    old, _ = _two_runs(cwd / "log")
    (cwd / "secret.json").write_text('{"run_id": "stolen", "start": 1.75e9}')
    (old / "run.json").unlink()
    (old / "run.json").symlink_to(cwd / "secret.json")
    rows = _listed(cwd / "log")
    assert "stolen" not in json.dumps(rows)
    assert rows["old"]["status"] == "unreadable" and "symlink" in rows["old"]["message"]


# -- item 5: a huge manifest is not read ------------------------------------------------------


def test_a_manifest_over_the_size_limit_is_not_read(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    old, _ = _two_runs(cwd / "log")
    monkeypatch.setattr(manifest_module, "MAX_MANIFEST_BYTES", 1000)
    body = json.loads((old / "run.json").read_text())
    body["padding"] = "x" * 2000
    (old / "run.json").write_text(json.dumps(body))
    read: list[int] = []
    real_parse = manifest_module.parse_manifest

    def spy(data: bytes, *args: Any) -> Any:
        read.append(len(data))
        return real_parse(data, *args)

    monkeypatch.setattr(manifest_module, "parse_manifest", spy)
    rows = _listed(cwd / "log")
    assert rows["old"]["status"] == "unreadable" and "1000" in rows["old"]["message"]
    assert rows["new"]["status"] == "success"
    assert read and max(read) <= 1001  # only the good manifest was parsed, none whole


def test_a_huge_manifest_costs_little_memory(tmp_path: Path) -> None:
    """Peak memory of ``--list`` with a 64 MB manifest stays near that of a clean log."""
    log = tmp_path / "log"
    old, _ = _two_runs(log)
    probe = textwrap.dedent(
        """
        import resource, subprocess, sys
        subprocess.run(
            [sys.executable, "-c", "from kedro_run_report.cli import main; main()", *sys.argv[1:]],
            capture_output=True, check=True,
        )
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        """
    )

    def peak_kib() -> int:
        done = subprocess.run(
            [sys.executable, "-c", probe, "--events", str(log), "--list"],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
        assert done.returncode == 0, done.stderr
        return int(done.stdout.split()[-1])

    clean = peak_kib()
    body = json.loads((old / "run.json").read_text())
    with open(old / "run.json", "w") as handle:
        handle.write(json.dumps(body)[:-1] + ', "padding": "')
        handle.write("x" * (64 * 1024 * 1024))
        handle.write('"}')
    assert peak_kib() < clean + 32 * 1024  # reading it whole would cost 64 MiB and more
