"""The latest run's report inline in a notebook: ``latest_report()`` and ``%run_report``.

The report is the very page the HTML reporter writes, shown in an ``<iframe srcdoc>`` that is
sandboxed (scripts only, an opaque origin): the notebook's styles cannot reach the report, the
report's script cannot reach the notebook, and the page's own Content-Security-Policy applies
inside. The frame is plain HTML, so it survives exporting the notebook (nbconvert).

IPython is never imported here: Kedro's IPython extension registers :func:`run_report` as a
line magic through the ``kedro.line_magic`` entry point, and ``latest_report()`` returns an
object IPython displays through ``_repr_html_``.
"""

from __future__ import annotations

import html
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kedro_run_report.errors import RunReportError

#: The frame's height in CSS pixels: about one screen; the report scrolls inside it.
DEFAULT_HEIGHT = 800
#: Scripts run (sorting, filters, the diagram's pan and zoom), in an origin of their own.
SANDBOX = "allow-scripts"


@dataclass(frozen=True, repr=False)
class InlineReport:
    """A rendered run report that notebooks display inline."""

    html: str  # the self-contained page, byte for byte what ``-f html`` writes
    title: str
    height: int = DEFAULT_HEIGHT

    def __repr__(self) -> str:
        # what a terminal (or a notebook's text/plain) shows: never the whole page
        return f"<InlineReport {self.title!r}: {len(self.html.encode('utf-8')):,} bytes of HTML>"

    def _repr_html_(self) -> str:
        """The page in a sandboxed ``srcdoc`` frame, isolated from the notebook."""
        return (
            f'<iframe class="kedro-run-report" title="{html.escape(self.title)}" '
            f'sandbox="{SANDBOX}" srcdoc="{html.escape(self.html, quote=True)}" '
            f'style="width:100%;height:{int(self.height)}px;border:1px solid #d0d7de;'
            'border-radius:6px;resize:vertical;overflow:auto"></iframe>'
        )


def latest_report(
    project_path: str | Path | None = None,
    *,
    run_id: str | None = None,
    events: str | None = None,
    height: int = DEFAULT_HEIGHT,
) -> InlineReport:
    """The report of the latest run (or ``run_id``) of the project, ready to display inline.

    ``project_path`` defaults to the Kedro project around the current directory (a notebook in
    ``notebooks/`` finds its project); ``events`` reads another event log, as ``--events`` does.
    """
    from kedro_run_report.diagram.layout_cache import cache_dir
    from kedro_run_report.report.formats import render
    from kedro_run_report.report.load import load_run_report
    from kedro_run_report.settings import project_credentials
    from kedro_run_report.store.files import use_storage_options

    project = _project_root(project_path)
    use_storage_options(project_credentials(project))  # a remote log's named credentials
    run = load_run_report(project_path=project, events=events, run_id=run_id)
    rendered = render(run, "html", layout_cache=cache_dir(run.log_root))
    for notice in rendered.notices:
        print(notice, file=sys.stderr)
    title = f"Kedro run report: {run.status.pipeline.run_id}"
    return InlineReport(rendered.text, title, height)


def run_report(line: str = "", local_ns: dict[str, Any] | None = None) -> InlineReport | None:
    """``%run_report [RUN_ID]``: the latest (or that) run's report of the loaded project."""
    context = (local_ns or {}).get("context")
    project = getattr(context, "project_path", None)
    try:
        return latest_report(project, run_id=line.strip() or None)
    except RunReportError as exc:  # one line, as the command line gives it; no traceback
        print(f"Error: {exc}", file=sys.stderr)
        return None


def _project_root(project_path: str | Path | None) -> Path | None:
    """The given project, else the Kedro project around the current directory, if any."""
    if project_path:
        return Path(project_path)
    try:
        from kedro.utils import find_kedro_project

        found = find_kedro_project(Path.cwd())
    except Exception:
        return None
    return Path(found) if found else None
