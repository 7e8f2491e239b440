"""Files of the event log: local paths or fsspec URLs, read and written the same way.

Every other module of the store opens files through here, so that a remote log gets its
storage options and a local one plain ``open()`` (a fraction of fsspec's cost).
"""

from __future__ import annotations

import errno
import os
import re
import stat
import uuid
from pathlib import Path
from typing import Any

import fsspec


def is_url(location: str) -> bool:
    """Whether a location is an fsspec URL (``s3://...``) rather than a local path."""
    return "://" in location and not location.startswith("file://")


# Options for the log's filesystem (e.g. an S3 key and secret), from the credentials entry named
# by KEDRO_RUN_REPORT_CREDENTIALS; otherwise the filesystem's own defaults apply. Process-wide,
# like the log's location: the hook sets them from the catalog's credentials, the CLI from the
# project's config loader, each once, before the store opens anything.
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


def join(location: str, *parts: str) -> str:
    """``location/part/...`` for a local path or a URL alike."""
    return "/".join([location.rstrip("/"), *parts])


def safe_key(run_id: str) -> str:
    """A directory name for a run id: nothing that can climb out of the runs directory."""
    key = re.sub(r"[^A-Za-z0-9._-]", "_", run_id).strip(".") or "run"
    return key[:120]


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
    target = _replaceable(Path(location))
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


def _replaceable(target: Path) -> Path:
    """The path to rename the new file onto: ``target``, or the file a symlink points to.

    A symlink is written through (most tools do so, and the link stays a link); anything that
    is not a regular file (a device, a FIFO, a directory) is never renamed over.
    """
    try:
        mode = os.lstat(target).st_mode  # the one system call the common case costs
    except FileNotFoundError:
        return target
    if stat.S_ISLNK(mode):
        target = Path(os.path.realpath(target))
        try:
            mode = os.stat(target).st_mode
        except FileNotFoundError:
            return target  # a dangling link: create the file it names
    if not stat.S_ISREG(mode):
        raise OSError(errno.EEXIST, "it exists and is not a regular file", str(target))
    return target


def is_link(location: str) -> bool:
    """Whether a local path is a symlink (object stores have none)."""
    return not is_url(location) and os.path.islink(location)
