"""What changed since the previous run: node durations and statuses, data sizes and row counts."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kedro_run_report.analysis._timing import node_span, round6
from kedro_run_report.analysis.baseline import Baseline, pick_baseline, same_selection
from kedro_run_report.analysis.causes import Causes, causes
from kedro_run_report.analysis.dataset_changes import DatasetChange, dataset_changes
from kedro_run_report.model import FAILED, INTERRUPTED, SUCCESS, NodeRun, RunStatus

__all__ = [
    "Baseline",
    "Causes",
    "Comparison",
    "DatasetChange",
    "NodeChange",
    "compare",
    "dataset_changes",
    "pick_baseline",
    "row_drop_lines",
    "same_selection",
]


@dataclass(frozen=True)
class NodeChange:
    """One node in either run: statuses, durations (total span) and whether it got slower."""

    node_id: str  # the current id; the previous one for a removed node
    previous_id: str | None  # differs from node_id when the match was by name
    name: str
    previous_status: str | None  # None: not in the previous run
    current_status: str | None  # None: not in the current run
    previous_duration: float | None  # None: did not run
    current_duration: float | None
    delta: float | None = None  # current - previous, only when both runs succeeded on it
    relative: float | None = None  # delta / previous; None when previous is 0
    regression: bool = False
    improvement: bool = False

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.node_id,
            "previous_id": self.previous_id,
            "name": self.name,
            "previous_status": self.previous_status,
            "current_status": self.current_status,
            "previous_duration": round6(self.previous_duration),
            "current_duration": round6(self.current_duration),
            "delta": round6(self.delta),
            "relative": round6(self.relative),
            "regression": self.regression,
            "improvement": self.improvement,
        }


@dataclass(frozen=True)
class Comparison:
    """The current run against a previous one."""

    current_run_id: str
    previous_run_id: str
    current_duration: float
    previous_duration: float
    nodes: list[NodeChange] = field(default_factory=list)  # current order, then removed ones
    datasets: list[DatasetChange] = field(default_factory=list)  # notable changes only
    causes: Causes | None = None  # what changed in code, parameters, inputs, environment

    @property
    def duration_delta(self) -> float:
        return self.current_duration - self.previous_duration

    @property
    def duration_relative(self) -> float | None:
        return self.duration_delta / self.previous_duration if self.previous_duration else None

    @property
    def regressions(self) -> list[NodeChange]:
        return [n for n in self.nodes if n.regression]

    @property
    def improvements(self) -> list[NodeChange]:
        return [n for n in self.nodes if n.improvement]

    @property
    def newly_failed(self) -> list[NodeChange]:
        """Nodes that fail now and did not fail (or did not exist) before."""
        return [n for n in self.nodes if n.current_status == FAILED and n.previous_status != FAILED]

    @property
    def newly_succeeded(self) -> list[NodeChange]:
        """Nodes that succeed now and failed or were interrupted before."""
        broken = (FAILED, INTERRUPTED)
        return [
            n for n in self.nodes if n.current_status == SUCCESS and n.previous_status in broken
        ]

    @property
    def added(self) -> list[NodeChange]:
        return [n for n in self.nodes if n.previous_status is None]

    @property
    def removed(self) -> list[NodeChange]:
        return [n for n in self.nodes if n.current_status is None]

    @property
    def rows_dropped(self) -> list[DatasetChange]:
        return [d for d in self.datasets if d.rows_dropped]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: every node change once, the categories as lists of node ids."""

        def ids(changes: list[NodeChange]) -> list[str]:
            return [n.node_id for n in changes]

        return {
            "current_run_id": self.current_run_id,
            "previous_run_id": self.previous_run_id,
            "current_duration": round6(self.current_duration),
            "previous_duration": round6(self.previous_duration),
            "duration_delta": round6(self.duration_delta),
            "duration_relative": round6(self.duration_relative),
            "nodes": [n.to_dict() for n in self.nodes],
            "regressions": ids(self.regressions),
            "improvements": ids(self.improvements),
            "newly_failed": ids(self.newly_failed),
            "newly_succeeded": ids(self.newly_succeeded),
            "added": ids(self.added),
            "removed": ids(self.removed),
            "datasets": [d.to_dict() for d in self.datasets],
            "rows_dropped": [d.dataset_id for d in self.rows_dropped],
            "causes": self.causes.to_dict() if self.causes else None,
        }


