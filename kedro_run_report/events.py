"""The event schema: the one definition shared by the writer (the hook) and the readers.

An event log is a directory per run holding one JSON Lines file per process. Each line is
one JSON object with at least ``kind`` (an :class:`EventKind` value) and ``t`` (seconds since
the epoch, UTC). The first line of every file is a ``process`` event carrying
``FORMAT_VERSION``.

Format history:
    1 - first version.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Any

FORMAT_VERSION = 1

Event = dict[str, Any]


class EventKind(str, Enum):
    """Every kind of event the hook writes."""

    PROCESS = "process"  # first line of each file: pid, host, format version
    RUN_START = "run_start"  # run metadata and the planned pipeline snapshot
    RUN_END = "run_end"
    RUN_ERROR = "run_error"
    NODE_START = "node_start"
    NODE_END = "node_end"
    NODE_ERROR = "node_error"
    LOAD_START = "load_start"
    LOAD_END = "load_end"
    SAVE_START = "save_start"
    SAVE_END = "save_end"
    SIZE = "size"  # a load's size measured later (spawned workers see the catalog late)
    WARNING = "warning"  # a problem of the recorder itself, kept for the report

    def __str__(self) -> str:
        return self.value


KNOWN_KINDS = frozenset(kind.value for kind in EventKind)

_encoder = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=repr)


def encode(event: Event) -> str:
    """One event as one line of JSON, newline included."""
    return _encoder.encode(event) + "\n"


class BadEventLine(ValueError):
    """A line that is not an event of ours."""


def decode(line: str) -> Event:
    """Parse one line into an event, or raise :class:`BadEventLine`."""
    try:
        event = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise BadEventLine(f"not JSON ({exc.__class__.__name__})") from None
    if not isinstance(event, dict):
        raise BadEventLine("not a JSON object")
    kind = event.get("kind")
    if not isinstance(kind, str):
        raise BadEventLine("no 'kind'")
    if not isinstance(event.get("t"), (int, float)):
        raise BadEventLine("no numeric 't'")
    return event
