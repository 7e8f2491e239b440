"""Partial runs: the planned set is what Kedro selected, and the filters are recorded."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.kedro_project import run_kedro
from helpers.kedro_runs import node_statuses, status_of, viz_structured

pytestmark = pytest.mark.integration

PARTIAL_RUNS = [
    (["--tags", "prep"], {"tags": ["prep"]}, {"prep.clean", "prep.enrich"}),
    (["--nodes", "model.train"], {"node_names": ["model.train"]}, {"model.train"}),
    (
        ["--from-nodes", "model.train"],
        {"from_nodes": ["model.train"]},
        {"model.train", "model.score", "summarise"},
    ),
    (["--to-nodes", "prep.enrich"], {"to_nodes": ["prep.enrich"]}, {"prep.clean", "prep.enrich"}),
    (
        ["--from-inputs", "prep.enriched"],
        {"from_inputs": ["prep.enriched"]},
        {"model.train", "model.score", "summarise"},
    ),
    (
        ["--to-outputs", "model.model"],
        {"to_outputs": ["model.model"]},
        {"prep.clean", "prep.enrich", "model.train"},
    ),
    (["--namespaces", "model"], {"namespaces": ["model"]}, {"model.train", "model.score"}),
    # --pipeline, not --pipelines: Kedro 1.0 has only the former.
    (["--pipeline", "prep"], {}, {"prep.clean", "prep.enrich"}),
]


@pytest.mark.parametrize(
    ("args", "filters", "planned"), PARTIAL_RUNS, ids=[" ".join(run[0]) for run in PARTIAL_RUNS]
)
def test_partial_run(ran_project: Path, args: list[str], filters: dict, planned: set[str]) -> None:
    result = run_kedro(ran_project, "run", *args)
    assert result.returncode == 0, result.stderr

    status = status_of(ran_project)
    assert status.pipeline.status == "success"
    assert node_statuses(status) == {name: "success" for name in planned}
    for key, value in filters.items():
        assert status.pipeline.filters[key] == value
    if "--pipeline" in args:
        assert status.pipeline.pipeline_names == ["prep"]
        assert status.unselected == {}  # a whole registered pipeline is not a selection
    else:
        # The rest of the registered pipeline is recorded, to draw the selection in context.
        everything = {"prep.clean", "prep.enrich", "model.train", "model.score", "summarise"}
        assert {n.name for n in status.unselected.values()} == everything - planned
        assert {n.status for n in status.unselected.values()} <= {"not_selected"}
    # Kedro-Viz refuses partial runs; our compat file still describes this one.
    structured = viz_structured(ran_project)
    assert {n.status.value for n in structured.nodes.values()} == {"success"}
    assert len(structured.nodes) == len(planned)


def test_only_missing_outputs_marks_skipped_nodes_not_run(ran_project: Path) -> None:
    (ran_project / "data" / "07_model_output" / "scores.csv").unlink()
    result = run_kedro(ran_project, "run", "--only-missing-outputs")
    assert result.returncode == 0, result.stderr

    status = status_of(ran_project)
    assert status.pipeline.status == "success"
    assert status.pipeline.filters["only_missing_outputs"] is True
    # Kedro plans all five nodes, then skips the four whose outputs exist.
    assert node_statuses(status) == {
        "prep.clean": "not_run",
        "prep.enrich": "not_run",
        "model.train": "not_run",
        "model.score": "success",
        "summarise": "not_run",
    }
