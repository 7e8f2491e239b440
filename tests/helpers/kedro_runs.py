"""Starting real runs in the background and reading back what they recorded."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from helpers.kedro_project import kedro_env
from kedro_run_report.model import RunStatus
from kedro_run_report.report.load import load_run_status

ALL_NODES = ["prep.clean", "prep.enrich", "model.train", "model.score", "summarise"]


def status_of(project: Path, run_id: str | None = None) -> RunStatus:
    """The aggregated latest (or given) run of ``project``."""
    return load_run_status(project_path=project, run_id=run_id)


def node_statuses(status: RunStatus) -> dict[str, str]:
    return {node.name: node.status for node in status.nodes.values()}


def viz_events(project: Path) -> list[dict[str, Any]]:
    return json.loads((project / ".viz" / "kedro_pipeline_events.json").read_text())


def viz_structured(project: Path) -> Any:
    """What Kedro-Viz's own /api/run-status code derives from our compat file."""
    from kedro_viz.api.rest.responses.run_events import transform_events_to_structured_format

    return transform_events_to_structured_format(viz_events(project))


SLEEP_MARKER = "sleeping.marker"  # in the project: the SLEEP_NODE has started its sleep


def start_kedro(project: Path, *args: str, **env: str) -> subprocess.Popen[str]:
    """`kedro run <args>` in the background, its output captured; a ``SLEEP_NODE`` creates
    ``SLEEP_MARKER`` in the project when it starts to sleep (see :func:`wait_until_sleeping`)."""
    if "SLEEP_NODE" in env:
        env.setdefault("SLEEP_MARKER", str(project / SLEEP_MARKER))
    return subprocess.Popen(
        [sys.executable, "-m", "kedro", "run", *args],
        cwd=project,
        env=kedro_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for_node_start(root: Path, node: str, proc: subprocess.Popen[str]) -> Path:
    """Poll the event log until ``node`` has started; return its run directory."""
    deadline = time.monotonic() + 90
    marker = f'"node":"{node}"'
    while time.monotonic() < deadline:
        for stream in root.glob("runs/*/events-*.jsonl"):
            lines = stream.read_text().splitlines()
            if any('"node_start"' in line and marker in line for line in lines):
                return stream.parent
        if proc.poll() is not None:
            pytest.fail(f"kedro exited early: {proc.communicate()[0][-2000:]}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail(f"{node} never started")


def wait_until_sleeping(project: Path, proc: subprocess.Popen[str]) -> None:
    """Wait until the run's ``SLEEP_NODE`` is in its sleep: a signal sent once its
    ``node_start`` event is written can still land in Kedro's own code before the node."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if (project / SLEEP_MARKER).exists():
            return
        if proc.poll() is not None:
            pytest.fail(f"kedro exited early: {proc.communicate()[0][-2000:]}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the sleeping node never started its sleep")
