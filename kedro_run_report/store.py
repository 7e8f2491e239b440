"""Where events live: one directory per run, one JSON Lines stream per process.

Layout under the log root (a local path or an fsspec URL)::

    <root>/runs/<run key>/run.json                         manifest, written at run start
    <root>/runs/<run key>/events-<host>-<pid>.jsonl        local: appended and flushed per event
    <root>/runs/<run key>/events-<host>-<pid>-<seq>.jsonl  remote: one new object per batch

No two processes share a file, so concurrent writers never collide, and a killed process
keeps everything it wrote before the kill. Reading never follows a symlink inside the log
(a run directory or events file pointing elsewhere is ignored) and never holds more than one
line of at most :data:`MAX_LINE_BYTES` in memory.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing.util
import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import fsspec

from kedro_run_report.errors import EventLogError, NoRunsError, UnknownRunError
from kedro_run_report.events import FORMAT_VERSION, BadEventLine, Event, EventKind, decode, encode
from kedro_run_report.location import is_url

RUNS_DIR = "runs"
MANIFEST = "run.json"
EVENT_FILE_PATTERN = re.compile(r"^events-.+\.jsonl$")
HOST = socket.gethostname()
# A remote batch is written when it holds this many events or is this old (seconds).
BATCH_EVENTS = 500
BATCH_SECONDS = 5.0
# Uploads asked for by node ends are at least this far apart (seconds).
MIN_UPLOAD_INTERVAL = 1.0
#: Longer lines are skipped with a warning, unread: no event of ours comes near this (error
#: texts are cut to a fraction of it), and it bounds the memory a hostile log can cost.
MAX_LINE_BYTES = 64 * 1024 * 1024  # the run_start of a pipeline of 200,000 nodes still fits
READ_CHUNK_BYTES = 1024 * 1024


# Options for the log's filesystem (e.g. an S3 key and secret), from a named entry of Kedro's
# credentials when one is configured; otherwise the filesystem's own defaults apply.
_STORAGE_OPTIONS: dict[str, Any] = {}


def use_storage_options(options: dict[str, Any] | None) -> None:
    """Pass ``options`` to every remote filesystem the store opens from now on."""
    _STORAGE_OPTIONS.clear()
    _STORAGE_OPTIONS.update(options or {})


def _options(location: str) -> dict[str, Any]:
    return dict(_STORAGE_OPTIONS) if is_url(location) else {}


def filesystem(location: str) -> tuple[Any, str]:
    """The fsspec filesystem and in-filesystem path of a location, with the log's options."""
    return fsspec.core.url_to_fs(location, **_options(location))


def open_file(location: str, mode: str, **kwargs: Any) -> Any:
    """``fsspec.open`` with the log's storage options; plain ``open`` for a local path (a
    fraction of the cost, which counts when a history reads thirty manifests)."""
    if not is_url(location):
        return open(location, mode, **kwargs)  # noqa: SIM115 - the caller's ``with`` closes it
    return fsspec.open(location, mode, **kwargs, **_options(location))


def _join(location: str, *parts: str) -> str:
    return "/".join([location.rstrip("/"), *parts])


def safe_key(run_id: str) -> str:
    """A directory name for a run id: nothing that can climb out of the runs directory."""
    key = re.sub(r"[^A-Za-z0-9._-]", "_", run_id).strip(".") or "run"
    return key[:120]


# -- writing ----------------------------------------------------------------------------


