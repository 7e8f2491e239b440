"""The run as an OpenTelemetry trace, in OTLP/JSON (the OpenTelemetry Collector's file format).

One ``ExportTraceServiceRequest`` on one line, encoded as the OTLP specification's JSON
mapping asks: lowerCamelCase keys, trace and span ids as lowercase hex, enums as integers,
64-bit integers (times in unix nanoseconds, ``intValue``) as decimal strings. The
Collector's ``otlpjsonfile`` receiver reads such files, its ``file`` exporter writes them.

The pipeline run is the root span; each node that ran is a child span with its status and,
when it failed, an ``exception`` event; each load and save is a span inside its node (under
the root when no node did it). A run group is one trace whose root has a span per process
(part), and the nodes of each process below it. Attributes are under ``kedro.`` (see
the README's OpenTelemetry section), plus the semantic conventions' ``service.name``,
``host.name``, ``process.pid``, ``thread.name`` and ``exception.*``.

Ids are derived from the project and the run id, so exporting a run twice gives the same
trace (a collector or backend deduplicates it) and a run's spans can be found from its id.
Nothing here needs an OpenTelemetry package; :mod:`kedro_run_report.report.otlp_http` sends
the same document to a collector.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import kedro_run_report
from kedro_run_report.formatting import shorten
from kedro_run_report.model import (
    FAILED,
    INTERRUPTED,
    LOADING,
    NODE_STATUSES,
    SUCCESS,
    Attempt,
    DatasetOperation,
    ErrorInfo,
    NodeRun,
    PipelineRun,
    RunStatus,
)
from kedro_run_report.report.formats import Rendered
from kedro_run_report.report.summary import filter_value, short_runner

if TYPE_CHECKING:
    from kedro_run_report.report.formats import RenderOptions
    from kedro_run_report.report.run_report import RunReport

SCOPE_NAME = "kedro-run-report"
RUN_SPAN = "kedro run"  # the root span of a run, and the span of each process of a group
GROUP_SPAN = "kedro run group"  # the root span of a run group
SPAN_KIND_INTERNAL = 1  # opentelemetry.proto.trace.v1.Span.SpanKind
STATUS_UNSET, STATUS_OK, STATUS_ERROR = 0, 1, 2  # opentelemetry.proto.trace.v1.Status
MAX_MESSAGE = 2_000  # characters of a status message or exception.message
# Tracebacks are cut to their last MAX_STACKTRACE characters, and to SMALL_STACKTRACE once
# STACKTRACE_BUDGET characters have been spent on them: a run where thousands of nodes fail
# with long tracebacks stays a trace a collector accepts.
MAX_STACKTRACE = 64_000
SMALL_STACKTRACE = 1_000
STACKTRACE_BUDGET = 10_000_000
_VERB = {LOADING: "load"}  # anything else is a save
_INTERRUPTED_NODE = "interrupted: the node started and did not finish"
_INTERRUPTED_RUN = "interrupted: the run stopped without reporting an end"


def unix_nanos(seconds: float) -> int:
    """Seconds since the epoch as integer nanoseconds, exact to the microsecond.

    Recorded times carry microseconds at most; rounding there first keeps the float's
    representation error out of the digits below.
    """
    return round(seconds * 1_000_000) * 1_000


def _digest(text: str, size: int) -> str:
    raw = bytearray(hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:size])
    if not any(raw):
        raw[-1] = 1  # all-zero ids are invalid; 2**-64 odds, but never emit one
    return raw.hex()


def trace_id_of(status: RunStatus) -> str:
    """The trace id of a run (or run group): 16 bytes derived from its project and id."""
    p = status.pipeline
    kind = "group" if status.parts else "run"
    return _digest(f"kedro-run-report {kind}\n{p.package_name or ''}\n{p.run_id}", 16)


def _value(value: Any) -> dict[str, Any]:
    """An ``AnyValue`` in OTLP/JSON."""
    if isinstance(value, bool):
        return {"boolValue": value}
    if isinstance(value, int):
        return {"intValue": str(value)}
    if isinstance(value, float):
        return {"doubleValue": value}
    if isinstance(value, (list, tuple)):
        return {"arrayValue": {"values": [_value(v) for v in value]}}
    return {"stringValue": str(value)}


def _attributes(values: dict[str, Any]) -> list[dict[str, Any]]:
    """``KeyValue`` pairs; ``None`` (unknown) leaves the attribute out."""
    return [{"key": key, "value": _value(v)} for key, v in values.items() if v is not None]


class _Trace:
    """Collects the spans of one trace, their ids derived from the trace id and a key."""

    def __init__(self, trace_id: str) -> None:
        self.trace_id = trace_id
        self.spans: list[dict[str, Any]] = []
        self._keys: set[str] = set()
        self._stacktraces = 0  # characters of tracebacks written so far

    def exception(self, error: ErrorInfo, at: float) -> dict[str, Any]:
        """The semantic conventions' ``exception`` span event of ``error``, at ``at``."""
        limit = MAX_STACKTRACE if self._stacktraces < STACKTRACE_BUDGET else SMALL_STACKTRACE
        stacktrace = error.traceback
        if len(stacktrace) > limit:
            cut = len(stacktrace) - limit
            stacktrace = f"[… {cut:,} characters not shown]\n" + stacktrace[cut:]
        self._stacktraces += len(stacktrace)
        values = {
            "exception.type": error.type,
            "exception.message": shorten(error.message, MAX_MESSAGE),
            "exception.stacktrace": stacktrace or None,
        }
        return {
            "timeUnixNano": str(unix_nanos(at)),
            "name": "exception",
            "attributes": _attributes(values),
        }

    def add(
        self,
        key: str,
        name: str,
        start: float,
        end: float,
        parent: str | None,
        attributes: dict[str, Any],
        status: tuple[int, str] = (STATUS_UNSET, ""),
        events: list[dict[str, Any]] | None = None,
    ) -> str:
        """Add a span; return its id. ``key`` names it uniquely within the trace."""
        unique, n = key, 1
        while unique in self._keys:  # a repeated name (e.g. a retry in the same process)
            n += 1
            unique = f"{key}\n{n}"
        self._keys.add(unique)
        span_id = _digest(f"{self.trace_id}\n{unique}", 8)
        span: dict[str, Any] = {"traceId": self.trace_id, "spanId": span_id}
        if parent is not None:
            span["parentSpanId"] = parent
        span.update(
            name=name,
            kind=SPAN_KIND_INTERNAL,
            startTimeUnixNano=str(unix_nanos(start)),
            endTimeUnixNano=str(unix_nanos(max(start, end))),
            attributes=_attributes(attributes),
        )
        if events:
            span["events"] = events
        code, message = status
        span["status"] = {"message": shorten(message, MAX_MESSAGE), "code": code}
        if not message:
            del span["status"]["message"]
        self.spans.append(span)
        return span_id


