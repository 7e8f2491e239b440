"""Tests of the pure run analyses (kedro_run_report.analysis)."""
