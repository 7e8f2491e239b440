"""Aggregation: ``aggregate(events) -> RunStatus``, a pure fold with no I/O.

Reads the event format of :mod:`kedro_run_report.events`; unknown kinds (newer writers) are
ignored and fields of the wrong type are skipped and counted, never raised.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import lru_cache, partial
from typing import Any

from kedro_run_report.errors import EventLogError
from kedro_run_report.events import Event, EventKind, peak_memory, valid_time
from kedro_run_report.ids import dataset_id, strip_transcoding
from kedro_run_report.model.fingerprint import Fingerprint, fingerprint_from_event
from kedro_run_report.model.json_values import (
    as_dict,
    as_list,
    count,
    int_or_none,
    str_or_none,
    strs,
    text,
)
from kedro_run_report.model.run_status import (
    FAILED,
    INTERRUPTED,
    LOADING,
    NOT_RUN,
    NOT_SELECTED,
    SAVING,
    SUCCESS,
    DatasetOperation,
    DatasetRun,
    ErrorInfo,
    NodeRun,
    PipelineRun,
    RunStatus,
)
from kedro_run_report.redact import PATTERNS, Redactor, redact_patterns

#: Bounds that keep aggregation memory small whatever a log holds.
MAX_WARNINGS = 100
MAX_OPEN_IO = 1000  # unfinished loads or saves of one (operation, node, dataset)
MAX_OPERATIONS = 100_000  # loads and saves listed one by one (RunStatus.operations)


def _describe(node: NodeRun, spec: dict[str, Any]) -> NodeRun:
    """Fill a node's static description from its snapshot entry."""
    node.namespace = str_or_none(spec.get("namespace"))
    node.tags = strs(spec.get("tags"))
    node.inputs = strs(spec.get("inputs"))
    node.outputs = strs(spec.get("outputs"))
    node.function = str_or_none(spec.get("function"))
    return node


