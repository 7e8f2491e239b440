"""A run's manifest (``run.json``): parsed within limits and checked field by field.

A manifest is small (the writer puts a start time, pipeline names, the runner, filters, a group
and, at the end, an outcome of a handful of counts: a few hundred bytes), but one in a log a
user was handed can hold anything. It is checked with the rules events are read by (times in
1970..9999, finite numbers, a bounded nesting depth, a size limit), and a manifest that breaks
one makes its run unreadable, never a traceback further on.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

from kedro_run_report.errors import EventLogError
from kedro_run_report.events import MAX_TIME, valid_time

#: The largest manifest read. A real one is a few hundred bytes; --nodes/--tags filters with
#: thousands of names stay under it. Parsed JSON costs several times its size in memory, so
#: this bounds what one manifest costs to a few MiB (a history reads thirty of them).
MAX_MANIFEST_BYTES = 1024 * 1024
#: Deeper nesting than anything we write (filters are two levels deep) is refused: deep values
#: would later break json.dumps or any recursive walk with a RecursionError.
MAX_DEPTH = 32
#: Node counts beyond this are not counts of a real pipeline.
MAX_COUNT = 2**53

# After json.loads every surrogate left in a string is a lone one (pairs became one code point).
_SURROGATE = re.compile("[\ud800-\udfff]")


class ManifestError(EventLogError):
    """A run's manifest is too large, not JSON, or has a field of the wrong kind."""


def parse_manifest(data: bytes) -> dict[str, Any]:
    """The manifest held in ``data``, checked; raise :class:`ManifestError` when unusable."""
    if len(data) > MAX_MANIFEST_BYTES:
        raise ManifestError(f"run.json is over the {_limit()} limit for a manifest (not read)")
    try:
        value = json.loads(data, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise ManifestError(f"run.json is not JSON ({exc.__class__.__name__})") from None
    if not isinstance(value, dict):
        raise ManifestError("run.json is not a JSON object")
    manifest = _plain(value)
    for name, check in _FIELDS.items():
        if name in manifest and not check(manifest[name]):
            raise ManifestError(f"run.json: {name!r} {_EXPECTED[name]}")
    return manifest


def _limit() -> str:
    mib, rest = divmod(MAX_MANIFEST_BYTES, 1024 * 1024)
    return f"{mib} MiB" if mib and not rest else f"{MAX_MANIFEST_BYTES} bytes"


def too_large(size: int) -> ManifestError:
    """The error for a manifest of ``size`` bytes, found too large before reading it."""
    return ManifestError(f"run.json is {size} bytes, over the {_limit()} limit (not read)")


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _plain(value: dict[str, Any]) -> dict[str, Any]:
    """``value`` checked for depth and finite numbers, lone surrogates made U+FFFD (in place).

    Iterative, so that the walk itself cannot hit the recursion limit.
    """
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise ManifestError(f"run.json is nested deeper than {MAX_DEPTH} levels")
        pairs = list(item.items()) if isinstance(item, dict) else list(enumerate(item))
        if isinstance(item, dict):
            item.clear()
        for key, child in pairs:
            if isinstance(child, float) and not math.isfinite(child):
                raise ManifestError("run.json holds a number too large for a float")
            if isinstance(child, str):
                child = _SURROGATE.sub("\ufffd", child)
            elif isinstance(child, (dict, list)):
                stack.append((child, depth + 1))
            if isinstance(key, str):
                key = _SURROGATE.sub("\ufffd", key)
            item[key] = child
    return value


def _text(value: Any) -> bool:
    return isinstance(value, str)


def _text_or_none(value: Any) -> bool:
    return value is None or isinstance(value, str)


def _names(value: Any) -> bool:
    return value is None or (isinstance(value, list) and all(isinstance(n, str) for n in value))


def _object_or_none(value: Any) -> bool:
    return value is None or isinstance(value, dict)


def _version(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def _duration(value: Any) -> bool:
    if value is None:
        return True
    return isinstance(value, (int, float)) and not isinstance(value, bool) and 0 <= value < MAX_TIME


def _outcome(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, dict) or not isinstance(value.get("status"), str):
        return False
    nodes = value.get("nodes", {})
    end = value.get("end")
    return (
        isinstance(nodes, dict)
        and all(_count(n) for n in nodes.values())
        and (end is None or valid_time(end))
        and _duration(value.get("duration"))
        and _text_or_none(value.get("error"))
    )


# The fields we read, each with its rule; other keys are kept, within the depth limit.
_FIELDS = {
    "run_id": _text,
    "key": _text,
    "version": _version,
    "start": valid_time,
    "pipeline_names": _names,
    "runner": _text_or_none,
    "filters": _object_or_none,
    "group": _text_or_none,
    "outcome": _outcome,
}
_EXPECTED = {
    "run_id": "is not a string",
    "key": "is not a string",
    "version": "is not an integer",
    "start": "is not a time in 1970..9999",
    "pipeline_names": "is not a list of names",
    "runner": "is not a string",
    "filters": "is not an object",
    "group": "is not a string",
    "outcome": "is not an outcome (status, end, duration, node counts, error)",
}
