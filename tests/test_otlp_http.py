"""``--otlp-endpoint``: the trace sent over OTLP/HTTP to a local receiver on 127.0.0.1.

The receiver is a small ``http.server`` that decodes each body with the official
``ExportTraceServiceRequest`` message and answers what the test scripts (status, headers,
an ``ExportTraceServiceResponse``), so the retry and failure paths run for real.
"""

from __future__ import annotations

import base64
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from helpers import scenarios
from helpers.event_log import CHAIN, T0, EventLog, record_run
from helpers.otlp import Answer, Receiver, attrs, decode, otlp_receiver
from helpers.runs import big_failed_run, hostile_run, interrupted_run
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceResponse,
)

import kedro_run_report.report
from kedro_run_report.cli import report as report_command
from kedro_run_report.events import encode
from kedro_run_report.model import RunStatus
from kedro_run_report.report import otlp_http
from kedro_run_report.report.otlp import otlp_document, render_otlp
from kedro_run_report.report.otlp_proto import request_message
from kedro_run_report.store.runs import create_run


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    with otlp_receiver() as state:
        yield state


@pytest.fixture
def log_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A recorded run in which b fails, the current directory empty beside it."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEDRO_RUN_REPORT_DIR", raising=False)
    log = EventLog().start(CHAIN).load("raw", "a", size=3).node("a").save("mid", "a", size=5)
    record_run(tmp_path / "log", log.load("mid", "b").node_fails("b").error())
    return tmp_path / "log"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(report_command, ["-q", *args], obj=None)


def one_line_error(result: Result) -> str:
    assert result.exit_code == 2, (result.exit_code, result.stdout, result.stderr)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    message = result.stderr.strip()
    assert message.startswith("Error: ") and "\n" not in message and "Traceback" not in message
    return message


def test_the_collector_receives_what_the_file_holds(receiver: Receiver, log_dir: Path) -> None:
    out = log_dir.parent / "trace.json"
    result = invoke("--events", str(log_dir), "-f", "otlp", "-o", str(out),
                    "--otlp-endpoint", receiver.url)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    ((path, headers, _),) = receiver.requests
    assert path == "/v1/traces"
    assert headers["Content-Type"] == "application/x-protobuf"
    assert headers["User-Agent"].startswith("kedro-run-report/")
    (sent,) = receiver.messages()
    assert sent == decode(out.read_text(encoding="utf-8"))
    spans = sent.resource_spans[0].scope_spans[0].spans
    assert [s.name for s in spans] == ["kedro run", "a", "b", "load raw", "save mid", "load mid"]
    assert f"Run trace (6 spans) sent to {receiver.url}/v1/traces" in result.stderr


def test_the_endpoint_alone_sends_and_writes_no_report(receiver: Receiver, log_dir: Path) -> None:
    result = invoke("--events", str(log_dir), "--otlp-endpoint", receiver.url + "/v1/traces")
    assert result.exit_code == 0, result.stderr
    assert [path for path, _, _ in receiver.requests] == ["/v1/traces"]
    assert not (log_dir.parent / ".viz").exists()
    assert result.stdout == ""


