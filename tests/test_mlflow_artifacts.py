"""The run's report logged to an active MLflow run, against a real local tracking store."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import mlflow
import pytest
from helpers.event_log import EventLog, record_run

from kedro_run_report.record.mlflow_artifacts import (
    ARTIFACT_DIR,
    DURATION_TAG,
    RUN_ID_TAG,
    STATUS_TAG,
    log_report_to_mlflow,
)
from kedro_run_report.redact import Redactor
from kedro_run_report.settings import MLFLOW

CHAIN = [("a", ["raw"], ["mid"]), ("b", ["mid"], ["out"])]
SECRET = "hunter2-very-secret"


@pytest.fixture
def tracking(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A file tracking store in tmp_path, and its client."""
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")  # MLflow 3 asks for the opt-in
    monkeypatch.delenv(MLFLOW.name, raising=False)
    mlflow.set_tracking_uri((tmp_path / "mlruns").as_uri())
    yield mlflow.tracking.MlflowClient()
    while mlflow.active_run():
        mlflow.end_run()
    mlflow.set_tracking_uri(None)


def _log(tmp_path: Path, log: EventLog) -> str:
    root = tmp_path / "log"
    record_run(root, log, run_id="run-1")
    return str(root)


def _artifacts(client: Any, run_id: str) -> list[str]:
    return sorted(item.path for item in client.list_artifacts(run_id, ARTIFACT_DIR))


def test_the_report_json_and_tags_reach_the_active_run(tmp_path: Path, tracking: Any) -> None:
    root = _log(tmp_path, EventLog().start(CHAIN).node("a", 2.0).node_fails("b", 1.0).error())
    with mlflow.start_run() as run:
        assert log_report_to_mlflow(root, "run-1", Redactor()) is True
    found = tracking.get_run(run.info.run_id)
    assert _artifacts(tracking, run.info.run_id) == [
        f"{ARTIFACT_DIR}/run-report.html",
        f"{ARTIFACT_DIR}/run-status.json",
    ]
    assert found.data.tags[STATUS_TAG] == "failed"
    assert found.data.tags[DURATION_TAG] == "3.000"
    assert found.data.tags[RUN_ID_TAG] == "run-1"
    local = Path(tracking.download_artifacts(run.info.run_id, ARTIFACT_DIR, str(tmp_path)))
    status = json.loads((local / "run-status.json").read_text(encoding="utf-8"))
    assert status["pipeline"]["status"] == "failed"
    assert {n["name"]: n["status"] for n in status["nodes"].values()} == {
        "a": "success",
        "b": "failed",
    }
    page = (local / "run-report.html").read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in page


def test_nothing_is_logged_without_an_active_run(tmp_path: Path, tracking: Any) -> None:
    root = _log(tmp_path, EventLog().start(CHAIN).node("a").node("b").end())
    assert log_report_to_mlflow(root, "run-1", Redactor()) is False
    assert mlflow.active_run() is None


def test_the_setting_turns_it_off(
    tmp_path: Path, tracking: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _log(tmp_path, EventLog().start(CHAIN).node("a").node("b").end())
    monkeypatch.setenv(MLFLOW.name, "0")
    with mlflow.start_run() as run:
        assert log_report_to_mlflow(root, "run-1", Redactor()) is False
    assert _artifacts(tracking, run.info.run_id) == []
    assert STATUS_TAG not in tracking.get_run(run.info.run_id).data.tags


def test_a_failure_is_one_redacted_warning_never_an_exception(
    tmp_path: Path, tracking: Any, caplog: pytest.LogCaptureFixture
) -> None:
    root = _log(tmp_path, EventLog().start(CHAIN).node("a").node("b").end())
    with mlflow.start_run(), caplog.at_level(logging.WARNING, logger="kedro_run_report"):
        # a run id the log does not have: the message names it, and the secret in it is masked
        assert log_report_to_mlflow(root, f"run-{SECRET}", Redactor({SECRET})) is False
    (record,) = caplog.records
    assert "could not log the run report to MLflow" in record.getMessage()
    assert SECRET not in record.getMessage()


def test_the_hook_does_not_import_mlflow() -> None:
    """`kedro run` pays for MLflow only when something else imported it already."""
    code = (
        "import sys\n"
        "from kedro_run_report.record import hook\n"
        "from kedro_run_report.record.mlflow_artifacts import active_mlflow_run\n"
        "assert active_mlflow_run() is None\n"
        "assert 'mlflow' not in sys.modules, 'mlflow was imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
