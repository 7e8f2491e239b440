"""Why two runs differ: what changed in code, parameters, input data and environment.

Pure: compares the fingerprints of two RunStatus objects (see ``model/fingerprint.py``) and the
row counts their loads recorded. One line per cause, or one line saying nothing changed; when
either run has no fingerprint (recorded before fingerprints existed), no cause is named.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from kedro_run_report.formatting import format_bytes, format_count
from kedro_run_report.model import RunStatus
from kedro_run_report.model.fingerprint import Fingerprint, InputFact

T = TypeVar("T")

CODE = "code"
PARAMETERS = "parameters"
INPUTS = "inputs"
ENVIRONMENT = "environment"

#: Items named on one line; the rest are counted ("and 3 more").
MAX_ITEMS = 5
TIMING = "no change in code, parameters, inputs or environment: the difference is timing"
TIMING_WITHOUT_GIT = (
    "no change in parameters, inputs or environment (code not under git, not compared): "
    "the difference is timing"
)


@dataclass(frozen=True)
class Cause:
    """One thing that changed between the runs, as one line."""

    kind: str  # CODE, PARAMETERS, INPUTS or ENVIRONMENT
    line: str
    names: list[str] = field(default_factory=list)  # the keys, datasets or packages changed

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"kind": self.kind, "line": self.line, "names": list(self.names)}


@dataclass(frozen=True)
class Causes:
    """The causes of the difference, or why none can be named."""

    known: bool  # both runs have fingerprints
    items: list[Cause] = field(default_factory=list)
    note: str = ""  # "no change ...: the difference is timing", or why causes are unknown

    @property
    def lines(self) -> list[str]:
        """What a report prints: one line per cause, else the note."""
        return [c.line for c in self.items] or ([self.note] if self.note else [])

    def kinds(self) -> list[str]:
        """The kinds of the causes found, in order."""
        return [c.kind for c in self.items]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "known": self.known,
            "lines": self.lines,
            "items": [c.to_dict() for c in self.items],
        }


def _listed(parts: list[str]) -> str:
    shown = ", ".join(parts[:MAX_ITEMS])
    more = len(parts) - MAX_ITEMS
    return shown + (f" and {more:,} more" if more > 0 else "")


def code_cause(current: Fingerprint, previous: Fingerprint) -> Cause | None:
    """The commit moved, or uncommitted changes appeared or went."""
    if not (current.code_known and previous.code_known):
        return None
    if current.commit == previous.commit and current.dirty == previous.dirty:
        return None
    now = current.short_commit or "no commit"
    dirty = ", with uncommitted changes" if current.dirty else ""
    if current.commit != previous.commit:
        line = f"code changed: commit {previous.short_commit or 'none'} -> {now}{dirty}"
    elif current.dirty:
        line = f"code changed: uncommitted changes at commit {now} (none before)"
    else:
        line = f"code changed: uncommitted changes at commit {now} were committed or undone"
    return Cause(CODE, line, [c for c in (previous.commit, current.commit) if c])


def keyed_changes(
    previous: Mapping[str, T],
    current: Mapping[str, T],
    *,
    changed: Callable[[T, T], bool],
    shown: Callable[[T], str],
    skip: Collection[str] = (),
) -> tuple[list[str], list[str]]:
    """``(parts, keys)``: one part per key added (``k (new) v``), changed (``k a -> b``) or
    removed (``k removed``) between two mappings, in the current mapping's order; ``skip``
    leaves keys out of the added and changed ones."""
    parts, keys = [], []
    for key, value in current.items():
        before = previous.get(key)
        if key in skip:
            continue
        if before is None:
            parts.append(f"{key} (new) {shown(value)}")
        elif changed(before, value):
            parts.append(f"{key} {shown(before)} -> {shown(value)}")
        else:
            continue
        keys.append(key)
    for key in previous:
        if key not in current:
            parts.append(f"{key} removed")
            keys.append(key)
    return parts, keys


def parameter_cause(current: Fingerprint, previous: Fingerprint) -> Cause | None:
    """Which parameter keys changed, with old -> new values as recorded (redacted)."""
    if current.params_digest is None or previous.params_digest is None:
        return None
    if current.params_digest == previous.params_digest:
        return None
    parts, names = keyed_changes(
        previous.params,
        current.params,
        changed=lambda old, new: old.digest != new.digest,
        shown=lambda fact: fact.shown,
    )
    if not parts:  # the change is beyond the keys listed one by one
        return Cause(PARAMETERS, "parameters changed (among parameters not listed one by one)")
    return Cause(PARAMETERS, f"parameters changed: {_listed(parts)}", names)


def _input_part(
    name: str, now: InputFact, before: InputFact, rows: tuple[int | None, int | None]
) -> str | None:
    """``"companies 1.2 KB -> 1.5 KB, 77 -> 80 rows"``; ``None`` when nothing changed."""
    bits = []
    if now.size != before.size and None not in (now.size, before.size):
        bits.append(f"{format_bytes(before.size)} -> {format_bytes(now.size)}")
    old_rows, new_rows = rows
    if old_rows != new_rows and old_rows is not None and new_rows is not None:
        bits.append(f"{format_count(old_rows)} -> {format_count(new_rows)} rows")
    if bits:
        return f"{name} {', '.join(bits)}"
    if now.mtime != before.mtime and None not in (now.mtime, before.mtime):
        return f"{name} modified (same size)"
    return None


def input_cause(
    current: Fingerprint, previous: Fingerprint, cur: RunStatus, prev: RunStatus
) -> Cause | None:
    """Raw inputs whose file size, row count or modification time changed."""
    if current.inputs is None or previous.inputs is None:
        return None
    parts, names = [], []
    for name, now in current.inputs.items():
        before = previous.inputs.get(name)
        if before is None:
            continue  # a new input comes with a code or parameter change, named there
        rows = (_rows(prev, name), _rows(cur, name))
        part = _input_part(name, now, before, rows)
        if part is not None:
            parts.append(part)
            names.append(name)
    if not parts:
        return None
    return Cause(INPUTS, f"input data changed: {_listed(parts)}", names)


def _rows(status: RunStatus, name: str) -> int | None:
    dataset = status.dataset_by_name(name)
    return dataset.rows if dataset is not None else None


def environment_cause(current: Fingerprint, previous: Fingerprint) -> Cause | None:
    """Python, Kedro or installed package versions that changed."""
    parts, names = [], []
    for label, old, new in (
        ("Python", previous.python, current.python),
        ("Kedro", previous.kedro, current.kedro),
    ):
        if old and new and old != new:
            parts.append(f"{label} {old} -> {new}")
            names.append(label.lower())
    same_packages = current.packages_digest == previous.packages_digest
    if current.packages_digest and previous.packages_digest and not same_packages:
        package_parts, package_names = keyed_changes(
            previous.packages,
            current.packages,
            changed=lambda old, new: old != new,
            shown=str,
            skip=set(names),  # Kedro's version is already its own line
        )
        parts += package_parts
        names += package_names
    if not parts:
        return None
    return Cause(ENVIRONMENT, f"environment changed: {_listed(parts)}", names)


def causes(current: RunStatus, previous: RunStatus) -> Causes:
    """What changed between ``previous`` and ``current`` that could explain the difference."""
    now, before = current.fingerprint, previous.fingerprint
    if now is None or before is None:
        if now is None and before is None:
            which = "neither run has"
        else:
            which = "this run has" if now is None else f"run {previous.pipeline.run_id} has"
        return Causes(
            known=False,
            note=f"Causes not compared: {which} no fingerprint (recorded before "
            "kedro-run-report recorded code, parameters, inputs and environment).",
        )
    found = [
        cause
        for cause in (
            code_cause(now, before),
            parameter_cause(now, before),
            input_cause(now, before, current, previous),
            environment_cause(now, before),
        )
        if cause is not None
    ]
    if found:
        return Causes(known=True, items=found)
    if not (now.code_known and before.code_known):
        return Causes(known=True, note=TIMING_WITHOUT_GIT)
    return Causes(known=True, note=TIMING)
