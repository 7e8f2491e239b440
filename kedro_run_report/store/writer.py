"""The writer: each process appends its events to a stream of its own in the run directory.

A local stream gets one ``write(2)`` per event on an ``O_APPEND`` descriptor, so a killed
process keeps everything written before the kill. A remote stream (object storage has no
append) is uploaded in batches, one new object each, by a daemon thread.
"""

from __future__ import annotations

import atexit
import multiprocessing.util
import os
import socket
import threading
import time
from pathlib import Path

from kedro_run_report.events import Event, encode
from kedro_run_report.store.files import is_url, join, open_file, safe_key

HOST = socket.gethostname()
# A remote batch is written when it holds this many events or is this old (seconds).
BATCH_EVENTS = 500
BATCH_SECONDS = 5.0
# Uploads asked for by node ends are at least this far apart (seconds).
MIN_UPLOAD_INTERVAL = 1.0


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
        if not self.broken:
            self.write_line(encode(event), flush=flush)

    def write_line(self, line: str, *, flush: bool = False) -> None:
        """Append one event given as its line of JSON (newline included), as :meth:`write`."""
        if self.broken:
            return
        with self._lock:
            fd = self._fd
            if fd is not None:
                # A lone surrogate (an undecodable file name) becomes its JSON escape.
                data = line.encode("utf-8", "backslashreplace")
                try:
                    _write_all(fd, data)
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
            path = join(self.run_location, f"{self._stem}-{self._seq + 1:06d}.jsonl")
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
