"""Choosing the run to compare with: the previous run of the same pipeline selection."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
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


class _Candidates:
    """The records of a log, loaded at most once each, with their pipeline selection."""

    def __init__(self, loader: Loader) -> None:
        self.loader = loader
        self.cache: dict[str, RunStatus | None] = {}

    def load(self, record: RunRecord) -> RunStatus | None:
        """The record's RunStatus; ``None`` for a run that cannot be read."""
        if record.problem is not None:
            return None
        if record.key not in self.cache:
            try:
                self.cache[record.key] = self.loader(record)
            except (RunReportError, OSError):
                self.cache[record.key] = None  # a run pruned meanwhile, or a corrupt one
        return self.cache[record.key]

    def selection_of(self, record: RunRecord) -> Selection | None:
        """The record's selection, from its manifest or else from its events."""
        manifest = record.manifest
        if record.problem is not None:
            return None
        if "pipeline_names" in manifest and "filters" in manifest:
            names = manifest["pipeline_names"]
            # store.list_runs checked this; a record made elsewhere may hold anything
            if names is not None and not isinstance(names, (list, tuple)):
                return None
            return selection(names, manifest["filters"])
        status = self.load(record)
        if status is None:
            return None
        return selection(status.pipeline.pipeline_names, status.pipeline.filters)

    def earlier_alike(
        self, records: Sequence[RunRecord], current: RunRecord
    ) -> Iterator[RunRecord]:
        """The records before ``current`` with its selection, newest first (lazily: reading a
        run's events to learn its selection stops where the caller stops)."""
        wanted = self.selection_of(current)
        if wanted is None:
            return
        position = (current.start, current.key)
        earlier = [r for r in records if (r.start, r.key) < position and r.key != current.key]
        for record in sorted(earlier, key=lambda r: (r.start, r.key), reverse=True):
            if self.selection_of(record) == wanted:
                yield record


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
    candidates = _Candidates(loader)
    for record in candidates.earlier_alike(records, current):
        status = candidates.load(record)
        if status is None or (successful_only and status.pipeline.status != SUCCESS):
            continue
        return Baseline(record=record, status=status)
    return None


def selection_records(
    records: Sequence[RunRecord], current: RunRecord, loader: Loader, *, limit: int
) -> list[RunRecord]:
    """Up to ``limit`` runs before ``current`` of its selection, oldest first.

    What a run's measures are judged against (``usual_range``). ``loader`` is called only for
    a run whose manifest does not say its selection; the caller reads the runs themselves (and
    skips those it cannot read).
    """
    chosen: list[RunRecord] = []
    for record in _Candidates(loader).earlier_alike(records, current):
        if len(chosen) >= limit:
            break
        chosen.append(record)
    return chosen[::-1]
