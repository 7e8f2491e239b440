"""Cheap size and row-count probes for loaded and saved data.

File-backed datasets report the size of the file actually read or written (for versioned
datasets, the resolved version, not the version directory). In-memory data gets a cheap
estimate from the object itself. Nothing is ever serialised to be measured, and every access
to a dataset's private attributes is guarded: a probe that fails just gives ``None``.
"""

from __future__ import annotations

import os
import queue
import threading
from collections.abc import Callable
from typing import Any

from kedro_run_report.settings import sizes_mode
from kedro_run_report.store.files import is_url

_NO_FILE = object()


def row_count(data: Any) -> int | None:
    """Rows of a data frame or array, where that costs nothing."""
    module = type(data).__module__.split(".", 1)[0]
    if module in ("pandas", "numpy", "pyarrow", "polars", "modin", "dask"):
        if module == "dask":
            return None  # len() would compute the frame
        shape = getattr(data, "shape", None)
        if isinstance(shape, tuple) and shape and isinstance(shape[0], int):
            return shape[0]
    return None


def memory_size(data: Any) -> int | None:
    """A cheap estimate of an in-memory object's size in bytes, or ``None``."""
    if isinstance(data, (bytes, bytearray, memoryview)):
        return len(data)
    if isinstance(data, str):
        return len(data.encode("utf-8", "replace")) if len(data) < 1_000_000 else len(data)
    module = type(data).__module__.split(".", 1)[0]
    try:
        if module == "pandas" and hasattr(data, "memory_usage"):
            usage = data.memory_usage(index=True, deep=False)
            return int(usage.sum()) if hasattr(usage, "sum") else int(usage)
        if module == "polars" and hasattr(data, "estimated_size"):
            return int(data.estimated_size())
        nbytes = getattr(data, "nbytes", None)  # numpy, pyarrow
        if isinstance(nbytes, int):
            return nbytes
    except Exception:
        return None
    return None


class SizeProbe:
    """Measures datasets of one catalog; remembers per dataset how to measure it.

    Local files are measured on the spot (a ``stat``). On a remote filesystem every size is
    a network round trip, so when the caller gives ``later``, remote sizes are measured by one
    background thread and handed to ``later`` when known: the pipeline never waits on them.
    """

    def __init__(self, catalog: Any, mode: str | None = None) -> None:
        self.catalog = catalog
        self.mode = mode.lower() if mode else sizes_mode()
        self._files: dict[str, Any] = {}  # dataset name -> dataset object, or _NO_FILE
        self._queue: queue.SimpleQueue[tuple[Any, Callable[[int], None]] | None] | None = None
        self._pending = 0
        self._idle = threading.Condition()

    def measure(
        self, dataset_name: str, data: Any, later: Callable[[int], None] | None = None
    ) -> tuple[int | None, int | None, bool]:
        """``(size, rows, in_memory)`` for data just loaded or saved under ``dataset_name``.

        With ``later``, a remote file's size is ``None`` here and goes to ``later`` instead.
        """
        rows = row_count(data)
        if self.mode == "off":
            return None, rows, False
        dataset = self._file_dataset(dataset_name)
        if dataset is not _NO_FILE:
            if later is not None and _is_remote(dataset):
                if self.mode != "local":
                    self._measure_in_background(dataset, later)
                return None, rows, False
            size = _file_size(dataset, self.mode)
            if size is not None:
                return size, rows, False
        return memory_size(data), rows, True

    def drain(self, timeout: float) -> bool:
        """Wait up to ``timeout`` seconds for background sizes; whether all were measured."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def _measure_in_background(self, dataset: Any, later: Callable[[int], None]) -> None:
        if self._queue is None:
            self._queue = queue.SimpleQueue()
            threading.Thread(
                target=self._work, args=(self._queue,), name="kedro-run-report-sizes", daemon=True
            ).start()
        with self._idle:
            self._pending += 1
        self._queue.put((dataset, later))

    def _work(self, jobs: queue.SimpleQueue[tuple[Any, Callable[[int], None]] | None]) -> None:
        while (job := jobs.get()) is not None:
            dataset, later = job
            try:
                size = _file_size(dataset, self.mode)
                if size is not None:
                    later(size)
            except Exception:
                pass  # a size is a nicety; never let it break anything
            finally:
                with self._idle:
                    self._pending -= 1
                    self._idle.notify_all()

    def _file_dataset(self, dataset_name: str) -> Any:
        known = self._files.get(dataset_name)
        if known is not None:
            return known
        found = file_dataset(self.catalog, dataset_name)
        dataset: Any = _NO_FILE if found is None else found
        self._files[dataset_name] = dataset
        return dataset


def _is_remote(dataset: Any) -> bool:
    """Whether a file-backed dataset lives on a filesystem other than the local disk."""
    return (getattr(dataset, "_protocol", "file") or "file") not in ("file", "local")


def file_dataset(catalog: Any, dataset_name: str) -> Any:
    """The catalog's dataset ``dataset_name`` if it is file-backed, else ``None``."""
    try:
        candidate = catalog.get(dataset_name) if catalog is not None else None
        if (
            candidate is not None
            and hasattr(candidate, "_fs")
            and (hasattr(candidate, "_get_load_path") or hasattr(candidate, "_filepath"))
        ):
            return candidate
    except Exception:
        return None
    return None


def load_location(dataset: Any) -> tuple[Any, str, str]:
    """``(filesystem, protocol, path)`` of the file a file-backed dataset loads (may raise)."""
    from kedro.io.core import get_filepath_str

    protocol = getattr(dataset, "_protocol", "file") or "file"
    if hasattr(dataset, "_get_load_path"):
        path = dataset._get_load_path()
    else:
        path = dataset._filepath
    return dataset._fs, protocol, get_filepath_str(path, protocol)


def is_local(protocol: str, location: str) -> bool:
    """Whether a dataset's file is on the local disk (a plain ``os.stat`` reaches it)."""
    return protocol in ("file", "local") and not is_url(location)


def _file_size(dataset: Any, mode: str) -> int | None:
    """Size of the file behind a file-backed dataset; ``None`` if it cannot be known."""
    try:
        protocol = getattr(dataset, "_protocol", "file") or "file"
        if mode == "local" and protocol not in ("file", "local"):
            return None
        fs, protocol, location = load_location(dataset)
        if is_local(protocol, location):
            stat = os.stat(location)  # the fast path: no fsspec call for local files
            if os.path.isdir(location):
                return dir_size(location)
            return stat.st_size
        info = fs.info(location)
        if info.get("type") == "directory":
            return int(fs.du(location, total=True))
        size = info.get("size")
        return int(size) if size is not None else None
    except Exception:
        return None


def dir_size(path: str) -> int:
    """Total bytes of a directory dataset (e.g. partitioned Parquet)."""
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.stat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total
