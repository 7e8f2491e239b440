"""An OTLP/JSON document (:mod:`kedro_run_report.report.otlp`) as the official protobuf messages.

Needs ``opentelemetry-proto`` (the ``otel`` extra): importing this module without it raises
``ImportError``, which :mod:`kedro_run_report.report.otlp_http` turns into a hint. The
messages are built field by field rather than through protobuf's JSON parser, which is
pure Python and took seconds for a few thousand spans; the tests check that both give the
same message.
"""

from __future__ import annotations

from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.common.v1.common_pb2 import (
    AnyValue,
    ArrayValue,
    InstrumentationScope,
    KeyValue,
)
from opentelemetry.proto.resource.v1.resource_pb2 import Resource
from opentelemetry.proto.trace.v1.trace_pb2 import ResourceSpans, ScopeSpans, Span, Status

__all__ = ["ExportTraceServiceResponse", "request_message"]


def _value(value: dict[str, Any]) -> AnyValue:
    ((kind, raw),) = value.items()
    if kind == "stringValue":
        return AnyValue(string_value=raw)
    if kind == "intValue":
        return AnyValue(int_value=int(raw))
    if kind == "doubleValue":
        return AnyValue(double_value=raw)
    if kind == "boolValue":
        return AnyValue(bool_value=raw)
    if kind == "arrayValue":
        return AnyValue(array_value=ArrayValue(values=[_value(v) for v in raw["values"]]))
    raise ValueError(f"no AnyValue field {kind!r}")


def _key_values(items: list[dict[str, Any]]) -> list[KeyValue]:
    return [KeyValue(key=item["key"], value=_value(item["value"])) for item in items]


def _span(span: dict[str, Any]) -> Span:
    status = span.get("status", {})
    return Span(
        trace_id=bytes.fromhex(span["traceId"]),
        span_id=bytes.fromhex(span["spanId"]),
        parent_span_id=bytes.fromhex(span.get("parentSpanId", "")),
        name=span["name"],
        kind=span["kind"],
        start_time_unix_nano=int(span["startTimeUnixNano"]),
        end_time_unix_nano=int(span["endTimeUnixNano"]),
        attributes=_key_values(span.get("attributes", [])),
        events=[
            Span.Event(
                time_unix_nano=int(event["timeUnixNano"]),
                name=event["name"],
                attributes=_key_values(event.get("attributes", [])),
            )
            for event in span.get("events", [])
        ],
        status=Status(code=status.get("code", 0), message=status.get("message", "")),
    )


def request_message(document: dict[str, Any]) -> ExportTraceServiceRequest:
    """The ``ExportTraceServiceRequest`` that an OTLP/JSON document of ours encodes."""
    return ExportTraceServiceRequest(
        resource_spans=[
            ResourceSpans(
                resource=Resource(attributes=_key_values(rs["resource"]["attributes"])),
                scope_spans=[
                    ScopeSpans(
                        scope=InstrumentationScope(**ss["scope"]),
                        spans=[_span(span) for span in ss["spans"]],
                    )
                    for ss in rs["scopeSpans"]
                ],
            )
            for rs in document["resourceSpans"]
        ]
    )