def test_a_large_run_goes_in_several_requests(
    receiver: Receiver, log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(otlp_http, "MAX_SPANS_PER_REQUEST", 4)
    result = invoke("--events", str(log_dir), "-f", "otlp", "-o", "t.json",
                    "--otlp-endpoint", receiver.url)  # fmt: skip
    assert result.exit_code == 0, result.stderr
    sent = [
        span
        for message in receiver.messages()
        for span in message.resource_spans[0].scope_spans[0].spans
    ]
    assert len(receiver.requests) == 2
    whole = decode(Path("t.json").read_text(encoding="utf-8"))
    assert sent == list(whole.resource_spans[0].scope_spans[0].spans)
    for message in receiver.messages():
        assert message.resource_spans[0].resource == whole.resource_spans[0].resource


def test_throttling_is_retried(receiver: Receiver, log_dir: Path) -> None:
    receiver.answers = [Answer(503, {"Retry-After": "0"}), Answer(429, {"Retry-After": "0"})]
    result = invoke("--events", str(log_dir), "--otlp-endpoint", receiver.url)
    assert result.exit_code == 0, result.stderr
    assert len(receiver.requests) == 3
    assert receiver.requests[0][2] == receiver.requests[2][2]


def _rejected(count: int, why: str) -> bytes:
    answer = ExportTraceServiceResponse()
    answer.partial_success.rejected_spans = count
    answer.partial_success.error_message = why
    return answer.SerializeToString()


@pytest.mark.parametrize(
    ("answers", "expected"),
    [
        ([Answer(500, {"Content-Type": "text/plain"}, b"disk\nfull")], "HTTP 500 "),
        ([Answer(404)], "answered HTTP 404 Not Found."),
        ([Answer(503, {"Retry-After": "0"})] * 3, "answered HTTP 503"),
        (
            [Answer(200, {"Content-Type": "application/x-protobuf"}, _rejected(2, "too old"))],
            "rejected 2 of 6 spans: too old",
        ),
    ],
    ids=["server-error", "not-found", "still-throttled", "partial-success"],
)
def test_a_collector_failure_is_one_line(
    receiver: Receiver, log_dir: Path, answers: list[Answer], expected: str
) -> None:
    receiver.answers = list(answers)
    message = one_line_error(invoke("--events", str(log_dir), "--otlp-endpoint", receiver.url))
    assert expected in message and receiver.url in message
    if answers[0].status == 500:
        assert message.endswith(": disk full")


def test_a_refused_connection_is_one_line(log_dir: Path) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    message = one_line_error(
        invoke("--events", str(log_dir), "--otlp-endpoint", f"http://127.0.0.1:{port}")
    )
    assert f"Cannot send the trace to http://127.0.0.1:{port}/v1/traces:" in message
    assert "refused" in message.lower()


def test_a_silent_collector_times_out(
    receiver: Receiver, log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(otlp_http, "TIMEOUT", 0.2)
    receiver.answers = [Answer(delay=1.0)]
    message = one_line_error(invoke("--events", str(log_dir), "--otlp-endpoint", receiver.url))
    assert message.endswith("no answer within 0.2 s.")


def test_user_info_is_sent_as_basic_authentication_and_never_printed(
    receiver: Receiver, log_dir: Path
) -> None:
    url = receiver.url.replace("http://", "http://me:s3cret%40x@")
    result = invoke("--events", str(log_dir), "--otlp-endpoint", url)
    assert result.exit_code == 0, result.stderr
    assert "s3cret" not in result.stderr and f"sent to {receiver.url}/v1/traces" in result.stderr
    ((_, headers, _),) = receiver.requests
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"me:s3cret@x").decode()
    receiver.answers = [Answer(401)]
    message = one_line_error(invoke("--events", str(log_dir), "--otlp-endpoint", url))
    assert "s3cret" not in message and "HTTP 401" in message


@pytest.mark.parametrize("endpoint", ["localhost:4318", "ftp://collector", "http://", ""])
def test_a_bad_endpoint_is_refused_before_anything_is_written(log_dir: Path, endpoint: str) -> None:
    Path("keep.json").write_text("before", encoding="utf-8")
    result = invoke("--events", str(log_dir), "-f", "otlp", "-o", "keep.json",
                    "--otlp-endpoint", endpoint)  # fmt: skip
    assert "http:// or https:// URL" in one_line_error(result)
    assert Path("keep.json").read_text(encoding="utf-8") == "before"


def test_without_the_extra_the_option_says_what_to_install(
    log_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as if opentelemetry-proto were not installed: importing it raises ImportError
    for name in [m for m in sys.modules if m.startswith("opentelemetry.proto")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "opentelemetry.proto", None)
    monkeypatch.delitem(sys.modules, "kedro_run_report.report.otlp_proto", raising=False)
    monkeypatch.delattr(kedro_run_report.report, "otlp_proto", raising=False)
    message = one_line_error(
        invoke("--events", str(log_dir), "--otlp-endpoint", "http://127.0.0.1:9")
    )
    assert message.endswith("pip install 'kedro-run-report[otel]'")
    assert not (log_dir.parent / ".viz").exists()


def test_opentelemetry_is_imported_only_when_sending() -> None:
    code = (
        "import sys\n"
        "from helpers import scenarios\n"
        "from kedro_run_report.cli import report\n"
        "from kedro_run_report.report import render\n"
        "from kedro_run_report.report.run_report import RunReport\n"
        "render(RunReport.of(scenarios.success()), 'otlp')\n"
        "print(sorted(m for m in sys.modules if m.startswith(('opentelemetry', 'google'))))"
    )
    tests = str(Path(__file__).parent)
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
        env={**__import__("os").environ, "PYTHONPATH": tests},
    )
    assert done.stdout.strip() == "[]"


def test_a_run_group_goes_to_the_collector_as_one_trace(
    receiver: Receiver, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEDRO_RUN_REPORT_DIR", raising=False)
    root = str(tmp_path / "log")
    for run_id, pid, build in [
        ("task-a", 11, lambda log: log.load("raw", "a").node("a").save("mid", "a").end()),
        ("task-b", 22, lambda log: log.load("mid", "b").node_fails("b").error()),
    ]:
        log = EventLog(T0 + pid, pid=pid, run_id=run_id)
        build(log.start(CHAIN, run_id=run_id, group="dag-7"))
        run = create_run(root, run_id, {"start": log.events[0]["t"], "group": "dag-7"})
        Path(run, "events-host-1.jsonl").write_text("".join(encode(e) for e in log.events))
    result = invoke("--events", root, "--group", "dag-7", "--otlp-endpoint", receiver.url)
    assert result.exit_code == 0, result.stderr
    (message,) = receiver.messages()
    spans = list(message.resource_spans[0].scope_spans[0].spans)
    (group,) = [s for s in spans if not s.parent_span_id]
    processes = {s.span_id: s for s in spans if s.parent_span_id == group.span_id}
    assert group.name == "kedro run group" and len(processes) == 2
    nodes = {s.name: processes[s.parent_span_id] for s in spans if s.name in ("a", "b")}
    assert {name: attrs(p)["kedro.run.id"] for name, p in nodes.items()} == {
        "a": "task-a",
        "b": "task-b",
    }
    assert {s.trace_id for s in spans} == {group.trace_id}


@pytest.mark.parametrize(
    "run",
    [
        *scenarios.SCENARIOS.values(),
        hostile_run,
        interrupted_run,
        lambda: big_failed_run(n_nodes=30, traceback_bytes=70_000),
    ],
)
def test_the_messages_sent_are_what_the_file_decodes_to(run: Callable[[], RunStatus]) -> None:
    status = run()
    document = otlp_document(status)
    assert request_message(document) == decode(render_otlp(status))