def compare(
    current: RunStatus,
    previous: RunStatus,
    *,
    regression_threshold: float = 0.2,
    min_seconds: float = 0.5,
    row_threshold: float = 0.1,
    size_threshold: float = 0.2,
) -> Comparison:
    """Compare two runs; a node regresses when it is slower by more than both thresholds.

    Nodes match by id, then (for ids left over: the node's inputs or outputs changed) by name.
    Durations are node spans (loads and saves included) and are compared only where both runs
    succeeded on the node, since a failed node's time says nothing about its speed. A regression
    needs ``relative > regression_threshold`` AND ``delta > min_seconds``, so 1 ms -> 3 ms is
    noise, not a regression; an improvement is the mirror image. A dataset is listed when its
    row count changed by at least ``row_threshold`` or its size by at least ``size_threshold``
    (relative to the previous run; parameters are skipped).
    """
    nodes = [
        _node_change(cur, prev, regression_threshold, min_seconds, current, previous)
        for cur, prev in _match_nodes(current, previous)
    ]
    return Comparison(
        current_run_id=current.pipeline.run_id,
        previous_run_id=previous.pipeline.run_id,
        current_duration=current.pipeline.duration,
        previous_duration=previous.pipeline.duration,
        nodes=nodes,
        datasets=dataset_changes(current, previous, row_threshold, size_threshold),
        causes=causes(current, previous),
    )


def _match_nodes(
    current: RunStatus, previous: RunStatus
) -> list[tuple[NodeRun | None, NodeRun | None]]:
    """Pairs (current, previous): by id, then by name; unmatched ones pair with None."""
    unmatched = {k: n for k, n in previous.nodes.items() if k not in current.nodes}
    by_name = {n.name: n for n in unmatched.values()}
    pairs: list[tuple[NodeRun | None, NodeRun | None]] = []
    for node_id, node in current.nodes.items():
        prev = previous.nodes.get(node_id) or by_name.pop(node.name, None)
        if prev is not None:
            unmatched.pop(prev.id, None)
        pairs.append((node, prev))
    pairs.extend((None, prev) for prev in unmatched.values())  # removed, in previous order
    return pairs


def _duration(node: NodeRun | None, status: RunStatus) -> float | None:
    span = node_span(node, status) if node is not None else None
    return None if span is None else span[1] - span[0]


def _node_change(
    cur: NodeRun | None,
    prev: NodeRun | None,
    threshold: float,
    min_seconds: float,
    current: RunStatus,
    previous: RunStatus,
) -> NodeChange:
    cur_d, prev_d = _duration(cur, current), _duration(prev, previous)
    delta = relative = None
    regression = improvement = False
    both_ok = cur is not None and prev is not None and cur.status == prev.status == SUCCESS
    if both_ok and cur_d is not None and prev_d is not None:
        delta = cur_d - prev_d
        relative = delta / prev_d if prev_d > 0 else None
        # A node that took no measurable time before has an infinite relative change.
        rel = relative if relative is not None else float("inf") if delta > 0 else 0.0
        regression = delta > min_seconds and rel > threshold
        improvement = -delta > min_seconds and -rel > threshold
    named = cur if cur is not None else prev
    assert named is not None  # every pair has at least one side
    return NodeChange(
        node_id=named.id,
        previous_id=prev.id if prev is not None else None,
        name=named.name,
        previous_status=prev.status if prev is not None else None,
        current_status=cur.status if cur is not None else None,
        previous_duration=prev_d,
        current_duration=cur_d,
        delta=delta,
        relative=relative,
        regression=regression,
        improvement=improvement,
    )


def row_drop_lines(comparison: Comparison) -> list[str]:
    """One line per dataset whose rows dropped since the baseline:
    ``"model_input_table: 6,027 -> 4,120 rows (-32%) since run 2024-05-01T12.00.00.000Z"``."""
    lines = []
    for change in comparison.rows_dropped:
        before, after = change.previous_rows or 0, change.current_rows or 0
        percent = f" ({round((change.rows_relative or 0.0) * 100):+d}%)" if before else ""
        lines.append(
            f"{change.name}: {before:,} -> {after:,} rows{percent} "
            f"since run {comparison.previous_run_id}"
        )
    return lines
