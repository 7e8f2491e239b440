"""Fixtures for tests that run real ``kedro run`` subprocesses on a generated project."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from helpers.kedro_project import make_project, run_kedro

# Kedro-Viz's own run-status hook would own .viz/kedro_pipeline_events.json; most tests
# want ours, so the template turns Kedro-Viz's hooks off (one test turns them back on).
NO_VIZ_HOOKS = 'DISABLE_HOOKS_FOR_PLUGINS = ("kedro-viz",)\n'


@pytest.fixture(scope="session")
def project_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_project(tmp_path_factory.mktemp("template") / "toy", NO_VIZ_HOOKS)


@pytest.fixture
def project(project_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the toy project."""
    target = tmp_path / "toy"
    shutil.copytree(project_template, target)
    return target


@pytest.fixture(scope="session")
def ran_template(project_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The toy project after one full successful run (persisted outputs exist)."""
    target = tmp_path_factory.mktemp("ran") / "toy"
    shutil.copytree(project_template, target)
    result = run_kedro(target, "run")
    assert result.returncode == 0, result.stderr
    return target


@pytest.fixture
def ran_project(ran_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of the toy project with its outputs from an earlier full run."""
    target = tmp_path / "toy"
    shutil.copytree(ran_template, target)
    return target
