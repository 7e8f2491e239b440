"""The words every report uses to sum a run up: headline, problems, facts, slowest nodes.

Shared by the HTML, Markdown, e-mail, terminal and JUnit reports, so they all say the same.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from kedro_run_report.analysis.compare import Comparison
from kedro_run_report.analysis.memory import NodeMemory
from kedro_run_report.analysis.resume import Resume, resume
from kedro_run_report.formatting import (
    format_bytes,
    format_count,
    format_duration,
    format_timestamp,
    shorten,
)
from kedro_run_report.model import FAILED, INTERRUPTED, SUCCESS, ErrorInfo, NodeRun, RunStatus

HEADLINES = {
    SUCCESS: "Run execution completed successfully",
    FAILED: "Run execution failed",
    INTERRUPTED: "Run execution interrupted",
}

MARKERS = {SUCCESS: "SUCCESS", FAILED: "FAILED", INTERRUPTED: "INTERRUPTED"}
MAX_FACT = 300


def short_runner(runner: str | None) -> str:
    """``"<kedro.runner.sequential_runner.SequentialRunner object at 0x..>"`` -> class name."""
    if not runner or runner == "None":
        return "–"
    match = re.search(r"([A-Za-z_][\w]*)(?: object at [^>]*)?>?\s*$", runner.strip())
    return match.group(1) if match else runner


def first_line(text: str, limit: int = 200) -> str:
    """The first non-empty line of a message, shortened for a summary."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return shorten(line, limit)


@dataclass(frozen=True)
class Problem:
    """Something that went wrong: a failed or interrupted node, a failed dataset, the run."""

    kind: str  # "node", "dataset" or "pipeline"
    name: str
    status: str
    summary: str  # one line: "ValueError: Input X contains NaN."
    message: str
    traceback: str
    error_type: str | None = None
    context: str = ""  # "while loading for node x"


def headline(status: RunStatus) -> str:
    """``"Run execution failed after 3.2 s"`` and the like."""
    p = status.pipeline
    word = p.status if p.status in HEADLINES else INTERRUPTED
    text = HEADLINES[word]
    if word == SUCCESS:
        return f"{text} in {format_duration(p.duration)}"
    return f"{text} after {format_duration(p.duration)}" if p.start is not None else text


def error_summary(message: str, error_type: str | None) -> str:
    """The first line of a message, prefixed with the exception type unless it already is."""
    line = first_line(message)
    return f"{error_type}: {line}" if error_type and not line.startswith(error_type) else line


def _problem(kind: str, name: str, error: ErrorInfo | None, context: str = "") -> Problem:
    message = error.message if error else "failed"
    error_type = error.type if error else None
    summary = error_summary(message, error_type)
    traceback = error.traceback if error else ""
    return Problem(kind, name, FAILED, summary, message, traceback, error_type, context)


def problems(status: RunStatus) -> list[Problem]:
    """Failed and interrupted nodes, failed datasets, then a run error nobody else explains."""
    found: list[Problem] = []
    for node in status.nodes.values():
        if node.status == FAILED:
            found.append(_problem("node", node.name, node.error))
        elif node.status == INTERRUPTED:
            found.append(Problem("node", node.name, INTERRUPTED, "interrupted", "interrupted", ""))
    for ds in status.datasets.values():
        if ds.status == FAILED:
            err, context = ds.error, ""
            if err and err.operation:
                context = f"while {err.operation}" + (f" for node {err.node}" if err.node else "")
            found.append(_problem("dataset", ds.name, err, context))
    p = status.pipeline
    if p.status == FAILED:
        # the run's error repeats the node's or dataset's that caused it; report it once
        explained = {problem.message for problem in found}
        if p.error is not None and p.error.message not in explained:
            found.append(_problem("pipeline", "pipeline", p.error))
        elif p.error is None and not found:
            found.append(_problem("pipeline", "pipeline", ErrorInfo("Run execution failed")))
    return found


