"""The run status as JSON: a superset of Kedro-Viz's ``/api/run-status`` response."""

from __future__ import annotations

import json

from kedro_run_report.model import RunStatus


def render_json(status: RunStatus, *, indent: int | None = 2) -> str:
    """The run-status JSON document, newline-terminated."""
    return json.dumps(status.to_dict(), indent=indent, ensure_ascii=False) + "\n"
