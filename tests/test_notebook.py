"""The inline report for notebooks: the frame around the page, and finding the run."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from helpers.event_log import EventLog, record_run

from kedro_run_report import latest_report
from kedro_run_report.errors import UnknownRunError
from kedro_run_report.notebook import InlineReport, run_report

CHAIN = [("a", ["raw"], ["mid"]), ("b", ["mid"], ["out"])]
SRCDOC = re.compile(r'srcdoc="([^"]*)"')


def _project(tmp_path: Path) -> Path:
    """A directory with a recorded run where a project keeps its log."""
    record_run(tmp_path / ".viz" / "run-report", EventLog().start(CHAIN).node("a").end())
    return tmp_path


def test_the_frame_carries_the_page_byte_for_byte() -> None:
    page = "<!DOCTYPE html><p title=\"a &amp; 'b'\">x</p><script>if (1 < 2) {}</script>"
    frame = InlineReport(page, 'Run "1" <x>', height=500)._repr_html_()
    found = SRCDOC.search(frame)
    assert found is not None and html.unescape(found.group(1)) == page
    assert "<script>" not in frame and '"1"' not in frame  # nothing escapes the attribute
    assert 'sandbox="allow-scripts"' in frame and "height:500px" in frame


def test_the_plain_text_form_is_one_short_line() -> None:
    assert repr(InlineReport("<p>é</p>", "Kedro run report: r1")) == (
        "<InlineReport 'Kedro run report: r1': 9 bytes of HTML>"
    )


def test_latest_report_reads_the_project_log(tmp_path: Path) -> None:
    report = latest_report(_project(tmp_path))
    assert report.html.startswith("<!DOCTYPE html>")
    assert "Content-Security-Policy" in report.html
    assert report.title == "Kedro run report: run-1"


def test_latest_report_names_an_unknown_run(tmp_path: Path) -> None:
    with pytest.raises(UnknownRunError, match="nope"):
        latest_report(_project(tmp_path), run_id="nope")


def test_the_magic_uses_the_loaded_projects_path(tmp_path: Path) -> None:
    namespace = {"context": SimpleNamespace(project_path=_project(tmp_path))}
    report = run_report("", namespace)
    assert report is not None and report.title == "Kedro run report: run-1"


def test_the_magic_gives_one_line_for_bad_input(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    namespace = {"context": SimpleNamespace(project_path=_project(tmp_path))}
    assert run_report("nope", namespace) is None
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith("Error: ") and "nope" in line


def test_importing_the_package_imports_no_renderer() -> None:
    """Kedro imports the package for every run; the notebook helper loads only when asked."""
    code = (
        "import sys, kedro_run_report\n"
        "assert 'kedro_run_report.notebook' not in sys.modules\n"
        "assert 'jinja2' not in sys.modules and 'IPython' not in sys.modules\n"
        "from kedro_run_report import latest_report\n"
        "assert 'IPython' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
