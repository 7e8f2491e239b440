"""Running the Graphviz layout program: finding it and the one function that runs it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from kedro_run_report import settings
from kedro_run_report.errors import RunReportError

PIP_LAYOUT_PROGRAM = "graphviz-pure"  # pip install kedro-run-report[layout]


class LayoutError(RunReportError):
    """The Graphviz layout program failed, timed out or could not be started."""


def find_layout_program() -> str | None:
    """The layout program: ``$KEDRO_RUN_REPORT_DOT``, else ``dot`` on PATH, else graphviz-pure."""
    configured = settings.DOT.get()
    if configured:
        return shutil.which(configured) or (configured if os.path.isfile(configured) else None)
    return shutil.which("dot") or _pip_layout_program()


def _pip_layout_program() -> str | None:
    """``graphviz-pure`` (the ``layout`` extra): a dot-compatible program installed by pip.

    Looked up beside this interpreter first, so it is found in a virtual environment that
    is not activated, then on PATH.
    """
    beside = Path(sys.executable).parent / PIP_LAYOUT_PROGRAM
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which(PIP_LAYOUT_PROGRAM)


def layout_svg(dot_source: str, program: str, timeout: float | None = None) -> str:
    """Run the layout program on DOT source and return its SVG (the only place it runs).

    ``timeout``: seconds it may take, at most ``KEDRO_RUN_REPORT_DOT_TIMEOUT``'s."""
    limit = settings.layout_timeout()
    timeout = limit if timeout is None else min(timeout, limit)
    try:
        done = subprocess.run(
            [program, "-Tsvg"],
            input=dot_source.encode("utf-8"),
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise LayoutError(
            f"Graphviz took longer than {timeout:g} s (see {settings.DOT_TIMEOUT.name})"
        ) from None
    except OSError as exc:
        raise LayoutError(f"Graphviz {program!r} could not be run ({exc})") from None
    if done.returncode != 0 or not done.stdout:
        detail = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise LayoutError(f"Graphviz failed ({detail[-1] if detail else done.returncode})")
    return done.stdout.decode("utf-8", "replace")


_PAGE_PREFIX = re.compile(r'<g id="page[\d,]+_graph')  # dot's id of a graph after the first


def split_svgs(output: str) -> list[str]:
    """The SVG documents the layout program wrote one after another, for a graph each: each
    as the program writes it for that graph alone."""
    parts = output.split("</svg>\n")[:-1]
    return [_PAGE_PREFIX.sub('<g id="graph', part, count=1) + "</svg>\n" for part in parts]
