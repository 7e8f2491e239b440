"""Choosing the run to compare with: the previous run of the same pipeline selection."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kedro_run_report.errors import RunReportError
from kedro_run_report.model import SUCCESS, RunStatus
from kedro_run_report.store.runs import RunRecord

Loader = Callable[[RunRecord], RunStatus]
Selection = tuple[tuple[str, ...], str]  # (sorted pipeline names, filters as canonical JSON)

DEFAULT_PIPELINE = "__default__"


@dataclass(frozen=True)
class Baseline:
    """The chosen previous run and its status, already loaded."""

    record: RunRecord
    status: RunStatus


def selection(pipeline_names: Any, filters: Any) -> Selection:
    """A comparable form of "which pipelines, filtered how" (order of names does not matter)."""
    names = [str(n) for n in pipeline_names or []] or [DEFAULT_PIPELINE]
    canonical = json.dumps(
        filters if isinstance(filters, dict) else {}, sort_keys=True, default=str
    )
    return tuple(sorted(names)), canonical


def same_selection(a: RunStatus, b: RunStatus) -> bool:
    """Whether two runs ran the same pipelines with the same partial-run filters."""
    return selection(a.pipeline.pipeline_names, a.pipeline.filters) == selection(
        b.pipeline.pipeline_names, b.pipeline.filters
    )


def pick_baseline(
    records: Sequence[RunRecord],
    current: RunRecord,
    loader: Loader,
    *,
    successful_only: bool = False,
) -> Baseline | None:
    """The most recent run before ``current`` with the same pipeline names and filters.

    ``records`` is what ``store.list_runs`` returns; ``loader`` reads a record's RunStatus (the
    only I/O, left to the caller). The selection comes from each record's manifest; a manifest
    without it (older logs, hand-made ones) falls back to the loaded run's metadata. Runs that
    cannot be read (an unusable manifest, or the loader raises ``RunReportError`` or
    ``OSError``) are skipped, and so, with ``successful_only``, are runs that did not
    succeed. ``None`` when no run qualifies.
    """
    cache: dict[str, RunStatus | None] = {}

    def load(record: RunRecord) -> RunStatus | None:
        if record.problem is not None:
            return None
        if record.key not in cache:
            try:
                cache[record.key] = loader(record)
            except (RunReportError, OSError):
                cache[record.key] = None  # a run pruned meanwhile, or a corrupt one
        return cache[record.key]

    def selection_of(record: RunRecord) -> Selection | None:
        manifest = record.manifest
        if record.problem is not None:
            return None
        if "pipeline_names" in manifest and "filters" in manifest:
            names = manifest["pipeline_names"]
            # store.list_runs checked this; a record made elsewhere may hold anything
            if names is not None and not isinstance(names, (list, tuple)):
                return None
            return selection(names, manifest["filters"])
        status = load(record)
        if status is None:
            return None
        return selection(status.pipeline.pipeline_names, status.pipeline.filters)

    wanted = selection_of(current)
    if wanted is None:
        return None
    position = (current.start, current.key)
    earlier = [r for r in records if (r.start, r.key) < position and r.key != current.key]
    for record in sorted(earlier, key=lambda r: (r.start, r.key), reverse=True):
        if selection_of(record) != wanted:
            continue
        status = load(record)
        if status is None or (successful_only and status.pipeline.status != SUCCESS):
            continue
        return Baseline(record=record, status=status)
    return None
