"""The recorder's contracts: how workers join a run, the format version, its own warnings."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import Pipeline, node, pipeline

from kedro_run_report import events
from kedro_run_report.cli import EXIT_BAD_INPUT, report
from kedro_run_report.errors import EventLogError
from kedro_run_report.events import FORMAT_VERSION, check_version
from kedro_run_report.record.active_run import ActiveRun
from kedro_run_report.record.hook import RunReportHook
from kedro_run_report.report.load import load_run_status
from kedro_run_report.settings import ACTIVE_RUN
from kedro_run_report.store.runs import create_run
from kedro_run_report.store.writer import EventWriter


def test_active_run_round_trips_through_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ACTIVE_RUN.name, raising=False)
    run = ActiveRun.of("r1", "/logs/runs/r1", {"s3cret-value"})
    run.publish()
    joined = ActiveRun.from_env()
    assert joined == run
    # Workers get digests of the credentials, never the values.
    assert "s3cret-value" not in run.to_env()
    assert len(joined.secret_digests) >= 1 and joined.salt
    assert joined.redactor().text("login with s3cret-value failed") == "login with *** failed"
    ActiveRun.withdraw()
    assert ActiveRun.from_env() is None


def test_an_active_run_without_credentials_carries_no_secrets() -> None:
    run = ActiveRun.of("r1", "s3://bucket/runs/r1")
    assert json.loads(run.to_env()) == {"run_id": "r1", "location": "s3://bucket/runs/r1"}
    assert ActiveRun.from_env({ACTIVE_RUN.name: run.to_env()}) == run


def _log_with_version(root: Path, version: int) -> Path:
    location = Path(create_run(str(root), "r1", {"start": 1.0}))
    process = events.process(1.0, "r1", pid=1, host="h", role="main")
    process["version"] = version
    writer = EventWriter(str(location))
    for event in (
        process,
        events.run_start(1.0, "r1", {}, {"nodes": [], "datasets": {}}),
        events.run_end(2.0),
    ):
        writer.write(event)
    writer.close()
    return root


def test_a_log_of_the_current_version_reads(tmp_path: Path) -> None:
    status = load_run_status(events=str(_log_with_version(tmp_path / "log", FORMAT_VERSION)))
    assert status.pipeline.status == "success"


def test_a_log_of_a_newer_format_is_refused_with_one_line(tmp_path: Path) -> None:
    root = _log_with_version(tmp_path / "log", FORMAT_VERSION + 1)
    with pytest.raises(EventLogError, match="newer kedro-run-report"):
        load_run_status(events=str(root))
    result = CliRunner().invoke(report, ["--events", str(root), "-f", "json", "-o", "-"])
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.stdout == ""
    (line,) = result.stderr.strip().splitlines()
    assert line.startswith("Error: ") and f"event format {FORMAT_VERSION + 1}" in line


@pytest.mark.parametrize("version", [None, "2", True, 1])
def test_only_a_larger_integer_version_is_refused(version: object) -> None:
    check_version({"kind": "process", "t": 0.0, "version": version}, "here")


def _started_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[RunReportHook, Pipeline, DataCatalog]:
    """A hook that has started recording a one-node run ``a -> n -> b`` into ``tmp_path/log``."""
    monkeypatch.setenv("KEDRO_RUN_REPORT_DIR", str(tmp_path / "log"))
    monkeypatch.delenv(ACTIVE_RUN.name, raising=False)
    pipe = pipeline([node(lambda x: x, "a", "b", name="n")])
    catalog = DataCatalog(datasets={"a": MemoryDataset(1)})
    hook = RunReportHook()
    hook.after_catalog_created(catalog)
    hook.before_pipeline_run({"run_id": "r1", "project_path": str(tmp_path)}, pipe, catalog)
    return hook, pipe, catalog


def test_a_failure_of_the_recorder_is_kept_in_the_log_as_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The report of a run the recorder could not fully record says so."""
    hook, pipe, catalog = _started_run(tmp_path, monkeypatch)
    (item,) = pipe.nodes

    def broken_probe(*args: object, **kwargs: object) -> None:
        raise RuntimeError("probe exploded")

    hook._main.sizes.measure = broken_probe  # type: ignore[union-attr, method-assign]
    hook.before_node_run(item, catalog, {"a": 1})
    hook._main.io_end = broken_probe  # type: ignore[union-attr, method-assign]
    hook.after_dataset_saved("b", 1, item)
    hook.after_node_run(item)
    hook.after_pipeline_run()
    status = load_run_status(events=str(tmp_path / "log"))
    assert status.pipeline.status == "success"
    assert status.node_by_name("n").status == "success"  # type: ignore[union-attr]
    (warning,) = status.warnings
    assert "could not record this run" in warning and "probe exploded" in warning


def test_a_recording_warning_is_redacted_and_never_acts_on_the_terminal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The warning Kedro's log handler prints carries an exception message: it is redacted,
    and its escape sequences are shown, not sent to the terminal (issue 13, item 7)."""
    hook, pipe, catalog = _started_run(tmp_path, monkeypatch)

    def hostile_probe(*args: object, **kwargs: object) -> None:
        raise RuntimeError("\x1b]0;pwned\x07\x1b[2J\u202e password: s3cret-value")

    hook.before_node_run(pipe.nodes[0], catalog, {"a": 1})
    hook._main.io_end = hostile_probe  # type: ignore[union-attr, method-assign]
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    # On the logger itself: Kedro's logging setup, run on its first import, replaces the
    # root logger's handlers (and would drop pytest's caplog handler).
    logging.getLogger("kedro_run_report").addHandler(handler)
    try:
        hook.after_dataset_saved("b", 1, pipe.nodes[0])
    finally:
        logging.getLogger("kedro_run_report").removeHandler(handler)
    (record,) = [r for r in records if "could not record" in r.getMessage()]
    logged = record.getMessage()
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\u202e" in logged
    assert not any(char in logged for char in ("\x1b", "\x07", "\u202e"))
    assert "s3cret-value" not in logged
