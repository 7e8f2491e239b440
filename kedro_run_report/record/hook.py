"""The Kedro hook methods: each turns one of Kedro's calls into an event and delegates.

It never raises into Kedro: every method catches ``Exception`` around its whole body (a plain
``try``: a decorator would cost calls on every event), and a failure of its own becomes one
warning in the log and, where the stream still works, a ``warning`` event; the run goes on.
Error texts are redacted with the catalog's credential values (see ``redact.py``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
from typing import Any

from kedro.framework.hooks import hook_impl

from kedro_run_report import events
from kedro_run_report.events import EventKind
from kedro_run_report.formatting import terminal_safe
from kedro_run_report.record.active_run import ActiveRun
from kedro_run_report.record.error_info import error_info
from kedro_run_report.record.interrupts import InterruptWatcher
from kedro_run_report.record.kedro_viz import viz_run_hook_registered, viz_will_record
from kedro_run_report.record.memory import peak_rss_kib
from kedro_run_report.record.mlflow_artifacts import log_report_to_mlflow
from kedro_run_report.record.recorder import Recorder, ThisProcess, WorkerRecorder
from kedro_run_report.record.run import finish_run, start_run
from kedro_run_report.redact import PATTERNS, Redactor, secret_values
from kedro_run_report.settings import credentials_name, history_limit, log_location
from kedro_run_report.store.files import use_storage_options
from kedro_run_report.store.runs import prune_runs

logger = logging.getLogger("kedro_run_report")

_LOAD_START, _LOAD_END = EventKind.LOAD_START, EventKind.LOAD_END
_SAVE_START, _SAVE_END = EventKind.SAVE_START, EventKind.SAVE_END


class RunReportHook:
    """Records pipeline, node and dataset events of every ``kedro run``."""

    def __init__(self) -> None:
        self._main: Recorder | None = None
        self._workers = WorkerRecorder()
        self._catalog: Any = None
        self._project_path: str | None = None
        self._log_root: str | None = None
        self._viz_hook_registered = False
        self._leave_viz_events_file = False
        self._warned_pid: int | None = None
        # Redacts what is recorded; knows the credential values once the catalog is created.
        self._redactor: Redactor = PATTERNS
        self._secret_values: set[str] = set()
        self._interrupts = InterruptWatcher(at_exit=self._finish_unfinished)

    # -- plumbing -------------------------------------------------------------------------

    def _warn(self, exc: BaseException) -> None:
        """One warning per process and run, in the log and, if it still works, the stream."""
        if self._warned_pid == os.getpid():
            return
        self._warned_pid = os.getpid()
        message = self._redactor.text(
            f"kedro-run-report could not record this run ({type(exc).__name__}: {exc}). "
            "The run itself is not affected; its report may be incomplete."
        )
        logger.warning("%s", terminal_safe(message))  # a terminal shows it, never acts on it
        try:
            recorder = self._recorder()
            if recorder is not None and not recorder.writer.broken:
                recorder.emit(events.warning(time.time(), message))
        except Exception:  # noqa: S110 - the warning above is already in the log
            pass

    def _attempt(self, step: Any, *args: Any, **kwargs: Any) -> Any:
        """``step(*args, **kwargs)``, or ``None`` and one warning if it fails."""
        try:
            return step(*args, **kwargs)
        except Exception as exc:
            self._warn(exc)
            return None

    def _recorder(self) -> Recorder | None:
        """The recorder for this process: the main one, or a worker's joining the active run."""
        main = self._main
        if main is not None and main.pid == ThisProcess.pid:
            return main
        return self._workers.recorder(self._catalog, self._joined)

    def _joined(self, active: ActiveRun) -> None:
        """A worker process joined the active run: it warns afresh, and redacts by digest."""
        self._warned_pid = None
        if not self._secret_values:  # a spawned worker: digests, never the values
            self._redactor = active.redactor()

    # -- session and pipeline (main process) -----------------------------------------------

    @hook_impl
    def after_context_created(self, context: Any) -> None:
        try:
            self._project_path = str(getattr(context, "project_path", "") or "") or None
            self._viz_hook_registered = viz_run_hook_registered(
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
                self._finish(self._interrupts.interrupted_event())
            self._main = None
            self._warned_pid = None
            ActiveRun.withdraw()
            self._catalog = catalog if catalog is not None else self._catalog
            project_path = run_params.get("project_path") or self._project_path
            self._project_path = str(project_path) if project_path else None
            root = log_location(self._project_path)
            self._log_root = root
            recorder = start_run(
                run_params,
                pipeline,
                self._catalog,
                self._project_path,
                root,
                self._redactor,
                self._warn,
            )
            self._main = recorder
            self._interrupts.start(self._redactor)
            ActiveRun.of(recorder.run_id, recorder.location, self._secret_values).publish()
            self._leave_viz_events_file = self._viz_hook_registered and viz_will_record(run_params)
            self._attempt(prune_runs, root, history_limit())
        except Exception as exc:
            self._warn(exc)

    # tryfirst: the run ends, and its report reaches an active MLflow run, before other
    # plugins' hooks (kedro-mlflow's ends the MLflow run) act.
    @hook_impl(tryfirst=True)
    def after_pipeline_run(self) -> None:
        try:
            self._finish(events.run_end(time.time()))
        except Exception as exc:
            self._warn(exc)

    @hook_impl(tryfirst=True)
    def on_pipeline_error(self, error: BaseException) -> None:
        try:
            self._finish(events.run_error(time.time(), error_info(error, self._redactor)))
        except Exception as exc:
            self._warn(exc)

    def _finish(self, last_event: events.Event) -> None:
        """End this process's run, if it has one."""
        recorder = self._main
        if recorder is None or recorder.pid != os.getpid():
            return
        self._main = None
        ActiveRun.withdraw()
        self._attempt(self._interrupts.stop)
        viz_project = None if self._leave_viz_events_file else self._project_path
        finish_run(recorder, last_event, viz_project, attempt=self._attempt, warn=self._warn)
        if self._log_root is not None:  # costs a dictionary look-up unless MLflow is in use
            log_report_to_mlflow(self._log_root, recorder.run_id, self._redactor)

    def _finish_unfinished(self) -> None:
        """At exit: finish a run the process is leaving unfinished."""
        recorder = self._main
        if recorder is not None and recorder.pid == os.getpid():
            self._attempt(self._finish, self._interrupts.interrupted_event())

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
                recorder.measure_late(node, inputs)
            recorder.node_start(node, threading.current_thread().name, peak_rss_kib())
        except Exception as exc:
            self._warn(exc)

    @hook_impl
    def after_node_run(self, node: Any) -> None:
        try:
            recorder = self._recorder()
            if recorder is None:
                return
            recorder.node_end(
                node, peak_rss_kib(), flush=recorder.writer.remote and not node.outputs
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
            info = error_info(error, self._redactor)
            recorder.emit(
                events.node_error(
                    time.time(), name, recorder.node_id(node, name), info, maxrss_kib=peak_rss_kib()
                ),
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
        self._io_end(_LOAD_END, dataset_name, data, node)

    @hook_impl
    def before_dataset_saved(self, dataset_name: str, node: Any) -> None:
        self._io_start(_SAVE_START, dataset_name, node)

    @hook_impl
    def after_dataset_saved(self, dataset_name: str, data: Any, node: Any) -> None:
        self._io_end(_SAVE_END, dataset_name, data, node)

    def _io_start(self, kind: EventKind, dataset_name: str, node: Any) -> None:
        try:
            recorder = self._recorder()
            if recorder is not None:
                recorder.io_start(kind, dataset_name, node)
        except Exception as exc:
            self._warn(exc)

    def _io_end(self, kind: EventKind, dataset_name: str, data: Any, node: Any) -> None:
        try:
            recorder = self._recorder()
            if recorder is not None:
                # A remote stream uploads when a node's last output is saved.
                last_output = (
                    kind is _SAVE_END
                    and recorder.writer.remote
                    and node.outputs[-1:] == [dataset_name]
                )
                recorder.io_end(kind, dataset_name, data, node, flush=last_output)
        except Exception as exc:
            self._warn(exc)


#: The instance registered through the ``kedro.hooks`` entry point.
hooks = RunReportHook()
