"""Runs in the log: creating, listing, finding and pruning run directories and manifests.

Layout under the log root (a local path or an fsspec URL)::

    <root>/runs/<run key>/run.json                         manifest, written at run start
    <root>/runs/<run key>/events-<host>-<pid>.jsonl        local: appended and flushed per event
    <root>/runs/<run key>/events-<host>-<pid>-<seq>.jsonl  remote: one new object per batch

No two processes share a file, so concurrent writers never collide. Reading never follows a
symlink inside the log: a run directory, manifest or events file pointing elsewhere is
ignored.
"""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kedro_run_report.errors import EventLogError, NoRunsError, UnknownRunError
from kedro_run_report.events import FORMAT_VERSION
from kedro_run_report.store.files import (
    atomic_write_text,
    filesystem,
    is_link,
    is_url,
    join,
    open_file,
    safe_key,
)

RUNS_DIR = "runs"
MANIFEST = "run.json"
EVENT_FILE_PATTERN = re.compile(r"^events-.+\.jsonl$")


def create_run(root: str, run_id: str, manifest: dict[str, Any]) -> str:
    """Make a new, unique run directory under ``root`` and write its manifest."""
    fs, _ = filesystem(root)
    runs = join(root, RUNS_DIR)
    key = safe_key(run_id)
    location = join(runs, key)
    if is_url(location):
        if fs.exists(filesystem(location)[1]):
            key = f"{key}-{uuid.uuid4().hex[:6]}"
            location = join(runs, key)
    else:
        # mkdir is atomic: of two processes starting a run with the same id at once, one
        # gets the directory and the other a suffixed one, never both the same.
        Path(runs).mkdir(parents=True, exist_ok=True)
        while True:
            try:
                Path(location).mkdir()
                break
            except FileExistsError:
                key = f"{safe_key(run_id)}-{uuid.uuid4().hex[:6]}"
                location = join(runs, key)
    body = dict(manifest, run_id=run_id, key=key, version=FORMAT_VERSION)
    atomic_write_text(
        join(location, MANIFEST), json.dumps(body, indent=1, default=str), durable=False
    )
    return location


def update_manifest(run_location: str, **fields: Any) -> None:
    """Merge ``fields`` into a run's manifest, replacing the file atomically."""
    manifest = read_manifest(run_location) or {}
    manifest.update(fields)
    atomic_write_text(
        join(run_location, MANIFEST), json.dumps(manifest, indent=1, default=str), durable=False
    )


@dataclass
class RunRecord:
    """A recorded run as listed from the log: enough to choose one, no events read."""

    run_id: str
    key: str
    location: str
    start: float
    manifest: dict[str, Any] = field(default_factory=dict)


def list_runs(root: str) -> list[RunRecord]:
    """Recorded runs under ``root``, oldest first."""
    fs, runs_path = filesystem(join(root, RUNS_DIR))
    try:
        entries = fs.ls(runs_path, detail=False)
    except (FileNotFoundError, NotADirectoryError):
        return []
    records = []
    for entry in entries:
        key = str(entry).rstrip("/").rsplit("/", 1)[-1]
        location = join(root, RUNS_DIR, key)
        if is_link(location):
            continue  # a run directory pointing elsewhere is not ours to read or prune
        manifest = read_manifest(location)
        if manifest is None:
            continue
        start = manifest.get("start")
        records.append(
            RunRecord(
                run_id=str(manifest.get("run_id") or key),
                key=key,
                location=location,
                start=float(start) if isinstance(start, (int, float)) else 0.0,
                manifest=manifest,
            )
        )
    records.sort(key=lambda r: (r.start, r.key))
    return records


def read_manifest(location: str) -> dict[str, Any] | None:
    """A run's manifest, or ``None`` when it is missing, unreadable or not an object."""
    if is_link(join(location, MANIFEST)):
        return None
    try:
        with open_file(join(location, MANIFEST), "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def find_run(root: str, run_id: str | None = None) -> RunRecord:
    """The latest run, or the one whose id (or directory key) is ``run_id``."""
    runs = list_runs(root)
    if not runs:
        raise NoRunsError(
            f"No runs recorded in {root}. Run `kedro run` in the project first "
            "(kedro-run-report records every run), or point --events at an event log."
        )
    if run_id is None:
        return runs[-1]
    for record in reversed(runs):
        if run_id in (record.run_id, record.key):
            return record
    recent = ", ".join(r.run_id for r in runs[-3:])
    raise UnknownRunError(
        f"No recorded run has the id {run_id!r}. Recent runs: {recent} (see --list)."
    )


def prune_runs(root: str, keep: int) -> list[str]:
    """Delete the oldest runs beyond the newest ``keep``; return the removed keys."""
    runs = list_runs(root)
    removed = []
    for record in runs[: max(0, len(runs) - keep)]:
        fs, path = filesystem(record.location)
        fs.rm(path, recursive=True)
        removed.append(record.key)
    return removed


def event_files(run_location: str, skipped: list[str] | None = None) -> list[str]:
    """The event streams of one run, in an order that keeps each process's parts together.

    Symlinks are left out (and named in ``skipped``): an events file pointing at
    ``/etc/passwd`` must not end up in a report.
    """
    fs, path = filesystem(run_location)
    try:
        names = [str(p).rstrip("/").rsplit("/", 1)[-1] for p in fs.ls(path, detail=False)]
    except (FileNotFoundError, NotADirectoryError):
        raise EventLogError(f"{run_location} is not a run directory.") from None
    files = []
    for name in sorted(names):
        if not EVENT_FILE_PATTERN.match(name):
            continue
        location = join(run_location, name)
        if is_link(location):
            if skipped is not None:
                skipped.append(name)
            continue
        files.append(location)
    return files
