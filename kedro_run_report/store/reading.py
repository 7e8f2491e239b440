"""Reading events back: line by line, bounded in memory, tolerant of torn and bad lines."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kedro_run_report.errors import EventLogError
from kedro_run_report.events import BadEventLine, Event, EventKind, check_version, decode
from kedro_run_report.store.runs import NotAFileError, event_files, open_regular

_PROCESS = EventKind.PROCESS.value

#: Longer lines are skipped with a warning, unread: no event of ours comes near this (error
#: texts are cut to a fraction of it), and it bounds the memory a hostile log can cost.
MAX_LINE_BYTES = 64 * 1024 * 1024  # the run_start of a pipeline of 200,000 nodes still fits
READ_CHUNK_BYTES = 1024 * 1024


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


def iter_file_events(
    location: str, warnings: list[str], *, follow: bool = False
) -> Iterator[Event]:
    """Events of one stream; bad lines are skipped with a warning, a torn last line silently.

    Only a regular file is read (see ``open_regular``); ``follow`` lets the last component be
    a symlink, for a file the user named.
    """
    bad = too_long = 0
    with open_regular(location, follow=follow) as handle:
        pending: bytes | None = None
        for line in iter_lines(handle, MAX_LINE_BYTES):
            if line is None:
                too_long += 1
                continue
            if pending is not None:
                try:
                    yield _event(pending, location)
                except BadEventLine:
                    bad += 1
            pending = line
        if pending is not None:
            try:
                yield _event(pending, location)
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


def _event(line: bytes, location: str) -> Event:
    """One line as an event; a stream of a newer format than ours is refused whole."""
    event = decode(line.decode("utf-8", errors="replace"))
    if event["kind"] == _PROCESS:
        check_version(event, location)
    return event


def iter_run_events(run_location: str, warnings: list[str]) -> Iterator[Event]:
    """All events of one run, process by process."""
    skipped: list[str] = []
    irregular: list[str] = []
    files = event_files(run_location, skipped, irregular)
    if skipped:
        warnings.append(f"Ignored {len(skipped)} symlinked events file(s): {', '.join(skipped)}.")
    if not files:
        raise EventLogError(
            f"{run_location} holds no event files of kedro-run-report"
            + (f" (not regular files: {', '.join(irregular)})." if irregular else ".")
        )
    for location in files:
        try:
            yield from iter_file_events(location, warnings)
        except NotAFileError as exc:  # swapped for a FIFO or a link since it was listed
            irregular.append(str(exc))
    _note_irregular(irregular, warnings)


def _note_irregular(irregular: list[str], warnings: list[str]) -> None:
    if irregular:
        warnings.append(
            f"Ignored {len(irregular)} events file(s) that are not regular files, unopened: "
            f"{', '.join(irregular)}."
        )
