"""Runs in the log: creating, listing, finding and pruning run directories and manifests.

Layout under the log root (a local path or an fsspec URL)::

    <root>/runs/<run key>/run.json                         manifest, written at run start
    <root>/runs/<run key>/events-<host>-<pid>.jsonl        local: appended and flushed per event
    <root>/runs/<run key>/events-<host>-<pid>-<seq>.jsonl  remote: one new object per batch

No two processes share a file, so concurrent writers never collide. Reading never follows a
symlink below the log root, and opens only regular files: the ``runs`` directory, a run
directory, a manifest or an events file that is a symlink, a FIFO, a socket, a device or a
directory where a file belongs is left alone (a FIFO would block the reader forever). The log
root itself may be a symlink: the user chose it. Object stores have no such entries.
"""

from __future__ import annotations

import json
import os
import re
import stat
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kedro_run_report.errors import EventLogError, NoRunsError, RunReportError, UnknownRunError
from kedro_run_report.events import FORMAT_VERSION, valid_time
from kedro_run_report.store import manifest as checks
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
        # Object stores have no atomic mkdir, and a check before writing races: tasks of one
        # group started in the same second share a run id on Kedro 1.0 (whole-second session
        # ids). A random suffix keeps every run's key its own.
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
    """A recorded run as listed from the log: enough to choose one, no events read.

    ``problem`` says why the run cannot be read (its manifest is too large, malformed, or not
    a regular file); such a run is listed, never reported, compared with or pruned.
    """

    run_id: str
    key: str
    location: str
    start: float
    manifest: dict[str, Any] = field(default_factory=dict)
    problem: str | None = None


class NotAFileError(EventLogError):
    """An entry of the log is a symlink, FIFO, socket, device or directory, not a file."""


def irregular_kind(location: str) -> str | None:
    """What a local log entry is when it is not a regular file ("a FIFO" ...), else ``None``.

    Nothing is followed or opened: an ``lstat`` only. ``None`` for a URL (object stores hold
    only objects); a missing entry raises ``FileNotFoundError``.
    """
    if is_url(location):
        return None
    mode = os.lstat(location).st_mode
    return None if stat.S_ISREG(mode) else kind_of(mode)


def kind_of(mode: int) -> str:
    """What a file mode (of ``os.lstat``) names, as words: "a FIFO", "a symlink" ..."""
    kinds = [
        (stat.S_ISLNK, "a symlink"),
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
    ]
    return next((name for test, name in kinds if test(mode)), "not a regular file")


def _is_real_directory(location: str) -> bool:
    if is_url(location):
        return True
    try:
        return stat.S_ISDIR(os.lstat(location).st_mode)
    except OSError:
        return False


def open_regular(location: str, *, follow: bool = False) -> IO[bytes]:
    """A local file opened for binary reading only if it is a regular file; else raise.

    The check is made on the opened descriptor (no race with a file swapped in after a
    look): ``O_NONBLOCK`` keeps opening a FIFO from blocking, ``O_NOFOLLOW`` refuses a
    symlink unless ``follow`` (for a path the user named). A URL is opened as it is.
    """
    if is_url(location):
        return open_file(location, "rb")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    if not follow:
        flags |= getattr(os, "O_NOFOLLOW", 0)
    name = location.rsplit("/", 1)[-1]
    try:
        fd = os.open(location, flags)
    except OSError:
        if not follow and os.path.islink(location):  # ELOOP from O_NOFOLLOW
            raise NotAFileError(f"{name} is a symlink, not a regular file (not followed)") from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise NotAFileError(f"{name} is {kind_of(mode)}, not a regular file (not opened)")
    os.set_blocking(fd, True)
    return os.fdopen(fd, "rb")


def load_manifest(location: str) -> dict[str, Any]:
    """A run's checked manifest; ``FileNotFoundError`` when it has none, else a
    :class:`RunReportError` saying why it is unusable. Reads at most the size limit."""
    path = join(location, MANIFEST)
    if is_url(path):
        fs, inner = filesystem(path)
        size = int(fs.size(inner) or 0)
    else:
        status = os.lstat(path)
        if not stat.S_ISREG(status.st_mode):
            raise NotAFileError(f"run.json is {kind_of(status.st_mode)}, not a regular file")
        size = status.st_size
    if size > checks.MAX_MANIFEST_BYTES:
        raise checks.too_large(size)  # refused by its size, unread: memory stays bounded
    with open_regular(path) as handle:
        data = handle.read(checks.MAX_MANIFEST_BYTES + 1)  # it may have grown since
    return checks.parse_manifest(data)


