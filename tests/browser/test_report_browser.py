"""The HTML report in headless Chromium: offline, with and without JavaScript."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import scenarios

from kedro_run_report.model import RunStatus
from kedro_run_report.report.html import render_html
from kedro_run_report.report.run_report import RunReport

pytestmark = pytest.mark.browser
NEEDS_DOT = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")


def write(status: RunStatus | RunReport, output_dir: Path, name: str) -> str:
    path = output_dir / f"{name}.html"
    path.write_text(render_html(status).html, encoding="utf-8")
    return path.as_uri()


@NEEDS_DOT
@pytest.mark.parametrize("scenario", sorted(scenarios.SCENARIOS))
def test_scenario_loads_offline_without_errors(scenario, watched, output_dir) -> None:
    url = write(scenarios.SCENARIOS[scenario](), output_dir, scenario)
    for scheme in ("light", "dark"):
        view = watched(scheme=scheme)
        page = view.open(url)
        assert page.locator("#diagram-viewport svg").count() == 1
        page.screenshot(path=str(output_dir / "screenshots" / f"{scenario}-{scheme}.png"))
        if scheme == "light":
            page.screenshot(
                path=str(output_dir / "screenshots" / f"{scenario}-full.png"), full_page=True
            )
        assert view.problems == []
        assert view.requests == [url]  # the file itself and nothing else


@NEEDS_DOT
def test_without_javascript_everything_is_there(watched, output_dir) -> None:
    status = scenarios.node_failure()
    view = watched(js=False)
    page = view.open(write(status, output_dir, "node_failure-nojs"))
    assert "Run execution failed" in page.inner_text(".banner")
    assert page.locator("#diagram-viewport svg .node").count() == len(status.nodes) + len(
        status.datasets
    )
    assert page.locator("#node-table tbody tr:visible").count() == len(status.nodes)
    assert page.locator("#dataset-table tbody tr:visible").count() == len(status.datasets)
    assert page.locator("details.error").count() == 1
    assert "Input X contains NaN." in page.inner_text("details.error summary")
    # the filter controls need JavaScript, so they stay out of the way without it
    assert page.locator(".table-filter").first.is_hidden()
    page.screenshot(path=str(output_dir / "screenshots" / "node_failure-nojs.png"), full_page=True)
    assert view.problems == []


def _column(page: Any, table: str, index: int) -> list[str]:
    return page.eval_on_selector_all(
        f"#{table} tbody tr:not([hidden])",
        "(rows, i) => rows.map(r => r.cells[i].getAttribute('data-v') ?? r.cells[i].textContent)",
        index,
    )


@NEEDS_DOT
def test_sorting_and_filtering(watched, output_dir) -> None:
    view = watched()
    page = view.open(write(scenarios.success(), output_dir, "success-sort"))
    page.click("#node-table thead th:nth-child(5) button")  # Duration
    durations = [float(v) for v in _column(page, "node-table", 4)]
    assert durations == sorted(durations)
    page.click("#node-table thead th:nth-child(5) button")
    assert [float(v) for v in _column(page, "node-table", 4)] == sorted(durations, reverse=True)
    assert page.get_attribute("#node-table thead th:nth-child(5)", "aria-sort") == "descending"

    form = 'form[data-table="node-table"]'
    page.fill(f"{form} input[name=q]", "preprocess_shuttles")
    assert page.locator("#node-table tbody tr:visible").count() == 1
    page.fill(f"{form} input[name=q]", "")
    page.select_option(f"{form} select[name=namespace]", "data_science")
    assert page.locator("#node-table tbody tr:visible").count() == 3
    assert "3 of 7 shown" in page.inner_text(f"{form} .shown")
    page.select_option(f"{form} select[name=namespace]", "")
    page.select_option(f"{form} select[name=status]", "failed")
    assert page.locator("#node-table tbody tr:visible").count() == 0

    page.select_option('form[data-table="dataset-table"] select[name=status]', "success")
    assert page.locator("#dataset-table tbody tr:visible").count() == len(
        scenarios.success().datasets
    )
    assert view.problems == []


@NEEDS_DOT
def test_summary_card_filters_nodes(watched, output_dir) -> None:
    view = watched()
    page = view.open(write(scenarios.node_failure(), output_dir, "node_failure-cards"))
    page.click('a.card[data-filter-status="not_run"]')
    assert page.locator("#node-table tbody tr:visible").count() == 2
    assert view.problems == []


@NEEDS_DOT
def test_clicking_a_diagram_node_shows_its_details(watched, output_dir) -> None:
    status = scenarios.node_failure()
    node = status.node_by_name("data_science.train_model_node")
    assert node is not None
    view = watched()
    page = view.open(write(status, output_dir, "node_failure-click"))
    page.click(f"#gn_{node.id}")
    inspector = page.locator("#inspector")
    assert inspector.is_visible()
    assert "train_model_node" in inspector.inner_text() and "failed" in inspector.inner_text()
    assert page.locator(f"#gn_{node.id}.selected").count() == 1
    assert "flash" in (page.get_attribute(f"#node-{node.id}", "class") or "")
    page.click("#inspector a:has-text('Show error')")
    assert page.evaluate(f"document.getElementById('error-node-{node.id}').open")
    page.keyboard.press("Escape")
    assert inspector.is_hidden()
    assert view.problems == []


@NEEDS_DOT
def test_pan_and_zoom(watched, output_dir) -> None:
    view = watched()
    page = view.open(write(scenarios.success(), output_dir, "success-zoom"))
    box = page.locator("#diagram-viewport").bounding_box()
    assert box is not None
    before = page.get_attribute("#diagram-viewport svg", "viewBox")
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.wheel(0, -400)
    zoomed = page.get_attribute("#diagram-viewport svg", "viewBox")
    assert zoomed != before
    assert float(zoomed.split()[2]) < float(before.split()[2])  # narrower = closer
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2 + 80, box["y"] + box["height"] / 2 + 30, steps=4)
    page.mouse.up()
    assert page.get_attribute("#diagram-viewport svg", "viewBox") != zoomed
    page.click("button[data-zoom=reset]")
    assert page.get_attribute("#diagram-viewport svg", "viewBox") == before
    assert view.problems == []


@NEEDS_DOT
def test_hostile_names_do_not_execute(watched, output_dir) -> None:
    status = scenarios.nasty()
    for js in (True, False):
        view = watched(js=js)
        page = view.open(write(status, output_dir, "xss"))
        assert page.locator("script").count() == 2  # the JSON block and our own code
        assert page.locator("b").count() == 0  # no injected markup
        text = page.inner_text("#node-table")
        assert 'x<script>alert(1)</script> "q" & \\N \\ a' in text
        assert "</script><!-- &" in page.inner_text("details.error summary")
        if js:
            data = page.evaluate("document.getElementById('kedro-run-status').textContent")
            assert json.loads(data) == RunReport(status).page_dict()
            assert page.evaluate("typeof window.alert") == "function"
        assert view.problems == []
    page.screenshot(path=str(output_dir / "screenshots" / "xss.png"), full_page=True)


@NEEDS_DOT
def test_large_synthetic_run(watched, output_dir) -> None:
    for n in (200, 1000):
        view = watched()
        page = view.open(
            write(scenarios.synthetic(n, fail_at=n // 2), output_dir, f"synthetic-{n}")
        )
        assert page.locator("#node-table tbody tr").count() == n
        page.screenshot(path=str(output_dir / "screenshots" / f"synthetic-{n}.png"))
        if n == 1000:  # names in the node table are linked by script for big runs
            assert (
                page.locator("#node-table tbody tr:first-child a[href^='#dataset-']").count() >= 1
            )
        assert view.problems == []


@NEEDS_DOT
def test_timeline_bar_goes_to_the_row(watched, output_dir) -> None:
    status = scenarios.threaded()
    node = status.node_by_name("data_science.train_model_node")
    assert node is not None
    view = watched()
    page = view.open(write(status, output_dir, "threaded"))
    assert page.locator("#timeline svg g.lane").count() == 2
    bar = page.locator(f'#timeline a[href="#node-{node.id}"]')
    assert "train_model_node" in bar.locator("title").text_content()
    bar.click()
    assert page.evaluate("location.hash") == f"#node-{node.id}"
    assert page.locator(f"#node-{node.id}:target").count() == 1
    page.locator("#timeline").screenshot(path=str(output_dir / "screenshots" / "timeline.png"))
    page.locator("#time").screenshot(path=str(output_dir / "screenshots" / "where-time-went.png"))
    assert view.problems == []


@NEEDS_DOT
def test_timeline_and_sections_render_without_javascript(watched, output_dir) -> None:
    view = watched(js=False)
    page = view.open(write(scenarios.compared(), output_dir, "compared-nojs"))
    assert page.locator("#timeline svg.timeline a").count() == 7
    box = page.locator("#timeline svg.timeline").bounding_box()
    assert box is not None and box["height"] > 30
    assert page.locator("#time .bars tr").count() > 5
    assert page.locator("#comparison svg.trend circle").count() >= 5
    assert page.locator("#diagram-viewport svg .ns-sum:visible").count() == 0
    assert view.problems == []


@NEEDS_DOT
def test_tag_filter_dims_the_diagram_and_filters_the_table(watched, output_dir) -> None:
    status = scenarios.threaded()
    view = watched()
    page = view.open(write(status, output_dir, "threaded-tags"))
    form = 'form[data-table="node-table"]'
    page.select_option(f"{form} select[name=tag]", "ml")
    ml = [n for n in status.nodes.values() if "ml" in n.tags]
    assert page.locator("#node-table tbody tr:visible").count() == len(ml)
    for node in status.nodes.values():
        dimmed = page.locator(f"#gn_{node.id}.dim").count() == 1
        assert dimmed == (node not in ml), node.name
    assert page.locator("#timeline a.dim").count() == len(status.nodes) - len(ml)
    page.screenshot(path=str(output_dir / "screenshots" / "tag-filter.png"))
    page.select_option(f"{form} select[name=tag]", "")
    assert page.locator("#diagram-viewport .node.dim").count() == 0
    assert view.problems == []


@NEEDS_DOT
def test_collapsing_and_expanding_a_namespace(watched, output_dir) -> None:
    status = scenarios.success()
    view = watched()
    page = view.open(write(status, output_dir, "success-collapse"))
    members = [n for n in status.nodes.values() if n.namespace == "data_science"]
    summary = page.locator('#diagram-viewport .ns-sum[data-ns="data_science"]')
    assert summary.is_hidden()
    label = page.locator(f"#{summary.get_attribute('data-for')} text").first
    label.click()
    assert summary.is_visible()
    assert "3 nodes" in (summary.text_content() or "")
    for node in members:
        assert page.locator(f"#gn_{node.id}").is_hidden()
    page.locator("#diagram").screenshot(
        path=str(output_dir / "screenshots" / "namespace-collapsed.png")
    )
    summary.click()
    assert summary.is_hidden()
    for node in members:
        assert page.locator(f"#gn_{node.id}").is_visible()
    page.click("button[data-ns-all=collapse]")
    assert page.locator("#diagram-viewport .ns-sum:visible").count() == 3
    page.click("button[data-ns-all=expand]")
    assert page.locator("#diagram-viewport .ns-sum:visible").count() == 0
    assert view.problems == []


@NEEDS_DOT
def test_big_runs_open_on_an_overview_and_a_failed_one_on_its_failure(watched, output_dir) -> None:
    view = watched()
    page = view.open(write(scenarios.synthetic(1000), output_dir, "synthetic-1000-overview"))
    assert page.locator("#diagram-viewport g.group").count() == 4  # stage_0..3
    assert page.locator("#diagram-crumbs").is_hidden()
    status = scenarios.synthetic(1000, fail_at=600)
    page = view.open(write(status, output_dir, "synthetic-1000-collapsed"))
    assert page.locator("#diagram-viewport g.node.failed").is_visible()
    assert page.locator("#diagram-crumbs [data-view=overview]").is_visible()
    assert page.locator("#node-table tbody tr").count() == 1000  # the tables stay complete
    assert page.locator("#timeline svg.timeline a").count() == 601  # the nodes that started
    page.screenshot(path=str(output_dir / "screenshots" / "synthetic-1000-collapsed.png"))
    assert view.problems == []


@NEEDS_DOT
def test_comparison_and_partial_sections(watched, output_dir) -> None:
    for scheme in ("light", "dark"):
        view = watched(scheme=scheme)
        page = view.open(write(scenarios.compared(), output_dir, "compared"))
        assert "rows dropped" in page.inner_text("#comparison")
        assert page.locator("#node-table .reg").count() == 1
        page.locator("#comparison").screenshot(
            path=str(output_dir / "screenshots" / f"comparison-{scheme}.png")
        )
        page.locator("#timeline").screenshot(
            path=str(output_dir / "screenshots" / f"timeline-{scheme}.png")
        )
        assert view.problems == []
    view = watched()
    page = view.open(write(scenarios.partial(), output_dir, "partial"))
    assert "drawn as not selected" in page.inner_text(".masthead")
    assert page.locator("#diagram-viewport .task.not_selected").count() == 4
    assert page.locator("#node-table tbody tr").count() == 3
    page.screenshot(path=str(output_dir / "screenshots" / "partial.png"), full_page=True)
    page.emulate_media(media="print")
    page.screenshot(path=str(output_dir / "screenshots" / "partial-print.png"), full_page=True)
    assert view.problems == []


@NEEDS_DOT
def test_resume_command_copies_with_javascript_and_stays_selectable_without(
    browser, watched, output_dir
) -> None:
    url = write(scenarios.node_failure(), output_dir, "node_failure-resume")
    command = "kedro run --from-nodes data_science.split_data_node,reporting.plot_passengers_node"

    plain = watched(js=False).open(url)
    assert plain.inner_text("#resume-command") == command
    assert plain.locator("button.copy").is_hidden()
    assert plain.eval_on_selector("#resume-command", "e => getComputedStyle(e).userSelect") == "all"

    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(url)
        button = page.locator("button.copy")
        assert button.is_visible()
        button.click()
        page.wait_for_function("() => document.querySelector('button.copy').textContent !== 'Copy'")
        assert button.inner_text() == "Copied"
        assert page.evaluate("navigator.clipboard.readText()") == command
        page.locator(".banner").screenshot(
            path=str(output_dir / "screenshots" / "node_failure-resume.png")
        )
    finally:
        context.close()


def _inside(inner: dict[str, float], outer: dict[str, float]) -> bool:
    return (
        inner["x"] >= outer["x"]
        and inner["y"] >= outer["y"]
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"]
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"]
    )


@NEEDS_DOT
@pytest.mark.parametrize(("nodes", "fail_at"), [(120, 110), (200, 190), (1000, 990)])
def test_a_failed_run_opens_with_the_failure_in_the_diagram_frame(
    watched, output_dir, nodes: int, fail_at: int
) -> None:
    """Fitting a tall graph starts at its top; a failure near its end is brought into view:
    the label of the failed node, or of the collapsed namespace that holds it."""
    view = watched()
    name = f"failed-late-{nodes}"
    page = view.open(write(scenarios.synthetic(nodes, fail_at=fail_at), output_dir, name))
    frame = page.locator("#diagram-viewport").bounding_box()
    stopped = page.locator(
        "#diagram-viewport g.node.failed:visible, #diagram-viewport g.ns-sum.failed:visible"
    ).first
    box = stopped.locator("text").first.bounding_box()
    assert frame is not None and box is not None
    assert _inside(box, frame), (box, frame)
    page.screenshot(path=str(output_dir / "screenshots" / f"{name}.png"))
    assert view.problems == []
