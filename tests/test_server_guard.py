"""``--serve`` guards: loopback Host values only, and no request may hold a connection open."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator

import pytest
from helpers.event_log import CHAIN, EventLog

from kedro_run_report.model import aggregate
from kedro_run_report.report import server as server_module
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.report.server import ReportServer

CLIENT_SECONDS = 30  # far longer than the server's deadline in these tests


def _load() -> RunReport:
    return RunReport(aggregate(EventLog().start(CHAIN).load("raw", "a").node("a").end().events))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[ReportServer]:
    # A short deadline keeps the slow-client tests quick; the rules are the same at 5 s.
    monkeypatch.setattr(server_module, "REQUEST_SECONDS", 0.5, raising=False)
    served = ReportServer(_load, 0)
    thread = threading.Thread(target=served.serve_forever, daemon=True)
    thread.start()
    yield served
    served.shutdown()
    served.server_close()


def _connect(served: ReportServer) -> socket.socket:
    conn = socket.create_connection(("127.0.0.1", served.server_address[1]), CLIENT_SECONDS)
    return conn


def _read_all(conn: socket.socket) -> bytes:
    chunks = []
    while chunk := conn.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)


def _exchange(served: ReportServer, request: bytes) -> bytes:
    """Send raw bytes and read until the server closes the connection."""
    with _connect(served) as conn:
        conn.sendall(request)
        return _read_all(conn)


def _get(served: ReportServer, host: str | None, path: str = "/api/run-status") -> bytes:
    header = f"Host: {host}\r\n" if host is not None else ""
    return _exchange(served, f"GET {path} HTTP/1.1\r\n{header}\r\n".encode("latin-1"))


def _status(response: bytes) -> int:
    return int(response.split(b" ", 2)[1])


@pytest.mark.parametrize(
    "host",
    [
        "127.0.0.1",
        "127.0.0.1:{port}",
        "localhost",
        "LocalHost:{port}",
        "[::1]",
        "[::1]:{port}",
    ],
)
def test_loopback_host_values_are_served(server: ReportServer, host: str) -> None:
    response = _get(server, host.format(port=server.server_address[1]))
    assert _status(response) == 200 and b'"pipeline"' in response


@pytest.mark.parametrize(
    "host",
    [
        "evil.example:{port}",
        "evil.example",
        "127.0.0.1.evil.example",
        "localhost.evil.example:{port}",
        "127.0.0.2:{port}",
        "localhost:{other}",
        "localhost:{port}@evil.example",
        "",
    ],
)
def test_foreign_host_values_get_400(server: ReportServer, host: str) -> None:
    port = server.server_address[1]
    response = _get(server, host.format(port=port, other=port + 1 if port < 65535 else 1))
    assert _status(response) == 400
    assert b'"pipeline"' not in response and b"kedro-run-status" not in response


def test_two_host_headers_get_400(server: ReportServer) -> None:
    request = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nHost: evil.example\r\n\r\n"
    assert _status(_exchange(server, request)) == 400


def test_missing_host_is_refused_on_http11_only(server: ReportServer) -> None:
    assert _status(_get(server, None)) == 400
    response = _exchange(server, b"GET /api/run-status HTTP/1.0\r\n\r\n")
    assert _status(response) == 200


def test_http09_request_line_gets_a_400_and_the_connection_closes(server: ReportServer) -> None:
    response = _exchange(server, b"GET /api/run-status\r\n")
    assert response.startswith(b"HTTP/1.0 400 ")
    assert b'"pipeline"' not in response
    # A line too broken to name a version also gets a status line, not a bare page.
    assert _exchange(server, b"GET\r\n\r\n").startswith(b"HTTP/1.0 400 ")


def test_a_silent_connection_is_closed(server: ReportServer) -> None:
    with _connect(server) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # the head never ends
        # The server hangs up (end of file) long before the client's own timeout.
        assert _read_all(conn) == b""


def test_a_trickling_request_is_closed(server: ReportServer) -> None:
    """Bytes that keep arriving do not keep an incomplete request alive."""
    with _connect(server) as conn:
        conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        conn.settimeout(0.05)
        closed = False
        # 200 rounds of 0.05 s at least: far past the server's 0.5 s deadline.
        for _ in range(200):
            try:
                conn.sendall(b"X-Slow: a\r\n")
                data = conn.recv(65536)
            except TimeoutError:
                time.sleep(0.05)
                continue
            except OSError:  # reset: the server has closed it
                closed = True
                break
            assert data == b""  # no answer to an incomplete request
            closed = True
            break
        assert closed


def test_what_held_still_holds(server: ReportServer) -> None:
    """Traversal 404, non-GET 501, huge headers 431 and a huge request line 414."""
    host = "Host: 127.0.0.1\r\n"
    assert _status(_get(server, "127.0.0.1", "/../../etc/passwd")) == 404
    assert _status(_exchange(server, f"POST / HTTP/1.1\r\n{host}\r\n".encode())) == 501
    many = "".join(f"X-{i}: y\r\n" for i in range(200))
    assert _status(_exchange(server, f"GET / HTTP/1.1\r\n{host}{many}\r\n".encode())) == 431
    long_line = f"GET /{'a' * 70000} HTTP/1.1\r\n{host}\r\n".encode()
    assert _status(_exchange(server, long_line)) == 414
