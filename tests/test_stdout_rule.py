"""Standard output carries the report alone: what else is printed during the command goes to
standard error, also through a logging handler set up while the command runs."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers.event_log import CHAIN, EventLog, record_run

from kedro_run_report import cli
from kedro_run_report.report import output


def _noisy_report(*args: Any, **kwargs: Any) -> int:
    """The command, with a library that prints and a logging handler bound to sys.stdout
    on the way (as Kedro's are, when it configures logging while the command runs)."""
    handler = logging.StreamHandler(sys.stdout)
    logger = logging.getLogger("kedro-run-report-test-noise")
    logger.addHandler(handler)
    try:
        print("a library's print")
        logger.warning("a log record")
        return _real_report(*args, **kwargs)
    finally:
        logger.removeHandler(handler)


_real_report = cli._report


@pytest.mark.parametrize("args", [["-f", "json", "-o", "-"], ["--list", "--json"]])
def test_noise_printed_during_the_command_goes_to_stderr(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    record_run(tmp_path / "log", EventLog().start(CHAIN).node("a").node("b").node("c").end())
    monkeypatch.setattr(cli, "_report", _noisy_report)
    result = CliRunner().invoke(cli.report, ["--events", str(tmp_path / "log"), *args, "-q"])
    assert result.exit_code == 0, result.stderr
    json.loads(result.stdout)  # the document alone
    assert "a library's print" in result.stderr and "a log record" in result.stderr


def test_stdout_is_restored_after_the_command() -> None:
    before = sys.stdout
    with output.stdout_for_reports_only():
        assert sys.stdout is sys.stderr
        assert output.report_stream() is before
    assert sys.stdout is before and output.report_stream() is before


def test_kedros_logging_notice_is_dropped_and_nothing_else() -> None:
    notice = cli._LoggingNotice()

    def record(message: str) -> logging.LogRecord:
        return logging.LogRecord("kedro.framework.project", logging.INFO, "", 0, message, (), None)

    assert not notice.filter(record("Using 'conf/logging.yml' as logging configuration. "))
    assert notice.filter(record("Something else Kedro has to say"))
