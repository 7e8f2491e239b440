"""Peak memory per node: how much each node raised its process's peak resident memory.

Each node event carries its process's peak resident memory so far (``record/memory.py``).
A node's *raise* is the reading at its end minus the reading at its start: how far the peak
rose while the node's function ran. It is 0 when the node stayed under a peak set earlier (a
process's peak never goes down), so it measures what a node added to the process's high-water
mark, not everything it allocated.

Processes: SequentialRunner runs every node in one process, one at a time, so each raise
belongs to its node. ParallelRunner runs each node in a worker process; the raise is that
worker's. ThreadRunner runs nodes side by side in one process: a raise seen while another
node of the same process was running may be the other node's, so such figures are marked
``shared`` and never ranked as if they were exact.

The run's peak is the highest peak any process reached while running a node (processes hold
their memory separately, so with several workers the machine may have held more at once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from kedro_run_report.model import NodeRun, RunStatus

KIB = 1024
HUNGRIEST = 5  # nodes listed as the most memory-hungry


@dataclass(frozen=True)
class NodeMemory:
    """How much one node raised its process's peak resident memory."""

    node_id: str
    name: str
    raised: int  # bytes
    peak: int  # bytes: the process's peak when the node ended
    pid: int | None
    shared: bool  # other nodes ran in the same process at the same time

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "id": self.node_id,
            "name": self.name,
            "raised_bytes": self.raised,
            "process_peak_bytes": self.peak,
            "pid": self.pid,
            "shared": self.shared,
        }


@dataclass(frozen=True)
class MemoryUse:
    """Peak memory of a run: per node, and the highest any process reached."""

    nodes: dict[str, NodeMemory] = field(default_factory=dict)  # by node id, pipeline order
    run_peak: int | None = None  # bytes; None when nothing was read
    processes: int = 0  # processes with a reading

    def hungriest(self, count: int = HUNGRIEST) -> list[NodeMemory]:
        """The nodes that raised their process's peak most, most first; exact figures only
        (a shared one cannot be ranked), ties by name."""
        ranked = [n for n in self.nodes.values() if n.raised > 0 and not n.shared]
        return sorted(ranked, key=lambda n: (-n.raised, n.name))[:count]

    @property
    def any_shared(self) -> bool:
        """Whether some raise could not be attributed to one node (threads)."""
        return any(n.shared for n in self.nodes.values())

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "run_peak_bytes": self.run_peak,
            "processes": self.processes,
            "hungriest": [n.to_dict() for n in self.hungriest()],
            "nodes": {ident: n.to_dict() for ident, n in self.nodes.items()},
        }


def memory_use(status: RunStatus) -> MemoryUse:
    """The peak-memory figures of a run (empty when its log has no readings)."""
    concurrent = _overlapping(status.nodes.values())
    nodes: dict[str, NodeMemory] = {}
    peaks: dict[tuple[str | None, int | None], int] = {}  # by process: (host, pid)
    for node in status.nodes.values():
        readings = [r for r in (node.maxrss_start_kib, node.maxrss_end_kib) if r is not None]
        if readings:
            process = (node.host, node.pid)
            peaks[process] = max(peaks.get(process, 0), *readings)
        start, end = node.maxrss_start_kib, node.maxrss_end_kib
        if start is None or end is None:
            continue
        nodes[node.id] = NodeMemory(
            node.id,
            node.name,
            max(0, end - start) * KIB,
            max(start, end) * KIB,
            node.pid,
            node.id in concurrent,
        )
    run_peak = max(peaks.values()) * KIB if peaks else None
    return MemoryUse(nodes, run_peak, len(peaks))


def _overlapping(nodes: Iterable[NodeRun]) -> set[str]:
    """Ids of nodes whose function ran while another node's ran in the same process."""
    by_process: dict[tuple[str | None, int | None], list[tuple[float, float, str]]] = {}
    for node in nodes:
        if node.compute_start is not None and node.compute_end is not None:
            span = (node.compute_start, node.compute_end, node.id)
            by_process.setdefault((node.host, node.pid), []).append(span)
    found: set[str] = set()
    for spans in by_process.values():
        spans.sort()
        latest_end = float("-inf")
        for index, (start, end, ident) in enumerate(spans):
            after = spans[index + 1][0] if index + 1 < len(spans) else None
            # sorted by start: a node overlaps another iff it starts before an earlier one
            # ended, or the next one starts before it ends
            if start < latest_end or (after is not None and after < end):
                found.add(ident)
            latest_end = max(latest_end, end)
    return found