def _run_status(word: str, error: ErrorInfo | None) -> tuple[int, str]:
    if word == SUCCESS:
        return STATUS_OK, ""
    if word == FAILED:
        return STATUS_ERROR, error.message if error else "the run failed"
    if word == INTERRUPTED:
        return STATUS_ERROR, error.message if error else _INTERRUPTED_RUN
    return STATUS_UNSET, ""  # a run group still incomplete: no verdict yet


def _run_end(run: PipelineRun) -> float:
    start = _run_start(run)
    return max(start, run.end if run.end is not None else run.last_event or start)


def _run_start(run: PipelineRun) -> float:
    return run.start if run.start is not None else run.last_event or 0.0


def _process_attributes(run: PipelineRun) -> dict[str, Any]:
    return {
        "kedro.run.id": run.run_id,
        "kedro.run.status": run.status,
        "kedro.runner": short_runner(run.runner) if run.runner else None,
        "kedro.env": run.env,
        "host.name": run.host,
        "process.pid": run.pid,
    }


def _root_attributes(status: RunStatus) -> dict[str, Any]:
    p = status.pipeline
    counts = status.summary()["nodes"]
    values: dict[str, Any] = {
        **_process_attributes(p),
        "kedro.pipeline.name": ", ".join(p.pipeline_names) or None,
        "kedro.project.name": p.project_name,
        "kedro.project.package": p.package_name,
        "kedro.version": p.kedro_version,
        "kedro.run.group": p.group,
        "kedro.run.partial": p.is_partial,
    }
    if status.parts:  # a group: these belong to its processes
        for key in ("kedro.runner", "kedro.env", "host.name", "process.pid"):
            values.pop(key)
    values.update({f"kedro.run.filter.{k}": filter_value(v) for k, v in p.filters.items()})
    values.update({f"kedro.run.nodes.{word}": counts.get(word, 0) for word in NODE_STATUSES})
    if status.operations_dropped:
        values["kedro.run.operations_not_exported"] = status.operations_dropped
    return values


def _node_attributes(node: NodeRun, attempt: Attempt) -> dict[str, Any]:
    return {
        "kedro.node.name": node.name,
        "kedro.node.id": node.id,
        "kedro.node.namespace": node.namespace,
        "kedro.node.function": node.function,
        "kedro.node.tags": node.tags or None,
        "kedro.node.status": attempt.status,
        "kedro.run.id": attempt.run_id,
    }


def _node_runs(status: RunStatus) -> Iterator[tuple[NodeRun, Attempt, bool]]:
    """Every run of a node: the node, the attempt, and whether the node's details are its.

    A single run has one attempt per node that started; a run group lists each process's.
    """
    for node in status.nodes.values():
        if not node.attempts:
            if node.start is not None or node.compute_start is not None:
                start = node.start if node.start is not None else node.compute_start
                attempt = Attempt(status.pipeline.run_id, node.status, start, node.end)
                yield node, attempt, True
            continue
        for attempt in node.attempts:
            own = attempt.start == node.start and attempt.status == node.status
            yield node, attempt, own


