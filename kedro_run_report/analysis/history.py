"""The recorded runs as a table (``kedro viz report --list``) and as a duration trend."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from kedro_run_report.analysis._timing import round6
from kedro_run_report.analysis.baseline import Loader, Selection, selection
from kedro_run_report.errors import RunReportError
from kedro_run_report.events import valid_time
from kedro_run_report.model import FAILED, INTERRUPTED, NOT_RUN, SUCCESS, iso
from kedro_run_report.store.runs import RunRecord

UNREADABLE = "unreadable"

#: What a run's manifest fingerprint summary holds, and the word for each part that changed.
CHANGE_PARTS = (
    ("code", "code"),
    ("params", "parameters"),
    ("inputs", "inputs"),
    ("environment", "environment"),
)


@dataclass(frozen=True)
class HistoryRow:
    """One recorded run, summarised for a listing."""

    run_id: str
    key: str  # the run's directory name, unique even when run ids repeat
    pipelines: list[str] = field(default_factory=list)
    start: str | None = None  # ISO 8601, UTC
    duration: float | None = None  # wall seconds; None when unreadable
    status: str = UNREADABLE  # a pipeline status word, or "unreadable"
    succeeded: int = 0  # node counts
    failed: int = 0
    not_run: int = 0
    interrupted: int = 0
    runner: str | None = None
    partial: bool = False  # filters such as --from-nodes were set
    message: str | None = None  # why the run is unreadable, or its error message
    commit: str | None = None  # the project's git commit, when recorded
    dirty: bool | None = None  # uncommitted changes in the working tree
    # What changed against the previous run of the same selection ("code", "parameters",
    # "inputs", "environment"); None when either run has no fingerprint.
    changed: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "run_id": self.run_id,
            "key": self.key,
            "pipelines": list(self.pipelines),
            "start": self.start,
            "duration": round6(self.duration),
            "status": self.status,
            "nodes": {
                SUCCESS: self.succeeded,
                FAILED: self.failed,
                NOT_RUN: self.not_run,
                INTERRUPTED: self.interrupted,
            },
            "runner": self.runner,
            "partial": self.partial,
            "message": self.message,
            "commit": self.commit,
            "dirty": self.dirty,
            "changed": None if self.changed is None else list(self.changed),
        }


def history_rows(records: Iterable[RunRecord], loader: Loader) -> list[HistoryRow]:
    """One row per recorded run, newest first; a run that cannot be read becomes "unreadable"."""
    ordered = sorted(records, key=lambda r: (r.start, r.key), reverse=True)
    changes = fingerprint_changes(ordered)
    return [_with_fingerprint(_row(record, loader), changes.get(record.key)) for record in ordered]


def fingerprint_summary(manifest: dict[str, Any]) -> dict[str, Any] | None:
    """A run's fingerprint summary from its manifest (see record/fingerprint.py), or ``None``."""
    found = manifest.get("fingerprint")
    if not isinstance(found, dict):
        return None
    commit = found.get("commit")
    return {
        "commit": commit if isinstance(commit, str) and commit.isalnum() else None,
        "dirty": found.get("dirty") if isinstance(found.get("dirty"), bool) else None,
        "params": _str_or_none(found.get("params")),
        "inputs": _str_or_none(found.get("inputs")),
        "environment": _str_or_none(found.get("environment")),
    }


def _changed(now: dict[str, Any], before: dict[str, Any]) -> list[str]:
    """What differs between two fingerprint summaries; a part unknown on either side is not."""
    found = []
    for part, word in CHANGE_PARTS:
        if part == "code":
            known = now["commit"] is not None and before["commit"] is not None
            differs = (now["commit"], now["dirty"]) != (before["commit"], before["dirty"])
        else:
            known = now[part] is not None and before[part] is not None
            differs = now[part] != before[part]
        if known and differs:
            found.append(word)
    return found