class EventWriter:
    """Appends events of this process to its own stream; thread-safe, fork-aware.

    A local stream's first failed write (a full disk) raises, so that the caller can warn
    once; after it the writer is :attr:`broken` and drops events silently.
    ``create_dir=False`` (the hook: the run directory exists already) refuses to recreate
    a run directory that was deleted mid-run.
    """

    def __init__(self, run_location: str, *, create_dir: bool = True) -> None:
        self.run_location = run_location
        self.pid = os.getpid()
        self.broken = False
        self._lock = threading.Lock()
        self.remote = is_url(run_location)
        self._fd: int | None = None  # a local stream's file descriptor
        self._batch: list[str] = []
        self._batch_started = 0.0
        self._seq = 0
        self._stem = f"events-{safe_key(HOST)}-{self.pid}"
        self._flusher: threading.Thread | None = None
        self._closed = threading.Event()
        self._due = threading.Event()
        self._upload_lock = threading.Lock()
        if self.remote:
            # Batches still buffered when the process ends are flushed: atexit covers the main
            # process, multiprocessing's finalizers the pool workers (they skip atexit).
            atexit.register(self.close)
            multiprocessing.util.Finalize(self, self.close, exitpriority=100)
        else:
            if create_dir:
                Path(run_location).mkdir(parents=True, exist_ok=True)
            # Unbuffered: every event reaches the OS in one write(2) as soon as it is written.
            self._fd = os.open(
                Path(run_location) / f"{self._stem}.jsonl",
                os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_CLOEXEC", 0),
                0o666,
            )

    def write(self, event: Event, *, flush: bool = False) -> None:
        """Append one event; remote streams batch until ``flush`` or a threshold."""
        if self.broken:
            return
        line = encode(event)
        with self._lock:
            if self._fd is not None:
                try:
                    # A lone surrogate (an undecodable file name) becomes its JSON escape.
                    _write_all(self._fd, line.encode("utf-8", "backslashreplace"))
                except OSError:
                    self.broken = True
                    raise
                return
            if not self.remote:
                return  # closed: a racing thread's late event
            if not self._batch:
                self._batch_started = time.monotonic()
                self._start_flusher()
            self._batch.append(line)
            if flush or len(self._batch) >= BATCH_EVENTS:
                self._due.set()  # the flusher uploads it: writers never wait on the network

    def flush(self) -> None:
        """Upload everything buffered now (a no-op for local files, which flush per event)."""
        with self._upload_lock:  # one upload at a time keeps the objects in order
            with self._lock:
                lines, self._batch = self._batch, []
            if not lines:
                return
            path = _join(self.run_location, f"{self._stem}-{self._seq + 1:06d}.jsonl")
            try:
                with open_file(path, "w", encoding="utf-8") as handle:
                    handle.write("".join(lines))
            except Exception:
                with self._lock:  # keep the batch for the next try
                    self._batch[:0] = lines
                raise
            self._seq += 1

    def _start_flusher(self) -> None:
        """A daemon thread that uploads batches: when asked (a node ended, 500 events wait)
        or once a batch is BATCH_SECONDS old, so that a long node's start gets out too."""
        if self._flusher is None or not self._flusher.is_alive():
            self._flusher = threading.Thread(
                target=self._flush_when_due, name="kedro-run-report-flush", daemon=True
            )
            self._flusher.start()

    def _flush_when_due(self) -> None:
        last_upload = 0.0
        while not self._closed.is_set():
            asked = self._due.wait(BATCH_SECONDS / 4)
            self._due.clear()
            with self._lock:
                ready = bool(self._batch) and (
                    asked or time.monotonic() - self._batch_started >= BATCH_SECONDS
                )
                full = len(self._batch) >= BATCH_EVENTS
            if not ready:
                continue
            # Short nodes end many times a second: gather their ends into one object a
            # second rather than one object each (a full batch goes at once).
            pause = MIN_UPLOAD_INTERVAL - (time.monotonic() - last_upload)
            if pause > 0 and not full and self._closed.wait(pause):
                return  # closing: close() uploads what is left
            try:
                self.flush()
                last_upload = time.monotonic()
            except Exception:  # the next round or the final flush tries again
                pass

    def close(self) -> None:
        """Flush and release the stream."""
        self._closed.set()
        self._due.set()
        flusher = self._flusher
        if flusher is not None and flusher is not threading.current_thread():
            flusher.join(timeout=BATCH_SECONDS * 6)
        self.flush()
        with self._lock:
            fd, self._fd = self._fd, None
            if fd is not None:
                try:
                    os.close(fd)  # releases the descriptor even when it reports an error
                except OSError:
                    if not self.broken:
                        self.broken = True
                        raise

    def lost(self) -> bool:
        """Whether this stream's file was deleted while it was written (local files only)."""
        if self.remote:
            return False
        return not (Path(self.run_location) / f"{self._stem}.jsonl").is_file()


def _write_all(fd: int, data: bytes) -> None:
    """``write(2)`` all of ``data``: a full disk may accept only part of it."""
    written = os.write(fd, data)
    while written < len(data):
        data = data[written:]
        written = os.write(fd, data)


def process_event(run_id: str, role: str) -> Event:
    """The first event of every stream."""
    return {
        "kind": EventKind.PROCESS.value,
        "t": time.time(),
        "version": FORMAT_VERSION,
        "run_id": run_id,
        "pid": os.getpid(),
        "host": HOST,
        "role": role,
    }


def create_run(root: str, run_id: str, manifest: dict[str, Any]) -> str:
    """Make a new, unique run directory under ``root`` and write its manifest."""
    fs, _ = filesystem(root)
    runs = _join(root, RUNS_DIR)
    key = safe_key(run_id)
    location = _join(runs, key)
    if is_url(location):
        if fs.exists(filesystem(location)[1]):
            key = f"{key}-{uuid.uuid4().hex[:6]}"
            location = _join(runs, key)
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
                location = _join(runs, key)
    body = dict(manifest, run_id=run_id, key=key, version=FORMAT_VERSION)
    atomic_write_text(
        _join(location, MANIFEST), json.dumps(body, indent=1, default=str), durable=False
    )
    return location


