"""Where the time of a run went: per-worker lanes, slowest nodes and datasets, and shares."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kedro_run_report.analysis._timing import Span, node_spans, round6, run_window
from kedro_run_report.analysis.lanes import Lane, build_lanes, lanes
from kedro_run_report.model import NodeRun, RunStatus


@dataclass(frozen=True)
class NodeTime:
    """A node's time, as recorded."""

    node_id: str
    name: str
    status: str
    total: float
    load: float
    compute: float
    save: float


@dataclass(frozen=True)
class DatasetTime:
    """A dataset's I/O time, summed over all its loads and saves."""

    dataset_id: str
    name: str
    load: float
    save: float
    loads: int
    saves: int

    @property
    def total(self) -> float:
        return self.load + self.save


__all__ = [
    "DatasetTime",
    "Lane",
    "NodeTime",
    "SHARE_KEYS",
    "TimeBreakdown",
    "lanes",
    "time_breakdown",
]

SHARE_KEYS = ("loading", "computing", "saving", "overhead", "idle")


@dataclass(frozen=True)
class TimeBreakdown:
    """Worker-time split into loading, computing, saving, overhead and idle (seconds)."""

    wall: float
    lanes: int
    worker_time: float  # max(1, lanes) * wall: the denominator of every share
    loading: float = 0.0
    computing: float = 0.0
    saving: float = 0.0
    overhead: float = 0.0  # inside a node's span but not load, compute or save (hooks, gaps)
    idle: float = 0.0  # no node running on a lane: startup, teardown, gaps, queueing
    slowest_nodes: list[NodeTime] = field(default_factory=list)
    slowest_datasets: list[DatasetTime] = field(default_factory=list)

    def shares(self) -> dict[str, float]:
        """Each part as a fraction of worker-time; they add up to 1 (all 0 if nothing ran)."""
        if self.worker_time <= 0:
            return {key: 0.0 for key in SHARE_KEYS}
        return {key: getattr(self, key) / self.worker_time for key in SHARE_KEYS}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "wall": round6(self.wall),
            "lanes": self.lanes,
            "worker_time": round6(self.worker_time),
            "seconds": {key: round6(getattr(self, key)) for key in SHARE_KEYS},
            "shares": {key: round6(value) for key, value in self.shares().items()},
            "slowest_nodes": [
                {
                    "id": n.node_id,
                    "name": n.name,
                    "status": n.status,
                    **{k: round6(getattr(n, k)) for k in ("total", "load", "compute", "save")},
                }
                for n in self.slowest_nodes
            ],
            "slowest_datasets": [
                {
                    "id": d.dataset_id,
                    "name": d.name,
                    **{k: round6(getattr(d, k)) for k in ("total", "load", "save")},
                    "loads": d.loads,
                    "saves": d.saves,
                }
                for d in self.slowest_datasets
            ],
        }


def time_breakdown(status: RunStatus, top: int = 10) -> TimeBreakdown:
    """Slowest nodes and datasets, and how the run's worker-time splits.

    Worker-time is ``lanes x wall``: every worker (see :func:`lanes`) is counted as available for
    the whole run, from the pipeline's start to its end. Each lane's busy time (the union of its
    node spans) is split by the nodes' own fields into loading, computing and saving; what is left
    of a node's span is overhead (hooks, recording, time between its loads and its function).
    Idle is worker-time minus busy time. The five parts add up to worker-time exactly, so their
    shares add up to 100%.

    In a sequential run there is one lane, worker-time is the wall time, and idle is the gaps
    between nodes plus the pipeline's startup and teardown around them. In a parallel run, idle
    also holds a worker's time before its first and after its last node. A run in which no node
    ran counts as one idle lane. When a node's loads and saves overlap (asynchronous I/O) so that
    they exceed its span less the compute time, they are scaled down to fit, and when nodes on
    one lane overlap (they should not) the lane's parts are scaled to its busy time.
    """
    spans = node_spans(status)
    begin, end = run_window(status, spans)
    wall = end - begin
    workers = build_lanes(status, spans)
    worker_time = max(1, len(workers)) * wall
    parts = {"loading": 0.0, "computing": 0.0, "saving": 0.0, "overhead": 0.0}
    busy = 0.0
    for lane in workers:
        lane_parts = [_split(status.nodes[node_id], spans[node_id]) for node_id in lane.node_ids]
        spent = sum(sum(p) for p in lane_parts)
        scale = lane.busy / spent if spent > lane.busy and spent > 0 else 1.0
        for load, compute, save, overhead in lane_parts:
            parts["loading"] += load * scale
            parts["computing"] += compute * scale
            parts["saving"] += save * scale
            parts["overhead"] += overhead * scale
        busy += sum(sum(p) for p in lane_parts) * scale
    return TimeBreakdown(
        wall=wall,
        lanes=len(workers),
        worker_time=worker_time,
        idle=max(0.0, worker_time - busy),
        slowest_nodes=_slowest_nodes(status, spans, top),
        slowest_datasets=_slowest_datasets(status, top),
        **parts,
    )


def _split(node: NodeRun, span: Span) -> tuple[float, float, float, float]:
    """A node's span as (load, compute, save, overhead), adding up to the span exactly."""
    total = span[1] - span[0]
    compute = min(node.compute_duration, total)
    load, save = node.load_duration, node.save_duration
    room = total - compute
    if load + save > room:
        scale = room / (load + save)
        load, save = load * scale, save * scale
    return load, compute, save, max(0.0, room - load - save)


def _slowest_nodes(status: RunStatus, spans: dict[str, Span], top: int) -> list[NodeTime]:
    times = [
        NodeTime(
            node_id=node_id,
            name=status.nodes[node_id].name,
            status=status.nodes[node_id].status,
            total=end - start,
            load=status.nodes[node_id].load_duration,
            compute=status.nodes[node_id].compute_duration,
            save=status.nodes[node_id].save_duration,
        )
        for node_id, (start, end) in spans.items()
    ]
    # sorted() is stable: equal totals keep pipeline order.
    return sorted(times, key=lambda t: -t.total)[: max(0, top)]


def _slowest_datasets(status: RunStatus, top: int) -> list[DatasetTime]:
    # Parameters are in memory and never slow; untouched datasets have nothing to say.
    times = [
        DatasetTime(d.id, d.name, d.load_duration, d.save_duration, d.loads, d.saves)
        for d in status.datasets.values()
        if not d.is_parameter and (d.loads or d.saves)
    ]
    return sorted(times, key=lambda t: -t.total)[: max(0, top)]
