"""Writing ``.viz/kedro_pipeline_events.json`` for Kedro-Viz at the end of a run."""

from __future__ import annotations

import json
from pathlib import Path

from kedro_run_report.model import RunStatus, aggregate
from kedro_run_report.store import atomic_write_text, iter_run_events
from kedro_run_report.vizcompat import VIZ_EVENTS_FILE, to_viz_events


def write_compat_file(
    run_location: str, project_path: str, status: RunStatus | None = None
) -> Path:
    """Write Kedro-Viz's events file for a run, atomically; aggregate it unless given."""
    if status is None:
        status = aggregate(iter_run_events(run_location, []))
    target = Path(project_path) / VIZ_EVENTS_FILE
    atomic_write_text(str(target), json.dumps(to_viz_events(status), indent=2))
    return target
