"""The recording state of one run in one process: its stream, sizes and live status.

Processes: pipeline hooks run in the main process. ThreadRunner calls node and dataset hooks
from pool threads on the same recorder; ParallelRunner calls them in worker processes, each of
which joins the run (see ``active_run``) with a recorder and a stream of its own.
"""

from __future__ import annotations

import multiprocessing.util
import os
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from kedro_run_report import events
from kedro_run_report.events import Event, EventKind, NodeText
from kedro_run_report.ids import node_id
from kedro_run_report.model import Aggregator, RunStatus, aggregate
from kedro_run_report.record.active_run import ActiveRun
from kedro_run_report.record.sizes import SizeProbe
from kedro_run_report.settings import ACTIVE_RUN
from kedro_run_report.store.reading import iter_run_events
from kedro_run_report.store.runs import event_files
from kedro_run_report.store.writer import HOST, EventWriter

# The main process folds its own events into the run's status this many at a time.
FOLD_BATCH = 20_000
# How long the end of a run waits for remote dataset sizes still being measured (seconds).
SIZES_GRACE = 2.0

# Node ids of the planned pipeline, computed once for the snapshot; forked workers inherit it.
SNAPSHOT_NODE_IDS: dict[str, str] = {}


class ThisProcess:
    """This process's id, kept current across forks: ``os.getpid`` is a system call, and the
    hook asks for it on every event."""

    pid = os.getpid()

    @classmethod
    def forked(cls) -> None:
        cls.pid = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=ThisProcess.forked)


#: An event not built yet: ``(constructor, *arguments)``. The hook's node and dataset events
#: reach memory in this form, and are built when folded into the live status, off the
#: node's path (their lines are formatted without them; see ``events.node_start_line``).
Deferred = tuple[Any, ...]


# Positional forms of the constructors whose options are keywords, for deferred events.
def _node_start(
    t: float, name: str, ident: str, pid: int, thread: str, maxrss_kib: int | None
) -> Event:
    return events.node_start(t, name, ident, pid=pid, thread=thread, maxrss_kib=maxrss_kib)


def _node_end(t: float, name: str, ident: str, maxrss_kib: int | None) -> Event:
    return events.node_end(t, name, ident, maxrss_kib=maxrss_kib)


def _io_end(
    kind: EventKind,
    t: float,
    dataset: str,
    node: str,
    size: int | None,
    rows: int | None,
    in_memory: bool,
) -> Event:
    return events.io_end(kind, t, dataset, node, size=size, rows=rows, in_memory=in_memory)


class KnownNode:
    """What a recorder keeps of one node object, for its six events: the node's name and id
    (each a computed property or a look-up) and their JSON."""

    __slots__ = ("node", "text")

    def __init__(self, node: Any, text: NodeText) -> None:
        # Held so that no other node can take this one's ``id`` while it is known by it.
        self.node = node
        self.text = text


