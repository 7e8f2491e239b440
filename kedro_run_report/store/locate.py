"""Finding a run's events from what the user points at: a log, a run, a file, Kedro-Viz's file."""

from __future__ import annotations

import io
import json
import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kedro_run_report.errors import EventLogError
from kedro_run_report.events import Event
from kedro_run_report.settings import log_location
from kedro_run_report.store.files import filesystem, is_url
from kedro_run_report.store.reading import iter_file_events, iter_run_events
from kedro_run_report.store.runs import (
    MANIFEST,
    RUNS_DIR,
    RunRecord,
    event_files,
    find_run,
    kind_of,
    open_regular,
)
from kedro_run_report.store.viz_events import from_viz_events, looks_like_viz_events

#: A Kedro-Viz events file is read whole (parsed JSON costs several times its size in
#: memory); refuse anything absurdly large for one. Ten thousand failed nodes with long
#: tracebacks stay well under this.
MAX_VIZ_FILE_BYTES = 64 * 1024 * 1024


@dataclass
class Source:
    """Where a run's events come from; ``root`` and ``record`` when it is part of a log."""

    events: Iterable[Event]
    description: str
    root: str | None = None
    record: RunRecord | None = None


def locate(
    *, project_path: Path | None = None, events: str | None = None, run_id: str | None = None
) -> tuple[Source, list[str]]:
    """The source of the latest (or ``run_id``) run, and the list its read warnings go to."""
    warnings: list[str] = []
    if events is None:
        return _from_log(log_location(project_path), run_id, warnings), warnings
    return _from_path(events, run_id, warnings), warnings


def _from_log(root: str, run_id: str | None, warnings: list[str]) -> Source:
    record = find_run(root, run_id)
    return Source(iter_run_events(record.location, warnings), record.location, root, record)


def _from_path(path: str, run_id: str | None, warnings: list[str]) -> Source:
    """Events from a log root, a run directory, one stream, or a Kedro-Viz events file.

    The path the user names may be a symlink (they chose it); below it nothing is followed.
    """
    fs, inner = filesystem(path)
    if not fs.exists(inner):
        raise EventLogError(f"{path} does not exist.")
    if not is_url(path):
        mode = os.stat(path).st_mode
        if not (stat.S_ISDIR(mode) or stat.S_ISREG(mode)):
            # never opened: a FIFO would block (a link to one is followed: the user named it)
            raise EventLogError(
                f"{path} is {kind_of(mode)}, neither an event log nor an events file."
            )
    if fs.isdir(inner):
        if _present(fs, inner, RUNS_DIR):
            return _from_log(path, run_id, warnings)
        if _present(fs, inner, MANIFEST) or event_files(path):
            return Source(iter_run_events(path, warnings), path)
        raise EventLogError(f"{path} is a directory without kedro-run-report events.")
    size = fs.size(inner)
    if not size:
        raise EventLogError(f"{path} is empty.")
    with open_regular(path, follow=True) as handle:
        head = handle.read(64).decode("utf-8", errors="replace").lstrip()
    if head.startswith("["):
        return Source(iter(_viz_events(path, size, warnings)), path)
    if head.startswith("{"):
        return Source(iter_file_events(path, warnings, follow=True), path)
    raise EventLogError(f"{path} is not an event log (neither JSON Lines nor a JSON list).")


def _viz_events(path: str, size: int, warnings: list[str]) -> list[Event]:
    """Our events from a Kedro-Viz ``kedro_pipeline_events.json``."""
    if size > MAX_VIZ_FILE_BYTES:
        raise EventLogError(f"{path} is too large for a Kedro-Viz events file ({size} bytes).")
    try:
        with open_regular(path, follow=True) as handle:
            data = json.load(io.TextIOWrapper(handle, encoding="utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise EventLogError(f"{path} is not valid JSON (truncated or corrupt?).") from None
    if not looks_like_viz_events(data):
        raise EventLogError(f"{path} is a JSON list but not Kedro-Viz run events.")
    return from_viz_events(data, warnings)


def _present(fs: object, inner: str, name: str) -> bool:
    """Whether a directory holds ``name`` (a link counts: it is present, though never read)."""
    path = f"{inner.rstrip('/')}/{name}"
    return os.path.lexists(path) if not is_url(inner) else bool(fs.exists(path))  # type: ignore[attr-defined]
