"""The ``kedro run`` options that Kedro's ``run_params`` do not carry.

``run_params`` hold the pipeline, environment, filters and ``--params``, but not the runner as
the user named it, ``--runner-params``, ``--async`` or ``--conf-source``: a command that
resumes the run needs them. They are read from the running Click command, which has parsed
them already (one lookup, no parsing of our own); a run started from Python has none.
"""

from __future__ import annotations

from typing import Any

from kedro_run_report.redact import PATTERNS, Redactor

# The options of ``kedro run`` recorded here, by their Click parameter names.
RUN_COMMAND = "run"
_MARKER = "from_nodes"  # a parameter only ``kedro run`` has, to tell it from other commands


def command_options(redactor: Redactor = PATTERNS) -> dict[str, Any]:
    """``runner``, ``runner_params``, ``is_async`` and ``conf_source`` as given, when set."""
    try:
        import click

        context = click.get_current_context(silent=True)
    except Exception:
        return {}
    if context is None or context.info_name != RUN_COMMAND or _MARKER not in context.params:
        return {}
    params = context.params
    options: dict[str, Any] = {}
    if params.get("runner"):
        options["runner"] = str(params["runner"])
    runner_params = params.get("runner_params")
    if isinstance(runner_params, dict) and runner_params:
        options["runner_params"] = redactor.value(runner_params)
    if params.get("is_async"):
        options["is_async"] = True
    if params.get("conf_source"):
        options["conf_source"] = redactor.text(str(params["conf_source"]))
    return options
