"""The critical path of a run: the chain of dependent nodes that set its wall time."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kedro_run_report.analysis._timing import Span, node_spans, round6, run_window
from kedro_run_report.analysis.lanes import build_lanes
from kedro_run_report.ids import strip_transcoding
from kedro_run_report.model import RunStatus


@dataclass(frozen=True)
class CriticalPath:
    """The chain of nodes the run waited on, first to last, and how much of the wall it covers."""

    node_ids: list[str] = field(default_factory=list)  # in execution order
    total: float = 0.0  # seconds spent inside the chain's nodes (sum of their spans)
    wall: float = 0.0  # the run's wall time
    share: float = 0.0  # total / wall, in [0, 1]; 0 when the wall time is 0
    workers: int = 0  # lanes (process, thread) that ran nodes
    nodes_run: int = 0  # nodes that ran, on any worker
    node_time: float = 0.0  # the sum of every node's span, on all workers
    startup_teardown: float = 0.0  # before the first node started and after the last ended
    per_node_overhead: float = 0.0  # mean gap between a node being ready and starting
    # The chain of dependent nodes with the most node time: what no number of workers beats.
    longest_ids: list[str] = field(default_factory=list)
    longest: float = 0.0

    @property
    def waiting(self) -> float:
        """Wall seconds outside the chain's nodes: startup, teardown, queueing for a worker."""
        return max(0.0, self.wall - self.total)

    @property
    def bound(self) -> float:
        """Estimated wall time with enough parallel workers.

        The longest chain, the measured per-node overhead between its nodes, and the run's
        startup and teardown; never more than the wall time the run took.
        """
        gaps = max(0, len(self.longest_ids) - 1) * self.per_node_overhead
        return min(self.wall, self.startup_teardown + self.longest + gaps)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "node_ids": list(self.node_ids),
            "total": round6(self.total),
            "wall": round6(self.wall),
            "share": round6(self.share),
            "workers": self.workers,
            "nodes_run": self.nodes_run,
            "node_time": round6(self.node_time),
            "startup_teardown": round6(self.startup_teardown),
            "per_node_overhead": round6(self.per_node_overhead),
            "longest_ids": list(self.longest_ids),
            "longest": round6(self.longest),
            "bound": round6(self.bound),
        }


def critical_path(status: RunStatus) -> CriticalPath:
    """The chain of dependent nodes that determined the run's wall time.

    Definition. Node B depends on node A when a dataset A outputs is an input of B (transcoded
    names such as ``x@pandas`` and ``x@spark`` are one dataset). Only nodes that ran (that have a
    recorded start, see ``_timing.node_span``) take part; a node that did not run is neither on
    the path nor a link in it. The path is found backwards:

    1. start from the node that finished last (ties: the later one in pipeline order);
    2. step to its predecessor that finished last: the input the node waited for longest;
    3. repeat until a node has no predecessor that ran.

    Times are the recorded spans (``NodeRun.start``/``end``, loads and saves included), so the
    same rule works for sequential runs and for Thread/ParallelRunner runs where nodes overlap.
    If a node started well after all its predecessors had finished (it queued for a free worker),
    the chain still continues through the latest-finishing predecessor: the path explains the
    run by data dependencies only, and the queueing shows up as ``wall - total``
    (:attr:`CriticalPath.waiting`), not as a node.

    A failed run is treated like any other: the path ends at the node that finished last. In a
    sequential run that is the failed node; in a parallel run it can be a node that was still
    running when the failure happened, because the run's wall time waited for it too.

    Runs in O(V + E): each node is visited at most once and its inputs are scanned once; the
    walk is a loop, so a 10,000-node chain needs no recursion.
    """
    spans = node_spans(status)
    begin, end = run_window(status, spans)
    wall = end - begin
    if not spans:
        return CriticalPath(wall=wall)

    order = {node_id: index for index, node_id in enumerate(spans)}

    def finish(node_id: str) -> tuple[float, int]:
        # Ties on end time go to the node later in pipeline order: it is the downstream one.
        return spans[node_id][1], order[node_id]

    # Who produced each dataset; Kedro allows one producer, but a foreign log may hold more.
    producers: dict[str, list[str]] = {}
    for node_id in spans:
        for name in status.nodes[node_id].outputs:
            producers.setdefault(strip_transcoding(name), []).append(node_id)

    current = max(spans, key=finish)
    path = [current]
    seen = {current}  # guards against a cycle in a malformed snapshot
    while True:
        best: str | None = None
        for name in status.nodes[current].inputs:
            for pred in producers.get(strip_transcoding(name), ()):
                if pred not in seen and (best is None or finish(pred) > finish(best)):
                    best = pred
        if best is None:
            break
        path.append(best)
        seen.add(best)
        current = best
    path.reverse()

    total = sum(_length(spans[node_id]) for node_id in path)
    share = min(1.0, total / wall) if wall > 0 else 0.0
    longest_ids, longest = _longest_chain(status, spans, producers)
    first = min(start for start, _ in spans.values())
    last = max(stop for _, stop in spans.values())
    return CriticalPath(
        node_ids=path,
        total=total,
        wall=wall,
        share=share,
        workers=len(build_lanes(status, spans)),
        nodes_run=len(spans),
        node_time=sum(_length(span) for span in spans.values()),
        startup_teardown=max(0.0, first - begin) + max(0.0, end - last),
        per_node_overhead=_per_node_overhead(status, spans, producers),
        longest_ids=longest_ids,
        longest=longest,
    )


def _longest_chain(
    status: RunStatus, spans: dict[str, Span], producers: dict[str, list[str]]
) -> tuple[list[str], float]:
    """The chain of dependent nodes that ran with the largest sum of spans, first to last.

    One pass in pipeline (topological) order; a producer not seen yet (a foreign log out of
    order) is skipped rather than followed.
    """
    best: dict[str, float] = {}
    parent: dict[str, str | None] = {}
    for node_id, span in spans.items():
        before: str | None = None
        for name in status.nodes[node_id].inputs:
            for pred in producers.get(strip_transcoding(name), ()):
                if pred in best and (before is None or best[pred] > best[before]):
                    before = pred
        best[node_id] = _length(span) + (best[before] if before is not None else 0.0)
        parent[node_id] = before
    last: str | None = max(best, key=lambda i: best[i])
    total = best[last] if last is not None else 0.0
    chain = []
    while last is not None:
        chain.append(last)
        last = parent[last]
    chain.reverse()
    return chain, total


def _per_node_overhead(
    status: RunStatus, spans: dict[str, Span], producers: dict[str, list[str]]
) -> float:
    """Mean seconds from the moment a node could start to its start.

    A node could start when its worker was free (the end of the worker's previous node) and its
    inputs were there (the end of every node that ran and produces one). The gap is what the
    runner, the hooks and the hand-over between nodes cost; a node with neither reference (the
    first on its worker, with no producer that ran) has none to measure.
    """
    gaps = []
    for lane in build_lanes(status, spans):
        previous: float | None = None
        for node_id in lane.node_ids:
            start, stop = spans[node_id]
            ready = [
                spans[parent][1]
                for name in status.nodes[node_id].inputs
                for parent in producers.get(strip_transcoding(name), ())
                if parent != node_id
            ]
            if previous is not None:
                ready.append(previous)
            if ready:
                gaps.append(max(0.0, start - max(ready)))
            previous = stop if previous is None else max(previous, stop)
    return sum(gaps) / len(gaps) if gaps else 0.0


def _length(span: Span) -> float:
    return span[1] - span[0]
