"""kedro-run-report: record every Kedro run and turn it into a self-contained report."""

from __future__ import annotations

__version__ = "0.1.0"
