"""The standalone ``kedro-run-report`` on an event log copied out of a project (a CI artifact)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.kedro_project import kedro_env

pytestmark = pytest.mark.integration

SCRIPT = Path(sys.executable).parent / "kedro-run-report"


def test_console_script_reports_a_copied_log_without_a_project(
    ran_project: Path, tmp_path: Path
) -> None:
    artifact = tmp_path / "downloaded-artifact"
    shutil.copytree(ran_project / ".viz" / "run-report", artifact)
    elsewhere = tmp_path / "no-project-here"
    elsewhere.mkdir()
    assert SCRIPT.exists(), "the console script is installed with the package"
    result = subprocess.run(
        [str(SCRIPT), "--events", str(artifact), "-f", "html", "-f", "junit", "-o", "out/"],
        cwd=elsewhere,
        env=kedro_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    html = (elsewhere / "out" / "run-report.html").read_text()
    assert "Run execution completed successfully" in html
    # The diagram comes from the recorded pipeline snapshot: no project to import.
    drawn = re.findall(r'class="node[^"]*\btask\b[^"]*\bsuccess\b', html)
    assert len(drawn) == 5  # all five nodes drawn
    assert 'href="#node-' in html
    assert "<testcase" in (elsewhere / "out" / "run-report.junit.xml").read_text()

    listing = subprocess.run(
        [str(SCRIPT), "--events", str(artifact), "--list", "--json"],
        cwd=elsewhere,
        env=kedro_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert listing.returncode == 0, listing.stderr
    assert json.loads(listing.stdout)[0]["status"] == "success"


def test_console_script_without_any_log_is_one_line(tmp_path: Path) -> None:
    result = subprocess.run(
        [str(SCRIPT)], cwd=tmp_path, env=kedro_env(), capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.startswith("Error: No runs recorded") and result.stderr.count("\n") == 1
