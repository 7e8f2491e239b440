"""The HTML report and its view model, with the layout program stubbed unless noted."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers import scenarios

from kedro_run_report.diagram import render as diagram
from kedro_run_report.diagram.render import DiagramResult
from kedro_run_report.model import aggregate
from kedro_run_report.report.html import render_html, status_json, template_dir
from kedro_run_report.report.json_report import render_json
from kedro_run_report.report.run_report import PAGE_DATASET_KEYS, PAGE_NODE_KEYS, RunReport
from kedro_run_report.report.summary import first_line, short_runner
from kedro_run_report.report.views.page import build_view

pytestmark = pytest.mark.usefixtures("stub_layout")


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


def test_embedded_json_is_the_run_status_cut_to_what_the_page_reads() -> None:
    status = scenarios.node_failure()
    page = parse(render_html(status).html)
    blocks = [text for attrs, text in page.scripts if attrs.get("id") == "kedro-run-status"]
    assert len(blocks) == 1
    embedded, whole = json.loads(blocks[0]), json.loads(render_json(status))
    # each node and dataset: Kedro-Viz's /api/run-status fields and those the script reads,
    # as `--format json` writes them
    assert {"status", "duration", "error"} <= set(PAGE_NODE_KEYS)
    assert {"name", "size", "status", "error"} <= set(PAGE_DATASET_KEYS)
    for table, keys in (("nodes", PAGE_NODE_KEYS), ("datasets", PAGE_DATASET_KEYS)):
        assert embedded[table].keys() == whole[table].keys()
        for ident, record in embedded[table].items():
            assert record == {key: whole[table][ident][key] for key in keys}
    # the rest is the whole document, but for the memory figures of each node
    assert embedded["analysis"]["memory"]["nodes"] == {} != whole["analysis"]["memory"]["nodes"]
    for document in (embedded, whole):
        del document["nodes"], document["datasets"], document["analysis"]["memory"]["nodes"]
    assert embedded == whole


def test_the_script_reads_only_what_the_page_embeds() -> None:
    """Every field the report's script takes from a node or dataset of the JSON block."""
    script = (Path(__file__).parents[1] / "templates" / "report.js").read_text()
    # the script's names for a record of the block: n and node (nodes), d (datasets)
    node_fields = set(re.findall(r"\b(?:n|node)\.([a-z_]+)\b(?!\()", script))
    dataset_fields = set(re.findall(r"\bd\.([a-z_]+)\b(?!\()", script))
    dataset_fields |= set(re.findall(r"runDatasets\[\w+\]\.([a-z_]+)", script))
    not_records = {"failed", "interrupted", "selected", "open"}  # CSS classes, a <details>
    assert node_fields - not_records and dataset_fields - not_records
    assert node_fields - not_records <= set(PAGE_NODE_KEYS)
    assert dataset_fields - not_records <= set(PAGE_DATASET_KEYS)


def test_json_block_cannot_break_out() -> None:
    status = scenarios.nasty()
    text = status_json(RunReport(status))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == RunReport(status).page_dict()
    html = render_html(status).html
    block = html.split('id="kedro-run-status">', 1)[1].split("</script>", 1)[0]
    assert json.loads(block) == RunReport(status).page_dict()


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
    log = scenarios.new_log()
    scenarios.start_run(log, scenarios.SPACEFLIGHTS)
    error = {
        "type": "ValueError",
        "message": "Pipeline input(s) {'x'} not found",
        "traceback": "tb",
    }
    log.tick(0.1).run_error(error)
    html = render_html(aggregate(log.events)).html
    assert 'id="error-pipeline"' in html and "Pipeline input(s) {&#39;x&#39;} not found" in html


def test_partial_run_filters_and_warnings() -> None:
    log = scenarios.new_log()
    filters = {"tags": ["a<b>", "c"], "only_missing_outputs": True}
    scenarios.start_run(log, scenarios.SPACEFLIGHTS[:1], filters=filters)
    log.tick(0.1).warning("sizes <unavailable> & skipped")
    html = render_html(aggregate(log.events)).html
    assert "Partial run" in html and "--tags a&lt;b&gt;,c --only-missing-outputs" in html
    assert "The full pipeline was not recorded; only the selected nodes are shown" in html
    assert "sizes &lt;unavailable&gt; &amp; skipped" in html
    assert "Run execution interrupted" in html


