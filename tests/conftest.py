"""Fixtures for every test: the Graphviz layout program stubbed out, or missing; an empty
working directory.

The diagram looks up ``find_layout_program`` and ``layout_svg`` in
``kedro_run_report.diagram.render`` when it runs, so these replace them there.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import pytest
from helpers.layout_stub import LayoutStub

from kedro_run_report.diagram import render as diagram


def pytest_report_header() -> str:
    """Which Kedro (and Kedro plugins) this pass runs against, for CI logs with several passes."""
    return "kedro: " + ", ".join(
        f"{name} {_version_of(name)}" for name in ("kedro", "kedro-datasets", "kedro-viz")
    )


def _version_of(distribution: str) -> str:
    try:
        return version(distribution)
    except PackageNotFoundError:
        return "not installed"


@pytest.fixture
def stub_layout(monkeypatch: pytest.MonkeyPatch) -> LayoutStub:
    """Lay diagrams out without Graphviz: a canned SVG (``STUB_SVG``), calls recorded.

    Set ``.svg`` for another canned SVG, ``.error`` to make the layout fail."""
    stub = LayoutStub()
    monkeypatch.setattr(diagram, "find_layout_program", lambda: stub.program)  # None: no program
    monkeypatch.setattr(diagram, "layout_svg", stub)
    return stub


@pytest.fixture
def no_layout_program(stub_layout: LayoutStub) -> LayoutStub:
    """No Graphviz anywhere: the diagram becomes a notice. Wins over ``stub_layout`` (a module
    that stubs the layout for all its tests can still have one without a program); the stub
    it returns records that nothing was laid out."""
    stub_layout.program = None
    return stub_layout


@pytest.fixture
def cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty directory that is not a Kedro project, as the working directory, with no log
    directory set in the environment."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("KEDRO_RUN_REPORT_DIR", raising=False)
    return tmp_path
