"""Size probes and the run snapshot, without running Kedro."""

from __future__ import annotations

import gc
import logging
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import node, pipeline
from kedro_datasets.pickle import PickleDataset

from kedro_run_report.ids import node_id
from kedro_run_report.record.sizes import SizeProbe, memory_size, row_count
from kedro_run_report.record.snapshot import (
    pipeline_names,
    pipeline_snapshot,
    run_filters,
    runner_name,
)


def test_row_counts_only_where_cheap() -> None:
    assert row_count(pd.DataFrame({"a": range(7)})) == 7
    assert row_count(np.zeros((3, 2))) == 3
    assert row_count([1, 2, 3]) is None
    assert row_count({"a": 1}) is None


def test_memory_estimates_never_serialise() -> None:
    frame = pd.DataFrame({"a": np.arange(100, dtype="int64")})
    assert memory_size(frame) == int(frame.memory_usage(index=True, deep=False).sum())
    assert memory_size(np.zeros(10, dtype="float64")) == 80
    assert memory_size(b"12345") == 5
    assert memory_size("héllo") == 6
    assert memory_size(object()) is None
    assert memory_size({"a": 1}) is None


def test_versioned_file_size_is_the_version_written(tmp_path: Path) -> None:
    from kedro.io import Version

    dataset = PickleDataset(filepath=str(tmp_path / "model.pkl"), version=Version(None, None))
    catalog = DataCatalog(datasets={"model": dataset, "mem": MemoryDataset()})
    dataset.save({"weights": list(range(1000))})
    probe = SizeProbe(catalog)
    size, rows, in_memory = probe.measure("model", {"weights": []})
    (written,) = (tmp_path / "model.pkl").glob("*/model.pkl")
    assert (size, rows, in_memory) == (written.stat().st_size, None, False)
    assert size != 4096  # not the version directory

    size, rows, in_memory = probe.measure("mem", pd.DataFrame({"a": [1, 2]}))
    assert in_memory and rows == 2 and size and size > 0


def test_probe_failures_give_none(tmp_path: Path) -> None:
    catalog = DataCatalog(datasets={"gone": PickleDataset(filepath=str(tmp_path / "gone.pkl"))})
    assert SizeProbe(catalog).measure("gone", None) == (None, None, True)
    assert SizeProbe(catalog, mode="off").measure("gone", [1]) == (None, None, False)


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("<kedro.runner.thread_runner.ThreadRunner object at 0x7f>", "ThreadRunner"),
        ("<my.pkg.CustomRunner object at 0xABC>", "CustomRunner"),
        ("None", "SequentialRunner"),
    ],
)
def test_runner_names(text: str, name: str) -> None:
    assert runner_name(text) == name


def test_only_set_filters_are_kept() -> None:
    params = {
        "tags": ["b", "a"],
        "node_names": [],
        "from_nodes": None,
        "only_missing_outputs": True,
        "load_versions": {"x": "2024"},
        "runtime_params": {"secret": 1},
    }
    assert run_filters(params) == {
        "tags": ["a", "b"],
        "only_missing_outputs": True,
        "load_versions": {"x": "2024"},
    }


def test_snapshot_has_kedro_viz_ids_and_dataset_types() -> None:
    def f(x: int) -> int:
        return x

    pipe = pipeline(
        [node(f, "raw", "mid", name="first"), node(f, "mid", "out", name="second")],
        namespace="ns",
        inputs={"raw"},
    )
    catalog = DataCatalog(datasets={"raw": MemoryDataset(1)})
    snapshot = pipeline_snapshot(pipe, catalog)
    first = snapshot["nodes"][0]
    assert first["name"] == "ns.first" and first["namespace"] == "ns"
    assert first["id"] == node_id(str(pipe.nodes[0]))
    assert first["inputs"] == ("raw",) and first["outputs"] == ("ns.mid",)
    assert first["function"].endswith("f")
    assert snapshot["datasets"]["raw"] == {"type": "MemoryDataset"}
    # Held through the whole run, it must not weigh on the garbage collector.
    gc.collect()
    assert not any(gc.is_tracked(spec) for spec in snapshot["nodes"])


def test_remote_file_size_goes_through_fsspec() -> None:
    import pickle

    dataset = PickleDataset(filepath="memory://bucket/kedro-run-report-sizes.pkl")
    data = list(range(500))
    dataset.save(data)
    catalog = DataCatalog(datasets={"remote": dataset})
    try:
        size, _rows, in_memory = SizeProbe(catalog).measure("remote", data)
        assert (size, in_memory) == (len(pickle.dumps(data)), False)
        # Remote probes can be turned off, leaving local files measured.
        assert SizeProbe(catalog, mode="local").measure("remote", data)[0] is None
    finally:
        dataset._fs.rm("/kedro-run-report-sizes.pkl")


def test_remote_sizes_can_be_measured_in_the_background() -> None:
    import pickle
    import threading

    dataset = PickleDataset(filepath="memory://bucket/kedro-run-report-later.pkl")
    data = list(range(300))
    dataset.save(data)
    probe = SizeProbe(DataCatalog(datasets={"remote": dataset}))
    got: list[tuple[int, str]] = []
    try:
        size, _rows, in_memory = probe.measure(
            "remote", data, later=lambda n: got.append((n, threading.current_thread().name))
        )
        assert (size, in_memory) == (None, False)  # not measured on the caller's thread
        assert probe.drain(timeout=10)
        assert got == [(len(pickle.dumps(data)), "kedro-run-report-sizes")]
    finally:
        dataset._fs.rm("/kedro-run-report-later.pkl")


def test_snapshot_does_not_repeat_kedros_catch_all_warnings(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    def f(x: int) -> int:
        return x

    pattern = {"type": "pickle.PickleDataset", "filepath": str(tmp_path / "{name}.pkl")}
    catalog = DataCatalog.from_config({"{name}": pattern})
    pipe = pipeline([node(f, "a", "b", name="first"), node(f, "b", "c", name="second")])
    with caplog.at_level(logging.WARNING):
        snapshot = pipeline_snapshot(pipe, catalog)
        catalog.get_type("a")  # Kedro's own resolution still warns, once per dataset
    assert {name: spec["type"] for name, spec in snapshot["datasets"].items()} == {
        "a": "pickle.PickleDataset",
        "b": "pickle.PickleDataset",
        "c": "pickle.PickleDataset",
    }
    warned = [r.getMessage() for r in caplog.records if "dataset pattern" in r.getMessage()]
    assert len(warned) == 1 and warned[0].endswith("'a'")


def test_the_pipelines_asked_for_under_every_kedro_1x() -> None:
    assert pipeline_names({"pipeline_names": ["a", "b"]}) == ["a", "b"]
    assert pipeline_names({"pipeline_name": "prep"}) == ["prep"]  # Kedro 1.0's run_params
    assert pipeline_names({"pipeline_name": None, "pipeline_names": None}) == ["__default__"]