@pytest.mark.usefixtures("no_layout_program")
def test_no_graphviz_still_writes_the_report() -> None:
    report = render_html(scenarios.success())
    assert len(report.notices) == 1 and "Graphviz 'dot' was not found" in report.notices[0]
    assert 'id="diagram-notice"' in report.html and '<g id="stub">' not in report.html


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
    assert [c["value"] for c in view.summary[:4]] == ["4", "1", "2", "0"]
    assert view.summary[0]["label"] == "of 7 nodes succeeded"
    assert view.namespaces == ["data_processing", "data_science", "reporting"]
    train = next(r for r in view.node_rows if r.name.endswith("train_model_node"))
    assert train.name_parts == ("data_science.", "train_model_node")
    assert train.error_href.startswith("#error-node-")


def test_templates_are_found() -> None:
    assert (template_dir() / "report.html.j2").is_file()
    assert (template_dir() / "report.css").is_file() and (template_dir() / "report.js").is_file()


def test_partial_run_draws_unselected_nodes_as_not_selected() -> None:
    status = scenarios.partial()
    view = build_view(status, DiagramResult(None, "n"), title=None, version="x")
    assert view.partial_note == (
        "--tags prep selected 3 of 7 nodes; the 4 others are drawn as not selected."
    )
    assert [r.name for r in view.node_rows] == [n.name for n in status.nodes.values()]
    assert len(view.unselected) == 4 and view.unselected[0].href.startswith("node-")
    assert any(item["label"] == "○ not selected" for item in view.legend)
    source = diagram.build_dot(status).source
    for node in status.unselected.values():
        line = next(ln for ln in source.splitlines() if f"n_{node.id} [" in ln)
        assert "dotted" in line and "not selected" in line and "not_selected" in line
    html = render_html(status).html
    data = json.loads(html.split('id="kedro-run-status">', 1)[1].split("</script>", 1)[0])
    assert set(data["nodes"]) == set(status.nodes)  # the JSON nodes are the selected ones
    assert 'id="not-selected"' in html and '<h2>Nodes <span class="count">3</span>' in html


def test_partial_run_without_the_full_pipeline() -> None:
    status = scenarios.partial(record_unselected=False)
    view = build_view(status, DiagramResult(None, "n"), title=None, version="x")
    assert view.partial_note == (
        "--tags prep selected 3 nodes. The full pipeline was not recorded; only the selected "
        "nodes are shown."
    )
    assert view.unselected == [] and "not selected" not in str(view.legend)


def test_full_run_has_no_partial_note() -> None:
    view = build_view(scenarios.success(), DiagramResult(None, "n"), title=None, version="x")
    assert view.partial_note == "" and view.comparison is None  # no history: no section
    assert view.timing is not None and view.timing.steps
    assert "Compared with earlier runs" not in render_html(scenarios.success()).html


def test_comparison_section() -> None:
    report = scenarios.compared()
    view = build_view(report, DiagramResult(None, "n"), title=None, version="x")
    c = view.comparison
    assert c is not None and c.message == ""
    assert c.before == "8.9 s" and c.after == "1m 13s" and c.delta_css == "worse"
    assert [r.name for r in c.regressions] == ["data_processing.preprocess_shuttles_node"]
    assert c.regressions[0].change.startswith("+2.2 s (+")
    assert [name for name, _ in c.newly_succeeded] == ["data_science.train_model_node"]
    dropped = [d for d in c.datasets if d.dropped]
    assert [d.name for d in dropped] == ["model_input_table"] and "6,027 → 4,120" == dropped[0].rows
    assert c.trend_svg is not None and c.trend_svg.count("<circle") == len(report.history) + 1
    assert "(this run)" in c.trend_svg
    row = next(r for r in view.node_rows if r.name.endswith("preprocess_shuttles_node"))
    assert (
        row.badge.startswith("+") and row.badge.endswith("%") and "previous run" in row.badge_title
    )
    html = render_html(report).html
    assert '<span class="reg" title=' in html and 'class="dropped"' in html


