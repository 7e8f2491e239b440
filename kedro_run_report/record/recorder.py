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
from collections.abc import Callable
from typing import Any

from kedro_run_report import events
from kedro_run_report.events import Event, EventKind
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
        # The main process also keeps its own events, so that a run with no worker processes
        # needs no reading back at its end. They are folded in batches: one tight loop costs
        # less than folding each event between Kedro's calls, when the caches are cold.
        self.live = Aggregator() if live else None
        self._unfolded: list[Event] = []
        self._live_lock = threading.Lock()
        self.emit(events.process(time.time(), run_id, pid=self.pid, host=HOST, role=role))

    def node_id(self, node: Any, name: str) -> str:
        """Kedro-Viz id of a node (named ``name``), computed once per node name."""
        ident = self._node_ids.get(name)
        if ident is None:
            ident = self._node_ids[name] = node_id(str(node))
        return ident

    def emit(self, event: Event, flush: bool = False) -> None:
        """Record one event: in memory first (main process), then in this process's stream."""
        # Kept before writing: if the disk fails, the run's status is still whole in memory.
        if self.live is not None:
            with self._live_lock:  # threads of a ThreadRunner share this recorder
                self._unfolded.append(event)
                full = len(self._unfolded) >= FOLD_BATCH
            if full:
                self._fold()
        self.writer.write(event, flush=flush)

    def _fold(self) -> None:
        with self._live_lock:
            pending, self._unfolded = self._unfolded, []
            add = self.live.add  # type: ignore[union-attr]
            for event in pending:
                add(event)

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

    # -- dataset sizes ------------------------------------------------------------------

    def io_end(self, kind: EventKind, dataset_name: str, data: Any, node: Any) -> Event:
        """The end of a load or save, with the data's size and rows when they are cheap."""
        node_name = node.name
        t = time.time()
        if self.sizes.catalog is None:
            self.unmeasured.append((node_name, dataset_name))
            return events.io_end(kind, t, dataset_name, node_name)
        op = "load" if kind is EventKind.LOAD_END else "save"

        def later(size: int) -> None:  # a remote size, measured on the probe's thread
            self.emit(events.size(time.time(), dataset_name, node_name, size, op=op))

        try:
            size, rows, in_memory = self.sizes.measure(dataset_name, data, later)
        except Exception:
            return events.io_end(kind, t, dataset_name, node_name)
        return events.io_end(
            kind, t, dataset_name, node_name, size=size, rows=rows, in_memory=in_memory
        )

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
