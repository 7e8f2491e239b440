"""The workers of a run as lanes of a timeline: one per (host, process, thread)."""

from __future__ import annotations

from dataclasses import dataclass, field

from kedro_run_report.analysis._timing import Span, node_spans
from kedro_run_report.model import RunStatus

MAIN_THREAD = "MainThread"  # threading.main_thread().name

WorkerKey = tuple[str | None, int | None, str | None]  # (host, pid, thread)


@dataclass(frozen=True)
class Lane:
    """One worker (host, process, thread) and the nodes it ran, in start order."""

    host: str | None
    pid: int | None
    thread: str | None
    label: str  # "main thread", "thread 2 (ThreadPoolExecutor-0_1)", "process 4711", ...
    node_ids: list[str] = field(default_factory=list)
    start: float = 0.0  # the first node's start
    end: float = 0.0  # the last node's end
    busy: float = 0.0  # seconds covered by at least one of its nodes (union of their spans)

    @property
    def key(self) -> WorkerKey:
        return self.host, self.pid, self.thread


def lanes(status: RunStatus) -> list[Lane]:
    """The workers that ran nodes, in order of their first start, each with its nodes by start."""
    return build_lanes(status, node_spans(status))


def build_lanes(status: RunStatus, spans: dict[str, Span]) -> list[Lane]:
    """:func:`lanes`, given the node spans already computed."""
    order = {node_id: index for index, node_id in enumerate(spans)}
    groups: dict[WorkerKey, list[str]] = {}
    for node_id in spans:
        node = status.nodes[node_id]
        groups.setdefault((node.host, node.pid, node.thread), []).append(node_id)
    for ids in groups.values():
        ids.sort(key=lambda i: (spans[i][0], order[i]))
    keys = sorted(groups, key=lambda k: (spans[groups[k][0]][0], order[groups[k][0]]))
    labels = _labels(status, keys)
    return [
        Lane(
            host=key[0],
            pid=key[1],
            thread=key[2],
            label=labels[key],
            node_ids=groups[key],
            start=spans[groups[key][0]][0],
            end=max(spans[i][1] for i in groups[key]),
            busy=_union([spans[i] for i in groups[key]]),
        )
        for key in keys
    ]


def _union(sorted_spans: list[Span]) -> float:
    """Length of the union of spans sorted by start."""
    covered, reach = 0.0, float("-inf")
    for start, end in sorted_spans:
        if end > reach:
            covered += end - max(start, reach)
            reach = end
    return covered


def _labels(status: RunStatus, keys: list[WorkerKey]) -> dict[WorkerKey, str]:
    """Readable lane names; numbers threads per process in first-start order."""
    main_host = status.pipeline.host
    # Without a recorded main process (e.g. a Kedro-Viz events file), the first worker is main.
    main_pid = (
        status.pipeline.pid if status.pipeline.pid is not None else keys[0][1] if keys else None
    )
    several_hosts = len({host for host, _, _ in keys}) > 1
    thread_numbers: dict[tuple[str | None, int | None], int] = {}
    labels = {}
    for key in keys:
        host, pid, thread = key
        in_main = pid is None or (pid == main_pid and (main_host is None or host == main_host))
        if thread in (None, MAIN_THREAD):
            label = "main thread" if in_main else f"process {pid}"
        else:
            number = thread_numbers[(host, pid)] = thread_numbers.get((host, pid), 0) + 1
            label = f"thread {number} ({thread})"
            if not in_main:
                label = f"process {pid}, {label}"
        labels[key] = f"{host}: {label}" if several_hosts and host else label
    return labels
