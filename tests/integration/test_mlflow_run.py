"""Real `kedro run`s with kedro-mlflow's own hook: the report lands in the MLflow run it opens.

kedro-mlflow asks for the full ``mlflow`` distribution and, once installed, opens an MLflow run
in every `kedro run` of the environment; ``scripts/setup.sh`` therefore installs it, without
its dependencies (the test extra's ``mlflow-skinny`` serves it), into a directory of its own
that only these runs get on ``PYTHONPATH``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from helpers.kedro_project import run_kedro
from helpers.kedro_runs import status_of

from kedro_run_report.record.mlflow_artifacts import (
    ARTIFACT_DIR,
    DURATION_TAG,
    RUN_ID_TAG,
    STATUS_TAG,
)
from kedro_run_report.settings import MLFLOW

pytestmark = pytest.mark.integration

KEDRO_MLFLOW_DIR = Path(sys.prefix) / "plugins" / "kedro-mlflow"


@pytest.fixture(scope="module")
def kedro_mlflow() -> Path:
    if not (KEDRO_MLFLOW_DIR / "kedro_mlflow").is_dir():
        message = f"kedro-mlflow is not in {KEDRO_MLFLOW_DIR}: run scripts/setup.sh"
        if os.environ.get("CI") == "true":  # in CI a missing plugin is a broken setup
            pytest.fail(message)
        pytest.skip(message)
    return KEDRO_MLFLOW_DIR


def _run(project: Path, plugin: Path, store: Path, **env: str) -> Any:
    return run_kedro(
        project,
        "run",
        PYTHONPATH=str(plugin),
        MLFLOW_TRACKING_URI=store.as_uri(),
        MLFLOW_ALLOW_FILE_STORE="true",
        **env,
    )


def _only_run(store: Path) -> Any:
    import mlflow

    client = mlflow.tracking.MlflowClient(tracking_uri=store.as_uri())
    runs = [r for e in client.search_experiments() for r in client.search_runs([e.experiment_id])]
    assert len(runs) == 1, runs
    return client, runs[0]


def test_a_failed_run_logs_its_report_before_kedro_mlflow_ends_the_mlflow_run(
    project: Path, kedro_mlflow: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    store = tmp_path / "mlruns"
    ran = _run(project, kedro_mlflow, store, FAIL_NODE="model.score")
    assert ran.returncode != 0
    assert "could not log" not in ran.stderr + ran.stdout
    client, run = _only_run(store)
    assert run.info.status == "FAILED"  # kedro-mlflow ended it, after our hook logged to it
    status = status_of(project)
    assert run.data.tags[STATUS_TAG] == "failed"
    assert run.data.tags[RUN_ID_TAG] == status.pipeline.run_id
    assert float(run.data.tags[DURATION_TAG]) == pytest.approx(status.pipeline.duration, abs=1e-3)
    logged = sorted(a.path for a in client.list_artifacts(run.info.run_id, ARTIFACT_DIR))
    assert logged == [f"{ARTIFACT_DIR}/run-report.html", f"{ARTIFACT_DIR}/run-status.json"]
    local = Path(client.download_artifacts(run.info.run_id, ARTIFACT_DIR, str(tmp_path)))
    assert "boom in model.score" in (local / "run-status.json").read_text(encoding="utf-8")


def test_the_setting_keeps_reports_out_of_mlflow(
    project: Path, kedro_mlflow: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    store = tmp_path / "mlruns"
    ran = _run(project, kedro_mlflow, store, **{MLFLOW.name: "0"})
    assert ran.returncode == 0, ran.stderr
    client, run = _only_run(store)
    assert run.info.status == "FINISHED"
    assert client.list_artifacts(run.info.run_id, ARTIFACT_DIR) == []
    assert STATUS_TAG not in run.data.tags
    assert status_of(project).pipeline.status == "success"  # recorded all the same
