"""Writing ``.viz/kedro_pipeline_events.json`` for Kedro-Viz at the end of a run."""

from __future__ import annotations

import json
from pathlib import Path

from kedro_run_report.model import RunStatus
from kedro_run_report.store import atomic_write_text
from kedro_run_report.vizcompat import VIZ_EVENTS_FILE, to_viz_events


def write_compat_file(status: RunStatus, project_path: str) -> Path:
    """Write Kedro-Viz's events file for a run, atomically."""
    target = Path(project_path) / VIZ_EVENTS_FILE
    # Compact: an indent would switch json to its pure-Python encoder, ten times slower.
    atomic_write_text(str(target), json.dumps(to_viz_events(status)), durable=False)
    return target
