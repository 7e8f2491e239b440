"""The inline report in a notebook exported to HTML (nbconvert), opened in Chromium: the
page works inside its sandboxed srcdoc frame, and in-page links stay inside the frame."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from helpers import scenarios
from nbconvert import HTMLExporter

from kedro_run_report.notebook import DEFAULT_HEIGHT, InlineReport
from kedro_run_report.report.html import render_html

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def exported_notebook(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A notebook whose one cell shows a failed run's report, exported as users share it."""
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    report = InlineReport(render_html(scenarios.node_failure()).html, "Kedro run report")
    cell = nbformat.v4.new_code_cell("latest_report()", execution_count=1)
    cell.outputs = [
        nbformat.v4.new_output(
            "execute_result",
            data={"text/html": report._repr_html_(), "text/plain": "<InlineReport>"},
            execution_count=1,
        )
    ]
    notebook = nbformat.v4.new_notebook(cells=[cell])
    body, _resources = HTMLExporter().from_notebook_node(notebook)
    path = Path(tmp_path_factory.mktemp("notebook")) / "notebook.html"
    path.write_text(body, encoding="utf-8")
    return path.as_uri()


def test_the_report_works_inside_the_exported_notebook(
    browser: Any, exported_notebook: str, output_dir: Path
) -> None:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))

        def in_frame(msg: Any) -> None:  # the export's own page fetches its CDN scripts
            if msg.type == "error" and msg.location.get("url") == "about:srcdoc":
                errors.append(msg.text)

        page.on("console", in_frame)
        page.goto(exported_notebook)
        page.wait_for_load_state("load")
        element = page.wait_for_selector("iframe.kedro-run-report")
        assert element is not None
        box = element.bounding_box()
        assert box is not None and abs(box["height"] - DEFAULT_HEIGHT) <= 4
        frame = element.content_frame()
        assert frame is not None and frame.url == "about:srcdoc"
        frame.wait_for_selector("html.js")  # the report's own script ran, under its own CSP
        assert frame.evaluate("document.body.className") == "run-failed"
        page.screenshot(path=str(output_dir / "screenshots" / "notebook-export.png"))

        # a summary card links to #nodes and filters the table: the frame stays the report
        frame.click('a.card[data-filter-status="failed"]')
        assert frame.url == "about:srcdoc"
        assert frame.evaluate("window.scrollY") > 0
        shown = frame.evaluate(
            "Array.from(document.querySelectorAll('#node-table tbody tr'))"
            ".filter(r => !r.hidden).length"
        )
        assert shown == 1
        assert errors == []
    finally:
        context.close()
