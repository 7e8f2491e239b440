"""The event schema: the one definition shared by the writer (the hook) and the readers.

An event log is a directory per run holding one JSON Lines file per process. Each line is
one JSON object with at least ``kind`` (an :class:`EventKind` value) and ``t`` (seconds since
the epoch, UTC). The first line of every file is a ``process`` event carrying
``FORMAT_VERSION``.

Format history:
    1 - first version.
    2 - ``run_interrupted`` (the process exited mid-run, e.g. on Ctrl-C) with an ``error``;
        ``run_start`` meta carries ``runtime_params`` (secret-looking values masked); error
        texts are redacted of credentials and cut to ``MAX_ERROR_CHARS``. Readers of
        version 1 ignore the new kind and keys.
"""

from __future__ import annotations

import json
import json.encoder
from enum import Enum
from typing import Any, TypeGuard

FORMAT_VERSION = 2

#: Event times outside [0, this) are not plausible (and not representable as ISO 8601).
MAX_TIME = 253402300800.0  # 10000-01-01T00:00:00Z

Event = dict[str, Any]


class EventKind(str, Enum):
    """Every kind of event the hook writes."""

    PROCESS = "process"  # first line of each file: pid, host, format version
    RUN_START = "run_start"  # run metadata and the planned pipeline snapshot
    RUN_END = "run_end"
    RUN_ERROR = "run_error"
    RUN_INTERRUPTED = "run_interrupted"  # the process exited before the run ended (Ctrl-C)
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
# The C encoder behind ``_encoder``, built once: ``JSONEncoder.encode`` builds a new one on
# every call, which costs more than encoding a small event (the hook encodes thousands).
_c_encoder = (
    json.encoder.c_make_encoder(  # type: ignore[attr-defined]
        None, repr, json.encoder.encode_basestring, None, ":", ",", False, False, True
    )
    if json.encoder.c_make_encoder is not None  # type: ignore[attr-defined]
    else None
)


def encode(event: Event) -> str:
    """One event as one line of JSON, newline included."""
    if _c_encoder is not None:
        return "".join(_c_encoder(event, 0)) + "\n"
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
    if not valid_time(event.get("t")):
        raise BadEventLine("no numeric 't'")
    return event


def valid_time(t: object) -> TypeGuard[float]:
    """Whether ``t`` is a usable event time: a finite number of seconds in 1970..9999."""
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        return False
    return 0 <= t < MAX_TIME  # False for NaN too
