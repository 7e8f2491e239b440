"""Two real ``kedro run``s in a git checkout: the report names what changed between them."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers.kedro_project import ORDERS_CSV, run_kedro

from kedro_run_report.report.load import list_history, load_run_report

pytestmark = pytest.mark.integration

GIT = ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid"]


def _git(project: Path, *args: str) -> str:
    return subprocess.run(
        [*GIT, *args], cwd=project, check=True, capture_output=True, text=True
    ).stdout


def test_report_names_the_parameter_and_the_input_that_changed(project: Path) -> None:
    (project / ".gitignore").write_text(".viz/\ndata/0[2-9]*/\n")
    _git(project, "init", "-q")
    _git(project, "add", "-A")
    _git(project, "commit", "-q", "-m", "toy project")
    commit = _git(project, "rev-parse", "HEAD").strip()

    first = run_kedro(project, "run")
    assert first.returncode == 0, first.stderr
    (project / "conf" / "base" / "parameters.yml").write_text("factor: 3.5\n")
    extra = "".join(f"{i},{i * 1.5}\n" for i in range(41, 51))
    (project / "data" / "01_raw" / "orders.csv").write_text(ORDERS_CSV + extra)
    second = run_kedro(project, "run")
    assert second.returncode == 0, second.stderr

    report = load_run_report(project_path=project)
    fingerprint = report.status.fingerprint
    assert fingerprint is not None
    assert fingerprint.commit == commit
    assert fingerprint.dirty is True  # parameters.yml and orders.csv are tracked, now edited
    assert fingerprint.params["factor"].shown == "3.5"
    assert report.comparison is not None and report.comparison.causes is not None
    causes = report.comparison.causes
    assert causes.known
    assert causes.kinds() == ["code", "parameters", "inputs"]
    lines = "\n".join(causes.lines)
    assert f"commit {commit[:7]} -> {commit[:7]}" not in lines
    assert f"uncommitted changes at commit {commit[:7]} (none before)" in lines
    assert "parameters changed: factor 2.0 -> 3.5" in lines
    assert "input data changed: raw_orders" in lines
    assert "40 -> 50 rows" in lines

    data = json.loads(json.dumps(report.to_dict()))
    assert data["fingerprint"]["commit"] == commit
    assert data["comparison"]["causes"]["lines"] == causes.lines

    rows = list_history(project_path=project)
    assert [row.changed for row in rows] == [["code", "parameters", "inputs"], None]
    assert rows[0].commit == commit and rows[0].dirty and rows[1].dirty is False

    # the command line: the terminal summary and Markdown say it too
    result = run_kedro(project, "viz", "report", "--format", "markdown", "--output", "-")
    assert result.returncode == 0, result.stderr
    assert "### What changed since run" in result.stdout
    assert "- parameters changed: factor 2.0 -&gt; 3.5" in result.stdout
    assert "parameters changed: factor 2.0 -> 3.5" in result.stderr
    listing = run_kedro(project, "viz", "report", "--list")
    assert listing.returncode == 0, listing.stderr
    assert f"{commit[:7]}+  CPI" in listing.stdout
    assert "CHANGED against the previous run" in listing.stdout
