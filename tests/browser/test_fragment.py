"""The report's JavaScript survives any URL fragment: a malformed one names nothing."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from helpers import scenarios

from kedro_run_report.report.html import render_html

pytestmark = pytest.mark.browser

# A cut percent-escape: decodeURIComponent throws "URI malformed" on each of these.
BAD_FRAGMENTS = ["%E0%A4%A", "%", "%ZZ", "node-%C0%AF"]


@pytest.fixture(scope="module")
def report_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if shutil.which("dot") is None:
        pytest.skip("Graphviz dot is not installed")
    path = Path(tmp_path_factory.mktemp("fragment")) / "run-report.html"
    path.write_text(render_html(scenarios.success()).html, encoding="utf-8")
    return path.as_uri()


@pytest.mark.parametrize("fragment", BAD_FRAGMENTS)
def test_a_malformed_fragment_leaves_the_page_working(
    browser: Any, report_url: str, fragment: str
) -> None:
    context = browser.new_context(viewport={"width": 1360, "height": 900})
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{report_url}#{fragment}")
        page.wait_for_load_state("load")
        before = page.get_attribute("#diagram-viewport svg", "viewBox")
        page.click("button[data-zoom=in]")
        zoomed = page.get_attribute("#diagram-viewport svg", "viewBox")
        assert errors == []
        assert before is not None and zoomed is not None and zoomed != before
        assert float(zoomed.split()[2]) < float(before.split()[2])  # narrower = closer
        # a bad fragment set later (a hashchange) is ignored too
        page.evaluate("location.hash = '%E0%A4%A'")
        page.click("button[data-zoom=in]")
        assert errors == []
    finally:
        context.close()
