"""The built wheel carries the templates and renders a report outside the repository.

Builds the wheel without build isolation (hatchling comes from the test extra), installs it
with ``--no-deps`` into a fresh venv, and runs it there with the dependencies taken from the
current environment's site-packages through PYTHONPATH (which, unlike a ``.pth`` file, does
not pull in the editable install of this repository). Takes roughly 10-20 s.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[1]

# ``helpers`` (the scenario builders) comes from the tests folder, put on PYTHONPATH
SCRIPT = """
import json
import kedro_run_report
from kedro_run_report.report.html import render_html, template_dir
from helpers import scenarios
report = render_html(scenarios.node_failure())
print(json.dumps({"module": kedro_run_report.__file__, "templates": str(template_dir()),
                  "size": len(report.html), "ok": "Run execution failed" in report.html}))
"""


def test_wheel_contains_templates_and_renders(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "-w",
            str(dist),
            str(ROOT),
        ],
        check=True,
        timeout=120,
    )
    (wheel,) = dist.glob("kedro_run_report-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    for template in ("report.html.j2", "report.css", "report.js"):
        assert f"kedro_run_report/templates/{template}" in names

    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-index", str(wheel)],
        check=True,
        timeout=120,
    )
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    # the dependencies, and the test helpers (tests/ holds no kedro_run_report)
    env["PYTHONPATH"] = os.pathsep.join([sysconfig.get_paths()["purelib"], str(ROOT / "tests")])
    done = subprocess.run(
        [str(python), "-c", SCRIPT],
        cwd=tmp_path,  # not the repository, whose templates/ must not be what is found
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["ok"] and result["size"] > 10_000
    assert result["module"].startswith(str(venv))
    assert result["templates"].startswith(str(venv))
