"""The one builder of event logs for tests: a scripted clock and a method per event kind.

Every event is built by the schema's constructors in :mod:`kedro_run_report.events`, so a
log made here is what the hook would write (the ``process`` event carries the real
``FORMAT_VERSION``). Tests that need a malformed event write that one by hand, on purpose.

    log = EventLog().start(CHAIN).load("raw", "a").node("a").save("mid", "a").end()
    status = aggregate(log.events)

The clock only moves forward, by :meth:`EventLog.tick`; with ``digits`` it is rounded after
each tick (the seed scenarios round to microseconds, and their goldens depend on it).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from kedro_run_report import events
from kedro_run_report.events import Event, EventKind, encode
from kedro_run_report.ids import node_id
from kedro_run_report.model import RunStatus, aggregate
from kedro_run_report.store.runs import create_run

T0 = 1_700_000_000.0
PID = 100
HOST = "host-a"
RUN_ID = "run-1"

# A three-node chain: a -> b -> c, as ``(name, inputs, outputs)``
CHAIN = [
    ("a", ["raw"], ["mid"]),
    ("b", ["mid", "params:k"], ["out"]),
    ("c", ["out"], ["final"]),
]


def error_info(
    message: str = "boom", kind: str = "ValueError", traceback: str | None = None
) -> dict[str, Any]:
    """The ``error`` field of a failure event."""
    if traceback is None:
        traceback = f"Traceback...\n{kind}: {message}\n"
    return {"type": kind, "message": message, "traceback": traceback}


class EventLog:
    """The events one process writes, with a clock that only moves forward."""

    def __init__(
        self,
        t0: float = T0,
        *,
        pid: int = PID,
        host: str = HOST,
        run_id: str = RUN_ID,
        role: str = "main",
        digits: int | None = None,
    ) -> None:
        self.t = t0
        self.digits = digits
        self.pid = pid
        self.host = host
        self.run_id = run_id
        self.events: list[Event] = [events.process(t0, run_id, pid=pid, host=host, role=role)]

    # -- the clock ----------------------------------------------------------------------

    def tick(self, seconds: float) -> EventLog:
        """Move the clock on by ``seconds``."""
        self.t = self.t + seconds
        if self.digits is not None:
            self.t = round(self.t, self.digits)
        return self

    def _append(self, event: Event) -> EventLog:
        self.events.append(event)
        return self

    # -- one method per event kind ------------------------------------------------------

    def run_start(
        self, meta: dict[str, Any], pipeline: dict[str, Any], run_id: str | None = None
    ) -> EventLog:
        return self._append(events.run_start(self.t, run_id or self.run_id, meta, pipeline))

    def end(self) -> EventLog:
        """``run_end``: the run succeeded."""
        return self._append(events.run_end(self.t))

    def run_error(self, error: dict[str, Any]) -> EventLog:
        return self._append(events.run_error(self.t, error))

    def error(self, message: str = "boom", kind: str = "ValueError") -> EventLog:
        """``run_error`` with an error of type ``kind``."""
        return self.run_error(error_info(message, kind))

    def interrupted(self, error: dict[str, Any] | None = None) -> EventLog:
        """``run_interrupted``: the process left the run unfinished."""
        return self._append(events.run_interrupted(self.t, error))

    def node_start(
        self,
        name: str,
        ident: str | None = None,
        *,
        pid: int | None = None,
        thread: str | None = "MainThread",
        maxrss_kib: int | None = None,
    ) -> EventLog:
        """``node_start``; ``ident`` defaults to the id of ``name``, ``pid`` to the log's."""
        ident = ident or node_id(name)
        pid = self.pid if pid is None else pid
        return self._append(
            events.node_start(self.t, name, ident, pid=pid, thread=thread, maxrss_kib=maxrss_kib)
        )

    def node_end(
        self, name: str, ident: str | None = None, *, maxrss_kib: int | None = None
    ) -> EventLog:
        return self._append(
            events.node_end(self.t, name, ident or node_id(name), maxrss_kib=maxrss_kib)
        )

    def node_error(
        self,
        name: str,
        error: dict[str, Any],
        ident: str | None = None,
        *,
        maxrss_kib: int | None = None,
    ) -> EventLog:
        return self._append(
            events.node_error(self.t, name, ident or node_id(name), error, maxrss_kib=maxrss_kib)
        )

    def load_start(self, dataset: str, node: str | None) -> EventLog:
        return self._append(events.io_start(EventKind.LOAD_START, self.t, dataset, node))

    def load_end(self, dataset: str, node: str | None, **sizes: Any) -> EventLog:
        """``load_end``; ``sizes``: ``size``, ``rows``, ``in_memory``."""
        return self._append(events.io_end(EventKind.LOAD_END, self.t, dataset, node, **sizes))

    def save_start(self, dataset: str, node: str | None) -> EventLog:
        return self._append(events.io_start(EventKind.SAVE_START, self.t, dataset, node))

    def save_end(self, dataset: str, node: str | None, **sizes: Any) -> EventLog:
        """``save_end``; ``sizes``: ``size``, ``rows``, ``in_memory``."""
        return self._append(events.io_end(EventKind.SAVE_END, self.t, dataset, node, **sizes))

    def size(self, dataset: str, node: str | None, size: int, **fields: Any) -> EventLog:
        """A late ``size``; ``fields``: ``op``, ``rows``, ``in_memory``."""
        return self._append(events.size(self.t, dataset, node, size, **fields))

    def warning(self, message: str) -> EventLog:
        return self._append(events.warning(self.t, message))

    def fingerprint(
        self,
        *,
        commit: str | None = "a" * 40,
        dirty: bool = False,
        params: dict[str, Any] | None = None,
        packages: dict[str, str] | None = None,
        inputs: dict[str, dict[str, Any]] | None = None,
        python: str = "3.11.7",
        kedro: str = "1.7.0",
    ) -> EventLog:
        """A ``fingerprint`` event as the hook takes it: parameters digested and redacted by
        the recorder's own functions; ``commit=None`` for a project outside git."""
        from kedro_run_report.record.fingerprint import param_facts, short_digest
        from kedro_run_report.redact import PATTERNS

        packages = {"kedro": kedro, "pandas": "2.2.0"} if packages is None else packages
        return self._append(
            events.fingerprint(
                self.t,
                code=None if commit is None else {"commit": commit, "dirty": dirty},
                params=param_facts(params or {}, PATTERNS),
                environment={
                    "python": python,
                    "kedro": kedro,
                    "digest": short_digest(repr(sorted(packages.items()))),
                    "packages": packages,
                },
                inputs=inputs if inputs is not None else {},
            )
        )

    # -- whole steps --------------------------------------------------------------------

    def start(
        self,
        nodes: list[tuple[str, list[str], list[str]]],
        run_id: str | None = None,
        *,
        types: dict[str, str] | None = None,
        **meta: Any,
    ) -> EventLog:
        """``run_start`` with a snapshot of ``(name, inputs, outputs)`` nodes.

        ``types`` maps dataset names to the types the snapshot records (``MemoryDataset``).
        """
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
        meta = {"runner": "SequentialRunner", "pipeline_names": ["__default__"], **meta}
        datasets = {name: {"type": kind} for name, kind in (types or {}).items()}
        return self.run_start(meta, {"nodes": snapshot, "datasets": datasets}, run_id)

    def load(self, dataset: str, node: str | None, seconds: float = 0.1, **sizes: Any) -> EventLog:
        """A load of ``seconds``; ``sizes`` go on its end."""
        return self.load_start(dataset, node).tick(seconds).load_end(dataset, node, **sizes)

    def save(self, dataset: str, node: str | None, seconds: float = 0.1, **sizes: Any) -> EventLog:
        """A save of ``seconds``; ``sizes`` go on its end."""
        return self.save_start(dataset, node).tick(seconds).save_end(dataset, node, **sizes)

    def node(self, name: str, seconds: float = 1.0, thread: str = "MainThread") -> EventLog:
        """A node whose function runs ``seconds`` and returns."""
        return self.node_start(name, thread=thread).tick(seconds).node_end(name)

    def node_fails(
        self,
        name: str,
        seconds: float = 1.0,
        message: str = "boom",
        thread: str = "MainThread",
    ) -> EventLog:
        """A node whose function runs ``seconds`` and raises ``ValueError(message)``."""
        error = error_info(message, traceback="Traceback...\n")
        return self.node_start(name, thread=thread).tick(seconds).node_error(name, error)


def status_of(*logs: EventLog) -> RunStatus:
    """Aggregate the streams of several processes (or threads), one after the other."""
    return aggregate([event for log in logs for event in log.events])


def record_run(root: Path, log: EventLog, run_id: str = RUN_ID) -> Path:
    """Store ``log`` as one recorded run ``run_id`` under the log root ``root``."""
    for event in log.events:
        if event["kind"] in (EventKind.PROCESS.value, EventKind.RUN_START.value):
            event["run_id"] = run_id
    run = Path(create_run(str(root), run_id, {"start": log.events[0]["t"]}))
    (run / "events-host-1.jsonl").write_text("".join(encode(e) for e in log.events))
    return run


def worker(at: float, pid: int = PID, host: str = HOST) -> EventLog:
    """The stream of another worker (process or thread) whose clock starts ``at`` s after T0."""
    return EventLog(T0 + at, pid=pid, host=host)
