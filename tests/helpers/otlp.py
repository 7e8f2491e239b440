"""Reading the OTLP export back as the OpenTelemetry Collector does, with the official messages.

OTLP/JSON differs from protobuf's JSON mapping only in its ids (hex, not base64): they are
converted, checked to be lowercase hex of the right length, and the rest goes through
protobuf's own parser into ``ExportTraceServiceRequest`` (unknown fields or wrong types raise).
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from google.protobuf import json_format
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

HEX_ID = {"traceId": 32, "spanId": 16, "parentSpanId": 16}


def nanos(seconds: float) -> int:
    """What a recorded time (at most microseconds) is in unix nanoseconds."""
    return int(round(seconds * 1e6)) * 1000


def decode(text: str) -> ExportTraceServiceRequest:
    """One OTLP/JSON line, as the Collector's otlpjsonfile receiver reads it."""
    assert text.endswith("\n") and text.count("\n") == 1, "one request per line"
    document = json.loads(text)
    for resource in document["resourceSpans"]:
        for scope in resource["scopeSpans"]:
            for span in scope["spans"]:
                for key, size in HEX_ID.items():
                    if key in span:
                        assert re.fullmatch(f"[0-9a-f]{{{size}}}", span[key]), (key, span[key])
                        span[key] = base64.b64encode(bytes.fromhex(span[key])).decode()
                assert isinstance(span["kind"], int) and isinstance(span["status"]["code"], int)
    message = ExportTraceServiceRequest()
    json_format.ParseDict(document, message)  # unknown fields or wrong types raise here
    return message


def attrs(item: Any) -> dict[str, Any]:
    """The attributes of a span, event or resource as a plain dict."""
    out: dict[str, Any] = {}
    for kv in item.attributes:
        kind = kv.value.WhichOneof("value")
        value = getattr(kv.value, kind)
        if kind == "array_value":
            value = [v.string_value for v in value.values]
        out[kv.key] = value
    return out
