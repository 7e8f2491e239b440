"""Finding a recorded run and reading it into a RunStatus."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path

import fsspec

from kedro_run_report.errors import EventLogError
from kedro_run_report.events import Event, EventKind
from kedro_run_report.location import log_location
from kedro_run_report.model import Aggregator, RunStatus
from kedro_run_report.store import (
    MANIFEST,
    RUNS_DIR,
    event_files,
    find_run,
    iter_file_events,
    iter_run_events,
)
from kedro_run_report.vizcompat import from_viz_events, looks_like_viz_events

#: A Kedro-Viz events file is read whole; refuse anything absurdly large for one.
MAX_VIZ_FILE_BYTES = 256 * 1024 * 1024


def load_run_status(
    *,
    project_path: Path | None = None,
    events: str | None = None,
    run_id: str | None = None,
) -> RunStatus:
    """The RunStatus of the latest (or ``run_id``) run of a project, or of an event log."""
    warnings: list[str] = []
    if events is None:
        record = find_run(log_location(project_path), run_id)
        stream: Iterable[Event] = iter_run_events(record.location, warnings)
        source = record.location
    else:
        stream, source = _events_from(events, run_id, warnings)
    return aggregate_checked(stream, source, warnings)


def aggregate_checked(stream: Iterable[Event], source: str, warnings: list[str]) -> RunStatus:
    """Aggregate, refusing a log in which no run started (empty or foreign)."""
    aggregator = Aggregator()
    started = False
    for event in stream:
        if event.get("kind") == EventKind.RUN_START.value:
            started = True
        aggregator.add(event)
    if not started:
        detail = f" ({warnings[0]})" if warnings else ""
        raise EventLogError(
            f"{source} holds no kedro-run-report run{detail}. Point --events at a run "
            "directory, an events-*.jsonl file or a Kedro-Viz kedro_pipeline_events.json."
        )
    status = aggregator.result()
    status.warnings.extend(warnings)
    return status


def _events_from(path: str, run_id: str | None, warnings: list[str]) -> tuple[Iterator[Event], str]:
    """Events from a log root, a run directory, one stream, or a Kedro-Viz events file."""
    fs, inner = fsspec.core.url_to_fs(path)
    if not fs.exists(inner):
        raise EventLogError(f"{path} does not exist.")
    if fs.isdir(inner):
        if fs.exists(f"{inner.rstrip('/')}/{RUNS_DIR}"):
            record = find_run(path, run_id)
            return iter_run_events(record.location, warnings), record.location
        if fs.exists(f"{inner.rstrip('/')}/{MANIFEST}") or event_files(path):
            return iter_run_events(path, warnings), path
        raise EventLogError(f"{path} is a directory without kedro-run-report events.")
    size = fs.size(inner)
    if not size:
        raise EventLogError(f"{path} is empty.")
    with fsspec.open(path, "r", encoding="utf-8", errors="replace") as handle:
        head = handle.read(64).lstrip()
    if head.startswith("["):
        return iter(_viz_events(path, size, warnings)), path
    if head.startswith("{"):
        return iter_file_events(path, warnings), path
    raise EventLogError(f"{path} is not an event log (neither JSON Lines nor a JSON list).")


def _viz_events(path: str, size: int, warnings: list[str]) -> list[Event]:
    """Our events from a Kedro-Viz ``kedro_pipeline_events.json``."""
    if size > MAX_VIZ_FILE_BYTES:
        raise EventLogError(f"{path} is too large for a Kedro-Viz events file ({size} bytes).")
    try:
        with fsspec.open(path, "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise EventLogError(f"{path} is not valid JSON (truncated or corrupt?).") from None
    if not looks_like_viz_events(data):
        raise EventLogError(f"{path} is a JSON list but not Kedro-Viz run events.")
    return from_viz_events(data, warnings)
