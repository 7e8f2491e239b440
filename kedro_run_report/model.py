"""The run-status model and the pure aggregation of events into it.

``aggregate(events) -> RunStatus`` does no I/O. ``RunStatus.to_dict()`` is a superset of
Kedro-Viz's ``/api/run-status`` response: the same top-level keys (``nodes``, ``datasets``,
``pipeline``), the same ids as keys, the same fields and status words, plus richer data under
keys of our own. The schema is ``kedro_run_report/schema/run_status.schema.json``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import partial
from typing import Any

from kedro_run_report.events import Event, EventKind, valid_time
from kedro_run_report.ids import dataset_id, is_parameter, strip_transcoding
from kedro_run_report.redact import PATTERNS, redact_patterns

#: Bounds that keep aggregation memory small whatever a log holds.
MAX_WARNINGS = 100
MAX_OPEN_IO = 1000  # unfinished loads or saves of one (operation, node, dataset)

SCHEMA_VERSION = 1

# Status words. Kedro-Viz uses "success" and "failed"; the others are ours.
SUCCESS = "success"
FAILED = "failed"
NOT_RUN = "not_run"
INTERRUPTED = "interrupted"
NOT_SELECTED = "not_selected"  # outside a partial run's selection: never planned

NODE_STATUSES = (SUCCESS, FAILED, NOT_RUN, INTERRUPTED)
INCOMPLETE = "incomplete"  # a run group with parts still running or missing
PIPELINE_STATUSES = (SUCCESS, FAILED, INTERRUPTED, INCOMPLETE)

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
    def from_event(cls, data: Any) -> ErrorInfo:
        """Build from the ``error`` field of an event, tolerating odd shapes.

        Texts are redacted again on reading: logs written before redaction existed, or by
        Kedro-Viz, may hold passwords in URLs or secret-named values.
        """
        if isinstance(data, dict):
            kind = data.get("type")
            return cls(
                message=redact_patterns(_text(data.get("message", ""))),
                traceback=redact_patterns(_text(data.get("traceback", "") or "")),
                type=None if kind is None else _text(kind),
            )
        return cls(message=redact_patterns(_text(data)))

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
        }


def iso(timestamp: float | None) -> str | None:
    """Seconds since the epoch as ISO 8601 with a UTC offset, as Kedro-Viz writes them."""
    if timestamp is None:
        return None
    return datetime.fromtimestamp(timestamp, tz=timezone.utc).isoformat()


def _describe(node: NodeRun, spec: dict[str, Any]) -> NodeRun:
    """Fill a node's static description from its snapshot entry."""
    node.namespace = _str_or_none(spec.get("namespace"))
    node.tags = _strs(spec.get("tags"))
    node.inputs = _strs(spec.get("inputs"))
    node.outputs = _strs(spec.get("outputs"))
    node.function = _str_or_none(spec.get("function"))
    return node


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int_or_none(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str_or_none(value: Any) -> str | None:
    return None if value is None else _text(value)


def _text(value: Any) -> str:
    """``str(value)`` for any JSON value; strings pass through untouched."""
    return value if isinstance(value, str) else str(value)


def _list(value: Any) -> list[Any] | tuple[Any, ...]:
    """A JSON list, or nothing: a string or number where a list belongs is ignored.

    Tuples count too: the hook's own snapshot uses them (see ``snapshot.node_spec``).
    """
    return value if isinstance(value, (list, tuple)) else []


def _strs(value: Any) -> list[str]:
    return [_text(x) for x in _list(value)]


def _count(value: Any) -> int | None:
    """A byte or row count: a non-negative integer of a sane size, else unknown."""
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**63:
        return value
    return None


class Aggregator:
    """Folds events into a :class:`RunStatus`, one event at a time (no raw event is kept).

    Events of one process must arrive in the order they were written; processes may come
    one after the other in any order.
    """

    def __init__(self) -> None:
        self.pipeline = PipelineRun()
        self.nodes: dict[str, NodeRun] = {}
        self.node_ids: dict[str, str] = {}  # node name -> id
        self.datasets: dict[str, DatasetRun] = {}
        self._datasets_by_name: dict[str, DatasetRun] = {}  # transcoded names share one
        self.warnings: list[str] = []
        self.unselected: dict[str, NodeRun] = {}
        # (operation, node name or None, dataset name) -> start times of unfinished I/O
        self._open_io: dict[tuple[str, str | None, str], list[float]] = {}
        self._host: str | None = None  # of the stream being read
        self._pid: int | None = None
        self._malformed = 0  # events skipped for a missing time or fields of the wrong type
        self._handlers: dict[str, Callable[[Event], None]] = {
            EventKind.PROCESS.value: self._on_process,
            EventKind.RUN_START.value: self._on_run_start,
            EventKind.RUN_END.value: self._on_run_end,
            EventKind.RUN_ERROR.value: self._on_run_error,
            EventKind.RUN_INTERRUPTED.value: self._on_run_interrupted,
            EventKind.NODE_START.value: self._on_node_start,
            EventKind.NODE_END.value: self._on_node_end,
            EventKind.NODE_ERROR.value: self._on_node_error,
            EventKind.LOAD_START.value: partial(self._on_io_start, LOADING),
            EventKind.SAVE_START.value: partial(self._on_io_start, SAVING),
            EventKind.LOAD_END.value: partial(self._on_io_end, LOADING),
            EventKind.SAVE_END.value: partial(self._on_io_end, SAVING),
            EventKind.SIZE.value: self._on_late_size,
            EventKind.WARNING.value: self._on_warning,
        }

    def add(self, event: Event) -> None:
        """Fold one event in; events of unknown kinds are ignored (newer writers)."""
        kind = event.get("kind")
        handler = self._handlers.get(kind) if isinstance(kind, str) else None
        if handler is None:
            return
        t = event.get("t")
        if not valid_time(t):
            self._malformed += 1  # no usable time: nothing to place on the timeline
            return
        if self.pipeline.last_event is None or t > self.pipeline.last_event:
            self.pipeline.last_event = float(t)
        try:
            handler(event)
        except Exception:
            # A field of a type no writer produces (hand-edited or foreign logs): the rest
            # of the run still gets reported, and the report says something was skipped.
            self._malformed += 1

    # -- helpers ------------------------------------------------------------------------

    def _node(self, name: Any, node_id: Any = None) -> NodeRun:
        name = str(name)
        known = self.node_ids.get(name)
        if known is not None:
            return self.nodes[known]
        ident = str(node_id) if node_id else dataset_id("node:" + name)
        node = self.nodes.get(ident)
        if node is None:
            node = self.nodes[ident] = NodeRun(id=ident, name=name)
        self.node_ids[name] = ident
        return node

    def _dataset(self, name: Any) -> DatasetRun:
        name = str(name)
        dataset = self._datasets_by_name.get(name)
        if dataset is not None:
            return dataset
        ident = dataset_id(name)
        dataset = self.datasets.get(ident)
        if dataset is None:
            dataset = self.datasets[ident] = DatasetRun(id=ident, name=strip_transcoding(name))
        self._datasets_by_name[name] = dataset
        return dataset

    # -- handlers -----------------------------------------------------------------------

    def _on_process(self, event: Event) -> None:
        self._host = _str_or_none(event.get("host"))
        self._pid = _int_or_none(event.get("pid"))

    def _on_run_start(self, event: Event) -> None:
        p = self.pipeline
        meta = _dict(event.get("meta"))
        p.run_id = str(event.get("run_id") or p.run_id)
        p.start = float(event["t"])
        p.host = self._host
        p.pid = self._pid
        for key in ("project_name", "package_name", "project_path", "kedro_version", "env"):
            setattr(p, key, _str_or_none(meta.get(key)))
        p.runner = _str_or_none(meta.get("runner"))
        p.pipeline_names = _strs(meta.get("pipeline_names"))
        p.group = _str_or_none(meta.get("group"))
        # Plain JSON of bounded depth, masked: reporters print these values as they are.
        p.filters = PATTERNS.value(_dict(meta.get("filters")))
        p.runtime_params = PATTERNS.value(_dict(meta.get("runtime_params")))
        snapshot = _dict(event.get("pipeline"))
        types = _dict(snapshot.get("datasets"))
        for spec in _list(snapshot.get("unselected")):
            if isinstance(spec, dict) and "name" in spec:
                ident = str(spec.get("id") or dataset_id("node:" + str(spec["name"])))
                node = NodeRun(id=ident, name=str(spec["name"]), status=NOT_SELECTED)
                self.unselected[ident] = _describe(node, spec)
        for spec in _list(snapshot.get("nodes")):
            if not isinstance(spec, dict) or "name" not in spec:
                continue
            node = _describe(self._node(spec["name"], spec.get("id")), spec)
            for name in node.inputs + node.outputs:
                dataset = self._dataset(name)
                info = types.get(name) or types.get(dataset.name)
                if isinstance(info, dict) and info.get("type"):
                    dataset.type = str(info["type"])
                elif dataset.is_parameter:
                    dataset.type = "parameters"

    def _on_run_end(self, event: Event) -> None:
        self.pipeline.status = SUCCESS
        self.pipeline.end = float(event["t"])

    def _on_run_error(self, event: Event) -> None:
        self.pipeline.status = FAILED
        self.pipeline.end = float(event["t"])
        self.pipeline.error = ErrorInfo.from_event(event.get("error"))

    def _on_run_interrupted(self, event: Event) -> None:
        # The process stopped mid-run (Ctrl-C): still interrupted, now with a cause and an end.
        if self.pipeline.status != INTERRUPTED:
            return  # the run had ended already; a late marker changes nothing
        self.pipeline.end = float(event["t"])
        if event.get("error") is not None:
            self.pipeline.error = ErrorInfo.from_event(event.get("error"))

    def _on_node_start(self, event: Event) -> None:
        node = self._node(event.get("node"), event.get("id"))
        t = float(event["t"])
        node.compute_start = t
        node.start = t if node.start is None else min(node.start, t)
        node.status = INTERRUPTED  # until it ends
        node.host = self._host
        node.pid = event.get("pid") if isinstance(event.get("pid"), int) else None
        node.thread = _str_or_none(event.get("thread"))

    def _on_node_end(self, event: Event) -> None:
        node = self._node(event.get("node"), event.get("id"))
        t = float(event["t"])
        node.compute_end = t
        node.end = t if node.end is None else max(node.end, t)
        node.status = SUCCESS

    def _on_node_error(self, event: Event) -> None:
        node = self._node(event.get("node"), event.get("id"))
        t = float(event["t"])
        node.compute_end = t
        node.end = t if node.end is None else max(node.end, t)
        node.status = FAILED
        node.error = ErrorInfo.from_event(event.get("error"))

    def _on_io_start(self, op: str, event: Event) -> None:
        key = (op, _str_or_none(event.get("node")), str(event.get("dataset")))
        starts = self._open_io.setdefault(key, [])
        if len(starts) < MAX_OPEN_IO:
            starts.append(float(event["t"]))
        self._dataset(event.get("dataset"))

    def _on_io_end(self, op: str, event: Event) -> None:
        node_name, dataset_name = _str_or_none(event.get("node")), str(event.get("dataset"))
        t = float(event["t"])
        key = (op, node_name, dataset_name)
        starts = self._open_io.get(key)
        started = starts.pop(0) if starts else t
        if starts is not None and not starts:
            del self._open_io[key]  # keep only what is still open: memory stays bounded
        elapsed = max(0.0, t - started)
        dataset = self._dataset(dataset_name)
        size, rows = _count(event.get("size")), _count(event.get("rows"))
        in_memory = bool(event.get("mem"))
        file_bytes = 0 if in_memory else size or 0
        if dataset.status != FAILED:
            dataset.status = SUCCESS
        if size is not None:
            dataset.in_memory = in_memory
        if op == LOADING:
            dataset.loads += 1
            dataset.load_duration += elapsed
            dataset.bytes_read += file_bytes
            if dataset.size is None:
                dataset.size = size
            if dataset.rows is None:
                dataset.rows = rows
        else:
            dataset.saves += 1
            dataset.save_duration += elapsed
            dataset.bytes_written += file_bytes
            if size is not None:
                dataset.size = size
            if rows is not None:
                dataset.rows = rows
        if node_name is not None:
            node = self._node(node_name)
            node.start = started if node.start is None else min(node.start, started)
            node.end = t if node.end is None else max(node.end, t)
            if op == LOADING:
                node.load_duration += elapsed
            else:
                node.save_duration += elapsed

    def _on_late_size(self, event: Event) -> None:
        """A size measured after its load or save ended (a remote file, a spawned worker)."""
        dataset = self._dataset(event.get("dataset"))
        size, rows = _count(event.get("size")), _count(event.get("rows"))
        saved = event.get("op") == "save"
        if size is not None:
            if saved or dataset.size is None or dataset.in_memory:
                dataset.size = size
                dataset.in_memory = bool(event.get("mem"))
            if not event.get("mem"):
                if saved:
                    dataset.bytes_written += size
                else:
                    dataset.bytes_read += size
        if rows is not None and dataset.rows is None:
            dataset.rows = rows

    def _on_warning(self, event: Event) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(PATTERNS.text(_text(event.get("message", ""))))

    # -- result -------------------------------------------------------------------------

    def result(self) -> RunStatus:
        """The aggregated run. Operations left open are attributed here."""
        pipeline = self.pipeline
        if self._malformed:
            note = f"Skipped {self._malformed} malformed event(s) (no valid time or bad fields)."
            if note not in self.warnings:
                self.warnings.append(note)
        for (op, node_name, dataset_name), starts in self._open_io.items():
            if not starts:
                continue
            dataset = self._dataset(dataset_name)
            if pipeline.status == FAILED:
                dataset.status = FAILED
                source = pipeline.error or ErrorInfo(message="the run failed")
                dataset.error = ErrorInfo(
                    message=source.message,
                    traceback=source.traceback,
                    type=source.type,
                    node=node_name,
                    operation=op,
                )
            elif dataset.status == NOT_RUN:
                dataset.status = INTERRUPTED
            node = self.nodes.get(self.node_ids.get(node_name or "", ""))
            if node is not None and op == SAVING and node.status == SUCCESS:
                node.end = max(node.end or starts[0], starts[0])
        return RunStatus(
            pipeline=pipeline,
            nodes=self.nodes,
            datasets=self.datasets,
            warnings=self.warnings,
            unselected=self.unselected,
        )


def aggregate(events: Iterable[Event]) -> RunStatus:
    """Turn the events of one run into its :class:`RunStatus` (pure, no I/O)."""
    aggregator = Aggregator()
    for event in events:
        aggregator.add(event)
    return aggregator.result()
