"""The demo project in demo/ runs with `kedro run`, and its failure switch fails it.

The project is copied to a temporary directory first, so the repository's demo stays clean.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DEMO_DIR = Path(__file__).resolve().parent.parent / "demo"

# Everything a run writes, plus caches; raw inputs and configuration are copied.
_NOT_COPIED = shutil.ignore_patterns(
    ".viz", "__pycache__", "*.pyc", "*.log", ".telemetry", "*.moved-aside", "*.egg-info"
)


def _kedro_run(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "KEDRO_DISABLE_TELEMETRY": "1",
        # Wide, plain log lines: Rich would otherwise wrap messages at 80 columns.
        "COLUMNS": "200",
        "NO_COLOR": "1",
    }
    # The copy must record into its own .viz/, whatever the caller's environment says.
    for name in ("KEDRO_ENV", "KEDRO_RUN_REPORT_DIR"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-m", "kedro", "run", *args],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def demo_project(tmp_path: Path) -> Path:
    """A fresh copy of demo/ without any earlier run's outputs."""
    project = tmp_path / "demo"
    shutil.copytree(DEMO_DIR, project, ignore=_NOT_COPIED)
    for layer in project.glob("data/0[2-8]_*"):
        for item in layer.iterdir():
            if item.name != ".gitkeep":
                shutil.rmtree(item) if item.is_dir() else item.unlink()
    return project


@pytest.mark.integration
def test_demo_project_runs_and_its_fail_switch_fails(demo_project: Path) -> None:
    result = _kedro_run(demo_project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output

    data = demo_project / "data"
    for produced in (
        "03_primary/order_lines.parquet",
        "04_feature/customer_features.parquet",
        "04_feature/daily_sales.csv",
        "05_model_input/model_input_table.parquet",
        "07_model_output/spend_predictions.parquet",
        "08_reporting/model_metrics.csv",
        "08_reporting/category_summary.csv",
        "08_reporting/region_summary.csv",
    ):
        assert (data / produced).is_file(), f"{produced} missing after kedro run\n{output}"

    # The versioned pickle: one version directory holding the model.
    versions = list((data / "06_models" / "regressor.pickle").iterdir())
    assert len(versions) == 1, versions
    assert (versions[0] / "regressor.pickle").is_file()

    failed = _kedro_run(demo_project, "--params", "demo.fail_node=true")
    failed_output = failed.stdout + failed.stderr
    flat = " ".join(failed_output.split())  # undo Rich's line wrapping
    assert failed.returncode != 0, failed_output
    assert "DemoFailure" in flat, failed_output
    assert "modelling.train_model failed on purpose" in flat, failed_output
    # The failed run saved no new model version.
    assert len(list((data / "06_models" / "regressor.pickle").iterdir())) == 1
