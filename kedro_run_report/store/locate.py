"""Finding a run's events from what the user points at: a log, a run, a file, Kedro-Viz's file,
a project or its ``.viz/`` directory, or a zip archive of any of these (a CI artifact)."""

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
from kedro_run_report.settings import DEFAULT_RELATIVE_DIR, log_location
from kedro_run_report.store.archive import looks_like_zip, unpack_log
from kedro_run_report.store.files import filesystem, is_url, join
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
from kedro_run_report.store.viz_events import (
    VIZ_EVENTS_FILE,
    from_viz_events,
    looks_like_viz_events,
)

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


#: What --events may name, in the words of the message when nothing is found there.
LOOKED_FOR = (
    "an event log (runs/), a run (run.json, events-*.jsonl), a .viz/ directory or project "
    f"root holding one, or Kedro-Viz's {VIZ_EVENTS_FILE.name}"
)
#: Where a log or Kedro-Viz's file sits below what a user points at: a project root holds
#: ``.viz/``, which holds our default log ``run-report/`` and Kedro-Viz's events file.
_LOG_DIRS = ("", DEFAULT_RELATIVE_DIR.name, DEFAULT_RELATIVE_DIR.as_posix())
_VIZ_FILES = (VIZ_EVENTS_FILE.name, VIZ_EVENTS_FILE.as_posix())
#: A zip archive, and a zip inside it: an archive uploaded as a CI artifact is zipped again.
_ZIP_LEVELS = 2
_WHOLE_LOG = "a directory with runs/: --list and --group read all the runs of a log"


@dataclass(frozen=True)
class _Found:
    """What a directory holds: a log root, one run's directory, or a Kedro-Viz file."""

    kind: str  # "log", "run" or "viz"
    location: str


def _from_path(path: str, run_id: str | None, warnings: list[str]) -> Source:
    """Events from whatever shape ``path`` has (see :data:`LOOKED_FOR`), or a zip of one.

    The path the user names may be a symlink (they chose it); below it nothing is followed.
    """
    if _is_directory(path):
        return _from_found(_find_or_raise(path, path, "a directory"), run_id, warnings)
    return _from_file(path, path, run_id, warnings, follow=True, unzip=_ZIP_LEVELS)


def _from_file(
    path: str,
    named: str,
    run_id: str | None,
    warnings: list[str],
    *,
    follow: bool,
    unzip: int,
) -> Source:
    """Events from one file: our JSON Lines, Kedro-Viz's JSON list, or (``unzip`` levels
    deep) a zip archive; ``named`` is how messages call it."""
    fs, inner = filesystem(path)
    size = int(fs.size(inner) or 0)
    if not size:
        raise EventLogError(f"{named} is empty.")
    with open_regular(path, follow=follow) as handle:
        raw = handle.read(64)
    if looks_like_zip(raw) and unzip:
        return _from_archive(path, named, run_id, warnings, unzip=unzip - 1)
    head = raw.decode("utf-8", errors="replace").lstrip()
    if head.startswith("["):
        return Source(iter(_viz_events(path, named, size, warnings, follow=follow)), named)
    if head.startswith("{"):
        return Source(iter_file_events(path, warnings, follow=follow), named)
    raise EventLogError(
        f"{named} is not an event log (neither JSON Lines, a JSON list nor a zip archive)."
    )


def _from_archive(
    path: str, named: str, run_id: str | None, warnings: list[str], *, unzip: int
) -> Source:
    """Events from a zip archive of any shape, or from its one file when it holds only one."""
    unpacked = unpack_log(path, warnings)

    def inside(location: str) -> str:  # how messages name what came out of the archive
        return f"{named} ({os.path.relpath(location, unpacked).replace(os.sep, '/')})"

    found = _find(unpacked)
    if found is None:
        files = [os.path.join(top, name) for top, _, names in os.walk(unpacked) for name in names]
        if len(files) == 1:
            return _from_file(
                files[0], inside(files[0]), run_id, warnings, follow=False, unzip=unzip
            )
        found = _find_or_raise(unpacked, named, "a zip archive")
    source = _from_found(found, run_id, warnings, inside(found.location))
    source.description = inside(source.description)
    return source


def log_root(events: str) -> str:
    """The log root that ``--events`` names in any shape, for the commands that need a
    whole log (``--list``, ``--group``); a single run or file is refused with one line."""
    if _is_directory(events):
        found = _find_or_raise(events, events, "a directory")
    else:
        with open_regular(events, follow=True) as handle:
            zipped = looks_like_zip(handle.read(8))
        if not zipped:
            raise EventLogError(f"{events} is one events file, not an event log ({_WHOLE_LOG}).")
        found = _find_or_raise(unpack_log(events, []), events, "a zip archive")
    if found.kind != "log":
        raise EventLogError(f"{events} holds one run, not an event log ({_WHOLE_LOG}).")
    return found.location


