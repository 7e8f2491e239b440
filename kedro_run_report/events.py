"""The event schema: the one definition shared by the writer (the hook) and the readers.

An event log is a directory per run holding one JSON Lines file per process. Each line is
one JSON object with at least ``kind`` (an :class:`EventKind` value) and ``t`` (seconds since
the epoch, UTC). The first line of every file is a ``process`` event carrying
``FORMAT_VERSION``.

``FORMAT_VERSION`` is a major version: bump it only for a change an older reader would
misread. Additions an older reader can ignore (a new kind, a new key) keep it. A reader
refuses a log whose version is newer than its own (see :func:`check_version`).

Format history:
    1 - first version.
    2 - ``run_interrupted`` (the process exited mid-run, e.g. on Ctrl-C) with an ``error``;
        ``run_start`` meta carries ``runtime_params`` (secret-looking values masked); error
        texts are redacted of credentials and cut to ``MAX_ERROR_CHARS``. Readers of
        version 1 ignore the new kind and keys. ``warning`` events are written (a problem of
        the recorder itself, e.g. a full disk) without a new version.
    2 (addition) - ``node_start``, ``node_end`` and ``node_error`` carry ``maxrss_kib``: the
        process's peak resident memory so far, in KiB (see ``record/memory.py``); absent
        where it cannot be read. Older readers ignore it; read it with :func:`peak_memory`.
    ``fingerprint`` events (what a run was made of: commit, parameters, environment, raw
    inputs; see ``record/fingerprint.py``) are written once per run without a new version:
    older readers ignore the kind.
"""

from __future__ import annotations

import json
import json.encoder
import re
from enum import Enum
from functools import lru_cache
from typing import Any, TypeGuard, TypeVar

from kedro_run_report.errors import EventLogError

FORMAT_VERSION = 2

#: Event times outside [0, this) are not plausible (and not representable as ISO 8601).
MAX_TIME = 253402300800.0  # 10000-01-01T00:00:00Z
#: Peak memory readings at or above this many KiB (1 EiB) are not plausible.
MAX_MEMORY_KIB = 2**50

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
    FINGERPRINT = "fingerprint"  # what the run was made of: code, parameters, inputs, packages

    def __str__(self) -> str:
        return self.value


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


def _encode_value(value: Any) -> str:
    """One JSON value, as :func:`encode` writes it inside an event."""
    if _c_encoder is not None:
        return "".join(_c_encoder(value, 0))
    return _encoder.encode(value)


class BadEventLine(ValueError):
    """A line that is not an event of ours."""


# A JSON escape of a UTF-16 surrogate: the only way one reaches a line decoded from UTF-8.
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
# After json.loads every surrogate left in a string is a lone one (pairs became one code point).
_SURROGATE = re.compile("[\ud800-\udfff]")
_Json = TypeVar("_Json")


def decode(line: str) -> Event:
    """Parse one line (text decoded from UTF-8) into an event, or raise :class:`BadEventLine`.

    Lone surrogates (a ``\\ud800`` escape, as the writer records an undecodable file name)
    become U+FFFD here, once, so that every text downstream can be encoded as UTF-8.
    """
    try:
        event = json.loads(line)
    except (ValueError, RecursionError) as exc:
        raise BadEventLine(f"not JSON ({exc.__class__.__name__})") from None
    if not isinstance(event, dict):
        raise BadEventLine("not a JSON object")
    # Cheap first: a one-byte search rules out almost every line of a log before the regex.
    if "\\" in line and _SURROGATE_ESCAPE.search(line):
        event = encodable(event)
    kind = event.get("kind")
    if not isinstance(kind, str):
        raise BadEventLine("no 'kind'")
    if not valid_time(event.get("t")):
        raise BadEventLine("no numeric 't'")
    return event


