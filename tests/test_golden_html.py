"""Golden files of the rendered HTML report and of the diagram's DOT source.

The three seed scenarios (success, node failure, missing input) are rendered with
deterministic timestamps and compared with files in ``tests/golden/``.

What is scrubbed, and why:
- the inline CSS and JavaScript and the CSP hashes of them: they are our own files and
  change with every style tweak; the browser tests cover them;
- the kedro-run-report version;
- the SVG: ``dot`` output differs between Graphviz versions, so the HTML golden is rendered
  with ``layout_svg`` stubbed, and the DOT source we hand to ``dot`` (ours, deterministic)
  has its own golden ``<scenario>.dot``.

To update the goldens after an intended change, run

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_golden_html.py

and review the diff of ``tests/golden/`` before committing it.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import scenarios

import kedro_run_report
from kedro_run_report.diagram import render as diagram
from kedro_run_report.diagram.render import build_dot
from kedro_run_report.report.html import render_html

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
STUB_SVG = '<svg width="200pt" height="100pt" viewBox="0 0 200 100"><g id="stub"></g></svg>'


def scrub(html: str) -> str:
    """Remove the parts of the page that change for reasons the goldens don't track."""
    html = re.sub(r"<style>.*?</style>", "<style>/* CSS */</style>", html, flags=re.S)
    html = re.sub(r"<script>.*?</script>", "<script>/* JS */</script>", html, flags=re.S)
    html = re.sub(r"sha256-[A-Za-z0-9+/=]+", "sha256-HASH", html)
    return html.replace(kedro_run_report.__version__, "VERSION")


def check(name: str, text: str) -> None:
    path = GOLDEN / name
    if UPDATE or not path.exists():
        if not UPDATE and os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing; create it with UPDATE_GOLDEN=1")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        return
    expected = path.read_text(encoding="utf-8")
    assert text == expected, f"{name} differs from its golden; see the module docstring"


@pytest.mark.parametrize("scenario", sorted(scenarios.SCENARIOS))
def test_golden_html(scenario: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagram, "find_layout_program", lambda: "dot")
    monkeypatch.setattr(diagram, "layout_svg", lambda source, program: STUB_SVG)
    report = render_html(scenarios.SCENARIOS[scenario]())
    assert report.notices == []
    check(f"{scenario}.html", scrub(report.html))


@pytest.mark.parametrize("scenario", sorted(scenarios.SCENARIOS))
def test_golden_dot(scenario: str) -> None:
    # what is laid out: structure only, statuses are painted after layout
    check(f"{scenario}.dot", build_dot(scenarios.SCENARIOS[scenario](), paint=False).source)
