"""The reporter registry: one table of formats that the library, the CLI and ``--serve`` read."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from helpers import scenarios
from helpers.event_log import CHAIN, EventLog, record_run
from helpers.layout_stub import LayoutStub

from kedro_run_report.cli import report as report_command
from kedro_run_report.errors import RunReportError
from kedro_run_report.report import (
    DEFAULT_FILENAMES,
    FORMATS,
    REPORTERS,
    RenderOptions,
    plan_outputs,
    render,
    reporter,
)
from kedro_run_report.report.email import render_email
from kedro_run_report.report.json_report import render_json
from kedro_run_report.report.junit import render_junit
from kedro_run_report.report.markdown import render_markdown
from kedro_run_report.report.run_report import RunReport


def _failed_run() -> RunReport:
    return RunReport.of(scenarios.node_failure())


def _check_html(text: str) -> None:
    assert text.startswith("<!DOCTYPE html>")
    assert 'id="kedro-run-status"' in text and "Run execution failed" in text


def _check_json(text: str) -> None:
    assert json.loads(text)["pipeline"]["status"] == "failed"


def _check_junit(text: str) -> None:
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    assert root.find(".//failure") is not None or root.find(".//error") is not None


def _check_markdown(text: str) -> None:
    assert "Run execution failed" in text and "| failed |" in text


def _check_email(text: str) -> None:
    assert text.startswith("<!DOCTYPE html>") and "Run execution failed" in text
    assert "<script" not in text  # an e-mail body: inline styles only


def _check_otlp(text: str) -> None:
    spans = json.loads(text)["resourceSpans"][0]["scopeSpans"][0]["spans"]
    assert spans[0]["name"] == "kedro run" and spans[0]["status"]["code"] == 2  # ERROR


CHECKS: dict[str, Callable[[str], None]] = {
    "html": _check_html,
    "json": _check_json,
    "junit": _check_junit,
    "markdown": _check_markdown,
    "email": _check_email,
    "otlp": _check_otlp,
}


def test_the_table_is_the_list_of_formats() -> None:
    assert FORMATS == tuple(REPORTERS) == tuple(CHECKS)
    assert DEFAULT_FILENAMES == {name: r.filename for name, r in REPORTERS.items()}
    assert all(name == r.name for name, r in REPORTERS.items())
    # two formats never write over each other's default file
    assert len(set(DEFAULT_FILENAMES.values())) == len(FORMATS)


@pytest.mark.usefixtures("stub_layout")
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_renders_a_small_run(fmt: str) -> None:
    rendered = render(_failed_run(), fmt)
    assert isinstance(rendered.text, str) and rendered.text
    CHECKS[fmt](rendered.text)
    assert rendered.notices == []
    assert REPORTERS[fmt].render(_failed_run()).text == rendered.text


@pytest.mark.parametrize(
    ("fmt", "direct"),
    [
        ("json", lambda run: render_json(run)),
        ("junit", lambda run: render_junit(run.status)),
        ("markdown", lambda run: render_markdown(run.status)),
        ("email", lambda run: render_email(run.status, attachment="run-report.html")),
    ],
)
def test_the_table_calls_the_format_s_own_function(
    fmt: str, direct: Callable[[RunReport], str]
) -> None:
    run = _failed_run()
    assert render(run, fmt).text == direct(run)


def test_the_email_names_the_html_report_s_file_as_its_attachment() -> None:
    assert REPORTERS["html"].filename in render(_failed_run(), "email").text


def test_render_options_reach_the_html_reporter(stub_layout: LayoutStub) -> None:
    render(_failed_run(), "html", show_datasets=True)
    REPORTERS["html"].render(_failed_run(), RenderOptions(show_datasets=False))
    with_data, without = stub_layout.sources
    assert "#dataset-" in with_data and "#dataset-" not in without


@pytest.mark.usefixtures("no_layout_program")
def test_html_notices_come_back_with_the_rendering() -> None:
    rendered = render(_failed_run(), "html")
    assert rendered.notices and "Graphviz" in rendered.notices[0]
    assert "Run execution failed" in rendered.text


@pytest.mark.parametrize("fmt", FORMATS)
def test_plan_outputs_uses_the_default_filename(fmt: str, tmp_path: Path) -> None:
    expected = REPORTERS[fmt].filename
    assert plan_outputs([fmt], [], tmp_path) == [(fmt, str(tmp_path / ".viz" / expected))]
    assert plan_outputs([fmt], [str(tmp_path)], None) == [(fmt, str(tmp_path / expected))]


def test_plan_outputs_defaults_to_html(tmp_path: Path) -> None:
    assert plan_outputs([], [], tmp_path) == [("html", str(tmp_path / ".viz" / "run-report.html"))]


@pytest.mark.parametrize(
    "call",
    [
        lambda: render(_failed_run(), "pdf"),
        lambda: reporter("pdf"),
        lambda: plan_outputs(["pdf"], [], Path(".")),
    ],
    ids=["render", "reporter", "plan_outputs"],
)
def test_an_unknown_format_is_a_one_line_library_error(call: Callable[[], object]) -> None:
    with pytest.raises(RunReportError) as caught:
        call()
    message = str(caught.value)
    assert "\n" not in message
    assert "'pdf'" in message and all(fmt in message for fmt in FORMATS)


def test_the_cli_format_choices_are_the_table() -> None:
    (option,) = [p for p in report_command.params if p.name == "formats"]
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == tuple(REPORTERS)


@pytest.mark.usefixtures("stub_layout")
def test_the_cli_writes_every_format_of_the_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEDRO_RUN_REPORT_DIR", raising=False)
    log = EventLog().start(CHAIN).load("raw", "a", size=3).node("a").save("mid", "a")
    record_run(tmp_path / "log", log.load("mid", "b").node_fails("b").error())
    args = ["--events", str(tmp_path / "log"), "-o", "out/", "-q"]
    for fmt in FORMATS:
        args += ["-f", fmt]
    (tmp_path / "out").mkdir()
    result = CliRunner().invoke(report_command, args, obj=None)
    assert result.exit_code == 0, result.stderr
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(r.filename for r in REPORTERS.values())
    for fmt, r in REPORTERS.items():
        CHECKS[fmt]((tmp_path / "out" / r.filename).read_text(encoding="utf-8"))


def test_the_cli_rejects_a_format_outside_the_table(tmp_path: Path) -> None:
    result = CliRunner().invoke(report_command, ["-f", "pdf"], obj=None)
    assert result.exit_code == 2
    assert "'pdf' is not one of" in result.stderr


def test_importing_the_cli_imports_no_reporter() -> None:
    # Kedro imports our CLI at every start, also for `kedro run`.
    code = (
        "import sys, kedro_run_report.cli\n"
        "heavy = ['jinja2', 'graphviz', 'kedro_run_report.report.html',"
        " 'kedro_run_report.report.markdown', 'kedro_run_report.report.email']\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
