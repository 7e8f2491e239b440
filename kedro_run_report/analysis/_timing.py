"""Shared timing helpers of the analyses: which nodes ran, over which interval, in which window."""

from __future__ import annotations

from kedro_run_report.model import INTERRUPTED, NodeRun, RunStatus

Span = tuple[float, float]


def node_span(node: NodeRun, status: RunStatus) -> Span | None:
    """``(start, end)`` of a node that ran, or ``None`` if it never started.

    A node "ran" when it has a recorded start (its first input load or its function start),
    whatever its final status: a node whose input load failed still spent that time. A node
    interrupted before it ended is taken to run until the last event of the run, the last moment
    we know anything was alive.
    """
    if node.start is None:
        return None
    end = node.end
    if node.status == INTERRUPTED and status.pipeline.last_event is not None:
        end = status.pipeline.last_event if end is None else max(end, status.pipeline.last_event)
    if end is None:
        return None
    return node.start, max(node.start, end)


def node_spans(status: RunStatus) -> dict[str, Span]:
    """Spans of the nodes that ran, by node id, in the pipeline's (topological) order."""
    spans: dict[str, Span] = {}
    for node_id, node in status.nodes.items():
        span = node_span(node, status)
        if span is not None:
            spans[node_id] = span
    return spans


def run_window(status: RunStatus, spans: dict[str, Span]) -> Span:
    """The run's wall-clock window, widened to hold every node span.

    Normally this is the pipeline's start and end (or last event, if it never ended). Widening
    only matters for odd logs (clock skew between hosts, a log without ``run_start``); it keeps
    every node inside the window so that busy time never exceeds wall time.
    """
    pipeline = status.pipeline
    starts = [s for s, _ in spans.values()]
    ends = [e for _, e in spans.values()]
    if pipeline.start is not None:
        starts.append(pipeline.start)
        stop = pipeline.end if pipeline.end is not None else pipeline.last_event
        ends.append(stop if stop is not None else pipeline.start)
    if not starts:
        return 0.0, 0.0
    begin = min(starts)
    return begin, max([begin, *ends])


def round6(value: float | None) -> float | None:
    """Round for JSON: six decimals are microseconds, and no float prints 15 digits."""
    return None if value is None else round(value, 6)
