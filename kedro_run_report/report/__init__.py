"""Reporters: each turns a RunStatus into one format. Output plumbing lives here, once."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path

from kedro_run_report.errors import OutputError, RunReportError
from kedro_run_report.run_report import RunReport
from kedro_run_report.store import atomic_write_text

FORMATS = ("html", "json")
DEFAULT_FILENAMES = {"html": "run-report.html", "json": "run-status.json"}


@dataclass
class Rendered:
    """A rendered report and the one-line notices it produced for the terminal."""

    text: str
    notices: list[str] = field(default_factory=list)


def render(report: RunReport, fmt: str, *, show_datasets: bool = True) -> Rendered:
    """Render ``report`` in one of :data:`FORMATS`."""
    if fmt == "json":
        from kedro_run_report.report.json_report import render_json

        return Rendered(render_json(report))
    if fmt == "html":
        from kedro_run_report.report.html import render_html

        html = render_html(report, show_datasets=show_datasets)
        return Rendered(html.html, list(html.notices))
    raise RunReportError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")


def default_output(project_path: Path | None, fmt: str) -> Path:
    """Where a report goes when no ``-o`` is given: ``<project>/.viz/<file>``."""
    base = project_path if project_path is not None else Path.cwd()
    return base / ".viz" / DEFAULT_FILENAMES[fmt]


def write_output(text: str, output: str | Path) -> str:
    """Write ``text`` to a path (atomically) or to stdout for ``-``; return where it went."""
    if str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return "-"
    target = Path(output).expanduser()
    if target.is_dir():
        raise OutputError(f"Cannot write the report to {target}: it is a directory.")
    try:
        atomic_write_text(str(target), text)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise OutputError(f"Cannot write the report to {target}: {reason}.") from None
    return os.path.abspath(target)