def slowest_nodes(status: RunStatus, count: int) -> list[NodeRun]:
    """The ``count`` nodes that took longest, longest first (ties by name, for stable output)."""
    ran = [n for n in status.nodes.values() if n.start is not None]
    return sorted(ran, key=lambda n: (-n.total_duration, n.name))[:count]


SHARED_MEMORY = (
    "Other nodes ran in this process at the same time (threads): the raise cannot be "
    "attributed to one of them."
)


def memory_raise(found: NodeMemory | None) -> str:
    """How much a node raised its process's peak memory: ``"+96 MB"``, ``"+0 B"``, ``"–"``;
    ``"+96 MB (shared)"`` when threads shared the process, so the raise may not be the node's."""
    if found is None:
        return "–"
    text = "+" + format_bytes(found.raised)
    return f"{text} (shared)" if found.shared else text


def filter_value(value: Any) -> str:
    """A partial-run filter as text: lists joined, mappings as ``k=v``."""
    if isinstance(value, dict):
        return ", ".join(f"{k}={v}" for k, v in value.items())
    if isinstance(value, (list, tuple, set)):
        return ", ".join(str(v) for v in value)
    return "yes" if value is True else str(value)


def run_facts(status: RunStatus) -> list[tuple[str, str]]:
    """Label and value of what identifies the run, including partial-run filters."""
    p = status.pipeline
    facts = [
        ("Project", p.project_name or p.package_name or "–"),
        ("Run id", p.run_id or "–"),
        ("Pipelines", ", ".join(p.pipeline_names) or "–"),
        ("Runner", short_runner(p.runner)),
        ("Environment", p.env or "–"),
        ("Kedro", p.kedro_version or "–"),
        ("Started", format_timestamp(p.start)),
        ("Ended", format_timestamp(p.end if p.end is not None else p.last_event)),
    ]
    facts += [(f"Filter {key.replace('_', ' ')}", filter_value(v)) for key, v in p.filters.items()]
    if status.unselected:  # a partial run: the registered pipeline had more nodes
        count = len(status.unselected)
        facts.append(("Not selected", f"{format_count(count)} node{'' if count == 1 else 's'}"))
    return [(label, shorten(value, MAX_FACT)) for label, value in facts]


@dataclass(frozen=True)
class ResumeAdvice:
    """The resume command and the sentence every format prints with it."""

    command: str
    sentence: str
    notes: list[str]


def resume_advice(status: RunStatus) -> ResumeAdvice | None:
    """How to resume a failed or interrupted run, or ``None`` when nothing is left to run."""
    return advice_of(status, resume(status))


def advice_of(status: RunStatus, found: Resume | None) -> ResumeAdvice | None:
    """:func:`resume_advice` from the run's resume command, already found."""
    if found is None:
        return None
    return ResumeAdvice(found.command, resume_sentence(status, found), list(found.notes))


def resume_sentence(status: RunStatus, found: Resume) -> str:
    """``"2 of 5 nodes did not finish; this command runs them."`` and the like."""
    total = len(status.nodes)
    unfinished = len(found.unfinished)
    if not found.from_nodes:
        return f"No node finished: this command runs all {format_count(total)} again."
    text = (
        f"{format_count(unfinished)} of {format_count(total)} node{'' if total == 1 else 's'} "
        f"did not finish; this command runs {'it' if unfinished == 1 else 'them'}"
    )
    again = found.rerun_finished
    if again:
        text += (
            f" and {format_count(again)} finished node{'' if again == 1 else 's'} again, "
            "for in-memory data they need"
        )
    return text + "."


@dataclass(frozen=True)
class WhatChanged:
    """Why this run differs from the previous one: a heading and one line per cause."""

    heading: str
    lines: list[str]


def what_changed(comparison: Comparison | None) -> WhatChanged | None:
    """The causes named by the comparison; ``None`` without a previous run to compare with."""
    if comparison is None or comparison.causes is None:
        return None
    heading = f"What changed since run {comparison.previous_run_id}"
    return WhatChanged(heading, [shorten(line, 2 * MAX_FACT) for line in comparison.causes.lines])
