"""The HTML report and its view model, with the layout program stubbed unless noted."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser

import pytest
import scenarios

from kedro_run_report import diagram
from kedro_run_report.diagram import DiagramResult
from kedro_run_report.model import aggregate
from kedro_run_report.report.html import render_html, status_json, template_dir
from kedro_run_report.report.html_view import build_view
from kedro_run_report.report.json_report import render_json
from kedro_run_report.report.summary import first_line, short_runner
from kedro_run_report.run_report import RunReport

STUB_SVG = '<svg width="100pt" height="50pt" viewBox="0 0 100 50"><g class="graph"></g></svg>'


@pytest.fixture(autouse=True)
def stub_layout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagram, "find_layout_program", lambda: "dot")
    monkeypatch.setattr(diagram, "layout_svg", lambda source, program: STUB_SVG)


class Collector(HTMLParser):
    """Collects tags, attributes, ids and the text of script blocks."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self.styles: list[str] = []
        self._in: tuple[str, dict[str, str | None]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in ("script", "style"):
            self._in = (tag, dict(attrs))

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style"):
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in and self._in[0] == "script":
            self.scripts.append((self._in[1], data))
        elif self._in and self._in[0] == "style":
            self.styles.append(data)


def parse(html: str) -> Collector:
    collector = Collector()
    collector.feed(html)
    return collector


def sha(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


def test_embedded_json_is_the_run_status() -> None:
    status = scenarios.node_failure()
    page = parse(render_html(status).html)
    blocks = [text for attrs, text in page.scripts if attrs.get("id") == "kedro-run-status"]
    assert len(blocks) == 1
    # exactly what `--format json` writes
    assert json.loads(blocks[0]) == json.loads(render_json(status))
    assert json.loads(blocks[0])["nodes"] == status.to_dict()["nodes"]


def test_json_block_cannot_break_out() -> None:
    status = scenarios.nasty()
    text = status_json(RunReport(status))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == RunReport(status).to_dict()
    html = render_html(status).html
    block = html.split('id="kedro-run-status">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block) == RunReport(status).to_dict()


def test_csp_hashes_match_the_inline_code() -> None:
    html = render_html(scenarios.success()).html
    page = parse(html)
    csp = next(
        a["content"] for t, a in page.tags if a.get("http-equiv") == "Content-Security-Policy"
    )
    assert csp and "default-src 'none'" in csp
    scripts = [text for attrs, text in page.scripts if "type" not in attrs]
    assert len(scripts) == 1 and sha(scripts[0]) in csp
    assert len(page.styles) == 1 and sha(page.styles[0]) in csp
    assert "unsafe" not in csp
    # the CSP comes before any style or script
    assert html.index("Content-Security-Policy") < html.index("<style>")


def test_no_external_resources() -> None:
    html = render_html(scenarios.success()).html
    for tag, attrs in parse(html).tags:
        for key in ("src", "href", "xlink:href", "action"):
            value = attrs.get(key)
            assert value is None or value.startswith("#"), (tag, key, value)
    assert "http://" not in html.replace("http://www.w3.org/", "")
    assert "https://" not in html and "@import" not in html and "url(" not in html


def test_header_and_success_banner() -> None:
    html = render_html(scenarios.success()).html
    assert "<h1>Spaceflights</h1>" in html
    for fact in ("__default__", "2024-05-01T12.00.00.000Z", "SequentialRunner", "1.7.0", "local"):
        assert f"<dd>{fact}</dd>" in html
    assert "<dd>ci-runner-7</dd>" in html
    assert "Run execution completed successfully in 1m 11s" in html
    assert 'datetime="2024-05-01T12:01:10.860' in html
    assert "Partial run" not in html and 'id="errors"' not in html


def test_failure_banner_links_to_the_error() -> None:
    status = scenarios.node_failure()
    node = status.node_by_name("data_science.train_model_node")
    assert node is not None
    html = render_html(status).html
    assert "Run execution failed" in html
    assert f'<a href="#error-node-{node.id}"><code>data_science.train_model_node</code></a>' in html
    assert "ValueError: Input X contains NaN." in html
    assert f'<details class="error" id="error-node-{node.id}">' in html
    assert "LinearRegression does not accept missing values" in html  # full message
    assert "regressor.fit(X_train, y_train)" in html  # traceback
    assert html.count('<details class="error"') == 1  # the pipeline error is the node's


def test_missing_input_names_the_dataset() -> None:
    status = scenarios.missing_input()
    ds = status.dataset_by_name("companies")
    assert ds is not None
    html = render_html(status).html
    assert f'Dataset <a href="#error-dataset-{ds.id}"><code>companies</code></a> failed' in html
    assert "while loading for node data_processing.preprocess_companies_node" in html
    assert "failed loading" in html


def test_tables_have_anchors_sort_keys_and_statuses() -> None:
    status = scenarios.node_failure()
    html = render_html(status).html
    for node in status.nodes.values():
        assert f'<tr id="node-{node.id}" data-status="{node.status}"' in html
    for ds in status.datasets.values():
        assert f'<tr id="dataset-{ds.id}" data-status="{ds.status}"' in html
    assert "✓ success" in html and "✗ failed" in html and "– not run" in html
    assert 'data-v="62.4"' not in html  # the failed run stopped before training finished
    assert 'data-v="0.35"' in html  # split_data_node's compute time as sort key


def test_pipeline_error_without_node_or_dataset() -> None:
    log = scenarios.EventLog()
    scenarios.start_run(log, scenarios.SPACEFLIGHTS)
    error = {
        "type": "ValueError",
        "message": "Pipeline input(s) {'x'} not found",
        "traceback": "tb",
    }
    log.emit(scenarios.EventKind.RUN_ERROR, 0.1, error=error)
    html = render_html(aggregate(log.events)).html
    assert 'id="error-pipeline"' in html and "Pipeline input(s) {&#39;x&#39;} not found" in html


def test_partial_run_filters_and_warnings() -> None:
    log = scenarios.EventLog()
    filters = {"tags": ["a<b>", "c"], "only_missing_outputs": True}
    scenarios.start_run(log, scenarios.SPACEFLIGHTS[:1], filters=filters)
    log.emit(scenarios.EventKind.WARNING, 0.1, message="sizes <unavailable> & skipped")
    html = render_html(aggregate(log.events)).html
    assert "Partial run" in html and "a&lt;b&gt;, c" in html and "only missing outputs" in html
    assert "sizes &lt;unavailable&gt; &amp; skipped" in html
    assert "Run execution interrupted" in html


def test_no_graphviz_still_writes_the_report(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagram, "find_layout_program", lambda: None)
    report = render_html(scenarios.success())
    assert len(report.notices) == 1 and "Graphviz 'dot' was not found" in report.notices[0]
    assert 'id="diagram-notice"' in report.html and '<svg width="100pt"' not in report.html


def test_user_strings_are_escaped() -> None:
    html = render_html(scenarios.nasty(), title="<i>t</i>").html
    assert "<script>alert(1)" not in html
    assert "x&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;/script&gt;&lt;!-- &amp; &#34;" in html  # the error message
    assert "<title>&lt;i&gt;t&lt;/i&gt;</title>" in html
    assert len(re.findall(r"<script", html)) == 2


def test_view_model_helpers() -> None:
    assert (
        short_runner("<kedro.runner.thread_runner.ThreadRunner object at 0x7f>") == "ThreadRunner"
    )
    assert short_runner("kedro.runner.SequentialRunner") == "SequentialRunner"
    assert short_runner(None) == "–" and short_runner("None") == "–"
    assert first_line("\n  first\nsecond") == "first"
    view = build_view(scenarios.node_failure(), DiagramResult(None, "n"), title=None, version="x")
    assert view.banner.status == "failed" and view.banner.culprit is not None
    assert [c["value"] for c in view.summary[:4]] == ["4 / 7", "1", "2", "0"]
    assert view.namespaces == ["data_processing", "data_science", "reporting"]
    train = next(r for r in view.node_rows if r.name.endswith("train_model_node"))
    assert train.name_parts == ("data_science.", "train_model_node")
    assert train.error_href.startswith("#error-node-")


def test_templates_are_found() -> None:
    assert (template_dir() / "report.html.j2").is_file()
    assert (template_dir() / "report.css").is_file() and (template_dir() / "report.js").is_file()
