"""Helpers for analysis tests: multi-worker runs from EventLogs, and hand-built statuses."""

from __future__ import annotations

from typing import Any

from builders import EventLog

from kedro_run_report.events import Event, EventKind
from kedro_run_report.ids import node_id
from kedro_run_report.model import SUCCESS, NodeRun, PipelineRun, RunStatus, aggregate

T0 = 1_700_000_000.0


def status_of(*logs: EventLog) -> RunStatus:
    """Aggregate the streams of several processes (or threads), one after the other."""
    events: list[Event] = []
    for log in logs:
        events.extend(log.events)
    return aggregate(events)


def worker(at: float, pid: int = 100, host: str = "host-a") -> EventLog:
    """A stream of another worker whose clock starts ``at`` seconds after T0."""
    return EventLog(t0=T0 + at, pid=pid, host=host)


def fails_on(log: EventLog, name: str, seconds: float, thread: str) -> EventLog:
    """Like ``EventLog.node_fails`` but on a given thread."""
    ident = node_id(name)
    log.add(EventKind.NODE_START, node=name, id=ident, pid=log.pid, thread=thread)
    error = {"type": "ValueError", "message": "boom", "traceback": "Traceback...\n"}
    return log.tick(seconds).add(EventKind.NODE_ERROR, node=name, id=ident, error=error)


def with_node_id(events: list[Event], name: str, new_id: str) -> list[Event]:
    """The events with node ``name`` given another id (as when its inputs change)."""
    out = []
    for event in events:
        event = dict(event)
        if event.get("node") == name and "id" in event:
            event["id"] = new_id
        if event["kind"] == EventKind.RUN_START.value:
            nodes = [
                dict(n, id=new_id) if n["name"] == name else n for n in event["pipeline"]["nodes"]
            ]
            event["pipeline"] = dict(event["pipeline"], nodes=nodes)
        out.append(event)
    return out


def hand_built(
    nodes: list[tuple[str, list[str], list[str], float, float]], **pipeline: Any
) -> RunStatus:
    """A status straight from ``(name, inputs, outputs, start, end)``: fast for huge runs."""
    runs = {}
    for name, inputs, outputs, start, end in nodes:
        runs[name] = NodeRun(
            id=name,
            name=name,
            inputs=inputs,
            outputs=outputs,
            status=SUCCESS,
            start=start,
            end=end,
            compute_start=start,
            compute_end=end,
            pid=1,
            thread="MainThread",
        )
    first = min((n[3] for n in nodes), default=0.0)
    last = max((n[4] for n in nodes), default=0.0)
    fields: dict[str, Any] = {"status": SUCCESS, "start": first, "end": last, "pid": 1}
    fields.update(pipeline)
    return RunStatus(pipeline=PipelineRun(**fields), nodes=runs, datasets={})
