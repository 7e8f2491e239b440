"""Reporters: each turns a RunReport into one format. Output plumbing lives here, once."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kedro_run_report.errors import OutputError, RunReportError
from kedro_run_report.store.files import atomic_write_text

if TYPE_CHECKING:
    from kedro_run_report.report.run_report import RunReport

DEFAULT_FILENAMES = {
    "html": "run-report.html",
    "json": "run-status.json",
    "junit": "run-report.junit.xml",
    "markdown": "run-report.md",
    "email": "run-report.email.html",
}
FORMATS = tuple(DEFAULT_FILENAMES)


@dataclass
class Rendered:
    """A rendered report and the one-line notices it produced for the terminal."""

    text: str
    notices: list[str] = field(default_factory=list)


def render(
    report: RunReport,
    fmt: str,
    *,
    show_datasets: bool = True,
    layout_cache: Path | str | None = None,
) -> Rendered:
    """Render ``report`` in one of :data:`FORMATS` (``layout_cache``: see render_html)."""
    status = report.status
    if fmt == "json":
        from kedro_run_report.report.json_report import render_json

        return Rendered(render_json(report))
    if fmt == "html":
        from kedro_run_report.report.html import render_html

        html = render_html(report, show_datasets=show_datasets, layout_cache=layout_cache)
        return Rendered(html.html, list(html.notices))
    if fmt == "junit":
        from kedro_run_report.report.junit import render_junit

        return Rendered(render_junit(status))
    if fmt == "markdown":
        from kedro_run_report.report.markdown import render_markdown

        return Rendered(render_markdown(status))
    if fmt == "email":
        from kedro_run_report.report.email import render_email

        return Rendered(render_email(status, attachment=DEFAULT_FILENAMES["html"]))
    raise RunReportError(f"Unknown format {fmt!r}; choose one of {', '.join(FORMATS)}.")


def default_output(project_path: Path | None, fmt: str) -> Path:
    """Where a report goes when no ``-o`` is given: ``<project>/.viz/<file>``."""
    base = project_path if project_path is not None else Path.cwd()
    return base / ".viz" / DEFAULT_FILENAMES[fmt]


def plan_outputs(
    formats: Sequence[str], outputs: Sequence[str], project_path: Path | None
) -> list[tuple[str, str]]:
    """Pair each format with its output: the defaults, one directory, or one ``-o`` each."""
    formats = list(dict.fromkeys(formats)) or ["html"]
    if not outputs:
        return [(fmt, str(default_output(project_path, fmt))) for fmt in formats]
    if len(outputs) == 1 and _is_directory(outputs[0]):
        return [(fmt, str(Path(outputs[0]) / DEFAULT_FILENAMES[fmt])) for fmt in formats]
    if len(outputs) != len(formats):
        raise OutputError(
            f"{len(formats)} format(s) but {len(outputs)} output(s): give one -o per --format, "
            "in the same order, or a single -o with a directory."
        )
    if list(outputs).count("-") > 1:
        raise OutputError("Only one report can go to standard output ('-o -').")
    return list(zip(formats, outputs, strict=True))


def _is_directory(output: str) -> bool:
    return output != "-" and (output.endswith(("/", os.sep)) or Path(output).is_dir())


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


def append_output(text: str, output: str | Path) -> str:
    """Append ``text`` to a file (a GitHub job summary collects several steps)."""
    target = Path(output).expanduser()
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise OutputError(f"Cannot append the summary to {target}: {reason}.") from None
    return os.path.abspath(target)
