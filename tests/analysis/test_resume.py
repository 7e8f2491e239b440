"""The resume command: Kedro's walk back over in-memory inputs, on hand-built pipelines."""

from __future__ import annotations

import shlex

from helpers.event_log import EventLog, error_info, status_of

from kedro_run_report.analysis.resume import can_reload, nodes_to_resume_from, resume
from kedro_run_report.model import NodeRun
from kedro_run_report.model.group import merge_group

MEMORY = "MemoryDataset"
CSV = "pandas.CSVDataset"

# raw -> a -> m1 (memory) -> b -> p1 (file) -> c -> m2 (memory) -> d -> out (file)
#                                               \-> e (reads p1 too) -> side (file)
LINE = [
    ("a", ["raw"], ["m1"]),
    ("b", ["m1", "params:k"], ["p1"]),
    ("c", ["p1"], ["m2"]),
    ("d", ["m2"], ["out"]),
    ("e", ["p1"], ["side"]),
]
LINE_TYPES = {"raw": CSV, "m1": MEMORY, "p1": CSV, "m2": MEMORY, "out": CSV, "side": CSV}


def nodes(spec: list[tuple[str, list[str], list[str]]]) -> list[NodeRun]:
    return [NodeRun(id=name, name=name, inputs=ins, outputs=outs) for name, ins, outs in spec]


def reload_by(types: dict[str, str]):  # type: ignore[no-untyped-def]
    return lambda name: can_reload(name, types.get(name))


def start_names(spec, unfinished: list[str], types: dict[str, str]) -> list[str]:  # type: ignore[no-untyped-def]
    planned = nodes(spec)
    todo = [n for n in planned if n.name in unfinished]
    return [n.name for n in nodes_to_resume_from(planned, todo, reload_by(types))]


def test_a_failure_after_a_persisted_input_starts_at_the_failed_node() -> None:
    assert start_names(LINE, ["c", "d", "e"], LINE_TYPES) == ["c", "e"]


def test_an_in_memory_input_walks_back_to_its_producer() -> None:
    # d failed: m2 is in memory, so c must run again; p1 is on disk, so the walk stops there
    assert start_names(LINE, ["d"], LINE_TYPES) == ["c"]


def test_the_walk_goes_on_through_several_in_memory_links() -> None:
    types = {**LINE_TYPES, "p1": MEMORY}
    # d needs m2 (memory) from c, c needs p1 (now memory) from b, b needs m1 (memory) from a
    assert start_names(LINE, ["d"], types) == ["a"]


def test_parameters_never_force_a_walk_back() -> None:
    # b reads params:k, which Kedro reads again; m1 comes from a, so a reruns, not more
    spec = [("a", ["raw"], ["p0"]), ("b", ["p0", "params:k"], ["out"])]
    assert start_names(spec, ["b"], {"raw": CSV, "p0": CSV, "out": CSV}) == ["b"]


def test_an_unknown_dataset_is_treated_as_in_memory_like_kedro_does() -> None:
    types = {k: v for k, v in LINE_TYPES.items() if k != "m2"}
    assert start_names(LINE, ["d"], types) == ["c"]
    assert not can_reload("x", None)
    assert can_reload("params:x", None)
    assert can_reload("x", "kedro_datasets.pandas.csv_dataset.CSVDataset")
    assert not can_reload("x", "kedro.io.memory_dataset.MemoryDataset")
    assert not can_reload("x", "CachedDataset")


def test_no_larger_than_needed_a_start_node_downstream_of_another_is_dropped() -> None:
    # c and d both unfinished: --from-nodes c already runs d
    assert start_names(LINE, ["c", "d"], LINE_TYPES) == ["c"]


def test_transcoded_names_are_one_dataset() -> None:
    spec = [("a", ["raw"], ["t@pandas"]), ("b", ["t@spark"], ["out"])]
    assert start_names(spec, ["b"], {"t@pandas": MEMORY, "t@spark": MEMORY}) == ["a"]


def failed_line_run(fail: str = "d", **meta: object):  # type: ignore[no-untyped-def]
    log = EventLog().start(LINE, types=LINE_TYPES, **meta)
    for name in ("a", "b", "c"):
        log.node(name)
    if fail == "d":
        log.node_fails("d").error()
    else:
        log.node("d").node_fails(fail).error()
    return status_of(log)


