"""What a report shows: one run, plus what it is compared with and the runs before it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kedro_run_report.analysis import (
    Comparison,
    HistoryRow,
    Unusual,
    critical_path,
    memory_use,
    resume,
    time_breakdown,
)
from kedro_run_report.model import RunStatus
from kedro_run_report.report.unusual_words import unusual_lines


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

    def to_dict(self) -> dict[str, Any]:
        """The run-status JSON, with the analysis and the comparison under keys of our own."""
        data = self.status.to_dict()
        data["analysis"] = {
            "critical_path": critical_path(self.status).to_dict(),
            "time_breakdown": time_breakdown(self.status).to_dict(),
            "memory": memory_use(self.status).to_dict(),
        }
        found = resume(self.status)
        data["resume"] = found.to_dict() if found else None
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
