"""The large-project shapes of tests/helpers/large_shapes.py keep their promises: node counts,
namespaces, fan-out, Kedro's naming, a DAG in run order, and runs that aggregate."""

from __future__ import annotations

import pytest
from helpers import large_shapes
from helpers.large_shapes import SHAPES, namespace_sizes, produced, raw_inputs, shape_run

from kedro_run_report.model import FAILED, NOT_RUN

SIZES = (1000, 5000, 10000)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_input_is_raw_or_made_earlier(shape: str, size: int) -> None:
    spec = SHAPES[shape](size)
    made = produced(spec)
    assert len(made) == sum(len(outs) for *_, outs, _ in spec), "a dataset is produced twice"
    assert len({name for name, *_ in spec}) == len(spec), "node names are not unique"
    for i, (name, _, ins, outs, seconds) in enumerate(spec):
        assert ins and outs and seconds > 0, name
        assert len(set(ins)) == len(ins), name
        for d in ins:
            assert made.get(d, -1) < i, f"{name} reads {d}, made later by node {made[d]}"
    assert raw_inputs(spec), "nothing is read from outside the pipeline"


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_names_are_built_as_kedro_builds_them(shape: str) -> None:
    for name, ns, ins, outs, _ in SHAPES[shape](1000):
        if ns is None:
            assert "." not in name
            continue
        assert name.startswith(f"{ns}.") and "." not in name.removeprefix(f"{ns}.")
        for out in outs:
            assert out.startswith(f"{ns}."), f"{name} (namespace {ns}) produces {out}"
        for d in ins:
            if d.startswith("params:"):
                assert d.startswith(f"params:{ns}."), f"{name} reads another's parameter {d}"


@pytest.mark.parametrize("size", SIZES)
def test_generators_are_deterministic(size: int) -> None:
    for make in SHAPES.values():
        assert make(size) == make(size)


@pytest.mark.parametrize(
    ("size", "namespaces", "template"), [(1000, 40, 25), (5000, 100, 50), (10000, 100, 100)]
)
def test_modular_fanout(size: int, namespaces: int, template: int) -> None:
    spec = SHAPES["modular_fanout"](size)
    assert len(spec) == namespaces * template + 1
    counts = namespace_sizes(spec)
    assert len(counts) == namespaces and set(counts.values()) == {template}
    assert "region_07" in counts
    assert raw_inputs(spec) == ["raw_input"]
    readers = [name for name, _, ins, _, _ in spec if "raw_input" in ins]
    assert len(readers) == namespaces  # every copy reads the shared raw input once
    name, ns, ins, outs, _ = spec[-1]
    assert (name, ns) == ("combine_results", None)
    assert sorted(ins) == sorted(f"{n}.result" for n in counts)
    assert sum(1 for *_, outs, _ in spec for out in outs if out.endswith(".result")) == namespaces
    for ns in counts:  # each copy has its own parameters
        assert any(d == f"params:{ns}.source_options" for _, n, ins, _, _ in spec for d in ins)


def test_modular_template_has_branches_and_joins() -> None:
    spec = [row for row in SHAPES["modular_fanout"](1000) if row[1] == "region_00"]
    readers: dict[str, int] = {}
    for _, _, ins, _, _ in spec:
        for d in ins:
            readers[d] = readers.get(d, 0) + 1
    joins = [name for name, _, ins, _, _ in spec if sum(1 for d in ins if "." in d) > 1]
    branches = [d for d, n in readers.items() if n > 1]
    assert 2 <= len(joins) <= len(spec) // 2, joins
    assert 2 <= len(branches) <= len(spec) // 2, branches
    made = produced(spec)
    assert all(readers.get(d) for d in made if not d.endswith(".result")), "a dangling output"


@pytest.mark.parametrize("size", SIZES)
def test_wide_dag(size: int) -> None:
    spec = large_shapes.wide_dag(size)
    assert len(spec) == size
    counts = namespace_sizes(spec)
    assert sorted(counts) == [f"stage_{c}" for c in "abcdef"]
    assert max(counts.values()) < 2 * min(counts.values())
    order = [ns for _, ns, *_ in spec]  # contiguous bands, in order
    assert [ns for i, ns in enumerate(order) if i == 0 or order[i - 1] != ns] == sorted(counts)
    fan_in = [len([d for d in ins if not d.startswith("params:")]) for _, _, ins, _, _ in spec]
    assert min(fan_in) >= 1 and max(fan_in) <= 3 and 1.4 < sum(fan_in) / len(fan_in) < 2.6
    first_layer = [ins for _, _, ins, _, _ in spec if any(d.startswith("raw_") for d in ins)]
    assert 20 <= len(first_layer) <= 40  # about one layer of 30 reads raw inputs


def test_wide_dag_reads_mostly_the_layer_before() -> None:
    spec = large_shapes.wide_dag(1000)
    made = produced(spec)
    distances = [i - made[d] for i, (_, _, ins, _, _) in enumerate(spec) for d in ins if d in made]
    near = sum(1 for d in distances if d <= 2 * 39)  # within about a layer
    assert near / len(distances) > 0.7


@pytest.mark.parametrize("size", SIZES)
def test_nested(size: int) -> None:
    spec = large_shapes.nested(size)
    assert len(spec) == size
    depths = {ns.count(".") + 1 for _, ns, *_ in spec if ns}
    assert depths == {1, 2, 3}  # nodes in intermediate namespaces too
    assert None not in {ns for _, ns, *_ in spec}
    assert {"ingestion.sources.src_03", "features.customer.window_7"} <= set(namespace_sizes(spec))
    leaves = [n for ns, n in namespace_sizes(spec).items() if ns.count(".") == 2]
    assert max(leaves) > 3 * min(leaves), "namespaces of even sizes"
    tops = namespace_sizes(spec, depth=1)
    assert sorted(tops) == ["features", "ingestion", "modelling", "reporting"]


@pytest.mark.parametrize("size", SIZES)
def test_flat(size: int) -> None:
    spec = large_shapes.flat(size)
    assert len(spec) == size
    assert all(ns is None and "." not in name for name, ns, *_ in spec)
    assert spec[-1][0] == "build_report"
    assert 5 <= len(raw_inputs(spec)) <= 10  # a few independent branches
    finals = [name for name, *_ in spec if name.startswith("finalise_")]
    assert len(finals) == len(raw_inputs(spec))
    assert all(not any(c.isdigit() for c in name.split("_")[0]) for name, *_ in spec)


def test_shape_run_aggregates() -> None:
    spec = SHAPES["modular_fanout"](1000)
    status = shape_run(spec)
    assert len(status.nodes) == len(spec) == 1001
    assert {n.status for n in status.nodes.values()} == {"success"}
    names = {d for _, _, ins, outs, _ in spec for d in ins + outs if not d.startswith("params:")}
    assert {d.name for d in status.datasets.values()} >= names
    raw = next(d for d in status.datasets.values() if d.name == "raw_input")
    assert raw.size and raw.rows
    result = next(d for d in status.datasets.values() if d.name == "region_07.result")
    assert result.size and result.rows


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_shape_run_stops_at_the_failure(shape: str) -> None:
    spec = SHAPES[shape](1000)
    fail_at = len(spec) * 2 // 3
    status = shape_run(spec, fail_at=fail_at)
    by_name = {n.name: n for n in status.nodes.values()}
    assert by_name[spec[fail_at][0]].status == FAILED
    assert by_name[spec[0][0]].status == "success"
    assert by_name[spec[-1][0]].status == NOT_RUN
    assert sum(1 for n in status.nodes.values() if n.status == FAILED) == 1
