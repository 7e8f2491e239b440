"""Kedro-Viz's Run Status file: ``.viz/kedro_pipeline_events.json``, both ways.

Kedro-Viz reads a flat JSON list of events (see ``kedro_viz.integrations.kedro.run_hooks``);
we write it from a :class:`RunStatus` so the Workflow view shows our runs, and we read one
(including one Kedro-Viz wrote itself) into our own events so it can be reported.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from kedro_run_report import events
from kedro_run_report.events import Event, EventKind
from kedro_run_report.ids import dataset_id
from kedro_run_report.model import FAILED, INTERRUPTED, SUCCESS, RunStatus, iso
from kedro_run_report.store.files import atomic_write_text

VIZ_EVENTS_FILE = Path(".viz") / "kedro_pipeline_events.json"
#: Kedro-Viz knows no "interrupted": an interrupted run with a known cause is written as a
#: pipeline error whose message starts with this, and read back as interrupted.
INTERRUPTED_PREFIX = "Run interrupted"


def to_viz_events(status: RunStatus) -> list[dict[str, Any]]:
    """Kedro-Viz events that make its ``/api/run-status`` derive the same statuses."""
    pipeline = status.pipeline
    events: list[dict[str, Any]] = [
        {"event": "before_pipeline_run", "timestamp": iso(pipeline.start)}
    ]
    for dataset in status.datasets.values():
        if dataset.loads:
            events.append(_dataset_event("after_dataset_loaded", dataset.name, dataset.size))
    for node in status.nodes.values():
        if node.status == SUCCESS:
            events.append(
                {
                    "event": "after_node_run",
                    "node": node.name,
                    "node_id": node.id,
                    "duration": node.compute_duration,
                    "status": "success",
                }
            )
        elif node.status == FAILED:
            events.append(
                {
                    "event": "on_node_error",
                    "node": node.name,
                    "node_id": node.id,
                    "error": node.error.message if node.error else "",
                    "timestamp": iso(node.end),
                    "traceback": node.error.traceback if node.error else "",
                }
            )
    for dataset in status.datasets.values():
        if dataset.saves:
            events.append(_dataset_event("after_dataset_saved", dataset.name, dataset.size))
    if pipeline.status == SUCCESS:
        events.append({"event": "after_pipeline_run", "timestamp": iso(pipeline.end)})
    elif pipeline.status == INTERRUPTED and pipeline.error is not None:
        message = pipeline.error.message
        if not message.startswith(INTERRUPTED_PREFIX):
            message = f"{INTERRUPTED_PREFIX}: {message}"
        events.append(
            {
                "event": "on_pipeline_error",
                "error": message,
                "timestamp": iso(pipeline.end),
                "traceback": pipeline.error.traceback,
            }
        )
    elif pipeline.status == FAILED:
        error = pipeline.error
        event: dict[str, Any] = {
            "event": "on_pipeline_error",
            "error": error.message if error else "",
            "timestamp": iso(pipeline.end),
            "traceback": error.traceback if error else "",
        }
        failed = next((d for d in status.datasets.values() if d.status == FAILED and d.error), None)
        if failed is not None and failed.error is not None:
            event["dataset"] = failed.name
            event["operation"] = failed.error.operation
            culprit = status.node_by_name(failed.error.node or "")
            if culprit is not None:
                event["node"] = culprit.name
                event["node_id"] = culprit.id
        events.append(event)
    # A killed run has no end event, exactly like a Kedro-Viz log cut short.
    return events


def write_viz_events_file(status: RunStatus, project_path: str) -> Path:
    """Write Kedro-Viz's events file for a run into a project, atomically."""
    target = Path(project_path) / VIZ_EVENTS_FILE
    # Compact: an indent would switch json to its pure-Python encoder, ten times slower.
    atomic_write_text(str(target), json.dumps(to_viz_events(status)), durable=False)
    return target


def _dataset_event(kind: str, name: str, size: int | None) -> dict[str, Any]:
    event: dict[str, Any] = {
        "event": kind,
        "dataset": name,
        "node_id": dataset_id(name),
        "status": "Available",
    }
    if size is not None:
        event["size"] = size
    return event


def looks_like_viz_events(data: Any) -> bool:
    """Whether parsed JSON is a Kedro-Viz events list."""
    return (
        isinstance(data, list)
        and bool(data)
        and all(isinstance(e, dict) and isinstance(e.get("event"), str) for e in data)
    )


def _timestamp(value: Any) -> float | None:
    if not isinstance(value, str):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def from_viz_events(viz_events: list[dict[str, Any]], warnings: list[str]) -> list[Event]:
    """Our events for a Kedro-Viz events list (it has no per-node or per-dataset times)."""
    # Its ``\ud800`` escapes parse to lone surrogates, which no UTF-8 output could hold.
    viz_events = events.encodable(viz_events)
    times = [t for t in (_timestamp(e.get("timestamp")) for e in viz_events) if t is not None]
    t0 = times[0] if times else 0.0
    clock = t0
    out: list[Event] = []
    warnings.append(
        "Read from a Kedro-Viz events file: it records no start times per node or dataset, "
        "no worker and no pipeline structure."
    )
    for event in viz_events:
        kind = event.get("event")
        stamp = _timestamp(event.get("timestamp"))
        when = stamp if stamp is not None else clock
        if kind == "before_pipeline_run":
            clock = when
            out.append(events.run_start(clock, "kedro-viz", {}, {}))
        elif kind in ("after_dataset_loaded", "after_dataset_saved"):
            loaded = kind == "after_dataset_loaded"
            start = EventKind.LOAD_START if loaded else EventKind.SAVE_START
            end = EventKind.LOAD_END if loaded else EventKind.SAVE_END
            name = str(event.get("dataset", ""))
            out.append(events.io_start(start, clock, name, None))
            out.append(events.io_end(end, clock, name, None, size=event.get("size")))
        elif kind == "after_node_run":
            name, ident = str(event.get("node", "")), _node_id(event)
            duration = event.get("duration")
            duration = float(duration) if isinstance(duration, (int, float)) else 0.0
            out.append(events.node_start(clock, name, ident))
            out.append(events.node_end(clock + duration, name, ident))
        elif kind == "on_node_error":
            name, ident = str(event.get("node", "")), _node_id(event)
            out.append(events.node_start(when, name, ident))
            out.append(events.node_error(when, name, ident, _error(event)))
        elif kind == "after_pipeline_run":
            out.append(events.run_end(when))
        elif kind == "on_pipeline_error":
            if event.get("dataset"):
                saving = event.get("operation") == "saving"
                op = EventKind.SAVE_START if saving else EventKind.LOAD_START
                out.append(events.io_start(op, when, str(event["dataset"]), event.get("node")))
            error = _error(event)
            if str(error["message"]).startswith(INTERRUPTED_PREFIX):
                out.append(events.run_interrupted(when, error))
            else:
                out.append(events.run_error(when, error))
    return out


def _error(viz_event: dict[str, Any]) -> events.Error:
    """The error of a Kedro-Viz error event, in our shape."""
    return {"message": viz_event.get("error", ""), "traceback": viz_event.get("traceback", "")}


def _node_id(viz_event: dict[str, Any]) -> str:
    """The node's id, or ``""`` for the aggregator to derive one from the name."""
    ident = viz_event.get("node_id")
    return ident if isinstance(ident, str) else ""
