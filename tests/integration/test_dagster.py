"""The README's Dagster example, run for real: one op per Kedro node, each in its own process.

`dagster job execute` with a persistent (temporary) instance uses Dagster's multiprocess
executor, so every op runs its Kedro node in a separate process. The ops set
KEDRO_RUN_REPORT_GROUP from the Dagster run id; one node fails, Dagster skips what depends on
it, and the group report shows each node's status, the process that ran it and the failure.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.examples import DAGSTER_JOB, PERSISTED_INTERMEDIATE
from helpers.kedro_project import kedro_env, run_kedro

pytestmark = pytest.mark.integration


def test_a_dagster_run_is_reported_as_one_group(project: Path, tmp_path: Path) -> None:
    with (project / "conf" / "base" / "catalog.yml").open("a") as catalog:
        catalog.write(PERSISTED_INTERMEDIATE)
    dagster_home = tmp_path / "dagster-home"
    dagster_home.mkdir()
    env = kedro_env(DAGSTER_HOME=str(dagster_home), FAIL_NODE="model.score")
    dagster = Path(sys.executable).parent / "dagster"
    done = subprocess.run(
        [str(dagster), "job", "execute", "-f", str(DAGSTER_JOB), "-j", "kedro_job"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-3000:]
    run_id = _only_dagster_run(dagster_home)
    assert f"Run {run_id} resulted in failure" in done.stdout + done.stderr

    result = run_kedro(
        project, "viz", "report", "--group", run_id, "-f", "json", "-o", "group.json", "-q"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((project / "group.json").read_text())

    nodes = {n["name"]: n for n in data["nodes"].values()}
    assert {name: n["status"] for name, n in nodes.items()} == {
        "prep.clean": "success",
        "prep.enrich": "success",
        "model.train": "success",
        "model.score": "failed",
        "summarise": "not_run",  # Dagster skipped the op downstream of the failure
    }
    assert nodes["model.score"]["error"]["message"] == "boom in model.score"
    assert "ValueError: boom in model.score" in nodes["model.score"]["error"]["traceback"]
    assert data["pipeline"]["status"] == "failed"
    assert data["pipeline"]["run_id"] == run_id
    assert data["pipeline"]["error"]["message"] == "boom in model.score"

    # One Kedro run per op that ran, each in a process of its own, all in the Dagster run's group.
    assert [part["group"] for part in data["parts"]] == [run_id] * 4
    part_pids = {part["pid"] for part in data["parts"]}
    node_pids = {n["worker"]["pid"] for n in nodes.values() if n["worker"]}
    assert len(part_pids) == 4 and node_pids == part_pids
    assert nodes["summarise"]["worker"] is None


def _only_dagster_run(dagster_home: Path) -> str:
    """The id of the one run the Dagster instance in ``dagster_home`` holds; it failed."""
    from dagster import DagsterInstance, DagsterRunStatus

    with DagsterInstance.from_config(str(dagster_home)) as instance:
        runs = instance.get_runs()
        assert [run.status for run in runs] == [DagsterRunStatus.FAILURE]
        return runs[0].run_id
