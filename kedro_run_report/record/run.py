"""Starting and ending a recorded run in the main process.

Start: the run's directory and manifest, the planned pipeline's snapshot, the main recorder,
the ``run_start`` event and the run's fingerprint (taken in the background). End: the last
event, the run's final status, Kedro-Viz's events file and the outcome in the manifest, each
step on its own so that one failing still lets the others run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kedro_run_report import events
from kedro_run_report.events import Event
from kedro_run_report.model.run_status import is_selection
from kedro_run_report.record.fingerprint import Fingerprinting, start_fingerprint
from kedro_run_report.record.recorder import SIZES_GRACE, SNAPSHOT_NODE_IDS, Recorder
from kedro_run_report.record.snapshot import (
    pipeline_snapshot,
    registered_pipeline,
    run_meta,
)
from kedro_run_report.redact import Redactor
from kedro_run_report.store.runs import create_run, update_manifest
from kedro_run_report.store.viz_events import write_viz_events_file

#: ``step(*args)``, or ``None`` (and one warning) if it fails.
Attempt = Callable[..., Any]

# The fingerprint being taken for each run this process started, by run location.
_fingerprints: dict[str, Fingerprinting] = {}


def start_run(
    run_params: dict[str, Any],
    pipeline: Any,
    catalog: Any,
    project_path: str | None,
    root: str,
    redactor: Redactor,
    warn: Callable[[BaseException], None],
) -> Recorder:
    """Create the run in the log under ``root`` and return its main recorder; ``warn`` is told
    of a failure to record in the background (the fingerprint)."""
    run_id = str(run_params.get("run_id") or time.strftime("%Y-%m-%dT%H.%M.%S"))
    meta = run_meta(run_params, project_metadata(project_path), redactor)
    started = time.time()
    manifest = {
        "start": started,
        "pipeline_names": meta["pipeline_names"],
        "runner": meta["runner"],
        "filters": meta["filters"],
        "group": meta["group"],
    }
    location = create_run(root, run_id, manifest)
    full = registered_pipeline(meta["pipeline_names"]) if is_selection(meta["filters"]) else None
    snapshot = pipeline_snapshot(pipeline, catalog, full)
    SNAPSHOT_NODE_IDS.clear()
    SNAPSHOT_NODE_IDS.update((spec["name"], spec["id"]) for spec in snapshot["nodes"])
    recorder = Recorder(run_id, location, "main", catalog, live=True)
    recorder.emit(events.run_start(started, run_id, meta, snapshot), flush=True)
    fingerprint = start_fingerprint(recorder, pipeline, catalog, project_path, redactor, warn)
    if fingerprint is not None:
        _fingerprints[location] = fingerprint
    return recorder


def finish_run(
    recorder: Recorder,
    last_event: Event,
    viz_events_project: str | None,
    *,
    attempt: Attempt,
    warn: Callable[[BaseException], None],
) -> None:
    """End the run with ``last_event``; write Kedro-Viz's file into ``viz_events_project``."""
    attempt(recorder.sizes.drain, SIZES_GRACE)  # remote sizes still being measured
    fingerprint = _fingerprints.pop(recorder.location, None)
    if fingerprint is not None:
        attempt(fingerprint.wait)
    attempt(recorder.emit, last_event, flush=True)
    attempt(recorder.writer.close)
    lost = recorder.writer.lost()
    if lost:
        warn(FileNotFoundError(f"{recorder.location} was deleted during the run"))
    status = attempt(recorder.final_status, lost)
    if status is None:
        return
    if viz_events_project:
        attempt(write_viz_events_file, status, viz_events_project)
    if not lost:
        # The outcome in the manifest lets a history list runs without reading their logs.
        attempt(update_manifest, recorder.location, outcome=status.outcome())


def project_metadata(project_path: str | None) -> dict[str, Any]:
    """Project and package name, read from the project's pyproject.toml when possible."""
    if not project_path:
        return {}
    try:
        from kedro.framework.startup import _get_project_metadata

        metadata = _get_project_metadata(Path(project_path))
        return {
            "project_name": metadata.project_name,
            "package_name": metadata.package_name,
            "project_path": project_path,
        }
    except Exception:
        return {"project_path": project_path}
