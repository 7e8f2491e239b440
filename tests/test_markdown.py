"""The Markdown summary: goldens, escaping as GitHub would render it, and the size budget.

The runs it shares with the JUnit, e-mail and terminal tests are in ``helpers/runs.py``. The
goldens (``tests/golden/markdown_*.md``) hold nothing volatile, so nothing is scrubbed; see
``helpers/golden.py`` for how to update them.
"""

from __future__ import annotations

import re

import pytest
from helpers import scenarios
from helpers.golden import check_golden
from helpers.html_tags import tags_of
from helpers.runs import HOSTILE, big_failed_run, hostile_run, interrupted_run, pipeline_error_run
from markdown_it import MarkdownIt

from kedro_run_report.model import NodeRun
from kedro_run_report.report.markdown import render_markdown

GITHUB_SUMMARY_LIMIT = 1024 * 1024
MD = MarkdownIt("commonmark").enable("table")  # GitHub's dialect, as far as we use it


def rows_of(html: str) -> list[int]:
    """Cell counts of every table row in rendered HTML."""
    return [len(re.findall(r"<t[hd][ >]", row)) for row in re.findall(r"<tr>.*?</tr>", html, re.S)]


@pytest.mark.parametrize("scenario", sorted(scenarios.SCENARIOS))
def test_golden_markdown(scenario: str) -> None:
    check_golden(f"markdown_{scenario}.md", render_markdown(scenarios.SCENARIOS[scenario]()))


def test_status_line_uses_text_markers() -> None:
    assert "**SUCCESS** — Run execution completed successfully in 1m 11s" in render_markdown(
        scenarios.success()
    )
    failed = render_markdown(scenarios.node_failure())
    assert "**FAILED** — Run execution failed after 8.9 s" in failed
    assert "| node | `data_science.train_model_node` | failed | ValueError: Input X" in failed
    assert "**INTERRUPTED** — Run execution interrupted after" in render_markdown(interrupted_run())


def test_missing_input_names_the_dataset_and_its_node() -> None:
    text = render_markdown(scenarios.missing_input())
    assert "| dataset | `companies` | failed | DatasetError: Failed while loading" in text
    assert "while loading for node data\\_processing.preprocess\\_companies\\_node" in text


def test_an_error_no_node_explains_is_reported_for_the_pipeline() -> None:
    text = render_markdown(pipeline_error_run())
    assert "| pipeline | `pipeline` | failed | ValueError: Pipeline input(s)" in text


def test_filters_are_listed() -> None:
    text = render_markdown(hostile_run())
    assert "- **Filter tags:** " in text and "- **Filter from nodes:** " in text


def test_a_partial_run_says_how_many_nodes_were_not_selected() -> None:
    status = scenarios.success()
    status.unselected = {"x": NodeRun(id="x", name="outside", status="not_selected")}
    text = render_markdown(status)
    assert "- **Not selected:** `1 node`" in text and "outside" not in text


def test_hostile_names_render_as_text_in_intact_tables() -> None:
    text = render_markdown(hostile_run())
    html = MD.render(text)
    # only the markup we write ourselves; nothing from a name or message became a tag
    assert tags_of(html) <= {
        "h2", "h3", "p", "strong", "em", "code", "ul", "li", "table", "thead", "tbody",
        "tr", "th", "td", "details", "summary", "pre",
    }  # fmt: skip
    assert "<script>" not in html and "\x1b" not in text and "\x00" not in text
    widths = rows_of(html)
    assert widths and all(w in (4, 5) for w in widths), widths  # no cell was split or merged
    # the names come through as literal text: one line, pipes and backticks kept
    shown = " ".join(HOSTILE.replace("\x1b", " ").split())
    escaped = shown.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = escaped.replace('"', "&quot;")  # as markdown-it writes text
    assert f"<code>ok {escaped}</code>" in html


def test_a_fence_is_longer_than_any_backtick_run_in_the_traceback() -> None:
    text = render_markdown(hostile_run())
    assert "`````text\n" in text  # the traceback holds a run of four
    html = MD.render(text)
    blocks = re.findall(r"<pre><code[^>]*>(.*?)</code></pre>", html, re.S)
    resume_block, *errors = blocks  # the resume command comes first, in a block of its own
    assert resume_block.startswith("kedro run --tags ") and "ValueError" not in resume_block
    assert len(errors) == 2  # the node's and the dataset's; each stayed one block
    assert all("````" in block and "ValueError: x" in block for block in errors)


def test_a_huge_run_stays_under_the_budget() -> None:
    status = big_failed_run()
    text = render_markdown(status)
    size = len(text.encode("utf-8"))
    assert size <= 900_000 < GITHUB_SUMMARY_LIMIT
    assert "_… 9,900 more failures not shown_" in text
    assert "_… 9,990 more nodes not shown_" in text
    assert re.search(r"_… 9,9\d\d more error excerpts not shown_", text)
    assert text.count("<details") == 20
    assert all(w in (4, 5) for w in rows_of(MD.render(text)))


@pytest.mark.parametrize("limit", [5_000, 20_000, 100_000])
def test_smaller_budgets_hold(limit: int) -> None:
    text = render_markdown(big_failed_run(300, 5_000), max_bytes=limit)
    assert len(text.encode("utf-8")) <= limit
    assert "more failures not shown" in text or "more error excerpts not shown" in text