def encodable(value: _Json) -> _Json:
    """Parsed JSON with every lone surrogate, in keys and values at any depth, made U+FFFD."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)  # type: ignore[return-value]
    # Iterative and in place: a line may nest as deep as json.loads allows.
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            cleaned = {}
            for key, child in item.items():
                if isinstance(child, str):
                    child = _SURROGATE.sub("\ufffd", child)
                elif isinstance(child, (dict, list)):
                    stack.append(child)
                cleaned[_SURROGATE.sub("\ufffd", key) if isinstance(key, str) else key] = child
            item.clear()
            item.update(cleaned)
        elif isinstance(item, list):
            for index, child in enumerate(item):
                if isinstance(child, str):
                    item[index] = _SURROGATE.sub("\ufffd", child)
                elif isinstance(child, (dict, list)):
                    stack.append(child)
    return value


def valid_time(t: object) -> TypeGuard[float]:
    """Whether ``t`` is a usable event time: a finite number of seconds in 1970..9999."""
    if isinstance(t, bool) or not isinstance(t, (int, float)):
        return False
    return 0 <= t < MAX_TIME  # False for NaN too


def peak_memory(event: Event) -> int | None:
    """The ``maxrss_kib`` reading of a node event: a plausible count of KiB, else unknown."""
    value = event.get("maxrss_kib")
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < MAX_MEMORY_KIB:
        return value
    return None


def check_version(event: Event, source: str) -> None:
    """Refuse a stream written by a newer major format than this version reads."""
    version = event.get("version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise EventLogError(
            f"{source} was written by a newer kedro-run-report (event format {version}; this "
            f"version reads up to {FORMAT_VERSION}). Upgrade kedro-run-report to report it."
        )


# -- one constructor per event kind: the schema, as code ----------------------------------
# The hook, the Kedro-Viz importer and the tests build events only through these. ``Error``
# is ``{"type", "message", "traceback"}``; the hook builds it with ``record.errors``.

Error = dict[str, Any]

_PROCESS = EventKind.PROCESS.value
_RUN_START = EventKind.RUN_START.value
_RUN_END = EventKind.RUN_END.value
_RUN_ERROR = EventKind.RUN_ERROR.value
_RUN_INTERRUPTED = EventKind.RUN_INTERRUPTED.value
_NODE_START = EventKind.NODE_START.value
_NODE_END = EventKind.NODE_END.value
_NODE_ERROR = EventKind.NODE_ERROR.value
_SIZE = EventKind.SIZE.value
_WARNING = EventKind.WARNING.value
_FINGERPRINT = EventKind.FINGERPRINT.value


def process(t: float, run_id: str, *, pid: int, host: str, role: str) -> Event:
    """The first event of every stream: who writes it, in which format version."""
    return {
        "kind": _PROCESS,
        "t": t,
        "version": FORMAT_VERSION,
        "run_id": run_id,
        "pid": pid,
        "host": host,
        "role": role,
    }


def run_start(t: float, run_id: str, meta: dict[str, Any], pipeline: dict[str, Any]) -> Event:
    """The run began: its metadata and the planned pipeline's snapshot."""
    return {"kind": _RUN_START, "t": t, "run_id": run_id, "meta": meta, "pipeline": pipeline}


def run_end(t: float) -> Event:
    """The run ended successfully."""
    return {"kind": _RUN_END, "t": t}


def run_error(t: float, error: Error) -> Event:
    """The run failed with ``error``."""
    return {"kind": _RUN_ERROR, "t": t, "error": error}


def run_interrupted(t: float, error: Error | None) -> Event:
    """The process left the run unfinished (Ctrl-C, exit); ``error`` says how, if known."""
    return {"kind": _RUN_INTERRUPTED, "t": t, "error": error}


def node_start(
    t: float,
    node: str,
    node_id: str,
    *,
    pid: int | None = None,
    thread: str | None = None,
    maxrss_kib: int | None = None,
) -> Event:
    """A node's function started, in process ``pid`` and thread ``thread``, with the process's
    peak resident memory so far (KiB)."""
    event: Event = {"kind": _NODE_START, "t": t, "node": node, "id": node_id}
    if pid is not None:
        event["pid"] = pid
    if thread is not None:
        event["thread"] = thread
    if maxrss_kib is not None:
        event["maxrss_kib"] = maxrss_kib
    return event


def node_end(t: float, node: str, node_id: str, *, maxrss_kib: int | None = None) -> Event:
    """A node's function returned; the process's peak resident memory by then (KiB)."""
    event: Event = {"kind": _NODE_END, "t": t, "node": node, "id": node_id}
    if maxrss_kib is not None:
        event["maxrss_kib"] = maxrss_kib
    return event


def node_error(
    t: float, node: str, node_id: str, error: Error, *, maxrss_kib: int | None = None
) -> Event:
    """A node's function (or its loads and saves) raised ``error``."""
    event: Event = {"kind": _NODE_ERROR, "t": t, "node": node, "id": node_id, "error": error}
    if maxrss_kib is not None:
        event["maxrss_kib"] = maxrss_kib
    return event


def io_start(kind: EventKind, t: float, dataset: str, node: str | None) -> Event:
    """A load or save began (``kind``: ``LOAD_START`` or ``SAVE_START``)."""
    # ``_value_``, not ``value``: an enum's ``value`` is a property, dearer than the event.
    return {"kind": kind._value_, "t": t, "dataset": dataset, "node": node}


def io_end(
    kind: EventKind,
    t: float,
    dataset: str,
    node: str | None,
    *,
    size: int | None = None,
    rows: int | None = None,
    in_memory: bool = False,
) -> Event:
    """A load or save ended (``LOAD_END`` or ``SAVE_END``), with its size when measured."""
    event: Event = {"kind": kind._value_, "t": t, "dataset": dataset, "node": node}
    event.update(measurements(size, rows, in_memory))
    return event