def _is_directory(path: str) -> bool:
    """Whether ``path`` is a directory; raise if it is missing or neither file nor directory."""
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
    return bool(fs.isdir(inner))


def _find_or_raise(directory: str, named: str, what: str) -> _Found:
    found = _find(directory)
    if found is None:
        raise EventLogError(
            f"{named} is {what} without kedro-run-report events; looked for {LOOKED_FOR}."
        )
    return found


def _find(directory: str, *, descend: bool = True) -> _Found | None:
    """The log, run or Kedro-Viz file in ``directory`` or where a project keeps it.

    A directory holding nothing else but one folder is looked into once: an artifact
    zipped or downloaded with its top folder.
    """
    for relative in _LOG_DIRS:
        candidate = _below(directory, relative, file=False) if relative else directory
        if candidate is None:
            continue
        if _present(candidate, RUNS_DIR):
            return _Found("log", candidate)
        if _present(candidate, MANIFEST) or _has_event_files(candidate):
            return _Found("run", candidate)
    for relative in _VIZ_FILES:
        candidate = _below(directory, relative, file=True)
        if candidate is not None:
            return _Found("viz", candidate)
    if descend:
        lone = _lone_folder(directory)
        if lone is not None:
            return _find(lone, descend=False)
    return None


def _from_found(
    found: _Found, run_id: str | None, warnings: list[str], named: str | None = None
) -> Source:
    """Events of what :func:`_find` found; ``named`` is how messages call a found file."""
    if found.kind == "log":
        return _from_log(found.location, run_id, warnings)
    if found.kind == "run":
        return Source(iter_run_events(found.location, warnings), found.location)
    shown = named or found.location
    return _from_file(found.location, shown, run_id, warnings, follow=False, unzip=0)


def _viz_events(
    path: str, named: str, size: int, warnings: list[str], *, follow: bool
) -> list[Event]:
    """Our events from a Kedro-Viz ``kedro_pipeline_events.json`` (``follow``: the user named
    it, so it may be a symlink)."""
    if size > MAX_VIZ_FILE_BYTES:
        raise EventLogError(f"{named} is too large for a Kedro-Viz events file ({size} bytes).")
    try:
        with open_regular(path, follow=follow) as handle:
            data = json.load(io.TextIOWrapper(handle, encoding="utf-8"))
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise EventLogError(f"{named} is not valid JSON (truncated or corrupt?).") from None
    if not looks_like_viz_events(data):
        raise EventLogError(f"{named} is a JSON list but not Kedro-Viz run events.")
    return from_viz_events(data, warnings)


def _present(directory: str, name: str) -> bool:
    """Whether a directory holds ``name`` (a link counts: it is present, though never read)."""
    path = join(directory, name)
    if not is_url(path):
        return os.path.lexists(path)
    fs, inner = filesystem(path)
    return bool(fs.exists(inner))


def _has_event_files(directory: str) -> bool:
    try:
        return bool(event_files(directory))
    except EventLogError:  # not listable as a directory
        return False


def _below(directory: str, relative: str, *, file: bool) -> str | None:
    """``directory/relative`` if every step below ``directory`` is a real directory (no link
    to elsewhere), and the last a regular file when ``file``; else ``None``."""
    location = directory
    parts = relative.split("/")
    for number, part in enumerate(parts, start=1):
        location = join(location, part)
        last_is_file = file and number == len(parts)
        if not (_is_regular_file(location) if last_is_file else _is_real_directory(location)):
            return None
    return location


def _is_real_directory(location: str) -> bool:
    """A directory below the named path: for a local one, not a link to elsewhere."""
    if is_url(location):
        fs, inner = filesystem(location)
        return bool(fs.isdir(inner))
    try:
        return stat.S_ISDIR(os.lstat(location).st_mode)
    except OSError:
        return False


def _is_regular_file(location: str) -> bool:
    """A file below the named path: for a local one, a regular file, not a link."""
    if is_url(location):
        fs, inner = filesystem(location)
        return bool(fs.isfile(inner))
    try:
        return stat.S_ISREG(os.lstat(location).st_mode)
    except OSError:
        return False


def _lone_folder(directory: str) -> str | None:
    """The one entry of ``directory`` when it is a (real) directory, else ``None``."""
    fs, inner = filesystem(directory)
    try:
        entries = fs.ls(inner, detail=False)
    except (FileNotFoundError, NotADirectoryError):
        return None
    if len(entries) != 1:
        return None
    lone = join(directory, str(entries[0]).rstrip("/").rsplit("/", 1)[-1])
    return lone if _is_real_directory(lone) else None