def test_comparison_without_a_baseline_says_so() -> None:
    report = scenarios.compared_no_baseline()
    view = build_view(report, DiagramResult(None, "n"), title=None, version="x")
    assert view.comparison is not None
    assert view.comparison.message == (
        "No earlier run of the same pipeline selection to compare with."
    )
    assert view.comparison.trend_svg is None  # one run is no trend
    assert "No earlier run of the same pipeline selection" in render_html(report).html


def test_where_the_time_went() -> None:
    status = scenarios.threaded()
    view = build_view(status, DiagramResult(None, "n"), title=None, version="x")
    t = view.timing
    assert t is not None
    assert t.slowest_nodes[0].name == "data_science.train_model_node"
    widths = [float(seg.width.rstrip("%")) for seg in t.slowest_nodes[0].segments]
    assert sum(widths) == pytest.approx(100, abs=0.05)  # the slowest node's bar is full
    assert all(
        sum(float(g.width.rstrip("%")) for g in b.segments) <= 100.01 for b in t.slowest_nodes
    )
    assert len(t.slowest_datasets) == 10
    assert [label for label, *_ in t.share_legend] == [
        "loading",
        "computing",
        "saving",
        "overhead",
        "idle",
    ]
    assert "2 workers" in t.share_note and "wall time" in t.path_summary
    assert [s.name for s in t.steps][-1] == "data_science.evaluate_model_node"
    html = render_html(status).html
    assert html.index('id="diagram"') < html.index('id="timeline"') < html.index('id="time"')


def test_worker_column_uses_lane_labels() -> None:
    view = build_view(scenarios.threaded(), DiagramResult(None, "n"), title=None, version="x")
    workers = {r.cells["worker"].text for r in view.node_rows}
    assert workers == {"thread 1", "thread 2"}
    cell = view.node_rows[0].cells["worker"]
    assert "pid 4242" in cell.title and "ThreadPoolExecutor-0_0" in cell.title
    success = build_view(scenarios.success(), DiagramResult(None, "n"), title=None, version="x")
    assert {r.cells["worker"].text for r in success.node_rows} == {"main thread"}


def test_tags_filter_options() -> None:
    view = build_view(scenarios.threaded(), DiagramResult(None, "n"), title=None, version="x")
    assert view.tags == ["ml", "prep"]
    html = render_html(scenarios.threaded()).html
    assert '<select name="tag"' in html and '<option value="prep">prep</option>' in html
    assert '<select name="tag"' not in render_html(scenarios.success()).html


@pytest.mark.parametrize("broken", ["load_bytecode", "dump_bytecode"])
def test_a_broken_template_cache_changes_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, broken: str
) -> None:
    import jinja2

    from kedro_run_report.report import html as html_module

    expected = render_html(scenarios.success()).html

    def fail(self: object, bucket: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(jinja2.FileSystemBytecodeCache, broken, fail)
    monkeypatch.setattr(
        jinja2.FileSystemBytecodeCache, "_get_default_cache_dir", lambda s: str(tmp_path)
    )
    html_module._environment.cache_clear()
    try:
        assert render_html(scenarios.success()).html == expected
    finally:
        html_module._environment.cache_clear()


def test_the_compiled_template_is_kept_between_processes(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import jinja2

    from kedro_run_report.report import html as html_module

    monkeypatch.setattr(
        jinja2.FileSystemBytecodeCache, "_get_default_cache_dir", lambda s: str(tmp_path)
    )
    html_module._environment.cache_clear()
    try:
        first = render_html(scenarios.success()).html
        (entry,) = tmp_path.glob("kedro-run-report-*.cache")
        html_module._environment.cache_clear()  # as a new process would start
        compiled = jinja2.Environment.compile
        monkeypatch.setattr(
            jinja2.Environment, "compile", lambda *a, **k: pytest.fail("compiled again")
        )
        assert render_html(scenarios.success()).html == first
        monkeypatch.setattr(jinja2.Environment, "compile", compiled)
        assert entry.stat().st_size > 0
    finally:
        html_module._environment.cache_clear()


def test_the_schema_says_what_the_page_embeds() -> None:
    schema = Path(__file__).parents[1] / "kedro_run_report" / "schema" / "run_status.schema.json"
    description = json.loads(schema.read_text())["description"]
    embedded = description.split("embeds it", 1)[1].split("A superset", 1)[0]
    assert all(key in embedded for key in (*PAGE_NODE_KEYS, *PAGE_DATASET_KEYS)), embedded
