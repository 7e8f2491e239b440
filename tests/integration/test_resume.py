"""The resume command of real failed, interrupted and grouped runs, run as printed."""

from __future__ import annotations

import shlex
import signal
from pathlib import Path

import pytest
from helpers.kedro_project import run_kedro
from helpers.kedro_runs import (
    node_statuses,
    start_kedro,
    status_of,
    wait_for_node_start,
    wait_until_sleeping,
)

from kedro_run_report.analysis import resume
from kedro_run_report.model import RunStatus
from kedro_run_report.report.load import load_group_report

pytestmark = pytest.mark.integration

LOG_ROOT = Path(".viz") / "run-report"


def resume_argv(status: RunStatus) -> list[str]:
    found = resume(status)
    assert found is not None, "a failed or interrupted run has a resume command"
    argv = shlex.split(found.command)
    assert argv[:2] == ["kedro", "run"]
    return argv


def run_printed(project: Path, argv: list[str], **env: str) -> RunStatus:
    """Run the command as a user pastes it, and return what it recorded."""
    result = run_kedro(project, *argv[1:], **env)
    assert result.returncode == 0, result.stderr[-3000:]
    status = status_of(project)
    assert status.pipeline.status == "success"
    return status


def ran(status: RunStatus) -> set[str]:
    return {name for name, word in node_statuses(status).items() if word == "success"}


def test_an_in_memory_input_walks_back_and_the_command_completes(project: Path) -> None:
    # prep.enrich reads prep.clean_orders, which lives in memory: prep.clean must run again
    failed = run_kedro(project, "run", "--params", "factor=3.0", FAIL_NODE="prep.enrich")
    assert failed.returncode != 0
    argv = resume_argv(status_of(project))
    assert argv == ["kedro", "run", "--from-nodes", "prep.clean", "--params", "factor=3.0"]
    # Kedro's own suggestion for the same failure
    assert '--from-nodes "prep.clean"' in " ".join((failed.stdout + failed.stderr).split())

    resumed = run_printed(project, argv)
    assert resumed.pipeline.runtime_params == {"factor": 3.0}
    assert ran(resumed) == set(node_statuses(resumed))  # every planned node succeeded


def test_parallel_runner_failure_resumes_at_the_failed_node(ran_project: Path) -> None:
    env = {"KEDRO_MP_CONTEXT": "fork"}
    failed = run_kedro(
        ran_project, "run", "--runner", "ParallelRunner", FAIL_NODE="model.train", **env
    )
    assert failed.returncode != 0
    argv = resume_argv(status_of(ran_project))
    # its input prep.enriched is a file: no walk back; Kedro prints no suggestion here
    assert argv == ["kedro", "run", "--runner", "ParallelRunner", "--from-nodes", "model.train"]

    resumed = run_printed(ran_project, argv, **env)
    assert resumed.pipeline.runner == "ParallelRunner"
    assert ran(resumed) == {"model.train", "model.score", "summarise"}


def test_an_interrupted_run_resumes_at_the_interrupted_node(project: Path) -> None:
    proc = start_kedro(project, "--params", "factor=1.5", SLEEP_NODE="model.train")
    try:
        wait_for_node_start(project / LOG_ROOT, "model.train", proc)
        wait_until_sleeping(project, proc)
        proc.send_signal(signal.SIGINT)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    interrupted = status_of(project)
    assert interrupted.pipeline.status == "interrupted"
    argv = resume_argv(interrupted)
    assert argv == ["kedro", "run", "--from-nodes", "model.train", "--params", "factor=1.5"]

    resumed = run_printed(project, argv)
    assert ran(resumed) == {"model.train", "model.score", "summarise"}


def test_a_run_group_resumes_from_what_no_part_finished(project: Path) -> None:
    env = {"KEDRO_RUN_REPORT_GROUP": "orchestrated-7"}
    first = run_kedro(project, "run", "--nodes", "prep.clean,prep.enrich", **env)
    assert first.returncode == 0, first.stderr
    second = run_kedro(project, "run", "--nodes", "model.train", FAIL_NODE="model.train", **env)
    assert second.returncode != 0

    group = load_group_report(group="orchestrated-7", project_path=project).status
    assert group.pipeline.status == "failed"
    argv = resume_argv(group)
    # the parts' own --nodes are not the group's: one command finishes the whole pipeline
    assert argv == ["kedro", "run", "--from-nodes", "model.train"]

    resumed = run_printed(project, argv)
    assert ran(resumed) == {"model.train", "model.score", "summarise"}