class Recorder:
    """The recording state of one run in one process."""

    def __init__(
        self, run_id: str, location: str, role: str, catalog: Any, live: bool = False
    ) -> None:
        self.run_id = run_id
        self.location = location
        self.pid = os.getpid()
        # The run directory exists (create_run made it); if it vanished, do not recreate it.
        self.writer = EventWriter(location, create_dir=False)
        self.sizes = SizeProbe(catalog)
        if role != "main":
            # Pool workers end without atexit; let their remote sizes land first (the
            # writer's own finalizer, priority 100, runs after this one).
            multiprocessing.util.Finalize(
                self, self.sizes.drain, args=(SIZES_GRACE,), exitpriority=110
            )
        # Loads seen before this process knew the catalog: (node name, dataset name).
        self.unmeasured: list[tuple[str, str]] = []
        self._node_ids: dict[str, str] = dict(SNAPSHOT_NODE_IDS)
        self._nodes: dict[int, KnownNode] = {}  # id(node) -> what is known of it
        # The main process also keeps its own events, so that a run with no worker processes
        # needs no reading back at its end. They are folded in batches: one tight loop costs
        # less than folding each event between Kedro's calls, when the caches are cold.
        self.live = Aggregator() if live else None
        # A deque: threads of a ThreadRunner append to it without a lock (append and
        # popleft are atomic); the lock keeps folds one at a time, in order.
        self._unfolded: deque[Event | Deferred] = deque()
        self._fold_lock = threading.Lock()
        self.emit(events.process(time.time(), run_id, pid=self.pid, host=HOST, role=role))

    def node_id(self, node: Any, name: str) -> str:
        """Kedro-Viz id of a node (named ``name``), computed once per node name."""
        ident = self._node_ids.get(name)
        if ident is None:
            ident = self._node_ids[name] = node_id(str(node))
        return ident

    def known_node(self, node: Any) -> KnownNode:
        """What is known of ``node``, learnt at its first event in this process.

        Kept by object identity: ``node.name`` is a computed property, and hashing a Kedro
        node runs Python code, either of which costs more than this look-up.
        """
        known = self._nodes.get(id(node))
        if known is None or known.node is not node:
            name = node.name
            text = NodeText(name, self.node_id(node, name))
            known = self._nodes[id(node)] = KnownNode(node, text)
        return known

    def emit(self, event: Event, flush: bool = False) -> None:
        """Record one event: in memory first (main process), then in this process's stream."""
        # Kept before writing: if the disk fails, the run's status is still whole in memory.
        if self.live is not None:
            self._unfolded.append(event)
            if len(self._unfolded) >= FOLD_BATCH:
                self._fold()
        self.writer.write(event, flush=flush)

    def _emit_line(self, deferred: Deferred, line: str, flush: bool = False) -> None:
        """Record one of the hook's own events, formatted as ``line``; in memory as
        ``deferred``, from which the fold builds it (see :data:`Deferred`)."""
        if self.live is not None:
            self._unfolded.append(deferred)
            if len(self._unfolded) >= FOLD_BATCH:
                self._fold()
        self.writer.write_line(line, flush=flush)

    def _fold(self) -> None:
        with self._fold_lock:
            unfolded = self._unfolded
            add = self.live.add  # type: ignore[union-attr]
            # Only what is there now: threads may go on appending meanwhile.
            for _ in range(len(unfolded)):
                item = unfolded.popleft()
                add(item if isinstance(item, dict) else item[0](*item[1:]))

    def live_status(self) -> RunStatus:
        """The run's status from this process's own events."""
        self._fold()
        return self.live.result()  # type: ignore[union-attr]

    def status_if_alone(self) -> RunStatus | None:
        """The run's status from memory, if no other process wrote events for it."""
        if self.live is None or len(event_files(self.location)) > 1:
            return None
        return self.live_status()

    def final_status(self, lost: bool) -> RunStatus | None:
        """The run's status at its end: from memory alone, or read back with the workers'.

        When this process could not write its stream (a full disk, a deleted directory),
        what memory holds is the best there is.
        """
        if self.live is not None and (lost or self.writer.broken):
            return self.live_status()
        return self.status_if_alone() or aggregate(iter_run_events(self.location, []))

    # -- node and dataset events ------------------------------------------------------------

    def node_start(self, node: Any, thread: str, maxrss_kib: int | None) -> None:
        """A node's function starts, in ``thread``, at this peak resident memory (KiB)."""
        text = self.known_node(node).text
        t = time.time()
        pid = self.pid
        self._emit_line(
            (_node_start, t, text.name, text.id, pid, thread, maxrss_kib),
            events.node_start_line(t, text, pid=pid, thread=thread, maxrss_kib=maxrss_kib),
        )

    def node_end(self, node: Any, maxrss_kib: int | None, flush: bool) -> None:
        """A node's function returned, at this peak resident memory (KiB)."""
        text = self.known_node(node).text
        t = time.time()
        self._emit_line(
            (_node_end, t, text.name, text.id, maxrss_kib),
            events.node_end_line(t, text, maxrss_kib=maxrss_kib),
            flush,
        )

    def io_start(self, kind: EventKind, dataset_name: str, node: Any) -> None:
        """The start of a load or save (``kind``) of ``dataset_name`` by ``node``."""
        text = self.known_node(node).text
        t = time.time()
        self._emit_line(
            (events.io_start, kind, t, dataset_name, text.name),
            events.io_start_line(kind, t, dataset_name, text),
        )

    def io_end(self, kind: EventKind, dataset_name: str, data: Any, node: Any, flush: bool) -> None:
        """The end of a load or save, with the data's size and rows when they are cheap."""
        text = self.known_node(node).text
        t = time.time()
        size, rows, in_memory = self._measure(kind, dataset_name, data, text.name)
        self._emit_line(
            (_io_end, kind, t, dataset_name, text.name, size, rows, in_memory),
            events.io_end_line(
                kind, t, dataset_name, text, size=size, rows=rows, in_memory=in_memory
            ),
            flush,
        )

    # -- dataset sizes ------------------------------------------------------------------

    def _measure(
        self, kind: EventKind, dataset_name: str, data: Any, node_name: str
    ) -> tuple[int | None, int | None, bool]:
        """``(size, rows, in_memory)`` of data just loaded or saved, as far as known now."""
        if self.sizes.catalog is None:
            self.unmeasured.append((node_name, dataset_name))
            return None, None, False
        op = "load" if kind is EventKind.LOAD_END else "save"

        def later(size: int) -> None:  # a remote size, measured on the probe's thread
            self.emit(events.size(time.time(), dataset_name, node_name, size, op=op))

        try:
            return self.sizes.measure(dataset_name, data, later)
        except Exception:
            return None, None, False

    def measure_late(self, node: Any, inputs: dict[str, Any]) -> None:
        """Sizes of this node's inputs loaded before the catalog was known."""
        name = node.name
        pending = [d for n, d in self.unmeasured if n == name]
        self.unmeasured = [item for item in self.unmeasured if item[0] != name]
        for dataset_name in pending:
            if dataset_name not in inputs:
                continue
            size, rows, in_memory = self.sizes.measure(dataset_name, inputs[dataset_name])
            if size is not None:
                self.emit(
                    events.size(
                        time.time(), dataset_name, name, size, rows=rows, in_memory=in_memory
                    )
                )


class WorkerRecorder:
    """The recorder of a worker process (or thread pool) that joins the active run.

    Joined once per process, under a lock (a ThreadRunner's threads arrive together). A process
    that fails to join stops trying, so that it warns once, not on every event.
    """

    def __init__(self) -> None:
        self._recorder: Recorder | None = None
        self._failed_pid: int | None = None
        self._lock = threading.Lock()

    def recorder(self, catalog: Any, joined: Callable[[ActiveRun], None]) -> Recorder | None:
        """This process's recorder of the active run, or ``None`` when no run is active."""
        pid = ThisProcess.pid
        recorder = self._recorder
        if recorder is not None and recorder.pid == pid:
            return recorder
        if self._failed_pid == pid or ACTIVE_RUN.name not in os.environ:
            return None
        with self._lock:
            if self._recorder is None or self._recorder.pid != pid:
                self._failed_pid = pid  # until the join below succeeds
                active = ActiveRun.from_env()
                if active is None:  # the run ended meanwhile
                    self._failed_pid = None
                    return None
                joined(active)
                self._recorder = Recorder(active.run_id, active.location, "worker", catalog)
                self._failed_pid = None
            return self._recorder
