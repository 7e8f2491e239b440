"""kedro-run-report: record every Kedro run and turn it into a self-contained report."""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"

__all__ = ["__version__", "latest_report"]


def __getattr__(name: str) -> Any:
    # Kedro imports this package for every `kedro run` (the hook): the notebook helper and
    # everything it renders with are imported only when a notebook asks for them.
    if name == "latest_report":
        from kedro_run_report.notebook import latest_report

        return latest_report
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
