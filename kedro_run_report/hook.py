"""The Kedro hook that records every run as events, in every process that takes part.

It only translates hook calls into events and hands them to the store. It never raises
into Kedro: any failure of its own becomes one warning in the log and the run goes on.

Processes: pipeline hooks run in the main process. ThreadRunner calls node and dataset hooks
from pool threads on this same instance; ParallelRunner calls them in worker processes, on
a copy of this instance (fork) or on a fresh one (spawn). The main process publishes the
active run in an environment variable that workers inherit, and every process writes its
own stream, so nothing has to travel back through memory.

Secrets: error texts and runtime parameters are redacted before they are written (see
``redact.py``). Workers of a spawned ParallelRunner do not have the credentials; they get
salted sha256 digests of them through the active-run variable, never the values.

Interruption: Kedro calls no hook for a KeyboardInterrupt (it catches only ``Exception``).
An ``atexit`` handler finishes a run still open when the process exits, with a
``run_interrupted`` event, and a SIGINT handler chained in front of Python's own notes
where the run was when Ctrl-C came.
"""

from __future__ import annotations

import atexit
import json
import logging
import multiprocessing.util
import os
import secrets
import signal
import sys
import threading
import time
import traceback
from typing import Any

from kedro.framework.hooks import hook_impl

from kedro_run_report.events import Event, EventKind
from kedro_run_report.ids import node_id
from kedro_run_report.location import credentials_name, history_limit, log_location
from kedro_run_report.model import Aggregator, RunStatus, aggregate
from kedro_run_report.redact import PATTERNS, Redactor, digests, secret_values
from kedro_run_report.sizes import SizeProbe
from kedro_run_report.snapshot import (
    is_selection,
    pipeline_snapshot,
    registered_pipeline,
    run_meta,
)
from kedro_run_report.store import (
    EventWriter,
    create_run,
    event_files,
    iter_run_events,
    process_event,
    prune_runs,
    update_manifest,
    use_storage_options,
)

logger = logging.getLogger("kedro_run_report")

#: Set by the main process while a run is recorded: ``{"run_id": ..., "location": ...}``.
ACTIVE_RUN_VARIABLE = "KEDRO_RUN_REPORT_ACTIVE_RUN"

_NODE_START = EventKind.NODE_START.value
_NODE_END = EventKind.NODE_END.value
_NODE_ERROR = EventKind.NODE_ERROR.value
_LOAD_START = EventKind.LOAD_START.value
_LOAD_END = EventKind.LOAD_END.value
_SAVE_START = EventKind.SAVE_START.value
_SAVE_END = EventKind.SAVE_END.value
_SIZE = EventKind.SIZE.value
# The main process folds its own events into the run's status this many at a time.
FOLD_BATCH = 20_000
# How long the end of a run waits for remote dataset sizes still being measured (seconds).
SIZES_GRACE = 2.0

# Node ids of the planned pipeline, computed once for the snapshot; forked workers inherit it.
_SNAPSHOT_NODE_IDS: dict[str, str] = {}
#: Error messages and tracebacks are cut to this many characters (head and tail kept), so
#: that an exception quoting a whole data frame cannot make an event line huge.
MAX_ERROR_CHARS = 100_000
INTERRUPTED_MESSAGE = "Run interrupted (KeyboardInterrupt)"


class _ThisProcess:
    """This process's id, kept current across forks: ``os.getpid`` is a system call, and the
    hook asks for it on every event."""

    pid = os.getpid()

    @classmethod
    def forked(cls) -> None:
        cls.pid = os.getpid()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_ThisProcess.forked)


def error_info(error: BaseException, redactor: Redactor = PATTERNS) -> dict[str, str]:
    """Type, message and full traceback (with chained causes, e.g. a worker's) of an error."""
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    tb = "".join(traceback.format_exception(kind, error, error.__traceback__))
    return {
        "type": name,
        "message": redactor.text(_cut(str(error))),
        "traceback": redactor.text(_cut(tb)),
    }