class Aggregator:
    """Folds events into a :class:`RunStatus`, one event at a time (no raw event is kept).

    Events of one process must arrive in the order they were written; processes may come
    one after the other in any order. Texts are redacted with ``redactor`` (the patterns by
    default; a project's redactor also knows its credential values).
    """

    def __init__(self, redactor: Redactor = PATTERNS) -> None:
        self.redactor = redactor
        # runs often repeat one traceback many times: redact each distinct text once
        self._redact: Callable[[str], str] = (
            redact_patterns if redactor is PATTERNS else lru_cache(maxsize=128)(redactor.text)
        )
        self.pipeline = PipelineRun()
        self.nodes: dict[str, NodeRun] = {}
        self.node_ids: dict[str, str] = {}  # node name -> id
        self.datasets: dict[str, DatasetRun] = {}
        self._datasets_by_name: dict[str, DatasetRun] = {}  # transcoded names share one
        self.warnings: list[str] = []
        self.unselected: dict[str, NodeRun] = {}
        self.fingerprint: Fingerprint | None = None
        # (operation, node name or None, dataset name) -> unfinished I/O, oldest first
        self._open_io: dict[tuple[str, str | None, str], list[DatasetOperation]] = {}
        self.operations: list[DatasetOperation] = []
        self._operations_dropped = 0
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
            EventKind.FINGERPRINT.value: self._on_fingerprint,
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
        self._host = str_or_none(event.get("host"))
        self._pid = int_or_none(event.get("pid"))

    def _on_run_start(self, event: Event) -> None:
        p = self.pipeline
        meta = as_dict(event.get("meta"))
        p.run_id = str(event.get("run_id") or p.run_id)
        p.start = float(event["t"])
        p.host = self._host
        p.pid = self._pid
        for key in ("project_name", "package_name", "project_path", "kedro_version", "env"):
            setattr(p, key, str_or_none(meta.get(key)))
        p.runner = str_or_none(meta.get("runner"))
        p.pipeline_names = strs(meta.get("pipeline_names"))
        p.group = str_or_none(meta.get("group"))
        # Plain JSON of bounded depth, masked: reporters print these values as they are.
        p.filters = self.redactor.value(as_dict(meta.get("filters")))
        p.runtime_params = self.redactor.value(as_dict(meta.get("runtime_params")))
        p.command = self.redactor.value(as_dict(meta.get("command")))
        snapshot = as_dict(event.get("pipeline"))
        types = as_dict(snapshot.get("datasets"))
        for spec in as_list(snapshot.get("unselected")):
            if isinstance(spec, dict) and "name" in spec:
                ident = str(spec.get("id") or dataset_id("node:" + str(spec["name"])))
                node = NodeRun(id=ident, name=str(spec["name"]), status=NOT_SELECTED)
                self.unselected[ident] = _describe(node, spec)
        for spec in as_list(snapshot.get("nodes")):
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
        self.pipeline.error = ErrorInfo.from_event(event.get("error"), self._redact)

    def _on_run_interrupted(self, event: Event) -> None:
        # The process stopped mid-run (Ctrl-C): still interrupted, now with a cause and an end.
        if self.pipeline.status != INTERRUPTED:
            return  # the run had ended already; a late marker changes nothing
        self.pipeline.end = float(event["t"])
        if event.get("error") is not None:
            self.pipeline.error = ErrorInfo.from_event(event.get("error"), self._redact)

    def _on_node_start(self, event: Event) -> None:
        node = self._node(event.get("node"), event.get("id"))
        t = float(event["t"])
        node.compute_start = t
        node.start = t if node.start is None else min(node.start, t)
        node.status = INTERRUPTED  # until it ends
        node.host = self._host
        node.pid = event.get("pid") if isinstance(event.get("pid"), int) else None
        node.thread = str_or_none(event.get("thread"))
        node.maxrss_start_kib = peak_memory(event)
        node.maxrss_end_kib = None

    def _on_node_end(self, event: Event) -> None:
        node = self._node(event.get("node"), event.get("id"))
        t = float(event["t"])
        node.compute_end = t
        node.end = t if node.end is None else max(node.end, t)
        node.status = SUCCESS
        node.maxrss_end_kib = peak_memory(event)

    def _on_node_error(self, event: Event) -> None:
        node = self._node(event.get("node"), event.get("id"))
        t = float(event["t"])
        node.compute_end = t
        node.end = t if node.end is None else max(node.end, t)
        node.status = FAILED
        node.error = ErrorInfo.from_event(event.get("error"), self._redact)
        node.maxrss_end_kib = peak_memory(event)

    def _operation(self, op: str, node: str | None, dataset: str, t: float) -> DatasetOperation:
        operation = DatasetOperation(dataset, op, node, t, status=INTERRUPTED)
        if len(self.operations) < MAX_OPERATIONS:
            self.operations.append(operation)
        else:
            self._operations_dropped += 1
        return operation

    def _on_io_start(self, op: str, event: Event) -> None:
        key = (op, str_or_none(event.get("node")), str(event.get("dataset")))
        starts = self._open_io.setdefault(key, [])
        if len(starts) < MAX_OPEN_IO:
            starts.append(self._operation(*key, float(event["t"])))
        self._dataset(event.get("dataset"))

    def _on_io_end(self, op: str, event: Event) -> None:
        node_name, dataset_name = str_or_none(event.get("node")), str(event.get("dataset"))
        t = float(event["t"])
        key = (op, node_name, dataset_name)
        starts = self._open_io.get(key)
        operation = starts.pop(0) if starts else self._operation(*key, t)
        if starts is not None and not starts:
            del self._open_io[key]  # keep only what is still open: memory stays bounded
        started = operation.start
        elapsed = max(0.0, t - started)
        dataset = self._dataset(dataset_name)
        size, rows = count(event.get("size")), count(event.get("rows"))
        in_memory = bool(event.get("mem"))
        operation.end, operation.status = t, SUCCESS
        operation.size, operation.rows, operation.in_memory = size, rows, in_memory
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
        size, rows = count(event.get("size")), count(event.get("rows"))
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

    def _on_fingerprint(self, event: Event) -> None:
        self.fingerprint = fingerprint_from_event(event, self._redact)

    def _on_warning(self, event: Event) -> None:
        if len(self.warnings) < MAX_WARNINGS:
            self.warnings.append(self._redact(text(event.get("message", ""))))

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
            for operation in starts:
                operation.status = FAILED if pipeline.status == FAILED else INTERRUPTED
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
                node.end = max(node.end or starts[0].start, starts[0].start)
        for operation in self.operations:
            operation.run_id = pipeline.run_id
        return RunStatus(
            pipeline=pipeline,
            nodes=self.nodes,
            datasets=self.datasets,
            warnings=self.warnings,
            unselected=self.unselected,
            operations=self.operations,
            operations_dropped=self._operations_dropped,
            fingerprint=self.fingerprint,
        )


def aggregate(events: Iterable[Event], redactor: Redactor = PATTERNS) -> RunStatus:
    """Turn the events of one run into its :class:`RunStatus` (pure, no I/O)."""
    aggregator = Aggregator(redactor)
    for event in events:
        aggregator.add(event)
    return aggregator.result()


def aggregate_checked(
    stream: Iterable[Event], source: str, warnings: list[str], redactor: Redactor = PATTERNS
) -> RunStatus:
    """Aggregate, refusing a log in which no run started (empty or foreign)."""
    aggregator = Aggregator(redactor)
    started = False
    for event in stream:
        if event.get("kind") == EventKind.RUN_START.value:
            started = True
        aggregator.add(event)
    if not started:
        detail = f" ({warnings[0]})" if warnings else ""
        raise EventLogError(
            f"{source} holds no kedro-run-report run{detail}. Point --events at a run "
            "directory, an events-*.jsonl file or a Kedro-Viz kedro_pipeline_events.json."
        )
    status = aggregator.result()
    status.warnings.extend(warnings)
    return status
