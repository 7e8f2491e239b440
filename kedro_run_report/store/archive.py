"""Event logs inside a zip archive (a CI artifact as downloaded), unpacked safely for reading.

An archive is unpacked once per process into a private temporary directory (removed at
exit), and from there read like any local log. Unpacking holds to the store's rules and
adds the ones an archive needs:

- only regular files are written: a member that is a symlink, a device or a FIFO (by its
  Unix mode) is skipped, so nothing read later can point outside the directory;
- a member whose name would land outside the directory (absolute, ``..``, a drive letter,
  a backslash) is skipped (zip-slip);
- only what a log is made of is unpacked (``run.json``, ``events-*.jsonl``, Kedro-Viz's
  ``kedro_pipeline_events.json``), or the one file of an archive that holds a single one:
  the data files of a zipped project are left alone;
- the bytes written are counted as they are decompressed (the sizes in the headers are not
  trusted) and bounded, as is the number of members: a zip bomb is refused, not unpacked.
"""

from __future__ import annotations

import atexit
import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from dataclasses import dataclass, field
from typing import IO

from kedro_run_report.errors import EventLogError
from kedro_run_report.store.files import filesystem, is_url
from kedro_run_report.store.runs import EVENT_FILE_PATTERN, MANIFEST, open_regular
from kedro_run_report.store.viz_events import VIZ_EVENTS_FILE

#: The first bytes of a zip archive: a local file header, or the end record of an empty one.
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
#: At most this much is unpacked from one archive (thirty runs of a large pipeline are a
#: small fraction of it); the rest of an archive is never decompressed.
MAX_UNPACKED_BYTES = 1024 * 1024 * 1024
#: At most this many members are looked at (an archive of empty files costs inodes, not bytes).
MAX_MEMBERS = 100_000
_CHUNK_BYTES = 1024 * 1024
_SHOWN_NAMES = 3


def looks_like_zip(head: bytes) -> bool:
    """Whether a file starting with ``head`` is a zip archive."""
    return head.startswith(ZIP_SIGNATURES)


@dataclass
class _Unpacked:
    directory: str
    notes: list[str] = field(default_factory=list)


_UNPACKED: dict[tuple[str, int, float], _Unpacked] = {}


def unpack_log(location: str, warnings: list[str]) -> str:
    """A directory holding the event log files of the zip archive at ``location``.

    Members left out for safety are named in ``warnings``. The same archive (same size and
    modification time) is unpacked once per process: ``--serve`` reads it at each request.
    """
    key = _identity(location)
    unpacked = _UNPACKED.get(key)
    if unpacked is None or not os.path.isdir(unpacked.directory):
        unpacked = _unpack(location)
        _UNPACKED[key] = unpacked
    warnings.extend(unpacked.notes)
    return unpacked.directory


def _identity(location: str) -> tuple[str, int, float]:
    if is_url(location):
        fs, inner = filesystem(location)
        info = fs.info(inner)
        return location, int(info.get("size") or 0), 0.0
    status = os.stat(location)
    return os.path.abspath(location), status.st_size, status.st_mtime


def _unpack(location: str) -> _Unpacked:
    name = location.rstrip("/").rsplit("/", 1)[-1]
    directory = tempfile.mkdtemp(prefix="kedro-run-report-zip-")
    atexit.register(shutil.rmtree, directory, ignore_errors=True)
    try:
        with open_regular(location, follow=True) as handle:
            notes = _extract(handle, directory, name)
    except EventLogError:
        shutil.rmtree(directory, ignore_errors=True)
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError) as exc:
        shutil.rmtree(directory, ignore_errors=True)
        raise EventLogError(f"{location} is not a readable zip archive ({exc}).") from None
    except (RuntimeError, NotImplementedError) as exc:  # encrypted, unknown compression
        shutil.rmtree(directory, ignore_errors=True)
        raise EventLogError(f"{location} cannot be unpacked ({exc}).") from None
    return _Unpacked(directory, notes)


def _extract(handle: IO[bytes], directory: str, name: str) -> list[str]:
    """Unpack the log files of the archive in ``handle``; return notes on what was skipped."""
    with zipfile.ZipFile(handle) as archive:
        members = archive.infolist()
        if len(members) > MAX_MEMBERS:
            raise EventLogError(
                f"{name} has {len(members)} members, more than the {MAX_MEMBERS} an event "
                "log archive is read with."
            )
        files = [m for m in members if not m.is_dir()]
        single = len(files) == 1
        unsafe: list[str] = []
        budget = MAX_UNPACKED_BYTES
        for member in files:
            parts = _safe_parts(member.filename)
            if parts is None or not _is_regular(member):
                unsafe.append(member.filename)
                continue
            if not (single or _is_log_file(parts[-1])):
                continue
            budget -= _write_member(archive, member, directory, parts, budget, name)
    if not unsafe:
        return []
    shown = ", ".join(repr(n) for n in unsafe[:_SHOWN_NAMES])
    more = f" and {len(unsafe) - _SHOWN_NAMES} more" if len(unsafe) > _SHOWN_NAMES else ""
    return [
        f"Skipped {len(unsafe)} member(s) of {name} that are not regular files or whose "
        f"names lead outside the archive: {shown}{more}."
    ]


def _safe_parts(filename: str) -> list[str] | None:
    """The path components of a member name, or ``None`` if it could leave the directory."""
    if "\\" in filename or "\x00" in filename or filename.startswith("/"):
        return None
    parts = [part for part in filename.split("/") if part not in ("", ".")]
    if not parts or ".." in parts or ":" in parts[0]:
        return None
    return parts


def _is_regular(member: zipfile.ZipInfo) -> bool:
    """Whether a member is a plain file (archives made on Unix keep the file type)."""
    kind = stat.S_IFMT(member.external_attr >> 16)  # 0: no type recorded (Python's writestr)
    return member.create_system != 3 or kind in (0, stat.S_IFREG)


def _is_log_file(basename: str) -> bool:
    return basename in (MANIFEST, VIZ_EVENTS_FILE.name) or bool(EVENT_FILE_PATTERN.match(basename))


def _write_member(
    archive: zipfile.ZipFile,
    member: zipfile.ZipInfo,
    directory: str,
    parts: list[str],
    budget: int,
    name: str,
) -> int:
    """Decompress one member into ``directory``, at most ``budget`` bytes; return its size."""
    parent = os.path.join(directory, *parts[:-1])
    # O_EXCL: a second member of the same name does not overwrite the first; the directory
    # is new and only this function writes to it, so nothing in it is a link.
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    try:
        os.makedirs(parent, exist_ok=True)
        fd = os.open(os.path.join(parent, parts[-1]), flags, 0o600)
    except (FileExistsError, NotADirectoryError, IsADirectoryError):
        return 0  # "a" and "a/b" both as files, or a repeated name: the first one stays
    written = 0
    with os.fdopen(fd, "wb") as target, archive.open(member) as source:
        while chunk := source.read(_CHUNK_BYTES):
            written += len(chunk)
            if written > budget:
                raise EventLogError(
                    f"{name} unpacks to more than {MAX_UNPACKED_BYTES // (1024 * 1024)} MiB of "
                    "event log files; refused (a zip bomb, or not an event log)."
                )
            target.write(chunk)
    return written
