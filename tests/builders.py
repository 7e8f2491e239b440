"""A small builder of event streams for unit tests: a scripted clock and one method per event."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro_run_report.events import Event, EventKind, encode
from kedro_run_report.ids import node_id
from kedro_run_report.store.runs import create_run


class EventLog:
    """Builds the events one process would write, with a clock that only moves forward."""

    def __init__(self, t0: float = 1_700_000_000.0, pid: int = 100, host: str = "host-a") -> None:
        self.t = t0
        self.pid = pid
        self.host = host
        self.events: list[Event] = [
            {"kind": EventKind.PROCESS.value, "t": t0, "pid": pid, "host": host, "version": 1}
        ]

    def tick(self, seconds: float) -> EventLog:
        self.t += seconds
        return self

    def add(self, kind: EventKind, **fields: Any) -> EventLog:
        self.events.append({"kind": kind.value, "t": self.t, **fields})
        return self

    def start(
        self, nodes: list[tuple[str, list[str], list[str]]], run_id: str = "run-1", **meta: Any
    ) -> EventLog:
        """``run_start`` with a snapshot of ``(name, inputs, outputs)`` nodes."""
        snapshot = [
            {
                "id": node_id(name),
                "name": name,
                "namespace": name.rpartition(".")[0] or None,
                "tags": [],
                "inputs": inputs,
                "outputs": outputs,
                "function": f"mod.{name}",
            }
            for name, inputs, outputs in nodes
        ]
        return self.add(
            EventKind.RUN_START,
            run_id=run_id,
            meta={"runner": "SequentialRunner", "pipeline_names": ["__default__"], **meta},
            pipeline={"nodes": snapshot, "datasets": {}},
        )

    def load(self, dataset: str, node: str, seconds: float = 0.1, **end: Any) -> EventLog:
        self.add(EventKind.LOAD_START, dataset=dataset, node=node).tick(seconds)
        return self.add(EventKind.LOAD_END, dataset=dataset, node=node, **end)

    def save(self, dataset: str, node: str, seconds: float = 0.1, **end: Any) -> EventLog:
        self.add(EventKind.SAVE_START, dataset=dataset, node=node).tick(seconds)
        return self.add(EventKind.SAVE_END, dataset=dataset, node=node, **end)

    def node(self, name: str, seconds: float = 1.0, thread: str = "MainThread") -> EventLog:
        ident = node_id(name)
        self.add(EventKind.NODE_START, node=name, id=ident, pid=self.pid, thread=thread)
        return self.tick(seconds).add(EventKind.NODE_END, node=name, id=ident)

    def node_fails(self, name: str, seconds: float = 1.0, message: str = "boom") -> EventLog:
        ident = node_id(name)
        self.add(EventKind.NODE_START, node=name, id=ident, pid=self.pid, thread="MainThread")
        error = {"type": "ValueError", "message": message, "traceback": "Traceback...\n"}
        return self.tick(seconds).add(EventKind.NODE_ERROR, node=name, id=ident, error=error)

    def end(self) -> EventLog:
        return self.add(EventKind.RUN_END)

    def error(self, message: str = "boom", kind: str = "ValueError") -> EventLog:
        error = {
            "type": kind,
            "message": message,
            "traceback": f"Traceback...\n{kind}: {message}\n",
        }
        return self.add(EventKind.RUN_ERROR, error=error)


# A three-node chain: a -> b -> c
CHAIN = [
    ("a", ["raw"], ["mid"]),
    ("b", ["mid", "params:k"], ["out"]),
    ("c", ["out"], ["final"]),
]


def record_run(root: Path, log: EventLog, run_id: str = "run-1") -> Path:
    """Store ``log`` as one recorded run ``run_id`` under the log root ``root``."""
    for event in log.events:
        if event["kind"] == "run_start":
            event["run_id"] = run_id
    run = Path(create_run(str(root), run_id, {"start": log.events[0]["t"]}))
    (run / "events-host-1.jsonl").write_text("".join(encode(e) for e in log.events))
    return run
