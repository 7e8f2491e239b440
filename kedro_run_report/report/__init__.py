"""Reporters: each turns a RunReport into one format.

The registry of formats (``REPORTERS``: name -> default file name, media type and render
function, imported lazily) is in :mod:`~kedro_run_report.report.formats`; the output plumbing
(default paths, ``-o`` pairing, atomic writes, stdout) is in
:mod:`~kedro_run_report.report.output`. Both are re-exported here. Kedro imports this package
at every start (also for ``kedro run``), so it imports no format module itself.
"""

from __future__ import annotations

from kedro_run_report.report.formats import (
    DEFAULT_FILENAMES,
    DEFAULT_FORMAT,
    FORMATS,
    REPORTERS,
    Rendered,
    RenderFunction,
    RenderOptions,
    Reporter,
    render,
    reporter,
)
from kedro_run_report.report.output import (
    append_output,
    default_output,
    plan_outputs,
    report_stream,
    stdout_for_reports_only,
    write_output,
)

__all__ = [
    "DEFAULT_FILENAMES",
    "DEFAULT_FORMAT",
    "FORMATS",
    "REPORTERS",
    "RenderFunction",
    "RenderOptions",
    "Rendered",
    "Reporter",
    "append_output",
    "default_output",
    "plan_outputs",
    "render",
    "report_stream",
    "reporter",
    "stdout_for_reports_only",
    "write_output",
]
