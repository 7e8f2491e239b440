"""The run status as JSON: a superset of Kedro-Viz's ``/api/run-status`` response."""

from __future__ import annotations

import json

from kedro_run_report.model import RunStatus
from kedro_run_report.report.formats import Rendered, RenderOptions
from kedro_run_report.report.run_report import RunReport


def render_json(run: RunStatus | RunReport, *, indent: int | None = 2) -> str:
    """The run-status JSON document, newline-terminated."""
    return json.dumps(RunReport.of(run).to_dict(), indent=indent, ensure_ascii=False) + "\n"


def json_reporter(report: RunReport, options: RenderOptions) -> Rendered:
    """The ``json`` format of the reporter table."""
    return Rendered(render_json(report))
