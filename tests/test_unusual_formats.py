"""What is unusual, in every format: terminal, Markdown, e-mail, JSON and HTML say the same.

Hand-built histories: a fit step that took about 2 s in eight earlier runs (noise), then a run
that takes 2.1 s (noise, not flagged), 6 s (3x: flagged) or one that ends a steady rise
(flagged as a drift, though within the range). Rows shrinking steadily are a drift too.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from helpers.runs import two_step_run

from kedro_run_report.analysis import unusual
from kedro_run_report.diagram.render import DiagramResult
from kedro_run_report.report.email import email_reporter, render_email
from kedro_run_report.report.formats import RenderOptions
from kedro_run_report.report.json_report import json_reporter
from kedro_run_report.report.markdown import markdown_reporter, render_markdown
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.report.terminal import render_terminal
from kedro_run_report.report.unusual_words import NOTHING_UNUSUAL, unusual_lines
from kedro_run_report.report.views.comparison import unusual_rows
from kedro_run_report.report.views.page import build_view

SCHEMA = json.loads(
    (
        Path(__file__).parents[1] / "kedro_run_report" / "schema" / "run_status.schema.json"
    ).read_text()
)
NOISE = [2.0, 2.1, 1.9, 2.05, 1.95, 2.2, 1.85, 2.0]
# Within the usual range of NOISE (2.0 s +/- 0.5 s) until the last, but each run slower.
RISING = [2.0, 2.1, 1.9, 2.05, 1.6, 1.8, 2.0, 2.2]


def report(fit: float, history: list[float], rows: list[int] | None = None) -> RunReport:
    """A run whose fit took ``fit`` s, judged against earlier runs that took ``history``."""
    counts = rows or [1000] * (len(history) + 1)
    current = two_step_run(fit, rows=counts[-1])
    earlier = [two_step_run(d, rows=r) for d, r in zip(history, counts, strict=False)]
    return RunReport(current, unusual=unusual(current, earlier))


NOISY = report(2.1, NOISE)
OUTLIER = report(6.0, NOISE)
DRIFT = report(2.45, RISING)
SHRINKING = report(2.0, NOISE, rows=[1000, 1000, 1000, 1000, 1000, 975, 950, 925, 900])


def test_the_shared_words() -> None:
    assert unusual_lines(NOISY.unusual) == []
    (line,) = unusual_lines(OUTLIER.unusual)
    assert line.sentence == (
        "node fit: duration 6.0 s, 3.0× the usual (usual 1.5 s – 2.5 s over 8 runs)"
    )
    (line,) = unusual_lines(DRIFT.unusual)
    assert line.finding.verdict == "drift up"
    assert line.verdict == "drifting up for 5 runs: 1.6 s → 2.5 s"
    (line,) = unusual_lines(SHRINKING.unusual)
    assert (line.subject, line.name, line.measure) == ("dataset", "table", "rows")
    assert line.verdict == "drifting down for 5 runs: 1,000 → 900"


def test_terminal() -> None:
    assert "Unusual" not in render_terminal(NOISY.status, color=False)  # no history given
    assert f"Unusual:  {NOTHING_UNUSUAL}" in render_terminal(
        NOISY.status, color=False, unusual=NOISY.unusual
    )
    text = render_terminal(OUTLIER.status, color=False, unusual=OUTLIER.unusual)
    assert "  Unusual:  node fit: duration 6.0 s, 3.0× the usual (usual 1.5 s – 2.5 s)" in text
    text = render_terminal(DRIFT.status, color=False, unusual=DRIFT.unusual)
    assert "node fit: duration 2.5 s, drifting up for 5 runs: 1.6 s → 2.5 s" in text
    text = render_terminal(SHRINKING.status, color=False, unusual=SHRINKING.unusual)
    assert "dataset table: rows 900, drifting down for 5 runs: 1,000 → 900" in text


def test_markdown() -> None:
    options = RenderOptions()
    noisy = markdown_reporter(NOISY, options).text
    assert "### Unusual in this run" in noisy and "within their usual range" in noisy
    assert "Against the 8 earlier runs" in noisy
    outlier = markdown_reporter(OUTLIER, options).text
    assert "| node | `fit` | duration | 6.0 s | 1.5 s – 2.5 s | 3.0× the usual |" in outlier
    drift = render_markdown(DRIFT.status, unusual=DRIFT.unusual)
    assert "| node | `fit` | duration | 2.5 s |" in drift
    assert "drifting up for 5 runs: 1.6 s → 2.5 s |" in drift
    assert "Unusual" not in render_markdown(NOISY.status)  # no history: no section


def test_email() -> None:
    noisy = email_reporter(NOISY, RenderOptions()).text
    assert "Unusual in this run" in noisy and "within their usual range" in noisy
    outlier = email_reporter(OUTLIER, RenderOptions()).text
    assert "node <b>fit</b>: duration 6.0 s" in outlier and "3.0× the usual" in outlier
    drift = render_email(DRIFT.status, unusual=DRIFT.unusual)
    assert "drifting up for 5 runs: 1.6 s → 2.5 s" in drift
    assert "Unusual" not in render_email(NOISY.status)


@pytest.mark.parametrize("run", [NOISY, OUTLIER, DRIFT, SHRINKING])
def test_json_validates_and_carries_the_words(run: RunReport) -> None:
    data = json.loads(json_reporter(run, RenderOptions()).text)
    jsonschema.validate(data, SCHEMA)
    texts = [f["text"] for f in data["unusual"]["findings"]]
    assert texts == [line.sentence for line in unusual_lines(run.unusual)]


def test_json_verdicts() -> None:
    def verdicts(run: RunReport) -> list[tuple[str, str]]:
        found = json.loads(json_reporter(run, RenderOptions()).text)["unusual"]["findings"]
        return [(f["name"], f["verdict"]) for f in found]

    assert verdicts(NOISY) == []
    assert verdicts(OUTLIER) == [("fit", "high")]
    assert verdicts(DRIFT) == [("fit", "drift up")]
    assert verdicts(SHRINKING) == [("table", "drift down")]


def test_html_uses_the_same_words() -> None:
    assert DRIFT.unusual is not None
    (row,) = unusual_rows(DRIFT.unusual)
    assert row.verdict == "drifting up for 5 runs: 1.6 s → 2.5 s"
    view = build_view(DRIFT, DiagramResult(None, "n"), title=None, version="x")
    (fit,) = [r for r in view.node_rows if r.name == "fit"]
    assert fit.badge == "drifting up for 5 runs: 1.6 s → 2.5 s"
