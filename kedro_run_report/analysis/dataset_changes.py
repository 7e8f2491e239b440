"""Datasets whose size or row count changed notably between two runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kedro_run_report.analysis._timing import round6
from kedro_run_report.model import DatasetRun, RunStatus


@dataclass(frozen=True)
class DatasetChange:
    """A dataset whose size or row count changed notably between the runs."""

    dataset_id: str
    name: str
    previous_size: int | None
    current_size: int | None
    size_relative: float | None  # None when unknown in either run, or previous size 0
    previous_rows: int | None
    current_rows: int | None
    rows_relative: float | None
    size_changed: bool = False
    rows_changed: bool = False
    rows_dropped: bool = False  # fewer rows than last time: data silently lost?
    in_memory: bool = False  # the size is an estimate of the object in memory

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.dataset_id,
            "name": self.name,
            "previous_size": self.previous_size,
            "current_size": self.current_size,
            "size_relative": round6(self.size_relative),
            "previous_rows": self.previous_rows,
            "current_rows": self.current_rows,
            "rows_relative": round6(self.rows_relative),
            "size_changed": self.size_changed,
            "rows_changed": self.rows_changed,
            "rows_dropped": self.rows_dropped,
            "in_memory": self.in_memory,
        }


def dataset_changes(
    current: RunStatus,
    previous: RunStatus,
    row_threshold: float = 0.1,
    size_threshold: float = 0.2,
) -> list[DatasetChange]:
    """Datasets of both runs whose rows changed by ``row_threshold`` or size by ``size_threshold``.

    Changes are relative to the previous run; a count that goes from 0 to anything is a change.
    Parameters are skipped, and so is any measure that is unknown in either run. Rows that drop
    are flagged (``rows_dropped``): it is how silently lost data shows.
    """
    changes = []
    for ds_id, cur in current.datasets.items():
        prev = previous.datasets.get(ds_id)
        if prev is not None and not cur.is_parameter:
            change = _dataset_change(cur, prev, row_threshold, size_threshold)
            if change.size_changed or change.rows_changed:
                changes.append(change)
    return changes


def _relative(current: int | None, previous: int | None) -> tuple[float | None, bool]:
    """(relative change, whether it is a change at all) of two optional counts."""
    if current is None or previous is None:
        return None, False
    if previous == 0:
        return None, current != 0
    return (current - previous) / previous, current != previous


def _dataset_change(
    cur: DatasetRun, prev: DatasetRun, row_threshold: float, size_threshold: float
) -> DatasetChange:
    size_rel, size_differs = _relative(cur.size, prev.size)
    rows_rel, rows_differ = _relative(cur.rows, prev.rows)
    size_changed = size_differs and (size_rel is None or abs(size_rel) >= size_threshold)
    rows_changed = rows_differ and (rows_rel is None or abs(rows_rel) >= row_threshold)
    dropped = rows_changed and (cur.rows or 0) < (prev.rows or 0)
    return DatasetChange(
        dataset_id=cur.id,
        name=cur.name,
        previous_size=prev.size,
        current_size=cur.size,
        size_relative=size_rel,
        previous_rows=prev.rows,
        current_rows=cur.rows,
        rows_relative=rows_rel,
        size_changed=size_changed,
        rows_changed=rows_changed,
        rows_dropped=dropped,
        in_memory=cur.in_memory or prev.in_memory,
    )
