"""Any text a run can carry comes out in every format: lone surrogates and control characters.

A lone surrogate (``\\ud800``, e.g. from an undecodable file name in an exception message) is
recorded as its JSON escape and made U+FFFD once, where events are read, so that no format
and no ``--serve`` request fails to encode it. Control characters (NUL, ESC, BEL, DEL, C1)
never reach the HTML raw: the page shows them as ``\\x1b``-style text and the embedded JSON
holds them as ``\\u`` escapes (the same data as ``-f json``).
"""

from __future__ import annotations

import hashlib
import http.client
import json
import re
import subprocess
import sys
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.event_log import EventLog, error_info, status_of
from helpers.kedro_project import kedro_env, make_project
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kedro_run_report import events
from kedro_run_report.cli import report as report_command
from kedro_run_report.ids import node_id, short_hash
from kedro_run_report.report import FORMATS, render
from kedro_run_report.report.html import render_html, status_json
from kedro_run_report.report.json_report import render_json
from kedro_run_report.report.load import load_run_report
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.report.server import ReportServer
from kedro_run_report.store.runs import create_run
from kedro_run_report.store.viz_events import from_viz_events
from kedro_run_report.store.writer import EventWriter

LONE = "\ud800"
# Raw in a page they would be invisible, or act on a terminal that shows the file.
RAW_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
CONTROLS = "nul\x00 bel\x07 esc\x1b[31m del\x7f csi\x9b"


def _surrogates(text: str) -> list[str]:
    return [c for c in text if 0xD800 <= ord(c) <= 0xDFFF]


def write_log(root: Path, log: EventLog, run_id: str = "run-1") -> Path:
    """Store ``log`` as a recorded run, written by the hook's own EventWriter."""
    run = Path(create_run(str(root), run_id, {"start": log.events[0]["t"]}))
    writer = EventWriter(str(run))
    for event in log.events:
        writer.write(event)
    writer.close()
    return run


def failed_run(node: str, dataset: str, message: str, traceback: str) -> EventLog:
    """A run whose node ``node`` fails with ``message`` after loading ``dataset``.

    Node ids are given, not derived: the id of a name with a lone surrogate cannot be hashed
    (the hook takes it from ``str(node)``; this is about what the reader makes of the text).
    """
    ident = node_id(ascii(node))
    nodes = [(node, ident, [dataset], ["out"]), ("after", node_id("after"), ["out"], ["final"])]
    snapshot = [
        {"id": i, "name": n, "namespace": None, "tags": [], "inputs": ins, "outputs": outs}
        for n, i, ins, outs in nodes
    ]
    meta = {
        "runner": "SequentialRunner",
        "project_name": f"p {node}",
        "runtime_params": {"k": node},
    }
    log = EventLog().run_start(meta, {"nodes": snapshot, "datasets": {}})
    log.load(dataset, node)
    log.node_start(node, ident).tick(1.0)
    log.node_error(node, error_info(message, traceback=traceback), ident)
    return log.run_error(error_info(message, traceback=traceback))


