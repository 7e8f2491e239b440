"""``--serve``: real HTTP requests on the loopback interface."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.event_log import CHAIN, EventLog, record_run

from kedro_run_report.errors import NoRunsError
from kedro_run_report.model import aggregate
from kedro_run_report.report.json_report import render_json
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.report.server import ReportServer


def _get(url: str) -> tuple[int, dict[str, str], str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode("utf-8")


class Loads:
    """A loader that counts its calls and serves whatever run it currently holds."""

    def __init__(self, log: EventLog | None) -> None:
        self.log = log
        self.calls = 0

    def __call__(self) -> RunReport:
        self.calls += 1
        if self.log is None:
            raise NoRunsError("No runs recorded in here.")
        return RunReport(aggregate(self.log.events))


@pytest.fixture
def serving() -> Iterator[tuple[ReportServer, Loads]]:
    loads = Loads(EventLog().start(CHAIN).load("raw", "a").node_fails("a").error())
    server = ReportServer(loads, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server, loads
    server.shutdown()
    server.server_close()


def test_serves_the_report_and_the_run_status(serving: tuple[ReportServer, Loads]) -> None:
    server, loads = serving
    assert server.url.startswith("http://127.0.0.1:")
    code, headers, body = _get(server.url)
    assert code == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Run execution failed" in body and 'id="kedro-run-status"' in body
    code, headers, body = _get(server.url + "api/run-status")
    assert code == 200 and headers["Content-Type"] == "application/json; charset=utf-8"
    assert json.loads(body) == json.loads(render_json(loads()))
    assert "Refresh" not in headers  # the run has ended


def test_every_request_reads_the_log_again(serving: tuple[ReportServer, Loads]) -> None:
    server, loads = serving
    loads.log = EventLog().start(CHAIN).load("raw", "a").node("a")  # still running
    code, headers, body = _get(server.url + "api/run-status")
    assert json.loads(body)["pipeline"]["status"] == "interrupted"
    code, headers, _body = _get(server.url)
    assert headers.get("Refresh") == "5"  # the page reloads while the run goes on
    loads.log.end()
    _code, _headers, body = _get(server.url + "api/run-status")
    assert json.loads(body)["pipeline"]["status"] == "success"
    assert loads.calls >= 3


def test_unknown_paths_and_missing_runs(serving: tuple[ReportServer, Loads]) -> None:
    server, loads = serving
    assert _get(server.url + "nothing-here")[0] == 404
    loads.log = None
    code, _headers, body = _get(server.url + "api/run-status")
    assert code == 503 and "No runs recorded" in body


def test_serve_command_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    record_run(tmp_path / "log", EventLog().start(CHAIN).load("raw", "a").node("a").end())
    env = dict(os.environ, KEDRO_DISABLE_TELEMETRY="1", PYTHONUNBUFFERED="1")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from kedro_run_report.cli import main; main()",
            "--events",
            str(tmp_path / "log"),
            "--serve",
            "--port",
            "0",
        ],
        cwd=tmp_path,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        deadline = time.monotonic() + 30
        while "Serving the run report at" not in line and time.monotonic() < deadline:
            line = proc.stderr.readline()
        url = line.split(" at ", 1)[1].split(" ", 1)[0]
        code, _headers, body = _get(url + "api/run-status")
        assert code == 200 and json.loads(body)["pipeline"]["status"] == "success"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        rest = proc.stderr.read()
        assert "Stopped." in rest and "Traceback" not in rest
    finally:
        if proc.poll() is None:
            proc.kill()
