"""Whether Kedro-Viz's own run-status hook records this run (then its events file is its own)."""

from __future__ import annotations

import sys
from typing import Any


def viz_run_hook_registered(hook_manager: Any) -> bool:
    """Whether Kedro-Viz's own run-status hook is active in this session."""
    module = sys.modules.get("kedro_viz.integrations.kedro.run_hooks")
    if module is None or hook_manager is None:
        return False
    viz_hook = getattr(module, "pipeline_run_hook", None)
    return viz_hook is not None and bool(hook_manager.is_registered(viz_hook))


def viz_will_record(run_params: dict[str, Any]) -> bool:
    """Whether Kedro-Viz's hook writes the events file for this run (its own rules)."""
    try:
        from kedro_viz.integrations.kedro.hooks_utils import is_default_run, is_sequential_runner
    except Exception:
        return False
    return bool(is_default_run(run_params) and is_sequential_runner(run_params))