def _strings(value: object) -> Iterator[str]:
    """Every string of parsed JSON, keys included."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, child in value.items():
            yield key
            yield from _strings(child)
    elif isinstance(value, list):
        for child in value:
            yield from _strings(child)


# -- decoding: once, where events are read ----------------------------------------------


def test_decode_makes_lone_surrogates_u_fffd_at_any_depth() -> None:
    line = (
        '{"kind":"node_error","t":1.0,"node":"n\\ud800","k\\uDC00":'
        '[{"deep":["\\udfff x","\\ud83d\\ude00"]}],"error":{"message":"m\\ud800"}}'
    )
    event = events.decode(line)
    assert not _surrogates(json.dumps(event, ensure_ascii=False))
    assert event["node"] == "n\ufffd"
    assert event["k\ufffd"] == [{"deep": ["\ufffd x", "\U0001f600"]}]  # a pair stays itself
    assert event["error"]["message"] == "m\ufffd"


def test_decode_leaves_an_escaped_backslash_alone() -> None:
    # "\\ud800" in JSON is a backslash then "ud800": text, not a surrogate
    event = events.decode('{"kind":"warning","t":1.0,"message":"a\\\\ud800"}')
    assert event["message"] == "a\\ud800"


def test_kedro_viz_events_are_made_encodable() -> None:
    viz = json.loads(
        '[{"event":"before_pipeline_run","timestamp":"2024-01-01T00:00:00Z"},'
        '{"event":"after_dataset_loaded","dataset":"d\\ud800"},'
        '{"event":"on_node_error","node":"n\\udc00","node_id":"x","error":"e\\ud800",'
        '"traceback":"tb\\ud800","timestamp":"2024-01-01T00:00:01Z"},'
        '{"event":"on_pipeline_error","error":"p\\ud800","timestamp":"2024-01-01T00:00:02Z"}]'
    )
    ours = from_viz_events(viz, [])
    text = json.dumps(ours, ensure_ascii=False)
    assert not _surrogates(text)
    assert "n\ufffd" in text and "e\ufffd" in text and "tb\ufffd" in text


# -- a failed run with a lone surrogate reports in every format -------------------------


def test_a_lone_surrogate_reports_in_every_format(tmp_path: Path, stub_layout: object) -> None:
    log = failed_run(f"n{LONE}", f"d{LONE}", f"bad name {LONE}", f"Traceback\n  {LONE}\n")
    write_log(tmp_path / "log", log)
    report = load_run_report(events=str(tmp_path / "log"))
    for fmt in FORMATS:
        text = render(report, fmt).text
        text.encode("utf-8")  # raised UnicodeEncodeError before
        assert "\ufffd" in text, fmt


@pytest.mark.parametrize("fmt", FORMATS)
def test_the_command_writes_every_format_of_a_surrogate_run(
    tmp_path: Path, stub_layout: object, fmt: str
) -> None:
    write_log(tmp_path / "log", failed_run("n", "d", f"bad {LONE} name", "Traceback\n"))
    out = tmp_path / f"report.{fmt}"
    args = ["--events", str(tmp_path / "log"), "-f", fmt, "-o", str(out), "-q"]
    result = CliRunner().invoke(report_command, args, obj=None)
    assert result.exit_code == 0, result.output
    assert "bad \ufffd name" in out.read_text(encoding="utf-8")


def test_a_kedro_viz_file_with_a_lone_surrogate_reports(
    tmp_path: Path, stub_layout: object
) -> None:
    viz = tmp_path / "kedro_pipeline_events.json"
    viz.write_text(
        '[{"event":"before_pipeline_run","timestamp":"2024-01-01T00:00:00Z"},'
        '{"event":"on_pipeline_error","error":"p\\ud800","timestamp":"2024-01-01T00:00:02Z"}]',
        encoding="utf-8",
    )
    report = load_run_report(events=str(viz))
    for fmt in FORMATS:
        render(report, fmt).text.encode("utf-8")


# -- any text at all, every format and --serve ------------------------------------------


class _Current:
    """The loader of a server whose report each example replaces."""

    def __init__(self) -> None:
        self.report: RunReport | None = None

    def __call__(self) -> RunReport:
        assert self.report is not None
        return self.report


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[ReportServer, _Current]]:
    current = _Current()
    serving = ReportServer(current, 0)
    thread = threading.Thread(target=serving.serve_forever, daemon=True)
    thread.start()
    yield serving, current
    serving.shutdown()
    serving.server_close()


def _get(serving: ReportServer, path: str) -> tuple[int, bytes]:
    # http.client sends ``Host: 127.0.0.1:<port>``, as a browser would
    connection = http.client.HTTPConnection("127.0.0.1", serving.server_address[1], timeout=60)
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


# Every code point, surrogates (category Cs) included; surrogates and controls are also drawn
# on their own, as among a million code points they would hardly ever come up.
ANY_CHAR = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()),
    st.characters(min_codepoint=0xD800, max_codepoint=0xDFFF, exclude_categories=()),
    st.sampled_from("\x00\x07\x1b\x7f\x9b\u202e<&\"'\r\n\t"),
)
ANY_TEXT = st.text(alphabet=ANY_CHAR, max_size=40)
NAME = st.text(alphabet=ANY_CHAR, min_size=1, max_size=20)


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(node=NAME, dataset=NAME, message=ANY_TEXT, traceback=ANY_TEXT)
@example(node=f"n{LONE}", dataset=f"{LONE}d", message=f"m{LONE}\x00", traceback=f"\udfff{LONE}")
def test_any_text_renders_in_every_format_and_is_served(
    stub_layout: object,
    server: tuple[ReportServer, _Current],
    node: str,
    dataset: str,
    message: str,
    traceback: str,
) -> None:
    if node == "after" or dataset in ("out", "final"):
        return  # the names the run's second node uses: another pipeline, not another text
    with tempfile.TemporaryDirectory() as directory:
        write_log(Path(directory) / "log", failed_run(node, dataset, message, traceback))
        report = load_run_report(events=str(Path(directory) / "log"))
        for fmt in FORMATS:
            text = render(report, fmt).text
            assert not _surrogates(text), fmt
            text.encode("utf-8")
        serving, current = server
        current.report = report
        for path in ("/", "/api/run-status"):
            code, body = _get(serving, path)
            assert code == 200, (path, body[:200])
            body.decode("utf-8")
        status = json.loads(_get(serving, "/api/run-status")[1])
        assert status == json.loads(render_json(report))


# -- control characters in the HTML -----------------------------------------------------


def _island(html: str) -> str:
    match = re.search(
        r'<script type="application/json" id="kedro-run-status">(.*?)</script>', html, re.S
    )
    assert match is not None
    return match.group(1)


@pytest.fixture
def control_report(stub_layout: object) -> RunReport:
    traceback = f"Traceback\r\n  {CONTROLS}\n"
    log = failed_run(f"node {CONTROLS}", f"data {CONTROLS}", CONTROLS, traceback)
    return RunReport(status_of(log.warning(f"warn {CONTROLS}")))


def test_control_characters_never_reach_the_page_raw(control_report: RunReport) -> None:
    html = render_html(control_report).html
    assert not RAW_CONTROLS.findall(html)
    # shown as visible escapes, in messages and in the traceback's <pre>
    assert "nul\\x00 bel\\x07 esc\\x1b[31m del\\x7f csi\\x9b" in html
    assert "Traceback\r\n" in html  # a Windows traceback's line ends stay as they are


def test_the_json_island_escapes_controls_and_holds_the_same_data(
    control_report: RunReport,
) -> None:
    island = _island(render_html(control_report).html)
    assert not RAW_CONTROLS.findall(island)
    assert island == status_json(control_report)
    data = json.loads(island)
    assert data == control_report.page_dict()
    assert CONTROLS in _strings(data)  # the data, controls and all


def test_the_json_format_escapes_controls_and_keeps_the_data(control_report: RunReport) -> None:
    text = render_json(control_report)
    assert not RAW_CONTROLS.findall(text)
    data = json.loads(text)
    assert data == control_report.to_dict()  # the same data, controls included
    assert CONTROLS in _strings(data)


def _kedro(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[bytes]:
    # bytes: kedro's log of the failure holds the undecodable byte itself
    return subprocess.run(
        [sys.executable, "-m", "kedro", *args],
        cwd=project,
        env=kedro_env(**env),
        capture_output=True,
        timeout=180,
    )


@pytest.mark.integration
def test_a_real_failed_run_with_an_undecodable_byte_reports(tmp_path: Path) -> None:
    project = make_project(tmp_path / "toy", 'DISABLE_HOOKS_FOR_PLUGINS = ("kedro-viz",)\n')
    # A byte that is not UTF-8 reaches Python as a lone surrogate (surrogateescape), as an
    # undecodable file name does in an OSError's message.
    ran = _kedro(project, "run", FAIL_NODE="prep.clean", FAIL_MESSAGE="bad \udc80 byte")
    assert ran.returncode != 0
    formats = [arg for fmt in FORMATS for arg in ("-f", fmt)]
    outputs = [arg for fmt in FORMATS for arg in ("-o", f"report.{fmt}")]
    result = _kedro(project, "viz", "report", *formats, *outputs, "-q")
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")
    for fmt in FORMATS:
        assert "bad \ufffd byte" in (project / f"report.{fmt}").read_text(encoding="utf-8"), fmt


def test_ids_are_made_for_names_with_lone_surrogates() -> None:
    """Kedro accepts any str as a node name; the hook computes Kedro-Viz ids for each."""
    assert short_hash("plain") == hashlib.sha1(b"plain").hexdigest()[:8]
    odd = short_hash("node\ud800")
    assert len(odd) == 8 and odd != short_hash("node\ufffd")