def measurements(size: int | None, rows: int | None, in_memory: bool) -> Event:
    """The fields :func:`io_end` adds for what was measured of the data (none: ``{}``)."""
    fields: Event = {}
    if size is not None:
        fields["size"] = size
        if in_memory:
            fields["mem"] = True
    if rows is not None:
        fields["rows"] = rows
    return fields


def size(
    t: float,
    dataset: str,
    node: str | None,
    size: int,
    *,
    op: str | None = None,
    rows: int | None = None,
    in_memory: bool = False,
) -> Event:
    """A size measured after its load or save ended (``op``: ``load`` or ``save``)."""
    event: Event = {"kind": _SIZE, "t": t, "dataset": dataset, "node": node, "size": size}
    if op is not None:
        event["op"] = op
    if in_memory:
        event["mem"] = True
    if rows is not None:
        event["rows"] = rows
    return event


def warning(t: float, message: str) -> Event:
    """A problem of the recorder itself, kept so that the report can say it is incomplete."""
    return {"kind": _WARNING, "t": t, "message": message}


def fingerprint(
    t: float,
    *,
    code: dict[str, Any] | None,
    params: dict[str, Any] | None,
    environment: dict[str, Any] | None,
    inputs: dict[str, Any] | None,
) -> Event:
    """What the run was made of, once per run (``None``: that part could not be taken).

    ``code``: ``{"commit", "dirty"}``; ``params``: ``{"digest", "keys": {key: {"digest",
    "value"}}, "truncated"}`` (values redacted); ``environment``: ``{"python", "kedro",
    "digest", "packages": {name: version}}``; ``inputs``: ``{dataset: {"size", "mtime"}}``.
    """
    return {
        "kind": _FINGERPRINT,
        "t": t,
        "code": code,
        "params": params,
        "environment": environment,
        "inputs": inputs,
    }


# -- the hook's lines, formatted --------------------------------------------------------------
# The hook writes six events per node (its start and end, a load and a save each begun and
# ended). The functions below give the line :func:`encode` gives for the event the constructor
# above builds from the same arguments, formatted from pieces encoded once (kinds, keys,
# names) rather than by the general encoder: a fraction of its cost.
# tests/test_event_lines.py holds them to that.

# Dataset and thread names recur in many events: each is encoded once. Texts only: the
# cache would take 1 and True for one key.
_text = lru_cache(maxsize=4096)(_encode_value)

# '{"kind":"load_start","t":' and the like: how every line of an event of that kind begins.
_HEADS = {kind: f'{{"kind":{_encode_value(kind.value)},"t":' for kind in EventKind}
_NODE_START_HEAD = _HEADS[EventKind.NODE_START]
_NODE_END_HEAD = _HEADS[EventKind.NODE_END]


class NodeText:
    """A node's name and id, and their JSON: what its six events repeat."""

    __slots__ = ("name", "id", "name_json", "members")

    def __init__(self, name: str, node_id: str) -> None:
        self.name = name
        self.id = node_id
        self.name_json = _encode_value(name)
        self.members = f',"node":{self.name_json},"id":{_encode_value(node_id)}'


# ``t`` is a float from ``time.time()``: ``repr`` is how the encoder writes a float (and an int).


def node_start_line(
    t: float, node: NodeText, *, pid: int, thread: str, maxrss_kib: int | None
) -> str:
    """The line of :func:`node_start`."""
    return (
        f"{_NODE_START_HEAD}{t!r}{node.members},"
        f'"pid":{pid!r},"thread":{_text(thread)}{_memory(maxrss_kib)}}}\n'
    )


def node_end_line(t: float, node: NodeText, *, maxrss_kib: int | None) -> str:
    """The line of :func:`node_end`."""
    return f"{_NODE_END_HEAD}{t!r}{node.members}{_memory(maxrss_kib)}}}\n"


def _memory(maxrss_kib: int | None) -> str:
    return "" if maxrss_kib is None else f',"maxrss_kib":{maxrss_kib!r}'


def io_start_line(kind: EventKind, t: float, dataset: str, node: NodeText) -> str:
    """The line of :func:`io_start`."""
    return f'{_HEADS[kind]}{t!r},"dataset":{_text(dataset)},"node":{node.name_json}}}\n'


def io_end_line(
    kind: EventKind,
    t: float,
    dataset: str,
    node: NodeText,
    *,
    size: int | None = None,
    rows: int | None = None,
    in_memory: bool = False,
) -> str:
    """The line of :func:`io_end`."""
    measured = ""
    if size is not None or rows is not None:
        fields = measurements(size, rows, in_memory).items()
        measured = "".join([f",{_text(key)}:{_encode_value(value)}" for key, value in fields])
    return f'{_HEADS[kind]}{t!r},"dataset":{_text(dataset)},"node":{node.name_json}{measured}}}\n'
