"""One hostile run, every format: markup, SVG and script payloads in names, messages,
tracebacks and parameters come out as text everywhere, and nothing new becomes a tag.
"""

from __future__ import annotations

import json
import shutil
import xml.dom.minidom
from html.parser import HTMLParser

import pytest
from click.testing import CliRunner
from helpers import otlp
from helpers.event_log import EventLog, record_run
from markdown_it import MarkdownIt

from kedro_run_report.cli import report

PAYLOAD = (
    "<script>alert(1)</script><svg/onload=alert(2)><img src=x onerror=alert(3)>"
    '<a href="javascript:alert(4)">x</a>]]><!-- --> & "q" \x1b]0;pwned\x07'
)
NODE = f"ns.{PAYLOAD}"
DATASET = f"out{PAYLOAD}"
FORMATS = ["html", "json", "junit", "markdown", "email", "otlp"]
# Tags a payload would create if it were not escaped.
ACTIVE = {"script", "svg", "img", "a", "iframe", "object", "embed"}


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(html: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(html)
    return parser.tags


def _hostile_log() -> EventLog:
    log = EventLog()
    log.start(
        [(NODE, [f"in{PAYLOAD}", "params:k"], [DATASET]), ("after", [DATASET], ["final"])],
        project_name=f"Proj {PAYLOAD}",
        runtime_params={f"k{PAYLOAD}": PAYLOAD},
        filters={"tags": [PAYLOAD]},
    )
    log.load(f"in{PAYLOAD}", NODE)
    log.node_fails(NODE, message=PAYLOAD)
    log.warning(f"warn {PAYLOAD}")
    return log.error(message=PAYLOAD, kind=f"Err{PAYLOAD}")


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    root = tmp_path_factory.mktemp("hostile")
    record_run(root / "log", _hostile_log(), run_id=f"run{PAYLOAD}")
    outdir = root / "out"
    args = ["--events", str(root / "log"), "-o", f"{outdir}/"]
    for fmt in FORMATS:
        args += ["-f", fmt]
    result = CliRunner().invoke(report, args, obj=None, env={"NO_COLOR": "1"})
    assert result.exit_code == 0, result.output
    texts = {p.name: p.read_text() for p in outdir.iterdir()}
    texts["terminal"] = result.output  # the summary and the "written to" lines
    return texts


def test_html_shows_the_payload_as_text(outputs: dict[str, str]) -> None:
    html = outputs["run-report.html"]
    assert "<script>alert(1)" not in html and "<svg/onload" not in html
    for tag, attrs in _tags(html):
        assert not any(v and "alert(" in v for k, v in attrs.items() if k.startswith("on"))
        assert not any(v and v.strip().lower().startswith("javascript:") for v in attrs.values())
        if tag == "a":
            assert "alert(4)" not in (attrs.get("href") or "")
    # the embedded JSON block parses, and holds the payload exactly
    block = html.split('id="kedro-run-status">', 1)[1].split("</script>", 1)[0]
    data = json.loads(block)
    assert DATASET in {d["name"] for d in data["datasets"].values()}


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_the_svg_diagram_shows_the_payload_as_text(outputs: dict[str, str]) -> None:
    html = outputs["run-report.html"]
    start = html.index("<svg")
    svg = html[start : html.index("</svg>", start) + len("</svg>")]
    dom = xml.dom.minidom.parseString(svg)
    for tag in ("script", "img", "foreignObject", "iframe"):
        assert not dom.getElementsByTagName(tag)
    assert len(dom.getElementsByTagName("svg")) == 1  # no nested svg from a name
    for element in dom.getElementsByTagName("*"):
        for name, value in element.attributes.items():
            assert not name.lower().startswith("on"), (name, value)
            assert not value.strip().lower().startswith("javascript:")


def test_json_keeps_the_payload_exactly(outputs: dict[str, str]) -> None:
    data = json.loads(outputs["run-status.json"])
    assert DATASET in {d["name"] for d in data["datasets"].values()}
    assert DATASET in {d["name"] for d in data["datasets"].values()}
    assert data["pipeline"]["error"]["message"] == PAYLOAD
    assert data["pipeline"]["runtime_params"] == {f"k{PAYLOAD}": PAYLOAD}


def test_junit_is_well_formed_with_the_payload_as_data(outputs: dict[str, str]) -> None:
    text = outputs["run-report.junit.xml"]
    dom = xml.dom.minidom.parseString(text.encode())
    names = {e.tagName for e in dom.getElementsByTagName("*")}
    assert not names & ACTIVE
    assert "\x1b" not in text and "<script>" not in text
    cases = [c.getAttribute("name") for c in dom.getElementsByTagName("testcase")]
    assert any("alert(1)" in name for name in cases)


def test_markdown_renders_no_tag_of_the_payload(outputs: dict[str, str]) -> None:
    text = outputs["run-report.md"]
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert not {tag for tag, _ in _tags(html)} & ACTIVE
    assert "\x1b" not in text


def test_email_body_shows_the_payload_as_text(outputs: dict[str, str]) -> None:
    body = outputs["run-report.email.html"]
    assert "<script" not in body and "<svg" not in body and "<img" not in body
    assert not {tag for tag, _ in _tags(body)} & ACTIVE - {"a"}
    # links are the report's own; the payload's javascript: URL stays escaped text
    hrefs = [attrs.get("href") or "" for tag, attrs in _tags(body) if tag == "a"]
    assert not any(h.strip().lower().startswith("javascript:") for h in hrefs)


def test_terminal_summary_sends_no_escape_sequence(outputs: dict[str, str]) -> None:
    text = outputs["terminal"]
    assert "\x1b" not in text and "\x07" not in text
    assert "alert(1)" in text  # shown, as plain text


def test_otlp_keeps_the_payload_exactly(outputs: dict[str, str]) -> None:
    request = otlp.decode(outputs["run-trace.otlp.json"])
    spans = {s.name: s for s in request.resource_spans[0].scope_spans[0].spans}
    assert NODE in spans and f"load in{PAYLOAD}" in spans
    exception = otlp.attrs(spans[NODE].events[0])
    assert exception["exception.message"] == PAYLOAD
    assert otlp.attrs(spans["kedro run"])["kedro.run.id"] == f"run{PAYLOAD}"