def read_manifest(location: str) -> dict[str, Any] | None:
    """A run's manifest, or ``None`` when it is missing, unreadable or not a valid one."""
    try:
        return load_manifest(location)
    except (RunReportError, OSError):
        return None


def _runs_directory(root: str) -> str | None:
    """``root``'s runs directory; ``None`` when there is none; raise if it is not a real one."""
    runs = join(root, RUNS_DIR)
    if is_url(runs):
        return runs
    try:
        mode = os.lstat(runs).st_mode
    except (FileNotFoundError, NotADirectoryError):
        return None
    if not stat.S_ISDIR(mode):
        raise EventLogError(
            f"{runs} is {kind_of(mode)}, not a directory: runs are read only from a real "
            "directory inside the log, links are not followed. Point --events (or the log "
            "location) at the directory it names instead."
        )
    return runs


def list_runs(root: str) -> list[RunRecord]:
    """Recorded runs under ``root``, oldest first; unreadable ones (``problem`` set) first."""
    runs = _runs_directory(root)
    if runs is None:
        return []
    fs, runs_path = filesystem(runs)
    try:
        entries = fs.ls(runs_path, detail=False)
    except (FileNotFoundError, NotADirectoryError):
        return []
    records = []
    for entry in entries:
        key = str(entry).rstrip("/").rsplit("/", 1)[-1]
        location = join(root, RUNS_DIR, key)
        if not _is_real_directory(location):
            continue  # a link pointing elsewhere is not ours to read or prune; a file no run
        try:
            manifest, problem = load_manifest(location), None
        except FileNotFoundError:
            continue  # no manifest: not a run (or one whose manifest is being written)
        except (RunReportError, OSError) as exc:
            manifest, problem = {}, str(exc) or exc.__class__.__name__
        start = manifest.get("start")
        records.append(
            RunRecord(
                run_id=str(manifest.get("run_id") or key),
                key=key,
                location=location,
                start=float(start) if valid_time(start) else 0.0,
                manifest=manifest,
                problem=problem,
            )
        )
    records.sort(key=lambda r: (r.start, r.key))
    return records


def find_run(root: str, run_id: str | None = None) -> RunRecord:
    """The latest run, or the one whose id (or directory key) is ``run_id``."""
    listed = list_runs(root)
    runs = [r for r in listed if r.problem is None]
    if not runs:
        unreadable = f" ({len(listed)} unreadable, see --list)" if listed else ""
        if run_id is None or not listed:
            raise NoRunsError(
                f"No runs recorded in {root}{unreadable}. Run `kedro run` in the project first "
                "(kedro-run-report records every run), or point --events at an event log."
            )
    if run_id is None:
        return runs[-1]
    for record in reversed(listed):  # newest first; a readable run of the same id wins
        if run_id in (record.run_id, record.key) and record.problem is None:
            return record
    for record in reversed(listed):
        if run_id in (record.run_id, record.key):
            raise EventLogError(f"Run {run_id!r} cannot be read: {record.problem}.")
    recent = ", ".join(r.run_id for r in runs[-3:]) or "none readable"
    raise UnknownRunError(
        f"No recorded run has the id {run_id!r}. Recent runs: {recent} (see --list)."
    )


def prune_runs(root: str, keep: int) -> list[str]:
    """Delete the oldest runs beyond the newest ``keep``; return the removed keys.

    Unreadable runs are kept: what cannot be read is not known to be ours to delete. A
    ``runs`` directory that is a link raises (the hook turns it into a warning).
    """
    runs = [r for r in list_runs(root) if r.problem is None]
    removed = []
    for record in runs[: max(0, len(runs) - keep)]:
        fs, path = filesystem(record.location)
        fs.rm(path, recursive=True)
        removed.append(record.key)
    return removed


def event_files(
    run_location: str, skipped: list[str] | None = None, irregular: list[str] | None = None
) -> list[str]:
    """The event streams of one run, in an order that keeps each process's parts together.

    Symlinks are left out (and named in ``skipped``): an events file pointing at
    ``/etc/passwd`` must not end up in a report. So are FIFOs, sockets, devices and
    directories (named with their kind in ``irregular``): opening a FIFO would block.
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
        try:
            kind = irregular_kind(location)
        except FileNotFoundError:
            continue  # removed since the listing
        if kind is not None:
            if irregular is not None:
                irregular.append(f"{name} ({kind})")
            continue
        files.append(location)
    return files