def _cut(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[... {len(text) - limit} characters cut ...]\n{text[-half:]}"


class _Recorder:
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
        self._node_ids: dict[str, str] = dict(_SNAPSHOT_NODE_IDS)
        # The main process also keeps its own events, so that a run with no worker processes
        # needs no reading back at its end. They are folded in batches: one tight loop costs
        # less than folding each event between Kedro's calls, when the caches are cold.
        self.live = Aggregator() if live else None
        self._unfolded: list[Event] = []
        self._live_lock = threading.Lock()
        self.emit(process_event(run_id, role))

    def node_id(self, node: Any, name: str) -> str:
        """Kedro-Viz id of a node (named ``name``), computed once per node name."""
        ident = self._node_ids.get(name)
        if ident is None:
            ident = self._node_ids[name] = node_id(str(node))
        return ident

    def emit(self, event: Event, flush: bool = False) -> None:
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
            events, self._unfolded = self._unfolded, []
            add = self.live.add  # type: ignore[union-attr]
            for event in events:
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


class RunReportHook:
    """Records pipeline, node and dataset events of every ``kedro run``.

    Every hook method catches ``Exception`` around its whole body and warns instead: a plain
    ``try``, as a context manager or decorator would cost calls on every event (and pluggy
    reads argument names from the methods' own signatures).
    """

    def __init__(self) -> None:
        self._main: _Recorder | None = None
        self._worker: _Recorder | None = None
        self._catalog: Any = None
        self._project_path: str | None = None
        self._viz_hook_registered = False
        self._leave_compat_file = False
        self._warned_pid: int | None = None
        self._lock = threading.Lock()
        # Redacts what is recorded; knows the credential values once the catalog is created.
        self._redactor: Redactor = PATTERNS
        self._secret_values: set[str] = set()
        self._failed_worker_pid: int | None = None
        self._exit_handler_registered = False
        self._interrupt: dict[str, str] | None = None  # set by the SIGINT handler
        self._previous_sigint: Any = None

    # -- plumbing -------------------------------------------------------------------------

    def _warn(self, exc: BaseException) -> None:
        if self._warned_pid == os.getpid():
            return  # one warning per process and run is enough
        self._warned_pid = os.getpid()
        logger.warning(
            "kedro-run-report could not record this run (%s: %s). The run itself is not "
            "affected; its report may be incomplete.",
            type(exc).__name__,
            exc,
        )

    def _recorder(self) -> _Recorder | None:
        """The recorder for this process, joining the active run in a worker process."""
        pid = _ThisProcess.pid
        main = self._main
        if main is not None and main.pid == pid:
            return main
        worker = self._worker
        if worker is not None and worker.pid == pid:
            return worker
        spec = os.environ.get(ACTIVE_RUN_VARIABLE)
        if not spec or self._failed_worker_pid == pid:
            return None
        with self._lock:
            if self._worker is None or self._worker.pid != pid:
                self._warned_pid = None
                # Once per process: a worker that cannot record stops trying (and warns once).
                self._failed_worker_pid = pid
                active = json.loads(spec)
                if not self._secret_values:
                    # A spawned worker: digests of the credentials, never the values.
                    hidden = active.get("secrets") or {}
                    self._redactor = Redactor(
                        hashed=hidden.get("sha256") or (), salt=str(hidden.get("salt") or "")
                    )
                self._worker = _Recorder(
                    str(active["run_id"]), str(active["location"]), "worker", self._catalog
                )
                self._failed_worker_pid = None
            return self._worker

    # -- session and pipeline (main process) -----------------------------------------------

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        try:
            self._project_path = str(getattr(context, "project_path", "") or "") or None
            self._viz_hook_registered = _viz_run_hook_registered(
                getattr(context, "_hook_manager", None)
            )
        except Exception as exc:
            self._warn(exc)

    @hook_impl
    def after_catalog_created(self, catalog: Any, conf_creds: Any = None) -> None:
        try:
            self._catalog = catalog
            self._secret_values = secret_values(conf_creds or {})
            self._redactor = Redactor(self._secret_values)
            # A named credentials entry for a log on object storage, never the command line.
            name = credentials_name()
            if name and isinstance(conf_creds, dict) and isinstance(conf_creds.get(name), dict):
                use_storage_options(conf_creds[name])
        except Exception as exc:
            self._warn(exc)

    @hook_impl
    def before_pipeline_run(self, run_params: dict[str, Any], pipeline: Any, catalog: Any) -> None:
        try:
            if self._main is not None:
                # A run of this process that never ended (an interrupt caught by a notebook).
                self._finish(self._interrupted_event())
            self._main = None
            self._warned_pid = None
            os.environ.pop(ACTIVE_RUN_VARIABLE, None)
            self._catalog = catalog if catalog is not None else self._catalog
            project_path = run_params.get("project_path") or self._project_path
            self._project_path = str(project_path) if project_path else None
            run_id = str(run_params.get("run_id") or time.strftime("%Y-%m-%dT%H.%M.%S"))
            meta = run_meta(run_params, _project_metadata(self._project_path), self._redactor)
            started = time.time()
            root = log_location(self._project_path)
            manifest = {
                "start": started,
                "pipeline_names": meta["pipeline_names"],
                "runner": meta["runner"],
                "filters": meta["filters"],
                "group": meta["group"],
            }
            location = create_run(root, run_id, manifest)
            selection = is_selection(meta["filters"])
            full = registered_pipeline(meta["pipeline_names"]) if selection else None
            snapshot = pipeline_snapshot(pipeline, self._catalog, full)
            _SNAPSHOT_NODE_IDS.clear()
            _SNAPSHOT_NODE_IDS.update((spec["name"], spec["id"]) for spec in snapshot["nodes"])
            recorder = _Recorder(run_id, location, "main", self._catalog, live=True)
            recorder.emit(
                {
                    "kind": EventKind.RUN_START.value,
                    "t": started,
                    "run_id": run_id,
                    "meta": meta,
                    "pipeline": snapshot,
                },
                flush=True,
            )
            self._main = recorder
            self._watch_for_interrupts()
            active: dict[str, Any] = {"run_id": run_id, "location": location}
            if self._secret_values:
                salt = secrets.token_hex(8)
                active["secrets"] = {"salt": salt, "sha256": digests(self._secret_values, salt)}
            os.environ[ACTIVE_RUN_VARIABLE] = json.dumps(active)
            self._leave_compat_file = self._viz_hook_registered and _viz_will_record(run_params)
            try:
                prune_runs(root, history_limit())
            except Exception as exc:
                self._warn(exc)
        except Exception as exc:
            self._warn(exc)

    @hook_impl
    def after_pipeline_run(self) -> None:
        try:
            self._finish({"kind": EventKind.RUN_END.value, "t": time.time()})
        except Exception as exc:
            self._warn(exc)

    @hook_impl
    def on_pipeline_error(self, error: BaseException) -> None:
        try:
            info = error_info(error, self._redactor)
            self._finish({"kind": EventKind.RUN_ERROR.value, "t": time.time(), "error": info})
        except Exception as exc:
            self._warn(exc)

    def _finish(self, event: Event) -> None:
        """End the run: each step on its own, so that one failing still lets the others run."""
        recorder = self._main
        if recorder is None or recorder.pid != os.getpid():
            return
        self._main = None
        os.environ.pop(ACTIVE_RUN_VARIABLE, None)
        self._attempt(self._stop_watching_for_interrupts)
        self._attempt(recorder.sizes.drain, SIZES_GRACE)  # remote sizes still being measured
        self._attempt(recorder.emit, event, flush=True)
        self._attempt(recorder.writer.close)
        lost = recorder.writer.lost()
        if lost:
            self._warn(FileNotFoundError(f"{recorder.location} was deleted during the run"))
        status = self._attempt(recorder.final_status, lost)
        if status is None:
            return
        if not self._leave_compat_file and self._project_path:
            from kedro_run_report.compat_file import write_compat_file

            self._attempt(write_compat_file, status, self._project_path)
        if not lost:
            # The outcome in the manifest lets a history list runs without reading their logs.
            self._attempt(update_manifest, recorder.location, outcome=status.outcome())

    def _attempt(self, step: Any, *args: Any, **kwargs: Any) -> Any:
        """``step(*args, **kwargs)``, or ``None`` and one warning if it fails."""
        try:
            return step(*args, **kwargs)
        except Exception as exc:
            self._warn(exc)
            return None

    # -- interrupts (main process) -----------------------------------------------------------

    def _interrupted_event(self) -> Event:
        error = self._interrupt or {
            "type": "Interrupted",
            "message": "Run interrupted: the process exited before the run ended "
            "(KeyboardInterrupt or SystemExit).",
            "traceback": "",
        }
        return {"kind": EventKind.RUN_INTERRUPTED.value, "t": time.time(), "error": error}

    def _at_exit(self) -> None:
        """Registered with atexit: finish a run the process is leaving unfinished."""
        try:
            recorder = self._main
            if recorder is not None and recorder.pid == os.getpid():
                try:
                    self._finish(self._interrupted_event())
                except Exception as exc:
                    self._warn(exc)
        except BaseException:  # noqa: S110 - the interpreter is exiting; nothing to tell
            pass

    def _watch_for_interrupts(self) -> None:
        """Finish unfinished runs at exit, and note where Ctrl-C stopped the run."""
        self._interrupt = None
        if not self._exit_handler_registered:
            atexit.register(self._at_exit)
            self._exit_handler_registered = True
        if threading.current_thread() is not threading.main_thread():
            return
        # Only in front of Python's own handler: a notebook's or the user's is left alone.
        if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
            self._previous_sigint = signal.default_int_handler
            signal.signal(signal.SIGINT, self._on_sigint)

    def _stop_watching_for_interrupts(self) -> None:
        if self._previous_sigint is None:
            return
        if threading.current_thread() is threading.main_thread():
            # Compare the underlying functions: bound methods are new objects on each access.
            current = signal.getsignal(signal.SIGINT)
            if getattr(current, "__func__", None) is RunReportHook._on_sigint:
                signal.signal(signal.SIGINT, self._previous_sigint)
        self._previous_sigint = None

    def _on_sigint(self, signum: int, frame: Any) -> None:
        """Note the interrupt and where the run was, then raise KeyboardInterrupt as usual."""
        if self._interrupt is None and self._main is not None:
            try:
                stack = "".join(traceback.format_stack(frame)) if frame is not None else ""
                self._interrupt = {
                    "type": "KeyboardInterrupt",
                    "message": INTERRUPTED_MESSAGE,
                    "traceback": self._redactor.text(
                        _cut(f"Traceback (most recent call last):\n{stack}KeyboardInterrupt\n")
                    ),
                }
            except Exception:
                self._interrupt = {"type": "KeyboardInterrupt", "message": INTERRUPTED_MESSAGE}
        signal.default_int_handler(signum, frame)

    # -- nodes (any process, any thread) ----------------------------------------------------

    @hook_impl
    def before_node_run(self, node: Any, catalog: Any, inputs: dict[str, Any]) -> None:
        try:
            recorder = self._recorder()
            if recorder is None:
                return
            if recorder.sizes.catalog is None:
                recorder.sizes.catalog = catalog  # spawned workers see the catalog only here
            if recorder.unmeasured:
                self._measure_late(recorder, node, inputs)
            name = node.name
            recorder.emit(
                {
                    "kind": _NODE_START,
                    "t": time.time(),
                    "node": name,
                    "id": recorder.node_id(node, name),
                    "pid": recorder.pid,
                    "thread": threading.current_thread().name,
                }
            )
        except Exception as exc:
            self._warn(exc)

    @hook_impl
    def after_node_run(self, node: Any) -> None:
        try:
            recorder = self._recorder()
            if recorder is None:
                return
            name = node.name
            recorder.emit(
                {
                    "kind": _NODE_END,
                    "t": time.time(),
                    "node": name,
                    "id": recorder.node_id(node, name),
                },
                flush=recorder.writer.remote and not node.outputs,
            )
        except Exception as exc:
            self._warn(exc)

    @hook_impl
    def on_node_error(self, error: BaseException, node: Any) -> None:
        try:
            recorder = self._recorder()
            if recorder is None:
                return
            name = node.name
            recorder.emit(
                {
                    "kind": _NODE_ERROR,
                    "t": time.time(),
                    "node": name,
                    "id": recorder.node_id(node, name),
                    "error": error_info(error, self._redactor),
                },
                flush=True,
            )
        except Exception as exc:
            self._warn(exc)

    # -- datasets (any process, any thread) -------------------------------------------------

    @hook_impl
    def before_dataset_loaded(self, dataset_name: str, node: Any) -> None:
        self._io_start(_LOAD_START, dataset_name, node)

    @hook_impl
    def after_dataset_loaded(self, dataset_name: str, data: Any, node: Any) -> None:
        try:
            recorder = self._recorder()
            if recorder is not None:
                recorder.emit(self._io_end(recorder, _LOAD_END, dataset_name, data, node))
        except Exception as exc:
            self._warn(exc)

    @hook_impl
    def before_dataset_saved(self, dataset_name: str, node: Any) -> None:
        self._io_start(_SAVE_START, dataset_name, node)

    @hook_impl
    def after_dataset_saved(self, dataset_name: str, data: Any, node: Any) -> None:
        try:
            recorder = self._recorder()
            if recorder is not None:
                # A remote stream uploads when a node's last output is saved.
                last_output = recorder.writer.remote and node.outputs[-1:] == [dataset_name]
                recorder.emit(
                    self._io_end(recorder, _SAVE_END, dataset_name, data, node), flush=last_output
                )
        except Exception as exc:
            self._warn(exc)

    def _io_start(self, kind: str, dataset_name: str, node: Any) -> None:
        try:
            recorder = self._recorder()
            if recorder is not None:
                recorder.emit(
                    {"kind": kind, "t": time.time(), "dataset": dataset_name, "node": node.name}
                )
        except Exception as exc:
            self._warn(exc)

    @staticmethod
    def _measure_late(recorder: _Recorder, node: Any, inputs: dict[str, Any]) -> None:
        """Sizes of this node's inputs loaded before the catalog was known."""
        pending = [(n, d) for n, d in recorder.unmeasured if n == node.name]
        recorder.unmeasured = [item for item in recorder.unmeasured if item[0] != node.name]
        for _node, dataset_name in pending:
            if dataset_name not in inputs:
                continue
            size, rows, in_memory = recorder.sizes.measure(dataset_name, inputs[dataset_name])
            if size is not None:
                recorder.emit(
                    {
                        "kind": _SIZE,
                        "t": time.time(),
                        "dataset": dataset_name,
                        "node": node.name,
                        "size": size,
                        "mem": in_memory,
                        "rows": rows,
                    }
                )

    @staticmethod
    def _io_end(recorder: _Recorder, kind: str, dataset_name: str, data: Any, node: Any) -> Event:
        node_name = node.name
        event: Event = {"kind": kind, "t": time.time(), "dataset": dataset_name, "node": node_name}
        if recorder.sizes.catalog is None:
            recorder.unmeasured.append((node_name, dataset_name))
            return event
        op = "load" if kind == _LOAD_END else "save"

        def later(size: int) -> None:  # a remote size, measured on the probe's thread
            late = {"kind": _SIZE, "t": time.time(), "dataset": dataset_name, "op": op}
            recorder.emit({**late, "node": node_name, "size": size})

        try:
            size, rows, in_memory = recorder.sizes.measure(dataset_name, data, later)
        except Exception:
            return event
        if size is not None:
            event["size"] = size
            if in_memory:
                event["mem"] = True
        if rows is not None:
            event["rows"] = rows
        return event


def _project_metadata(project_path: str | None) -> dict[str, Any]:
    """Project and package name, read from the project's pyproject.toml when possible."""
    if not project_path:
        return {}
    try:
        from pathlib import Path

        from kedro.framework.startup import _get_project_metadata

        metadata = _get_project_metadata(Path(project_path))
        return {
            "project_name": metadata.project_name,
            "package_name": metadata.package_name,
            "project_path": project_path,
        }
    except Exception:
        return {"project_path": project_path}


def _viz_run_hook_registered(hook_manager: Any) -> bool:
    """Whether Kedro-Viz's own run-status hook is active in this session."""
    module = sys.modules.get("kedro_viz.integrations.kedro.run_hooks")
    if module is None or hook_manager is None:
        return False
    viz_hook = getattr(module, "pipeline_run_hook", None)
    return viz_hook is not None and bool(hook_manager.is_registered(viz_hook))


def _viz_will_record(run_params: dict[str, Any]) -> bool:
    """Whether Kedro-Viz's hook writes the events file for this run (its own rules)."""
    try:
        from kedro_viz.integrations.kedro.hooks_utils import is_default_run, is_sequential_runner
    except Exception:
        return False
    return bool(is_default_run(run_params) and is_sequential_runner(run_params))


#: The instance registered through the ``kedro.hooks`` entry point.
hooks = RunReportHook()
