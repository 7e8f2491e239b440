"""Pure analyses of recorded runs: where the time went, what changed since last time and what is
unusual against the runs before.

Every function here takes ``RunStatus`` objects (or store records plus a loader callable) and
does no I/O of its own, so reporters and the CLI can call them freely and tests need no files.
"""

from __future__ import annotations

from kedro_run_report.analysis.baseline import (
    Baseline,
    pick_baseline,
    same_selection,
    selection_records,
)
from kedro_run_report.analysis.compare import Comparison, DatasetChange, NodeChange, compare
from kedro_run_report.analysis.critical_path import CriticalPath, critical_path
from kedro_run_report.analysis.dataset_changes import dataset_changes
from kedro_run_report.analysis.history import HistoryRow, history_rows, trend
from kedro_run_report.analysis.lanes import Lane, lanes
from kedro_run_report.analysis.memory import MemoryUse, NodeMemory, memory_use
from kedro_run_report.analysis.resume import Resume, resume
from kedro_run_report.analysis.time_breakdown import (
    DatasetTime,
    NodeTime,
    TimeBreakdown,
    time_breakdown,
)
from kedro_run_report.analysis.usual_range import Finding, Unusual, UsualRange, unusual

__all__ = [
    "Baseline",
    "Comparison",
    "CriticalPath",
    "DatasetChange",
    "DatasetTime",
    "Finding",
    "HistoryRow",
    "Lane",
    "MemoryUse",
    "NodeChange",
    "NodeMemory",
    "NodeTime",
    "Resume",
    "TimeBreakdown",
    "Unusual",
    "UsualRange",
    "compare",
    "critical_path",
    "dataset_changes",
    "history_rows",
    "lanes",
    "memory_use",
    "pick_baseline",
    "resume",
    "same_selection",
    "selection_records",
    "time_breakdown",
    "trend",
    "unusual",
]