def update_manifest(run_location: str, **fields: Any) -> None:
    """Merge ``fields`` into a run's manifest, replacing the file atomically."""
    manifest = _read_manifest(run_location) or {}
    manifest.update(fields)
    atomic_write_text(
        _join(run_location, MANIFEST), json.dumps(manifest, indent=1, default=str), durable=False
    )


def atomic_write_text(location: str, text: str, *, durable: bool = True) -> None:
    """Write a whole file so that readers see the old content or the new, never a part.

    ``durable`` also waits for the disk (fsync) before the file takes the name: for the
    files a user asked for. What the hook writes during a run is no more durable than its
    event stream (flushed to the OS, not the disk), and does not make the run wait.
    """
    if is_url(location):
        # Object stores replace objects atomically on upload.
        with open_file(location, "w", encoding="utf-8") as handle:
            handle.write(text)
        return
    target = Path(location)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:6]}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(text)
            if durable:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


# -- reading ----------------------------------------------------------------------------


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
    fs, runs_path = filesystem(_join(root, RUNS_DIR))
    try:
        entries = fs.ls(runs_path, detail=False)
    except (FileNotFoundError, NotADirectoryError):
        return []
    records = []
    for entry in entries:
        key = str(entry).rstrip("/").rsplit("/", 1)[-1]
        location = _join(root, RUNS_DIR, key)
        if _is_link(location):
            continue  # a run directory pointing elsewhere is not ours to read or prune
        manifest = _read_manifest(location)
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


def _is_link(location: str) -> bool:
    """Whether a local path is a symlink (object stores have none)."""
    return not is_url(location) and os.path.islink(location)


def _read_manifest(location: str) -> dict[str, Any] | None:
    if _is_link(_join(location, MANIFEST)):
        return None
    try:
        with open_file(_join(location, MANIFEST), "r", encoding="utf-8") as handle:
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
        location = _join(run_location, name)
        if _is_link(location):
            if skipped is not None:
                skipped.append(name)
            continue
        files.append(location)
    return files


def iter_lines(handle: Any, max_bytes: int) -> Iterator[bytes | None]:
    """Lines of a binary stream, newline kept; ``None`` for a line over ``max_bytes``.

    Reads fixed-size chunks, so a line of any length (a gigabyte without a newline) costs
    at most ``max_bytes`` plus one chunk of memory: an over-long line is skipped unread.
    """
    buffer = bytearray()
    skipping = False
    while True:
        chunk = handle.read(READ_CHUNK_BYTES)
        if not chunk:
            break
        start = 0
        while True:
            end = chunk.find(b"\n", start)
            piece = chunk[start:] if end < 0 else chunk[start : end + 1]
            if not skipping and len(buffer) + len(piece) > max_bytes + (end >= 0):
                skipping = True
                buffer.clear()
            if not skipping:
                buffer += piece
            if end < 0:
                break
            if skipping:
                skipping = False
                yield None
            else:
                yield bytes(buffer)
                buffer.clear()
            start = end + 1
    if skipping:
        yield None
    elif buffer:
        yield bytes(buffer)


def iter_file_events(location: str, warnings: list[str]) -> Iterator[Event]:
    """Events of one stream; bad lines are skipped with a warning, a torn last line silently."""
    bad = too_long = 0
    with open_file(location, "rb") as handle:
        pending: bytes | None = None
        for line in iter_lines(handle, MAX_LINE_BYTES):
            if line is None:
                too_long += 1
                continue
            if pending is not None:
                try:
                    yield decode(pending.decode("utf-8", errors="replace"))
                except BadEventLine:
                    bad += 1
            pending = line
        if pending is not None:
            try:
                yield decode(pending.decode("utf-8", errors="replace"))
            except BadEventLine:
                if pending.endswith(b"\n"):
                    bad += 1
                # else: the writer was killed mid-line; everything before it is intact
    name = location.rsplit("/", 1)[-1]
    if bad:
        warnings.append(f"Skipped {bad} unreadable line(s) in {name}.")
    if too_long:
        limit = MAX_LINE_BYTES // (1024 * 1024)
        warnings.append(f"Skipped {too_long} line(s) longer than {limit} MiB in {name}.")


def iter_run_events(run_location: str, warnings: list[str]) -> Iterator[Event]:
    """All events of one run, process by process."""
    skipped: list[str] = []
    files = event_files(run_location, skipped)
    if skipped:
        warnings.append(f"Ignored {len(skipped)} symlinked events file(s): {', '.join(skipped)}.")
    if not files:
        raise EventLogError(f"{run_location} holds no event files of kedro-run-report.")
    for location in files:
        yield from iter_file_events(location, warnings)
