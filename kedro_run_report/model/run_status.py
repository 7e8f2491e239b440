"""The run-status model: what every reporter reads, and its status words.

``RunStatus.to_dict()`` is a superset of Kedro-Viz's ``/api/run-status`` response: the same
top-level keys (``nodes``, ``datasets``, ``pipeline``), the same ids as keys, the same fields and
status words, plus richer data under keys of our own. The schema is
``kedro_run_report/schema/run_status.schema.json``. Building it from events is
:mod:`kedro_run_report.model.aggregate`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from kedro_run_report.ids import dataset_id, is_parameter
from kedro_run_report.model.fingerprint import Fingerprint
from kedro_run_report.model.json_values import text
from kedro_run_report.redact import redact_patterns

SCHEMA_VERSION = 1

# Status words. Kedro-Viz uses "success" and "failed"; the others are ours.
SUCCESS = "success"
FAILED = "failed"
NOT_RUN = "not_run"
INTERRUPTED = "interrupted"
NOT_SELECTED = "not_selected"  # outside a partial run's selection: never planned

NODE_STATUSES = (SUCCESS, FAILED, NOT_RUN, INTERRUPTED)
INCOMPLETE = "incomplete"  # a run group with parts still running or missing

# Run filters that select part of a pipeline: a run with any of them set is partial.
SELECTION_KEYS = (
    "tags",
    "node_names",
    "from_nodes",
    "to_nodes",
    "from_inputs",
    "to_outputs",
    "namespaces",
)

LOADING = "loading"
SAVING = "saving"


@dataclass(slots=True)
class ErrorInfo:
    """An error as recorded: exception type, message and formatted traceback."""

    message: str
    traceback: str = ""
    type: str | None = None
    node: str | None = None  # dataset errors: the node that was loading or saving
    operation: str | None = None  # dataset errors: "loading" or "saving"

    @classmethod
    def from_event(cls, data: Any, redact: Callable[[str], str] = redact_patterns) -> ErrorInfo:
        """Build from the ``error`` field of an event, tolerating odd shapes.

        Texts are redacted again on reading (with ``redact``: the patterns, or a project's
        credential values too): logs written before redaction existed or before a
        credential was added, or by Kedro-Viz, may hold secrets.
        """
        if isinstance(data, dict):
            kind = data.get("type")
            return cls(
                message=redact(text(data.get("message", ""))),
                traceback=redact(text(data.get("traceback", "") or "")),
                type=None if kind is None else text(kind),
            )
        return cls(message=redact(text(data)))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"message": self.message, "traceback": self.traceback}
        if self.type:
            out["type"] = self.type
        if self.operation is not None or self.node is not None:
            out["error_node"] = self.node
            out["error_operation"] = self.operation
        return out


@dataclass(slots=True)
class Attempt:
    """One run of a node by one process of a run group."""

    run_id: str
    status: str
    start: float | None = None
    end: float | None = None
    host: str | None = None
    pid: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "status": self.status,
            "start_time": iso(self.start),
            "end_time": iso(self.end),
            "host": self.host,
            "pid": self.pid,
        }


@dataclass(slots=True)
class NodeRun:
    """What happened to one node of the planned pipeline."""

    id: str
    name: str
    namespace: str | None = None
    tags: list[str] = field(default_factory=list)
    inputs: list[str] = field(default_factory=list)  # dataset names, as the node declares them
    outputs: list[str] = field(default_factory=list)
    function: str | None = None
    status: str = NOT_RUN
    start: float | None = None  # first input load, or the function start
    end: float | None = None  # last output save, or the function end
    compute_start: float | None = None
    compute_end: float | None = None
    load_duration: float = 0.0
    save_duration: float = 0.0
    host: str | None = None
    pid: int | None = None
    thread: str | None = None
    # The process's peak resident memory (KiB) read at the function's start and end; None
    # when not recorded (older logs, platforms without a reading). See analysis/memory.py.
    maxrss_start_kib: int | None = None
    maxrss_end_kib: int | None = None
    error: ErrorInfo | None = None
    # In a run group: every attempt at this node (orchestrator retries), oldest first.
    attempts: list[Attempt] = field(default_factory=list)

    @property
    def compute_duration(self) -> float:
        """Seconds inside the node function (Kedro-Viz's ``duration``)."""
        if self.compute_start is None or self.compute_end is None:
            return 0.0
        return max(0.0, self.compute_end - self.compute_start)

    @property
    def total_duration(self) -> float:
        """Seconds from the first input load to the last output save."""
        if self.start is None or self.end is None:
            return 0.0
        return max(0.0, self.end - self.start)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "status": self.status,
            "duration": round(self.compute_duration, 6),
            "error": self.error.to_dict() if self.error else None,
            "namespace": self.namespace,
            "tags": self.tags,
            "inputs": [dataset_id(name) for name in self.inputs],
            "outputs": [dataset_id(name) for name in self.outputs],
            "function": self.function,
            "start_time": iso(self.start),
            "end_time": iso(self.end),
            "total_duration": round(self.total_duration, 6),
            "load_duration": round(self.load_duration, 6),
            "save_duration": round(self.save_duration, 6),
            "worker": None
            if self.pid is None
            else {"host": self.host, "pid": self.pid, "thread": self.thread},
            "maxrss_kib": None
            if self.maxrss_start_kib is None and self.maxrss_end_kib is None
            else {"start": self.maxrss_start_kib, "end": self.maxrss_end_kib},
            **({"attempts": [a.to_dict() for a in self.attempts]} if self.attempts else {}),
        }


