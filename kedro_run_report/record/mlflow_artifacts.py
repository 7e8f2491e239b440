"""The run's report, logged to the MLflow run that is active when the Kedro run ends.

kedro-mlflow opens an MLflow run for each Kedro run and ends it in its own
``after_pipeline_run`` / ``on_pipeline_error``; our hook acts first (``tryfirst``), and when an
MLflow run is active it logs the HTML report and the run-status JSON as artifacts under
``kedro-run-report/`` and the run's status and duration as tags.

MLflow is never imported here: importing it takes seconds. Only a process that has already
imported it (kedro-mlflow's hook does) can have an active run, so ``sys.modules`` decides.
This is the one place where ``record/`` uses the reporters, imported only when there is a run
to log to. A failure is one warning in the log; the Kedro run goes on.
"""

from __future__ import annotations

import logging
import sys
from typing import Any

from kedro_run_report.formatting import terminal_safe
from kedro_run_report.redact import Redactor
from kedro_run_report.settings import mlflow_enabled

logger = logging.getLogger("kedro_run_report")

#: The artifact directory of the MLflow run the reports go into.
ARTIFACT_DIR = "kedro-run-report"
#: The tags' names: ours, apart from MLflow's and kedro-mlflow's own.
STATUS_TAG = "kedro_run_report.status"
DURATION_TAG = "kedro_run_report.duration_s"
RUN_ID_TAG = "kedro_run_report.run_id"
#: What is logged: the formats of the reporter table.
ARTIFACT_FORMATS = ("html", "json")


def active_mlflow_run() -> Any | None:
    """The active MLflow run, if logging to MLflow is on and mlflow is already imported."""
    mlflow = sys.modules.get("mlflow")
    if mlflow is None or not mlflow_enabled():
        return None
    active_run = getattr(mlflow, "active_run", None)
    return active_run() if callable(active_run) else None


def log_report_to_mlflow(log_root: str, run_id: str, redactor: Redactor) -> bool:
    """Log run ``run_id`` of the event log at ``log_root`` to the active MLflow run.

    Returns whether it did; with no active run it does nothing. It never raises.
    """
    try:
        if active_mlflow_run() is None:
            return False
        _log(sys.modules["mlflow"], log_root, run_id)
        return True
    except Exception as exc:
        message = redactor.text(
            f"kedro-run-report could not log the run report to MLflow "
            f"({type(exc).__name__}: {exc}). The run itself is not affected."
        )
        logger.warning("%s", terminal_safe(message))
        return False


def _log(mlflow: Any, log_root: str, run_id: str) -> None:
    from kedro_run_report.diagram.layout_cache import cache_dir
    from kedro_run_report.report.formats import RenderOptions, reporter
    from kedro_run_report.report.load import load_run_report

    report = load_run_report(events=log_root, run_id=run_id)
    options = RenderOptions(layout_cache=cache_dir(report.log_root))
    for fmt in ARTIFACT_FORMATS:
        found = reporter(fmt)
        mlflow.log_text(found.render(report, options).text, f"{ARTIFACT_DIR}/{found.filename}")
    pipeline = report.status.pipeline
    mlflow.set_tags(
        {
            STATUS_TAG: pipeline.status,
            DURATION_TAG: f"{pipeline.duration:.3f}",
            RUN_ID_TAG: pipeline.run_id,
        }
    )
