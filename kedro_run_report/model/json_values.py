"""Tolerant readers of JSON values from an event log: a wrong type becomes "unknown".

Logs can be hand-edited, foreign (Kedro-Viz's) or written by a newer version; every field the
model reads goes through one of these, so that an odd value is dropped, never a crash.
"""

from __future__ import annotations

from typing import Any


def as_dict(value: Any) -> dict[str, Any]:
    """A JSON object, or an empty one."""
    return value if isinstance(value, dict) else {}


def int_or_none(value: Any) -> int | None:
    """An integer (not a bool), or unknown."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def str_or_none(value: Any) -> str | None:
    """Any JSON value as text; ``None`` stays unknown."""
    return None if value is None else text(value)


def text(value: Any) -> str:
    """``str(value)`` for any JSON value; strings pass through untouched."""
    return value if isinstance(value, str) else str(value)


def as_list(value: Any) -> list[Any] | tuple[Any, ...]:
    """A JSON list, or nothing: a string or number where a list belongs is ignored.

    Tuples count too: the hook's own snapshot uses them (see ``snapshot.node_spec``).
    """
    return value if isinstance(value, (list, tuple)) else []


def strs(value: Any) -> list[str]:
    """A JSON list as a list of texts."""
    return [text(x) for x in as_list(value)]


def count(value: Any) -> int | None:
    """A byte or row count: a non-negative integer of a sane size, else unknown."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    return None
