"""Golden files of the rendered HTML report and of the diagram's DOT source.

The three seed scenarios (success, node failure, missing input) are rendered with
deterministic timestamps and compared with files in ``tests/golden/`` (see
``helpers/golden.py`` for how to update them).

What is scrubbed, and why (``helpers.golden.scrub_html``):
- the inline CSS and JavaScript and the CSP hashes of them: they are our own files and
  change with every style tweak; the browser tests cover them;
- the kedro-run-report version;
- the SVG: ``dot`` output differs between Graphviz versions, so the HTML golden is rendered
  with the layout stubbed (``stub_layout``), and the DOT source we hand to ``dot`` (ours,
  deterministic) has its own golden ``<scenario>.dot``.
"""

from __future__ import annotations

import pytest
from helpers import scenarios
from helpers.golden import check_golden, scrub_html

from kedro_run_report.diagram.render import build_dot
from kedro_run_report.report.html import render_html


@pytest.mark.parametrize("scenario", sorted(scenarios.SCENARIOS))
@pytest.mark.usefixtures("stub_layout")
def test_golden_html(scenario: str) -> None:
    report = render_html(scenarios.SCENARIOS[scenario]())
    assert report.notices == []
    check_golden(f"{scenario}.html", scrub_html(report.html))


@pytest.mark.parametrize("scenario", sorted(scenarios.SCENARIOS))
def test_golden_dot(scenario: str) -> None:
    # what is laid out: structure only, statuses are painted after layout
    check_golden(f"{scenario}.dot", build_dot(scenarios.SCENARIOS[scenario](), paint=False).source)
