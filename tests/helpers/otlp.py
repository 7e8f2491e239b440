"""Reading the OTLP export back as the OpenTelemetry Collector does, with the official messages,
and a stand-in collector (OTLP/HTTP on 127.0.0.1) that decodes what it is sent.

OTLP/JSON differs from protobuf's JSON mapping only in its ids (hex, not base64): they are
converted, checked to be lowercase hex of the right length, and the rest goes through
protobuf's own parser into ``ExportTraceServiceRequest`` (unknown fields or wrong types raise).
"""

from __future__ import annotations

import base64
import http.server
import json
import re
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
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


@dataclass
class Answer:
    """What the stand-in collector answers to one request."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    delay: float = 0.0


@dataclass
class Receiver:
    """What the collector stand-in received, and what it will answer (in order)."""

    url: str
    answers: list[Answer] = field(default_factory=list)
    requests: list[tuple[str, dict[str, str], bytes]] = field(default_factory=list)

    def messages(self) -> list[ExportTraceServiceRequest]:
        return [ExportTraceServiceRequest.FromString(body) for _, _, body in self.requests]


@contextmanager
def otlp_receiver() -> Iterator[Receiver]:
    """A stand-in OTLP/HTTP collector on 127.0.0.1, for the length of the block."""
    state = Receiver(url="")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the http.server name)
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append((self.path, dict(self.headers), body))
            answer = state.answers.pop(0) if state.answers else Answer()
            time.sleep(answer.delay)
            try:
                self.send_response(answer.status)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client gave up waiting (the timeout test)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
