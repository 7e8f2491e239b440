"""The Markdown summary: goldens, escaping as GitHub would render it, and the size budget.

This module also holds the runs that the JUnit, e-mail and terminal tests share: a run with
hostile names and messages, a large failed run, an interrupted run and a run whose error no
node explains, and the golden-file check. The goldens of all three formats are in
``tests/golden/`` (``junit_*.xml``, ``markdown_*.md``, ``email_*.html``); nothing in them is
volatile, so nothing is scrubbed. To update them after an intended change, run

    UPDATE_GOLDEN=1 .venv/bin/pytest tests/test_junit.py tests/test_markdown.py tests/test_email.py

and review the diff of ``tests/golden/`` before committing it.
"""

from __future__ import annotations

import os
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
import scenarios
from builders import EventLog
from markdown_it import MarkdownIt

from kedro_run_report.events import EventKind
from kedro_run_report.ids import node_id
from kedro_run_report.model import NodeRun, RunStatus, aggregate
from kedro_run_report.report.markdown import render_markdown

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("UPDATE_GOLDEN") == "1"
GITHUB_SUMMARY_LIMIT = 1024 * 1024

# Markup, a CDATA end, a table pipe, backticks, quotes, an entity, a newline, non-ASCII and a
# terminal escape; the message adds characters that XML 1.0 cannot carry at all.
HOSTILE = "<script>alert(1)</script> ]]> a|b `x` ``y`` \"q\" 'q' &amp; & \\| nl\nüñï 名前 \x1b[31m"
HOSTILE_MESSAGE = HOSTILE + " \x00\x01\x08\x0b\ufffe end"


def check_golden(name: str, text: str) -> None:
    """Compare with ``tests/golden/<name>``; write it with UPDATE_GOLDEN=1 (see above)."""
    path = GOLDEN / name
    if UPDATE or not path.exists():
        if not UPDATE and os.environ.get("CI") == "true":
            pytest.fail(f"{path} is missing; create it with UPDATE_GOLDEN=1")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8", newline="")
        return
    with path.open(encoding="utf-8", newline="") as file:  # keep "\r" as it was written
        expected = file.read()
    assert text == expected, f"{name} differs from its golden; see tests/test_markdown.py"


def hostile_run() -> RunStatus:
    """A failed run: hostile node, dataset and namespace names, messages and tracebacks."""
    first, failing, loader = f"ok {HOSTILE}", f"ns{HOSTILE}.fail {HOSTILE}", f"load {HOSTILE}"
    log = EventLog().start(
        [
            (first, [f"raw {HOSTILE}"], [f"mid {HOSTILE}"]),
            (failing, [f"mid {HOSTILE}", "params:k"], ["out"]),
            (loader, [f"in|put {HOSTILE}"], ["other"]),
            ("after", ["out", "other"], ["final"]),
        ],
        project_name=f"Proj {HOSTILE}",
        filters={"tags": [HOSTILE, "b"], "from_nodes": [first]},
    )
    log.load(f"raw {HOSTILE}", first, size=1234).node(first).save(f"mid {HOSTILE}", first)
    log.load(f"mid {HOSTILE}", failing)
    ident = node_id(failing)
    log.add(EventKind.NODE_START, node=failing, id=ident, pid=log.pid, thread="MainThread")
    traceback = f"Traceback (most recent call last):\n  ```` {HOSTILE_MESSAGE}\nValueError: x\n"
    error = {"type": "ValueError", "message": HOSTILE_MESSAGE, "traceback": traceback}
    log.tick(1).add(EventKind.NODE_ERROR, node=failing, id=ident, error=error)
    # a load still open when the run fails is a failed dataset (as with ParallelRunner)
    log.add(EventKind.LOAD_START, dataset=f"in|put {HOSTILE}", node=loader)
    return aggregate(log.tick(0.1).add(EventKind.RUN_ERROR, error=error).events)


def big_failed_run(n_nodes: int = 10_000, traceback_bytes: int = 50_000) -> RunStatus:
    """Every node of a large run fails with a long traceback (one shared string: cheap)."""
    line = '  File "src/project/nodes.py", line 12, in f\n    ``` return x | y <b> &\n'
    traceback = "Traceback (most recent call last):\n" + line * (traceback_bytes // len(line))
    traceback += "x" * 5_000 + "\nValueError: no\n"  # and one very long line
    names = [f"stage_{i % 7}.node_{i:05d}" for i in range(n_nodes)]
    log = EventLog().start([(name, [f"in_{i}"], [f"out_{i}"]) for i, name in enumerate(names)])
    error = {"type": "ValueError", "message": "no\nsecond line", "traceback": traceback}
    for i, name in enumerate(names):
        ident = node_id(name)
        log.add(EventKind.NODE_START, node=name, id=ident, pid=log.pid, thread="MainThread")
        log.tick(0.001 * (i % 97)).add(EventKind.NODE_ERROR, node=name, id=ident, error=error)
    return aggregate(log.error("no\nsecond line").events)  # the last node's error


def interrupted_run() -> RunStatus:
    """a succeeds, b is running with an open load when the run stops, c never starts."""
    log = EventLog().start([("a", ["raw"], ["mid"]), ("b", ["mid"], ["out"]), ("c", ["out"], [])])
    log.load("raw", "a").node("a", 2).save("mid", "a")
    log.add(EventKind.LOAD_START, dataset="mid", node="b").tick(0.5)
    log.add(EventKind.NODE_START, node="b", id=node_id("b"), pid=log.pid, thread="MainThread")
    return aggregate(log.tick(3).events)


def pipeline_error_run() -> RunStatus:
    """The run fails before any node starts, with an error no node or dataset explains."""
    log = EventLog().start([("a", ["raw"], ["mid"])])
    message = "Pipeline input(s) {'raw'} not found in the DataCatalog"
    return aggregate(log.tick(0.2).error(message, kind="ValueError").events)


# -- the tests of this module ---------------------------------------------------------------

MD = MarkdownIt("commonmark").enable("table")  # GitHub's dialect, as far as we use it


def rows_of(html: str) -> list[int]:
    """Cell counts of every table row in rendered HTML."""
    return [len(re.findall(r"<t[hd][ >]", row)) for row in re.findall(r"<tr>.*?</tr>", html, re.S)]


class Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)


def tags_of(html: str) -> set[str]:
    parser = Tags()
    parser.feed(html)
    return parser.tags


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
    assert len(blocks) == 2  # the node's and the dataset's; each stayed one block
    assert all("````" in block and "ValueError: x" in block for block in blocks)


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