@dataclass(slots=True)
class DatasetRun:
    """What happened to one dataset: its loads and saves, size and rows."""

    id: str
    name: str
    type: str | None = None
    status: str = NOT_RUN
    size: int | None = None  # bytes; None when it could not be measured
    rows: int | None = None
    loads: int = 0
    saves: int = 0
    load_duration: float = 0.0
    save_duration: float = 0.0
    bytes_read: int = 0
    bytes_written: int = 0
    in_memory: bool = False  # size is an estimate of the object in memory, not a file
    error: ErrorInfo | None = None

    @property
    def is_parameter(self) -> bool:
        return is_parameter(self.name)

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "size": self.size or 0,
            "status": self.status,
            "error": self.error.to_dict() if self.error else None,
            "type": self.type,
            "size_known": self.size is not None,
            "rows": self.rows,
            "loads": self.loads,
            "saves": self.saves,
            "load_duration": round(self.load_duration, 6),
            "save_duration": round(self.save_duration, 6),
            "bytes_read": self.bytes_read,
            "bytes_written": self.bytes_written,
            "in_memory": self.in_memory,
            "is_parameter": self.is_parameter,
        }


@dataclass(slots=True)
class DatasetOperation:
    """One load or save of a dataset, with its times: what a trace shows as a span."""

    dataset: str  # the name as the node declares it (a transcoded name keeps its suffix)
    operation: str  # LOADING or SAVING
    node: str | None  # the node that loaded or saved it; None outside any node
    start: float
    end: float | None = None  # None: it never finished
    status: str = SUCCESS  # FAILED or INTERRUPTED when it never finished
    size: int | None = None  # bytes, as recorded at the end of the operation
    rows: int | None = None
    in_memory: bool = False
    run_id: str = ""  # the run (process) that did it; in a run group, one of its parts


@dataclass
class PipelineRun:
    """The run as a whole and the parameters it was started with."""

    run_id: str = ""
    status: str = INTERRUPTED
    start: float | None = None
    end: float | None = None
    last_event: float | None = None
    error: ErrorInfo | None = None
    project_name: str | None = None
    package_name: str | None = None
    project_path: str | None = None
    kedro_version: str | None = None
    env: str | None = None
    runner: str | None = None
    pipeline_names: list[str] = field(default_factory=list)
    filters: dict[str, Any] = field(default_factory=dict)
    # ``--params`` of the run, secret-looking values masked (``***``).
    runtime_params: dict[str, Any] = field(default_factory=dict)
    host: str | None = None
    pid: int | None = None  # the main process
    group: str | None = None  # KEDRO_RUN_REPORT_GROUP: the run group this run belongs to
    # ``kedro run`` options beyond run_params: runner as given, runner_params, is_async,
    # conf_source (see record/command.py); empty for older logs and runs started from Python.
    command: dict[str, Any] = field(default_factory=dict)

    @property
    def duration(self) -> float:
        """Wall seconds of the run; for an interrupted run, up to its last event."""
        if self.start is None:
            return 0.0
        stop = self.end if self.end is not None else self.last_event
        return max(0.0, (stop or self.start) - self.start)

    @property
    def is_partial(self) -> bool:
        return bool(self.filters)

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "start_time": iso(self.start),
            "end_time": iso(self.end),
            "duration": round(self.duration, 6),
            "status": self.status,
            "error": self.error.to_dict() if self.error else None,
            "project_name": self.project_name,
            "package_name": self.package_name,
            "kedro_version": self.kedro_version,
            "env": self.env,
            "runner": self.runner,
            "pipeline_names": self.pipeline_names,
            "filters": self.filters,
            "runtime_params": self.runtime_params,
            "host": self.host,
            "pid": self.pid,
            "group": self.group,
            "command": self.command,
        }


