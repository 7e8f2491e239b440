"""A few lines about the run for the terminal, printed after a report is written."""

from __future__ import annotations

import io
import os
import sys
from collections.abc import Mapping
from typing import TextIO

from rich.console import Console
from rich.text import Text

from kedro_run_report.analysis import Unusual
from kedro_run_report.formatting import format_bytes, format_count, terminal_safe
from kedro_run_report.model import FAILED, INTERRUPTED, NOT_RUN, SUCCESS, RunStatus
from kedro_run_report.report.summary import (
    MARKERS,
    WhatChanged,
    headline,
    problems,
    resume_advice,
    short_runner,
)
from kedro_run_report.report.unusual_words import nothing_unusual, unusual_lines
from kedro_run_report.settings import NO_COLOR
from kedro_run_report.vocabulary import STATUS_WORD

MAX_PROBLEMS = 10
MAX_CHARS = 200
STYLES = {SUCCESS: "bold green", FAILED: "bold red", INTERRUPTED: "bold yellow"}


def _safe(text: str, limit: int = MAX_CHARS) -> str:
    # a name or message must not move the cursor, clear the screen, recolour the terminal
    # or reorder the line (bidi overrides)
    text = terminal_safe(text)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _unusual(unusual: Unusual | None) -> list[Text]:
    """What is unusual against earlier runs, one finding a line; nothing without a history."""
    found = unusual_lines(unusual)
    if not found:
        calm = nothing_unusual(unusual)
        return [Text("  Unusual:  " + calm)] if calm else []
    out = []
    for index, line in enumerate(found[:MAX_PROBLEMS]):
        text = Text("  Unusual:  " if index == 0 else "            ")
        text.append(f"{line.subject} ")
        text.append(_safe(line.name), style="bold")
        text.append(f": {line.measure} {line.now}, ")
        text.append(line.verdict, style="yellow")
        text.append(f" (usual {line.usual})")
        out.append(text)
    if len(found) > MAX_PROBLEMS:
        out.append(Text(f"            ... {len(found) - MAX_PROBLEMS:,} more in the report"))
    return out


def _lines(
    status: RunStatus, unusual: Unusual | None = None, changed: WhatChanged | None = None
) -> list[Text]:
    p = status.pipeline
    word = p.status if p.status in MARKERS else INTERRUPTED
    s = status.summary()
    nodes, data = s["nodes"], s["datasets"]
    lines = [Text.assemble((MARKERS[word], STYLES[word]), "  ", headline(status))]
    project = p.project_name or p.package_name or "Kedro run"
    facts = [project, f"run {p.run_id}" if p.run_id else "", short_runner(p.runner)]
    facts.append(f"pipelines {', '.join(p.pipeline_names)}" if p.pipeline_names else "")
    lines.append(Text("  " + _safe(" | ".join(f for f in facts if f and f != "–"), 400)))
    node_parts = [f"{format_count(nodes[SUCCESS])}/{format_count(len(status.nodes))} succeeded"]
    for key in (FAILED, NOT_RUN, INTERRUPTED):
        if nodes[key]:
            node_parts.append(f"{format_count(nodes[key])} {STATUS_WORD[key]}")
    lines.append(Text("  Nodes:    " + ", ".join(node_parts)))
    lines.append(
        Text(
            f"  Datasets: {format_count(data['loaded'])} loaded, {format_count(data['saved'])} "
            f"saved, {format_count(data['failed'])} failed, read {format_bytes(s['bytes_read'])}"
            f", written {format_bytes(s['bytes_written'])}"
        )
    )
    found = problems(status)
    for pr in found[:MAX_PROBLEMS]:
        word = STATUS_WORD[INTERRUPTED if pr.status == INTERRUPTED else FAILED]
        line = Text("  ")
        line.append(f"{word} {pr.kind} ", style=STYLES[pr.status])
        line.append(_safe(pr.name), style="bold")
        if pr.status != INTERRUPTED:
            line.append(": " + _safe(pr.summary))
        lines.append(line)
    if len(found) > MAX_PROBLEMS:
        lines.append(Text(f"  ... {len(found) - MAX_PROBLEMS:,} more failures in the report"))
    lines.extend(_unusual(unusual))
    advice = resume_advice(status)
    if advice is not None:
        # never shortened: a cut command would run something else
        lines.append(Text.assemble("  Resume:   ", (terminal_safe(advice.command), "bold")))
        lines.append(Text("            " + advice.sentence))
        lines.extend(Text("            " + _safe(note)) for note in advice.notes)
    if changed is not None:
        lines.append(Text("  " + _safe(changed.heading) + ":"))
        lines.extend(Text("    " + _safe(line, 400)) for line in changed.lines)
    return lines


def render_terminal(
    status: RunStatus,
    *,
    color: bool,
    unusual: Unusual | None = None,
    changed: WhatChanged | None = None,
) -> str:
    """The summary as text, with ANSI colours when ``color`` is true; with ``unusual``, what
    stood out against the earlier runs; with ``changed``, what changed since the previous
    run."""
    buffer = io.StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        no_color=not color,  # explicit, so a NO_COLOR in the environment cannot override
        color_system="standard" if color else None,
        width=120,
        soft_wrap=True,  # long names wrap in the terminal, not in the middle of our text
        highlight=False,  # no guessing at numbers and paths to colour
        emoji=False,
        markup=False,
    )
    for line in _lines(status, unusual, changed):
        console.print(line)
    return buffer.getvalue()


def use_color(stream: TextIO, environ: Mapping[str, str] | None = None) -> bool:
    """Colour only on a terminal, and not when NO_COLOR is set or TERM is ``dumb``."""
    env = os.environ if environ is None else environ
    if NO_COLOR.name in env or env.get("TERM") == "dumb":
        return False
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):  # closed or not a real stream
        return False


def print_summary(
    status: RunStatus,
    *,
    file: TextIO | None = None,
    unusual: Unusual | None = None,
    changed: WhatChanged | None = None,
) -> None:
    """Print the summary to ``file`` (standard error by default, as the CLI's notices go)."""
    stream = file if file is not None else sys.stderr
    text = render_terminal(status, color=use_color(stream), unusual=unusual, changed=changed)
    try:
        stream.write(text)
    except UnicodeEncodeError:  # a legacy console encoding cannot show some name
        encoding = getattr(stream, "encoding", None) or "ascii"
        stream.write(text.encode(encoding, "replace").decode(encoding))
    stream.flush()
