"""``kedro viz report --serve``: the report and ``/api/run-status`` over HTTP on loopback.

Every request reads the event log again, so a run in progress can be watched; while the run
has not ended, the page asks the browser to reload itself every few seconds.
"""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from kedro_run_report.errors import RunReportError
from kedro_run_report.model import INTERRUPTED
from kedro_run_report.report.formats import REPORTERS, RenderOptions

if TYPE_CHECKING:
    from kedro_run_report.report.run_report import RunReport

HOST = "127.0.0.1"  # never another interface: the report may hold internal details
DEFAULT_PORT = 4142
RELOAD_SECONDS = 5
# A client has this long to send a whole request head (and each read or write of the
# connection may stall this long): a silent or trickling connection is closed, not kept.
REQUEST_SECONDS = 5.0

# The Host values a browser sends for this server, with or without the port. Anything else
# (a DNS-rebinding page's own name, say) is refused, so no other site can read the report.
_LOOPBACK_HOST = re.compile(r"(?:127\.0\.0\.1|localhost|\[::1\])(?::(\d{1,5}))?", re.IGNORECASE)

Loader = Callable[[], "RunReport"]


class ReportServer(ThreadingHTTPServer):
    """An HTTP server that renders a freshly loaded RunReport for each request."""

    daemon_threads = True

    def __init__(self, load: Loader, port: int, show_datasets: bool = True) -> None:
        super().__init__((HOST, port), _Handler)
        self.load = load
        self.show_datasets = show_datasets

    @property
    def url(self) -> str:
        """The address to open in a browser."""
        return f"http://{HOST}:{self.server_address[1]}/"


class _Handler(BaseHTTPRequestHandler):
    """``/`` is the ``html`` reporter's output, ``/api/run-status`` the ``json`` one's."""

    server: ReportServer
    raw_requestline: bytes  # set by http.server before parse_request
    # Errors on a request line too broken to name a version still get a status line.
    default_request_version = "HTTP/1.0"

    def setup(self) -> None:
        """Start the clock: the request head must be complete within ``REQUEST_SECONDS``."""
        # Each read or write may stall this long; the module value is read per connection,
        # so that tests can shorten it.
        self.request.settimeout(REQUEST_SECONDS)
        super().setup()
        self._expired = False
        # One request per connection (HTTP/1.0 responses), so one watchdog per connection.
        self._watchdog = threading.Timer(REQUEST_SECONDS, self._hang_up)
        self._watchdog.daemon = True
        self._watchdog.start()

    def finish(self) -> None:
        """Stop the watchdog with the connection."""
        self._watchdog.cancel()
        super().finish()

    def _hang_up(self) -> None:
        # Ends a blocked read with end-of-file; replies can still be written.
        self._expired = True
        try:
            self.connection.shutdown(socket.SHUT_RD)
        except OSError:
            pass  # already closed

    def parse_request(self) -> bool:
        """Accept only a complete HTTP/1.x request for a loopback ``Host``."""
        if self._expired:
            return self._drop()
        if len(self.raw_requestline.split()) == 2:
            # An HTTP/0.9 line ("GET /"): http.server would wait for headers that never come,
            # then answer without a status line. Refuse it as 1.0, so the client sees a 400.
            self.command, self.request_version = "", "HTTP/1.0"
            self.requestline = str(self.raw_requestline, "iso-8859-1").rstrip("\r\n")
            self.send_error(HTTPStatus.BAD_REQUEST, "HTTP/0.9 requests are not supported")
            return False
        if not super().parse_request():
            return False
        self._watchdog.cancel()
        if self._expired:
            return self._drop()  # the deadline cut the head short: answer nothing
        if not self._host_allowed():
            self.send_error(HTTPStatus.BAD_REQUEST, "Unexpected Host header")
            return False
        return True

    def _drop(self) -> bool:
        self.close_connection = True
        return False

    def _host_allowed(self) -> bool:
        hosts = self.headers.get_all("Host") or []
        if not hosts:
            return self.request_version == "HTTP/1.0"  # HTTP/1.1 requires a Host header
        if len(hosts) > 1:
            return False
        match = _LOOPBACK_HOST.fullmatch(hosts[0].strip())
        if match is None:
            return False
        port = match.group(1)
        return port is None or int(port) == self.server.server_address[1]

    def do_GET(self) -> None:  # noqa: N802 - the name http.server looks up
        from kedro_run_report.diagram.layout_cache import cache_dir

        path = urlsplit(self.path).path
        if path not in ("/", "/index.html", "/api/run-status"):
            self._send(HTTPStatus.NOT_FOUND, "text/plain; charset=utf-8", "Not found.\n")
            return
        try:
            report = self.server.load()
        except RunReportError as exc:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", f"{exc}\n")
            return
        api = path == "/api/run-status"
        running = report.status.pipeline.status == INTERRUPTED
        chosen = REPORTERS["json" if api else "html"]
        options = RenderOptions(self.server.show_datasets, cache_dir(report.log_root))
        body = chosen.render(report, options).text
        kind = f"{chosen.media_type}; charset=utf-8"
        self._send(HTTPStatus.OK, kind, body, reload=running and not api)

    def _send(self, code: HTTPStatus, kind: str, body: str, reload: bool = False) -> None:
        data = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        if reload:
            self.send_header("Refresh", str(RELOAD_SECONDS))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        """Quiet: the terminal shows the address and how to stop, not every request."""


def serve(
    load: Loader,
    *,
    port: int = DEFAULT_PORT,
    show_datasets: bool = True,
    ready: Callable[[str], None] = print,
) -> None:
    """Serve until Ctrl-C, then close the socket and return."""
    try:
        server = ReportServer(load, port, show_datasets)
    except OSError as exc:
        raise RunReportError(
            f"Cannot listen on {HOST}:{port} ({exc.strerror or exc}); try --port 0."
        ) from None
    ready(server.url)
    thread = threading.Thread(target=server.serve_forever, name="kedro-run-report-server")
    thread.start()
    try:
        while thread.is_alive():
            thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
