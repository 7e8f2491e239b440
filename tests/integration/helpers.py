"""Reading back what a real run recorded."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kedro_run_report.model import RunStatus
from kedro_run_report.reader import load_run_status

ALL_NODES = ["prep.clean", "prep.enrich", "model.train", "model.score", "summarise"]


def status_of(project: Path, run_id: str | None = None) -> RunStatus:
    """The aggregated latest (or given) run of ``project``."""
    return load_run_status(project_path=project, run_id=run_id)


def node_statuses(status: RunStatus) -> dict[str, str]:
    return {node.name: node.status for node in status.nodes.values()}


def viz_events(project: Path) -> list[dict[str, Any]]:
    return json.loads((project / ".viz" / "kedro_pipeline_events.json").read_text())


def viz_structured(project: Path) -> Any:
    """What Kedro-Viz's own /api/run-status code derives from our compat file."""
    from kedro_viz.api.rest.responses.run_events import transform_events_to_structured_format

    return transform_events_to_structured_format(viz_events(project))
