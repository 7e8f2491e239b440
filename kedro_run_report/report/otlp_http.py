"""Sending a run's trace to an OpenTelemetry collector over OTLP/HTTP, as protobuf.

The spans are those of :mod:`kedro_run_report.report.otlp`, turned into the official
``ExportTraceServiceRequest`` message by :mod:`~kedro_run_report.report.otlp_proto` (with
``opentelemetry-proto``, from the ``otel`` extra, imported only here) and POSTed to
``<endpoint>/v1/traces`` with ``Content-Type: application/x-protobuf``, as OTLP/HTTP
specifies. Large runs go in several requests. Throttling answers (429, 502, 503, 504) are
retried a few times; anything else that goes wrong is one :class:`OtlpExportError`.
"""

from __future__ import annotations

import base64
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from typing import Any

import kedro_run_report
from kedro_run_report.errors import RunReportError
from kedro_run_report.formatting import shorten
from kedro_run_report.model import RunStatus
from kedro_run_report.report.otlp import otlp_document

TRACES_PATH = "/v1/traces"
EXTRA_HINT = "pip install 'kedro-run-report[otel]'"
TIMEOUT = 10.0  # seconds for each request, the OTLP exporters' default
MAX_SPANS_PER_REQUEST = 2_000  # keeps a request well under collectors' default body limits
RETRYABLE = frozenset({429, 502, 503, 504})  # OTLP/HTTP: retry these, nothing else
RETRIES = 2
MAX_RETRY_DELAY = 5.0
MAX_DETAIL = 200  # characters of a collector's error text shown


class OtlpExportError(RunReportError):
    """The trace could not be sent: no extra installed, a bad URL, or the collector failed."""


def traces_url(endpoint: str) -> str:
    """The OTLP/HTTP traces URL of a collector: ``<endpoint>/v1/traces`` unless given."""
    parts = urllib.parse.urlsplit(endpoint.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OtlpExportError(
            f"--otlp-endpoint needs an http:// or https:// URL such as http://localhost:4318, "
            f"not {endpoint!r}."
        )
    path = parts.path.rstrip("/")
    if not path.endswith(TRACES_PATH):
        path += TRACES_PATH
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, parts.query, ""))


class OtlpExporter:
    """Sends traces to one collector; built before anything is written, so that a missing
    extra or a malformed URL is reported before any work is done."""

    def __init__(self, endpoint: str) -> None:
        url = traces_url(endpoint)
        # user info in the URL is sent as basic authentication (the collector's basicauth
        # extension), never printed
        self.url = self.shown_url = _without_user_info(url)
        self._authorization = _basic_authorization(url)
        try:
            from kedro_run_report.report import otlp_proto
        except ImportError:
            raise OtlpExportError(
                f"--otlp-endpoint needs the OpenTelemetry extra: {EXTRA_HINT}"
            ) from None
        self._proto = otlp_proto

    def encode(self, document: dict[str, Any]) -> bytes:
        """An OTLP/JSON request as the protobuf bytes of the same message."""
        data: bytes = self._proto.request_message(document).SerializeToString()
        return data

    def send(self, status: RunStatus) -> int:
        """Send the run's trace; return how many spans the collector accepted."""
        sent = 0
        for request in split_requests(otlp_document(status), MAX_SPANS_PER_REQUEST):
            spans = sum(
                len(scope["spans"])
                for resource in request["resourceSpans"]
                for scope in resource["scopeSpans"]
            )
            rejected = self._post(self.encode(request))
            if rejected:
                count, why = rejected
                raise OtlpExportError(
                    f"The collector at {self.shown_url} rejected {count} of {spans} spans"
                    + (f": {why}" if why else ".")
                )
            sent += spans
        return sent

    def _post(self, body: bytes) -> tuple[int, str] | None:
        """POST one request; return (rejected spans, reason) for a partial success."""
        headers = {
            "Content-Type": "application/x-protobuf",
            "User-Agent": f"kedro-run-report/{kedro_run_report.__version__}",
        }
        if self._authorization:
            headers["Authorization"] = self._authorization
        for attempt in range(RETRIES + 1):
            request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
            try:
                with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
                    return self._partial_success(answer.read())
            except urllib.error.HTTPError as exc:
                if exc.code in RETRYABLE and attempt < RETRIES:
                    time.sleep(_retry_delay(exc.headers.get("Retry-After"), attempt))
                    continue
                raise OtlpExportError(
                    f"The collector at {self.shown_url} answered HTTP {exc.code} {exc.reason}"
                    + _detail(exc)
                ) from None
            except (urllib.error.URLError, OSError) as exc:
                reason = getattr(exc, "reason", exc)
                text = getattr(reason, "strerror", None) or str(reason) or type(reason).__name__
                if isinstance(exc, TimeoutError) or isinstance(reason, TimeoutError):
                    text = f"no answer within {TIMEOUT:g} s"
                raise OtlpExportError(
                    f"Cannot send the trace to {self.shown_url}: {text}."
                ) from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _partial_success(self, body: bytes) -> tuple[int, str] | None:
        answer = self._proto.ExportTraceServiceResponse()
        try:
            answer.ParseFromString(body)
        except Exception:
            return None  # not the OTLP answer (an empty or JSON body): nothing was rejected
        partial = answer.partial_success
        if partial.rejected_spans:
            return int(partial.rejected_spans), shorten(partial.error_message, MAX_DETAIL)
        return None


def _without_user_info(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rpartition("@")[2]
    return urllib.parse.urlunsplit(parts._replace(netloc=host))


def _basic_authorization(url: str) -> str | None:
    parts = urllib.parse.urlsplit(url)
    if parts.username is None:
        return None
    user = urllib.parse.unquote(parts.username)
    password = urllib.parse.unquote(parts.password or "")
    token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
    return f"Basic {token}"


def _retry_delay(retry_after: str | None, attempt: int) -> float:
    try:
        delay = float(retry_after) if retry_after is not None else 2.0**attempt
    except ValueError:
        delay = 2.0**attempt  # an HTTP date: not worth parsing for a few seconds
    return min(max(delay, 0.0), MAX_RETRY_DELAY)


def _detail(exc: urllib.error.HTTPError) -> str:
    """The start of a plain-text or JSON error body, which collectors fill with the reason."""
    kind = exc.headers.get("Content-Type", "") if exc.headers else ""
    if not kind.startswith(("text/", "application/json")):
        return "."
    try:
        text = " ".join(exc.read(4096).decode("utf-8", "replace").split())
    except Exception:
        return "."
    return f": {shorten(text, MAX_DETAIL)}" if text else "."


def split_requests(document: dict[str, Any], max_spans: int) -> Iterator[dict[str, Any]]:
    """The document as requests of at most ``max_spans`` spans each (resource and scope kept)."""
    for resource in document["resourceSpans"]:
        for scope in resource["scopeSpans"]:
            spans = scope["spans"]
            for first in range(0, max(len(spans), 1), max_spans):
                part = {"scope": scope["scope"], "spans": spans[first : first + max_spans]}
                yield {"resourceSpans": [{"resource": resource["resource"], "scopeSpans": [part]}]}
