"""The run status as JSON: a superset of Kedro-Viz's ``/api/run-status`` response."""

from __future__ import annotations

import json
import re

from kedro_run_report.model import RunStatus
from kedro_run_report.report.formats import Rendered, RenderOptions
from kedro_run_report.report.run_report import RunReport

# json.dumps escapes the C0 controls but leaves DEL and the C1 controls raw: valid JSON, yet
# U+009B is CSI to a UTF-8 terminal that shows the file. They only occur inside strings.
_RAW_CONTROLS = re.compile("[\x7f-\x9f]")


def escape_controls(text: str) -> str:
    """JSON text with DEL and the C1 controls written as ``\\u`` escapes (the same data)."""
    return _RAW_CONTROLS.sub(lambda match: f"\\u{ord(match.group()):04x}", text)


def render_json(run: RunStatus | RunReport, *, indent: int | None = 2) -> str:
    """The run-status JSON document, newline-terminated."""
    text = json.dumps(RunReport.of(run).to_dict(), indent=indent, ensure_ascii=False)
    return escape_controls(text) + "\n"


def json_reporter(report: RunReport, options: RenderOptions) -> Rendered:
    """The ``json`` format of the reporter table."""
    return Rendered(render_json(report))
