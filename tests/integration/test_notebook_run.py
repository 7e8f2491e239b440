"""A real notebook on a real kernel: `%load_ext kedro.ipython`, `session.run()`, then the
report inline, through ``latest_report()`` and ``%run_report``; and its export to HTML."""

from __future__ import annotations

import html
import os
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from helpers.kedro_project import kedro_env
from helpers.kedro_runs import status_of
from nbclient import NotebookClient
from nbconvert import HTMLExporter

pytestmark = pytest.mark.integration

CELLS = [
    "%load_ext kedro.ipython",
    "session.run();",
    "from kedro_run_report import latest_report\nlatest_report()",
    "%run_report",
    "%run_report no-such-run",
]
SRCDOC = re.compile(r'<iframe [^>]*srcdoc="([^"]*)"')


def _iframe_page(output: dict[str, Any]) -> str:
    """The page inside the frame of a cell's rich output."""
    frame = output["data"]["text/html"]
    assert frame.startswith('<iframe class="kedro-run-report"'), frame[:200]
    assert 'sandbox="allow-scripts"' in frame
    found = SRCDOC.search(frame)
    assert found, frame[:200]
    return html.unescape(found.group(1))


@pytest.fixture(scope="module")
def executed(project_template: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    """The toy project and a notebook in its notebooks/ folder, executed top to bottom."""
    project = tmp_path_factory.mktemp("notebook") / "toy"
    shutil.copytree(project_template, project)
    (project / "notebooks").mkdir()
    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_code_cell(source) for source in CELLS]
    env = kedro_env()
    with pytest.MonkeyPatch.context() as patch:  # the kernel inherits the environment
        for key in set(os.environ) - set(env):
            patch.delenv(key)
        for key, value in env.items():
            patch.setenv(key, value)
        client = NotebookClient(
            notebook,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(project / "notebooks")}},
        )
        client.execute()
    nbformat.write(notebook, project / "notebooks" / "run.ipynb")
    return project, notebook


def test_latest_report_shows_the_run_inline(executed: tuple[Path, Any]) -> None:
    project, notebook = executed
    status = status_of(project)
    assert status.pipeline.status == "success"
    (output,) = [o for o in notebook.cells[2].outputs if o["output_type"] == "execute_result"]
    page = _iframe_page(output)
    # the page the HTML reporter writes: its own CSP, inline script and style, this run
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta http-equiv="Content-Security-Policy"' in page
    assert status.pipeline.run_id in page
    assert "<script>" in page and "</html>" in page


def test_the_line_magic_shows_the_same_run(executed: tuple[Path, Any]) -> None:
    project, notebook = executed
    (output,) = [o for o in notebook.cells[3].outputs if o["output_type"] == "execute_result"]
    assert status_of(project).pipeline.run_id in _iframe_page(output)


def test_the_line_magic_gives_one_line_for_an_unknown_run(executed: tuple[Path, Any]) -> None:
    _project, notebook = executed
    outputs = notebook.cells[4].outputs
    assert [o["output_type"] for o in outputs] == ["stream"]
    (line,) = outputs[0]["text"].strip().splitlines()
    assert line.startswith("Error: ") and "no-such-run" in line


def test_the_report_survives_the_export_to_html(executed: tuple[Path, Any]) -> None:
    project, notebook = executed
    body, _resources = HTMLExporter().from_notebook_node(notebook)
    frames = SRCDOC.findall(body)
    assert len(frames) == 2
    (output,) = [o for o in notebook.cells[2].outputs if o["output_type"] == "execute_result"]
    assert html.unescape(frames[0]) == _iframe_page(output)
    (project / "notebooks" / "run.html").write_text(body, encoding="utf-8")