def _node_span(
    trace: _Trace, node: NodeRun, attempt: Attempt, own: bool, parent: str, run_end: float
) -> str:
    start = attempt.start if attempt.start is not None else run_end
    end = attempt.end if attempt.end is not None else run_end
    attributes = _node_attributes(node, attempt)
    events = []
    if own:
        attributes["kedro.node.load_duration"] = round(node.load_duration, 6)
        attributes["kedro.node.compute_duration"] = round(node.compute_duration, 6)
        attributes["kedro.node.save_duration"] = round(node.save_duration, 6)
        attributes["thread.name"] = node.thread
    attributes["host.name"] = attempt.host or (node.host if own else None)
    attributes["process.pid"] = attempt.pid or (node.pid if own else None)
    if attempt.status == SUCCESS:
        code, message = STATUS_OK, ""
    elif attempt.status == FAILED:
        code = STATUS_ERROR
        error = node.error if own else None
        message = error.message if error else "the node failed (a later attempt decided)"
        if error is not None:
            at = node.compute_end if node.compute_end is not None else end
            events.append(trace.exception(error, at))
    else:
        # INTERRUPTED (started, no end): it lasted until the run stopped
        code, message = STATUS_ERROR, _INTERRUPTED_NODE
        end = max(end, run_end)
    return trace.add(
        f"node\n{attempt.run_id}\n{node.id}",
        node.name,
        start,
        end,
        parent,
        attributes,
        (code, message),
        events,
    )


def _operation_span(
    trace: _Trace, status: RunStatus, op: DatasetOperation, parent: str, run_end: float
) -> None:
    verb = _VERB.get(op.operation, "save")
    dataset = status.dataset_by_name(op.dataset)
    attributes = {
        "kedro.dataset.name": op.dataset,
        "kedro.dataset.operation": verb,
        "kedro.dataset.type": dataset.type if dataset else None,
        "kedro.dataset.size_bytes": op.size,
        "kedro.dataset.rows": op.rows,
        "kedro.dataset.in_memory": op.in_memory if op.size is not None else None,
        "kedro.node.name": op.node,
    }
    events = []
    if op.status == SUCCESS:
        code, message = STATUS_OK, ""
    elif op.status == FAILED:
        error = dataset.error if dataset else None
        code, message = STATUS_ERROR, error.message if error else f"the {verb} failed"
        if error is not None:
            events.append(trace.exception(error, op.end if op.end is not None else run_end))
    else:
        code, message = STATUS_ERROR, f"interrupted: the {verb} started and did not finish"
    end = op.end if op.end is not None else run_end
    key = f"{verb}\n{op.run_id}\n{op.node}\n{op.dataset}"
    name = f"{verb} {op.dataset}"
    trace.add(key, name, op.start, end, parent, attributes, (code, message), events)


def otlp_document(status: RunStatus) -> dict[str, Any]:
    """The run as one OTLP/JSON ``ExportTraceServiceRequest`` (a dict, ready for json)."""
    p = status.pipeline
    trace = _Trace(trace_id_of(status))
    run_end = _run_end(p)
    events = [trace.exception(p.error, run_end)] if p.error is not None else []
    root = trace.add(
        "run",
        GROUP_SPAN if status.parts else RUN_SPAN,
        _run_start(p),
        run_end,
        None,
        _root_attributes(status),
        _run_status(p.status, p.error),
        events,
    )
    parents = {p.run_id: root}
    ends = {p.run_id: run_end}
    for part in status.parts:
        parents[part.run_id] = trace.add(
            f"process\n{part.run_id}",
            RUN_SPAN,
            _run_start(part),
            _run_end(part),
            root,
            _process_attributes(part),
            _run_status(part.status, part.error),
        )
        ends[part.run_id] = _run_end(part)
    node_spans: dict[tuple[str, str], str] = {}
    for node, attempt, own in _node_runs(status):
        parent = parents.get(attempt.run_id, root)
        end = ends.get(attempt.run_id, run_end)
        span = _node_span(trace, node, attempt, own, parent, end)
        node_spans[(attempt.run_id, node.name)] = span
    for op in status.operations:
        parent = node_spans.get((op.run_id, op.node or ""), parents.get(op.run_id, root))
        _operation_span(trace, status, op, parent, ends.get(op.run_id, run_end))
    resource = {"service.name": p.package_name or p.project_name or "kedro"}
    scope = {"name": SCOPE_NAME, "version": kedro_run_report.__version__}
    return {
        "resourceSpans": [
            {
                "resource": {"attributes": _attributes(resource)},
                "scopeSpans": [{"scope": scope, "spans": trace.spans}],
            }
        ]
    }


def render_otlp(status: RunStatus) -> str:
    """The run as OTLP/JSON: one request on one line (JSON Lines, as the Collector reads)."""
    document = otlp_document(status)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")) + "\n"


def otlp_reporter(report: RunReport, options: RenderOptions) -> Rendered:
    """The ``otlp`` format of the reporter table."""
    return Rendered(render_otlp(report.status))
