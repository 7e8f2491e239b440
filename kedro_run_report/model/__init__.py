"""The model layer: the run-status dataclasses and status words, aggregation, run groups.

Every reporter reads a :class:`RunStatus`; :func:`aggregate` builds one from events, and
:func:`~kedro_run_report.model.group.merge_group` folds several into one run group.
"""

from __future__ import annotations

from kedro_run_report.model.aggregate import Aggregator, aggregate, aggregate_checked
from kedro_run_report.model.run_status import (
    FAILED,
    INCOMPLETE,
    INTERRUPTED,
    LOADING,
    NODE_STATUSES,
    NOT_RUN,
    NOT_SELECTED,
    SAVING,
    SCHEMA_VERSION,
    SUCCESS,
    Attempt,
    DatasetOperation,
    DatasetRun,
    ErrorInfo,
    NodeRun,
    PipelineRun,
    RunStatus,
    iso,
)

__all__ = [
    "FAILED",
    "INCOMPLETE",
    "INTERRUPTED",
    "LOADING",
    "NODE_STATUSES",
    "NOT_RUN",
    "NOT_SELECTED",
    "SAVING",
    "SCHEMA_VERSION",
    "SUCCESS",
    "Aggregator",
    "Attempt",
    "DatasetOperation",
    "DatasetRun",
    "ErrorInfo",
    "NodeRun",
    "PipelineRun",
    "RunStatus",
    "aggregate",
    "aggregate_checked",
    "iso",
]