def fingerprint_changes(
    records: Iterable[RunRecord],
) -> dict[str, tuple[dict[str, Any], list[str] | None]]:
    """Run key -> (its fingerprint summary, what changed against the previous run of the same
    pipeline selection, or ``None`` when there is none or it has no fingerprint)."""
    last: dict[Selection, dict[str, Any] | None] = {}
    found: dict[str, tuple[dict[str, Any], list[str] | None]] = {}
    for record in sorted(records, key=lambda r: (r.start, r.key)):
        if record.problem is not None:
            continue
        summary = fingerprint_summary(record.manifest)
        names = record.manifest.get("pipeline_names")
        chosen = selection(names if isinstance(names, list) else [], record.manifest.get("filters"))
        before = last.get(chosen)
        last[chosen] = summary
        if summary is not None:
            found[record.key] = (summary, _changed(summary, before) if before else None)
    return found


def _with_fingerprint(
    row: HistoryRow, known: tuple[dict[str, Any], list[str] | None] | None
) -> HistoryRow:
    if known is None:
        return row
    summary, changed = known
    return replace(row, commit=summary["commit"], dirty=summary["dirty"], changed=changed)


def trend(rows: Iterable[HistoryRow]) -> list[tuple[str, float, str]]:
    """``(run id, duration, status)`` oldest first for a trend chart; unreadable runs left out."""
    readable = [r for r in rows if r.duration is not None]
    # Starts are ISO strings in UTC from one formatter, so they sort as text; reversing first
    # keeps runs with equal (or no) start in oldest-first order when given newest first.
    ordered = sorted(reversed(readable), key=lambda r: r.start or "")
    return [(r.run_id, r.duration or 0.0, r.status) for r in ordered]


def _row(record: RunRecord, loader: Loader) -> HistoryRow:
    if record.problem is not None:  # its manifest is unusable: only its directory is known
        return HistoryRow(run_id=record.run_id, key=record.key, message=record.problem)
    manifest = record.manifest
    start = iso(record.start) if valid_time(record.start) and record.start else None
    outcome = manifest.get("outcome")
    if isinstance(outcome, dict) and outcome.get("status"):
        return _row_from_outcome(record, outcome, start)
    try:
        status = loader(record)
    except (RunReportError, OSError) as exc:
        # OSError too: a run pruned by a concurrent `kedro run` while we list is not fatal.
        return _manifest_row(record, start, message=str(exc) or exc.__class__.__name__)
    pipeline = status.pipeline
    counts = status.summary()["nodes"]
    return HistoryRow(
        run_id=pipeline.run_id or record.run_id,
        key=record.key,
        pipelines=list(pipeline.pipeline_names),
        start=iso(pipeline.start) if pipeline.start is not None else start,
        duration=pipeline.duration,
        status=pipeline.status,
        succeeded=counts.get(SUCCESS, 0),
        failed=counts.get(FAILED, 0),
        not_run=counts.get(NOT_RUN, 0),
        interrupted=counts.get(INTERRUPTED, 0),
        runner=pipeline.runner,
        partial=pipeline.is_partial,
        message=pipeline.error.message if pipeline.error else None,
    )


def _row_from_outcome(record: RunRecord, outcome: dict[str, Any], start: str | None) -> HistoryRow:
    """A finished run's row from its manifest alone: no event is read."""
    nodes = outcome.get("nodes")
    counts: dict[str, Any] = nodes if isinstance(nodes, dict) else {}
    duration = outcome.get("duration")
    return _manifest_row(
        record,
        start,
        # store.list_runs checked these; a record made elsewhere may not have been
        duration=float(duration) if valid_time(duration) else None,
        status=str(outcome["status"]),
        succeeded=_count(counts.get(SUCCESS)),
        failed=_count(counts.get(FAILED)),
        not_run=_count(counts.get(NOT_RUN)),
        interrupted=_count(counts.get(INTERRUPTED)),
        message=_str_or_none(outcome.get("error")),
    )


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _manifest_row(record: RunRecord, start: str | None, **fields: Any) -> HistoryRow:
    """A row whose identity comes from the run's manifest, plus ``fields``."""
    manifest = record.manifest
    names = manifest.get("pipeline_names")
    return HistoryRow(
        run_id=record.run_id,
        key=record.key,
        pipelines=[str(n) for n in names] if isinstance(names, list) else [],
        start=start,
        runner=_str_or_none(manifest.get("runner")),
        partial=bool(manifest.get("filters")),
        **fields,
    )


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)
