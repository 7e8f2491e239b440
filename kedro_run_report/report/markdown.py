"""A GitHub-flavoured Markdown summary of a run, sized for ``$GITHUB_STEP_SUMMARY``.

GitHub drops a job summary above 1 MiB, so the output is built against a byte budget:
tables and error excerpts are cut, with a note, before the limit is reached. Names go into
code spans (literal text) and messages are escaped, because GitHub renders inline HTML.
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING

from kedro_run_report.analysis import Unusual, memory_use
from kedro_run_report.formatting import (
    format_bytes,
    format_count,
    format_duration,
    shorten,
)
from kedro_run_report.model import (
    FAILED,
    INTERRUPTED,
    NOT_RUN,
    SUCCESS,
    RunStatus,
)
from kedro_run_report.report.formats import Rendered
from kedro_run_report.report.summary import (
    MARKERS,
    WhatChanged,
    headline,
    memory_raise,
    problems,
    resume_advice,
    run_facts,
    slowest_nodes,
    what_changed,
)
from kedro_run_report.report.unusual_words import (
    HEADING,
    nothing_unusual,
    unusual_lines,
    unusual_note,
)
from kedro_run_report.vocabulary import STATUS_WORD

if TYPE_CHECKING:
    from kedro_run_report.report.formats import RenderOptions
    from kedro_run_report.report.run_report import RunReport

MAX_PROBLEM_ROWS = 100
MAX_SLOWEST = 10
MAX_UNUSUAL = 50
MAX_EXCERPTS = 20
EXCERPT_LINES = 30
MAX_LINE = 500  # characters of one traceback line; a repr can fill a line with megabytes
MAX_FACT = 300
NOTE_RESERVE = 1_000  # bytes kept free so the truncation notes always fit
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_MD_PUNCTUATION = re.compile(r"([\\`*_\[\]|~])")


def _text(value: str, limit: int = MAX_FACT) -> str:
    """One line of literal text in Markdown: no HTML, no emphasis, no table breaks."""
    value = _oneline(value, limit)
    return _MD_PUNCTUATION.sub(r"\\\1", html.escape(value, quote=False))


def _oneline(value: str, limit: int = MAX_FACT) -> str:
    return shorten(" ".join(_CONTROL.sub(" ", value).split()), limit)


def _code(value: str, *, cell: bool = False, limit: int = MAX_FACT) -> str:
    """A code span: its content is shown literally, so no HTML or Markdown in it works."""
    value = _oneline(value, limit)
    if cell:  # GitHub splits table cells at "|" even inside code spans, unless escaped
        value = value.replace("|", "\\|")
    if not value:
        return ""
    ticks = "`" * (max((len(run) for run in re.findall("`+", value)), default=0) + 1)
    pad = " " if value.startswith("`") or value.endswith("`") else ""
    return f"{ticks}{pad}{value}{pad}{ticks}"


def _fence(body: str, language: str = "text") -> str:
    """A fenced block that no backtick run inside ``body`` can close early."""
    longest = max((len(run) for run in re.findall("`+", body)), default=0)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{language}\n{body}\n{ticks}\n"


def _excerpt(traceback: str) -> str:
    lines = _CONTROL.sub("?", traceback.replace("\r\n", "\n")).rstrip("\n").split("\n")
    shown = [shorten(line, MAX_LINE) for line in lines[-EXCERPT_LINES:]]
    if len(lines) > EXCERPT_LINES:
        shown.insert(0, f"… {len(lines) - EXCERPT_LINES:,} earlier lines not shown")
    return "\n".join(shown)


class _Budget:
    """Collects parts while their UTF-8 size stays under a limit."""

    def __init__(self, limit: int) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.limit = limit

    def fits(self, text: str) -> bool:
        return self.size + len(text.encode("utf-8")) + NOTE_RESERVE <= self.limit

    def add(self, text: str) -> None:
        self.parts.append(text)
        self.size += len(text.encode("utf-8"))


def _table(out: _Budget, header: list[str], rows: list[str], total: int, noun: str) -> None:
    """A table cut at the budget, followed by a note of what was left out."""
    out.add("| " + " | ".join(header) + " |\n" + "|---" * len(header) + "|\n")
    shown = 0
    for row in rows:
        if not out.fits(row):
            break
        out.add(row)
        shown += 1
    out.add("\n")  # a blank line ends the table, so a note below it is not read as a row
    if total > shown:
        out.add(f"_… {total - shown:,} more {noun} not shown_\n\n")


def _unusual(out: _Budget, unusual: Unusual | None) -> None:
    """What stood out against the earlier runs: a table, or one line saying nothing did."""
    if unusual is None:
        return
    lines = unusual_lines(unusual)
    out.add(f"### {HEADING}\n\n")
    if lines:
        rows = [
            f"| {line.subject} | {_code(line.name, cell=True)} | {line.measure} | {line.now} | "
            f"{line.usual} | {_text(line.verdict)} |\n"
            for line in lines[:MAX_UNUSUAL]
        ]
        header = ["Kind", "Name", "Measure", "Now", "Usual range", "Verdict"]
        _table(out, header, rows, len(lines), "findings")
    elif nothing_unusual(unusual):
        out.add(f"{_text(nothing_unusual(unusual))}\n\n")
    out.add(f"_{_text(unusual_note(unusual), 1_000)}_\n\n")


def render_markdown(
    status: RunStatus,
    *,
    max_bytes: int = 900_000,
    unusual: Unusual | None = None,
    changed: WhatChanged | None = None,
) -> str:
    """The run as GitHub-flavoured Markdown of at most ``max_bytes`` UTF-8 bytes; with
    ``unusual``, what stood out against the earlier runs; with ``changed``, what changed
    since the previous run."""
    p = status.pipeline
    word = p.status if p.status in MARKERS else INTERRUPTED
    found = problems(status)
    out = _Budget(max_bytes)
    out.add(f"## Kedro run: {_text(p.project_name or p.package_name or 'unnamed project')}\n\n")
    out.add(f"**{MARKERS[word]}** — {_text(headline(status))}\n\n")
    if found and word == FAILED:
        first = found[0]
        out.add(f"Failed {first.kind} {_code(first.name)}: {_text(first.summary)}\n\n")
    out.add("".join(f"- **{label}:** {_code(value)}\n" for label, value in run_facts(status)))
    out.add("\n")

    s = status.summary()
    nodes, data = s["nodes"], s["datasets"]
    out.add("| Nodes succeeded | Failed | Not run | Interrupted |\n|---:|---:|---:|---:|\n")
    counts = [nodes[SUCCESS], nodes[FAILED], nodes[NOT_RUN], nodes[INTERRUPTED]]
    out.add(f"| {format_count(nodes[SUCCESS])} / {format_count(sum(nodes.values()))} | ")
    out.add(" | ".join(format_count(c) for c in counts[1:]) + " |\n\n")
    out.add("| Datasets loaded | Saved | Failed | Read | Written |\n|---:|---:|---:|---:|---:|\n")
    out.add(f"| {format_count(data['loaded'])} | {format_count(data['saved'])} | ")
    out.add(f"{format_count(data['failed'])} | {format_bytes(s['bytes_read'])} | ")
    out.add(f"{format_bytes(s['bytes_written'])} |\n\n")
    for warning in status.warnings[:5]:
        out.add(f"> Recorder warning: {_text(warning)}\n\n")
    advice = resume_advice(status)
    if advice is not None:
        # whole or not at all: a cut command would run something else
        block = f"### Resume\n\n{_text(advice.sentence)}\n\n"
        block += _fence(_CONTROL.sub("?", advice.command), "sh") + "\n"
        block += "".join(f"> {_text(note)}\n\n" for note in advice.notes)
        if out.fits(block):
            out.add(block)
    _unusual(out, unusual)

    if changed is not None:
        block = f"### {_text(changed.heading)}\n\n"
        block += "".join(f"- {_text(line, 2 * MAX_FACT)}\n" for line in changed.lines) + "\n"
        if out.fits(block):
            out.add(block)

    if found:
        out.add("### Failures\n\n")
        rows = [
            f"| {pr.kind} | {_code(pr.name, cell=True)} | "
            f"{STATUS_WORD.get(pr.status, pr.status)} | {_text(pr.summary)}"
            f"{' (' + _text(pr.context) + ')' if pr.context else ''} |\n"
            for pr in found[:MAX_PROBLEM_ROWS]
        ]
        _table(out, ["Kind", "Name", "Status", "Error"], rows, len(found), "failures")

    slowest = slowest_nodes(status, MAX_SLOWEST)
    if slowest:
        out.add("### Slowest nodes\n\n")
        memory = memory_use(status)
        rows = [
            f"| {_code(n.name, cell=True)} | {STATUS_WORD.get(n.status, n.status)} | "
            f"{format_duration(n.total_duration)} | {format_duration(n.compute_duration)} |"
            + (f" {memory_raise(memory.nodes.get(n.id))} |" if memory.nodes else "")
            + "\n"
            for n in slowest
        ]
        header = ["Node", "Status", "Total", "Compute"] + (["Peak memory"] if memory.nodes else [])
        _table(out, header, rows, len(slowest), "nodes")
        ran = sum(1 for n in status.nodes.values() if n.start is not None)
        if ran > len(slowest):
            out.add(f"_… {ran - len(slowest):,} more nodes not shown_\n\n")

    excerpts = [pr for pr in found if pr.traceback or pr.message]
    if excerpts:
        out.add("### Errors\n\n")
    shown = 0
    for index, pr in enumerate(excerpts[:MAX_EXCERPTS]):
        # raw HTML in an HTML block: escaped, and on one line so no blank line can end it
        summary = html.escape(f"{pr.kind.capitalize()} {_oneline(pr.name)}: {_oneline(pr.summary)}")
        block = (
            f"<details{' open' if index == 0 else ''}><summary>{summary}</summary>\n\n"
            f"{_fence(_excerpt(pr.traceback or pr.message))}\n</details>\n\n"
        )
        if not out.fits(block):
            break
        out.add(block)
        shown += 1
    if len(excerpts) > shown:
        out.add(f"_… {len(excerpts) - shown:,} more error excerpts not shown_\n\n")

    text = "".join(out.parts).rstrip("\n") + "\n"
    return _hard_limit(text, max_bytes)


def _hard_limit(text: str, max_bytes: int) -> str:
    """Last resort for a tiny ``max_bytes``: cut at a character boundary, with a note."""
    data = text.encode("utf-8")
    if len(data) <= max_bytes:
        return text
    note = "\n\n_… summary truncated_\n"
    keep = max(0, max_bytes - len(note.encode("utf-8")))
    return data[:keep].decode("utf-8", errors="ignore") + note


def markdown_reporter(report: RunReport, options: RenderOptions) -> Rendered:
    """The ``markdown`` format of the reporter table."""
    return Rendered(
        render_markdown(
            report.status, unusual=report.unusual, changed=what_changed(report.comparison)
        )
    )