def test_resume_of_a_failed_run_gives_the_whole_command() -> None:
    status = failed_line_run(
        env="staging",
        runner="ParallelRunner",
        pipeline_names=["data eng"],
        runtime_params={"k": 2.5, "nested": {"flag": True, "none": None}},
    )
    found = resume(status)
    assert found is not None
    assert found.from_nodes == ["c", "e"]
    assert found.argv == [
        "kedro",
        "run",
        "--pipeline",  # one pipeline: the option every Kedro 1.x accepts
        "data eng",
        "--env",
        "staging",
        "--runner",
        "ParallelRunner",
        "--from-nodes",
        "c,e",
        "--params",
        "k=2.5,nested.flag=true,nested.none=null",
    ]
    assert shlex.split(found.command) == found.argv
    assert "'data eng'" in found.command
    # d and e never finished; c had, but reruns for d's in-memory input
    assert [status.nodes[i].name for i in found.unfinished] == ["d", "e"]
    assert [status.nodes[i].name for i in found.rerun] == ["c", "d", "e"]
    assert found.rerun_finished == 1
    assert found.to_dict()["command"] == found.command


def test_resume_of_a_run_of_several_pipelines_names_them_all() -> None:
    found = resume(failed_line_run(pipeline_names=["ingest", "model"]))
    assert found is not None
    assert found.argv[2:4] == ["--pipelines", "ingest,model"]


def test_defaults_are_left_out_and_the_recorded_command_line_wins() -> None:
    status = failed_line_run(env="local", runner="MyRunner")
    status.pipeline.command = {
        "runner": "my_pkg.runners.MyRunner",
        "runner_params": {"max_workers": 3},
        "is_async": True,
        "conf_source": "conf.tar.gz",
    }
    found = resume(status)
    assert found is not None
    assert found.argv == [
        "kedro",
        "run",
        "--runner",
        "my_pkg.runners.MyRunner",
        "--runner-params",
        "max_workers=3",
        "--async",
        "--conf-source",
        "conf.tar.gz",
        "--from-nodes",
        "c,e",
    ]


def test_the_run_filters_stay_and_its_own_from_nodes_is_replaced() -> None:
    status = failed_line_run(
        filters={
            "from_nodes": ["a"],
            "tags": ["t1", "t2"],
            "load_versions": {"p1": "2024-01-01T00.00.00.000Z"},
            "only_missing_outputs": True,
        }
    )
    found = resume(status)
    assert found is not None
    argv = found.argv
    assert argv[argv.index("--from-nodes") + 1] == "c,e"
    assert argv.count("--from-nodes") == 1
    assert argv[argv.index("--tags") + 1] == "t1,t2"
    assert argv[argv.index("--load-versions") + 1] == "p1:2024-01-01T00.00.00.000Z"
    assert "--only-missing-outputs" in argv


def test_a_masked_parameter_gets_a_note() -> None:
    found = resume(failed_line_run(runtime_params={"api_token": "s3cr3t-value", "k": 1}))
    assert found is not None
    assert "s3cr3t" not in found.command
    assert any("api_token" in note for note in found.notes)


def test_node_names_with_spaces_and_quotes_are_quoted_for_the_shell() -> None:
    spec = [("load it", ["raw"], ["m"]), ('it\'s "x"', ["m"], ["out"])]
    log = EventLog().start(spec, types={"raw": CSV, "m": MEMORY, "out": CSV})
    log.node("load it").node_fails('it\'s "x"').error()
    found = resume(status_of(log))
    assert found is not None
    assert found.from_nodes == ["load it"]
    assert shlex.split(found.command)[-1] == "load it"


def test_nothing_finished_means_the_same_command_again() -> None:
    log = EventLog().start(LINE, types=LINE_TYPES, filters={"from_nodes": ["a"]})
    log.load_start("raw", "a").error()
    found = resume(status_of(log))
    assert found is not None
    assert found.from_nodes == []
    assert found.argv == ["kedro", "run", "--from-nodes", "a"]
    assert len(found.rerun) == len(LINE)


def test_successful_runs_have_nothing_to_resume() -> None:
    log = EventLog().start(LINE, types=LINE_TYPES)
    for name, _, _ in LINE:
        log.node(name)
    assert resume(status_of(log.end())) is None


def test_an_interrupted_run_resumes_at_the_node_that_was_running() -> None:
    log = EventLog().start(LINE, types=LINE_TYPES)
    log.node("a").node("b").node_start("c").tick(1.0).interrupted()
    status = status_of(log)
    found = resume(status)
    assert found is not None
    assert found.from_nodes == ["c", "e"]


