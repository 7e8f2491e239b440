"""What a report shows: one run, plus what it is compared with and the runs before it."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from kedro_run_report.analysis import (
    Comparison,
    CriticalPath,
    HistoryRow,
    MemoryUse,
    Resume,
    TimeBreakdown,
    Unusual,
    critical_path,
    memory_use,
    resume,
    time_breakdown,
)
from kedro_run_report.model import RunStatus
from kedro_run_report.report.unusual_words import unusual_lines

# What the HTML page embeds of each node and dataset: the fields of Kedro-Viz's /api/run-status
# and those the page's script reads. The page's tables show the rest (a node's name and
# namespace among them); `--format json` has it all.
PAGE_NODE_KEYS = (
    "status", "duration", "error", "tags", "inputs", "outputs", "start_time", "end_time",
    "load_duration", "save_duration", "maxrss_kib",
)  # fmt: skip
PAGE_DATASET_KEYS = (
    "name", "size", "status", "error", "size_known", "rows", "load_duration", "save_duration",
)  # fmt: skip


@dataclass
class RunReport:
    """The input of every reporter: the run, and its context when the log has one."""

    status: RunStatus
    comparison: Comparison | None = None  # with the previous run of the same selection
    history: list[HistoryRow] = field(default_factory=list)  # recorded runs, newest first
    log_root: str | None = None  # the event log it was read from, when it is one
    unusual: Unusual | None = None  # judged against the earlier runs of the same selection

    @classmethod
    def of(cls, run: RunStatus | RunReport) -> RunReport:
        """Wrap a bare RunStatus (no comparison, no history); pass a RunReport through."""
        return run if isinstance(run, RunReport) else cls(run)

    # The analyses, each made once: the page, its tables and its JSON all use them (a run's
    # status does not change once it is reported).
    @cached_property
    def critical(self) -> CriticalPath:
        return critical_path(self.status)

    @cached_property
    def breakdown(self) -> TimeBreakdown:
        return time_breakdown(self.status)

    @cached_property
    def memory(self) -> MemoryUse:
        return memory_use(self.status)

    @cached_property
    def resume_plan(self) -> Resume | None:
        return resume(self.status)

    def to_dict(self) -> dict[str, Any]:
        """The run-status JSON, with the analysis and the comparison under keys of our own."""
        data = self.status.to_dict()
        data["analysis"] = {
            "critical_path": self.critical.to_dict(),
            "time_breakdown": self.breakdown.to_dict(),
            "memory": self.memory.to_dict(),
        }
        data["resume"] = self.resume_plan.to_dict() if self.resume_plan else None
        data["comparison"] = self.comparison.to_dict() if self.comparison else None
        data["history"] = [row.to_dict() for row in self.history]
        data["unusual"] = None
        if self.unusual is not None:
            data["unusual"] = self.unusual.to_dict()
            # the findings in the words every format prints them with, in the same order
            data["unusual"]["findings"] = [
                {**line.finding.to_dict(), "text": line.sentence}
                for line in unusual_lines(self.unusual)
            ]
        return data

    def page_dict(self) -> dict[str, Any]:
        """The JSON the HTML page embeds: :meth:`to_dict` with the records of nodes and datasets
        cut to ``PAGE_NODE_KEYS`` and ``PAGE_DATASET_KEYS``, and without the per-node memory
        figures (the node table has them). Half the size: this is most of a large page."""
        data = self.to_dict()
        for key in ("nodes", "unselected_nodes"):
            data[key] = {i: _only(record, PAGE_NODE_KEYS) for i, record in data[key].items()}
        data["datasets"] = {
            i: _only(record, PAGE_DATASET_KEYS) for i, record in data["datasets"].items()
        }
        data["analysis"]["memory"]["nodes"] = {}
        return data


def _only(record: dict[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {key: record[key] for key in keys}