@dataclass
class RunStatus:
    """One recorded run, aggregated: the input of every reporter."""

    pipeline: PipelineRun
    nodes: dict[str, NodeRun]  # by Kedro-Viz node id, in the pipeline's topological order
    datasets: dict[str, DatasetRun]  # by Kedro-Viz dataset id
    warnings: list[str] = field(default_factory=list)
    # A partial run's registered pipeline minus its selection, when it was recorded.
    unselected: dict[str, NodeRun] = field(default_factory=dict)
    # A run group: the runs (processes) it is made of, in start order.
    parts: list[PipelineRun] = field(default_factory=list)
    # Every load and save in the order they started (at most MAX_OPERATIONS of them, see
    # aggregate.py); reporters that draw single operations read these. Not in ``to_dict``.
    operations: list[DatasetOperation] = field(default_factory=list)
    operations_dropped: int = 0  # loads and saves beyond that bound, not listed
    # What the run was made of (commit, parameters, environment, raw inputs); None for runs
    # recorded before fingerprints, or when the fingerprint did not finish in time.
    fingerprint: Fingerprint | None = None

    def node_by_name(self, name: str) -> NodeRun | None:
        return next((n for n in self.nodes.values() if n.name == name), None)

    def dataset_by_name(self, name: str) -> DatasetRun | None:
        return self.datasets.get(dataset_id(name))

    def summary(self) -> dict[str, Any]:
        """Counts by status and bytes moved."""
        node_counts = {status: 0 for status in NODE_STATUSES}
        for node in self.nodes.values():
            node_counts[node.status] = node_counts.get(node.status, 0) + 1
        data = [d for d in self.datasets.values() if not d.is_parameter]
        return {
            "nodes": node_counts,
            "datasets": {
                "loaded": sum(1 for d in data if d.loads),
                "saved": sum(1 for d in data if d.saves),
                "failed": sum(1 for d in data if d.status == FAILED),
            },
            "bytes_read": sum(d.bytes_read for d in data),
            "bytes_written": sum(d.bytes_written for d in data),
        }

    def outcome(self) -> dict[str, Any]:
        """How the run ended, in brief: what a run's manifest keeps for history listings."""
        return {
            "status": self.pipeline.status,
            "end": self.pipeline.end,
            "duration": round(self.pipeline.duration, 6),
            "nodes": self.summary()["nodes"],
            "error": self.pipeline.error.message if self.pipeline.error else None,
        }

    def to_dict(self) -> dict[str, Any]:
        """The JSON form: Kedro-Viz's ``/api/run-status`` plus our own keys."""
        return {
            "nodes": {node_id: node.to_dict() for node_id, node in self.nodes.items()},
            "datasets": {ds_id: ds.to_dict() for ds_id, ds in self.datasets.items()},
            "pipeline": self.pipeline.to_dict(),
            "schema_version": SCHEMA_VERSION,
            "summary": self.summary(),
            "warnings": list(self.warnings),
            "unselected_nodes": {ident: node.to_dict() for ident, node in self.unselected.items()},
            **({"parts": [part.to_dict() for part in self.parts]} if self.parts else {}),
            "fingerprint": self.fingerprint.to_dict() if self.fingerprint else None,
        }


def iso(timestamp: float | None) -> str | None:
    """Seconds since the epoch as ISO 8601 with a UTC offset, as Kedro-Viz writes them."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()


def is_selection(filters: dict[str, Any]) -> bool:
    """Whether the filters select a subset of the pipeline's nodes."""
    return any(key in filters for key in SELECTION_KEYS)
