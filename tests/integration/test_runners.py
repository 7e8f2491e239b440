"""The three seed scenarios with every runner, on real ``kedro run`` subprocesses."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.kedro_project import run_kedro
from helpers.kedro_runs import ALL_NODES, node_statuses, status_of, viz_structured
from helpers.kedro_versions import KEDRO_LOAD_ERRORS_OMIT_THE_DATASET_NAME

from kedro_run_report.ids import dataset_id

pytestmark = pytest.mark.integration

RUNNERS = {
    "sequential": ([], {}),
    "thread": (["--runner", "ThreadRunner"], {}),
    "parallel-fork": (["--runner", "ParallelRunner"], {"KEDRO_MP_CONTEXT": "fork"}),
    "parallel-spawn": (["--runner", "ParallelRunner"], {"KEDRO_MP_CONTEXT": "spawn"}),
}
RUNNER_CLASS = {
    "sequential": "SequentialRunner",
    "thread": "ThreadRunner",
    "parallel-fork": "ParallelRunner",
    "parallel-spawn": "ParallelRunner",
}


@pytest.mark.parametrize("runner", list(RUNNERS))
def test_successful_run(project: Path, runner: str) -> None:
    args, env = RUNNERS[runner]
    result = run_kedro(project, "run", *args, **env)
    assert result.returncode == 0, result.stderr + result.stdout

    status = status_of(project)
    assert status.pipeline.status == "success"
    assert status.pipeline.runner == RUNNER_CLASS[runner]
    assert status.pipeline.error is None
    assert node_statuses(status) == {name: "success" for name in ALL_NODES}
    for node in status.nodes.values():
        assert node.start is not None and node.end is not None and node.end >= node.start
        assert node.pid is not None and node.thread
    assert status.pipeline.start <= min(n.start for n in status.nodes.values())
    raw = status.dataset_by_name("raw_orders")
    assert raw is not None and raw.status == "success"
    assert raw.size == (project / "data" / "01_raw" / "orders.csv").stat().st_size
    assert raw.rows == 40
    # A versioned dataset reports the file written, not the version directory.
    model = status.dataset_by_name("model.model")
    versions = list((project / "data" / "06_models" / "model.pkl").glob("*/model.pkl"))
    assert len(versions) == 1
    assert model is not None and model.size == versions[0].stat().st_size
    workers = {(n.pid, n.thread) for n in status.nodes.values()}
    if runner.startswith("parallel"):
        assert all(pid != status.pipeline.pid for pid, _thread in workers)
    elif runner == "thread":
        assert all(thread != "MainThread" for _pid, thread in workers)
    else:
        assert workers == {(status.pipeline.pid, "MainThread")}

    structured = viz_structured(project)
    assert structured.pipeline.status.value == "success"
    assert {n.status.value for n in structured.nodes.values()} == {"success"}
    assert set(structured.nodes) == set(status.nodes)
    assert structured.datasets[dataset_id("raw_orders")].size == raw.size


@pytest.mark.parametrize("runner", list(RUNNERS))
def test_node_failure(project: Path, runner: str) -> None:
    args, env = RUNNERS[runner]
    result = run_kedro(project, "run", *args, FAIL_NODE="model.train", **env)
    assert result.returncode != 0

    status = status_of(project)
    assert status.pipeline.status == "failed"
    assert status.pipeline.error is not None
    assert "boom in model.train" in status.pipeline.error.message
    assert node_statuses(status) == {
        "prep.clean": "success",
        "prep.enrich": "success",
        "model.train": "failed",
        "model.score": "not_run",
        "summarise": "not_run",
    }
    failed = status.node_by_name("model.train")
    assert failed is not None and failed.error is not None
    assert failed.error.type == "ValueError"
    assert "boom in model.train" in failed.error.message
    assert "in train" in failed.error.traceback  # the node function's frame is in it

    structured = viz_structured(project)
    assert structured.pipeline.status.value == "failed"
    assert structured.nodes[failed.id].status.value == "failed"
    assert structured.nodes[failed.id].error.message == failed.error.message


@pytest.mark.parametrize("runner", list(RUNNERS))
def test_missing_input(project: Path, runner: str) -> None:
    (project / "data" / "01_raw" / "orders.csv").unlink()
    args, env = RUNNERS[runner]
    result = run_kedro(project, "run", *args, **env)
    assert result.returncode != 0

    status = status_of(project)
    assert status.pipeline.status == "failed"
    assert node_statuses(status) == {name: "not_run" for name in ALL_NODES}
    raw = status.dataset_by_name("raw_orders")
    assert raw is not None and raw.status == "failed"
    assert raw.error is not None
    assert raw.error.operation == "loading"
    assert raw.error.node == "prep.clean"
    if KEDRO_LOAD_ERRORS_OMIT_THE_DATASET_NAME:
        # The name is on the dataset entry above; Kedro's message gives the class and the file.
        assert raw.error.message.startswith(
            "Failed while loading data from dataset kedro_datasets.pandas.csv_dataset.CSVDataset("
        )
        assert "orders.csv" in raw.error.message
    else:
        assert raw.error.message.startswith("raw_orders: Failed while loading data")

    structured = viz_structured(project)
    assert structured.pipeline.status.value == "failed"
    assert structured.datasets[raw.id].status.value == "failed"
    assert structured.datasets[raw.id].error.error_operation == "loading"