def test_a_node_whose_output_failed_to_save_is_unfinished() -> None:
    log = EventLog().start(LINE, types=LINE_TYPES)
    log.node("a").node("b").save_start("p1", "b").error()
    found = resume(status_of(log))
    assert found is not None
    # b's output is not on disk, and its input m1 is in memory: a runs again
    assert found.from_nodes == ["a"]


def test_a_run_group_resumes_from_what_no_part_finished() -> None:
    first = EventLog(run_id="part-1").start(LINE, "part-1", types=LINE_TYPES, group="g")
    first.node("a").node("b").end()
    second = EventLog(t0=first.t + 5, run_id="part-2", pid=200)
    second.start(LINE, "part-2", types=LINE_TYPES, group="g", filters={"node_names": ["c"]})
    second.node_start("c").tick(1).node_error("c", error_info()).error()
    group = merge_group("g", [status_of(first), status_of(second)])
    found = resume(group)
    assert found is not None
    assert found.from_nodes == ["c", "e"]
    assert "--nodes" not in found.argv  # the group's command covers the whole pipeline


def test_the_walk_agrees_with_kedros_own_on_random_pipelines() -> None:
    """Kedro's ``_find_nodes_to_resume_from`` on the same pipelines, catalogs and failures."""
    import random

    from kedro.io import DataCatalog, MemoryDataset
    from kedro.io.core import AbstractDataset
    from kedro.pipeline import Pipeline, node
    from kedro.runner.runner import _find_nodes_to_resume_from

    class OnDisk(AbstractDataset):  # type: ignore[type-arg]
        def _load(self) -> None: ...
        def _save(self, data: object) -> None: ...
        def _describe(self) -> dict[str, object]:
            return {}

    rng = random.Random(15)
    for _ in range(300):
        count = rng.randint(2, 9)
        spec = []
        for index in range(count):
            made = [f"d{j}" for j in range(index)]
            inputs = rng.sample(made, k=min(len(made), rng.randint(0, 2))) or [f"raw{index}"]
            if rng.random() < 0.3:
                inputs.append("params:p")
            spec.append((f"n{index}", inputs, [f"d{index}"]))
        memory = {f"d{j}" for j in range(count) if rng.random() < 0.5}
        types = {f"d{j}": MEMORY if f"d{j}" in memory else CSV for j in range(count)}
        types.update({f"raw{j}": CSV for j in range(count)})
        catalog = DataCatalog(
            datasets={
                name: MemoryDataset() if kind == MEMORY else OnDisk()
                for name, kind in types.items()
            }
        )
        pipeline = Pipeline(
            [node(lambda *a: None, ins, outs, name=name) for name, ins, outs in spec]
        )
        # a run stops part-way: what finished is closed under its parents (any runner)
        order = [n.name for n in pipeline.nodes]
        finished = set(order[: rng.randint(1, count - 1)])
        unfinished = [n for n in pipeline.nodes if n.name not in finished]
        expected = _find_nodes_to_resume_from(pipeline, unfinished, catalog)
        ours = start_names(spec, [n.name for n in unfinished], types)
        assert sorted(ours) == sorted(expected), (spec, memory, finished)


def test_the_report_json_carries_the_resume_and_validates_against_the_schema() -> None:
    import json
    from pathlib import Path

    import jsonschema

    from kedro_run_report.report.json_report import render_json

    schema_path = Path(__file__).parents[2] / "kedro_run_report" / "schema"
    schema = json.loads((schema_path / "run_status.schema.json").read_text())
    status = failed_line_run(runtime_params={"k": 1})
    status.pipeline.command = {"runner": "ThreadRunner", "is_async": True}
    data = json.loads(render_json(status))
    jsonschema.validate(data, schema)
    assert data["resume"]["from_nodes"] == ["c", "e"]
    assert data["resume"]["command"].startswith("kedro run --runner ThreadRunner --async ")
    assert data["pipeline"]["command"] == {"runner": "ThreadRunner", "is_async": True}
    assert data["analysis"]["critical_path"]["workers"] == 1
    done = EventLog().start(LINE, types=LINE_TYPES)
    for name, _, _ in LINE:
        done.node(name)
    success = json.loads(render_json(status_of(done.end())))
    jsonschema.validate(success, schema)
    assert success["resume"] is None
