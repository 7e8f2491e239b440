"""The e-mail body: small, inline-styled, nothing a mail client strips, everything escaped.

Goldens: see tests/helpers/golden.py for how to update them.
"""

from __future__ import annotations

import pytest
from helpers import scenarios
from helpers.golden import check_golden
from helpers.html_tags import tags_of
from helpers.runs import big_failed_run, hostile_run, interrupted_run, pipeline_error_run

from kedro_run_report.report.email import render_email

RUNS = {
    **scenarios.SCENARIOS,
    "interrupted": interrupted_run,
    "hostile": hostile_run,
    "pipeline_error": pipeline_error_run,
}
# what mail clients strip, block or fetch
FORBIDDEN = ("<script", "<svg", "<style", "url(", "http", "<link", "<img", "javascript:")
TAGS = {"html", "head", "meta", "title", "body", "table", "tr", "td", "div", "span", "br"}
GMAIL_CLIP = 100 * 1024


@pytest.mark.parametrize("scenario", sorted(scenarios.SCENARIOS))
def test_golden_email(scenario: str) -> None:
    check_golden(f"email_{scenario}.html", render_email(scenarios.SCENARIOS[scenario]()))


@pytest.mark.parametrize("run", sorted(RUNS))
def test_nothing_a_mail_client_strips(run: str) -> None:
    body = render_email(RUNS[run]())
    lowered = body.lower()
    assert not [bad for bad in FORBIDDEN if bad in lowered]
    assert tags_of(body) <= TAGS
    assert len(body.encode("utf-8")) < GMAIL_CLIP
    assert "is attached as run-report.html." in body


def test_banners() -> None:
    assert "Run execution completed successfully in 1m 11s" in render_email(scenarios.success())
    assert "completed 2024-05-01 12:01:10 UTC" in render_email(scenarios.success())
    failed = render_email(scenarios.node_failure())
    assert "FAILED &ndash; Run execution failed after 8.9 s" in failed
    assert "ended 2024-05-01 12:00:08 UTC" in failed
    assert "Run execution interrupted after" in render_email(interrupted_run())


def test_failures_show_their_first_lines() -> None:
    body = render_email(scenarios.node_failure())
    assert "Node data_science.train_model_node" in body
    assert "ValueError: Input X contains NaN.<br>LinearRegression does not accept" in body
    missing = render_email(scenarios.missing_input())
    assert "Dataset companies" in missing
    assert "(while loading for node data_processing.preprocess_companies_node)" in missing
    assert "Pipeline input(s)" in render_email(pipeline_error_run())


def test_slowest_five_nodes() -> None:
    body = render_email(scenarios.success())
    assert body.count('<td width="70" align="right"') == 5
    assert body.index("data_science.train_model_node") < body.index("reporting.plot_passengers")


def test_hostile_names_are_escaped() -> None:
    body = render_email(hostile_run())
    assert "<script>" not in body and "]]>" not in body
    assert "\x00" not in body and "\x1b" not in body and "\ufffe" not in body
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt; ]]&gt; a|b `x` ``y`` &#34;q&#34; &#39;q&#39;" in body
    )
    assert "&amp;amp; &amp;" in body and "üñï 名前" in body
    assert "Proj &lt;script&gt;" in body


def test_a_huge_run_stays_under_gmails_clip() -> None:
    body = render_email(big_failed_run())
    assert len(body.encode("utf-8")) < GMAIL_CLIP
    assert "&hellip; 9,980 more failures not shown" in body
    assert body.count('<td width="70" align="right"') == 5


def test_attachment_name() -> None:
    body = render_email(scenarios.success(), attachment="report <x>.html")
    assert "is attached as report &lt;x&gt;.html." in body
