"""The hook measures remote dataset sizes off the pipeline's thread, and they still arrive."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest
from kedro.io import DataCatalog
from kedro.pipeline import node, pipeline
from kedro_datasets.pickle import PickleDataset

from kedro_run_report.record.hook import RunReportHook
from kedro_run_report.report.load import load_run_status
from kedro_run_report.settings import ACTIVE_RUN


def _double(x: list[int]) -> list[int]:
    return x + x


def test_remote_sizes_arrive_as_late_size_events(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEDRO_RUN_REPORT_DIR", str(tmp_path / "log"))
    monkeypatch.delenv(ACTIVE_RUN.name, raising=False)
    source = PickleDataset(filepath="memory://bucket/kedro-run-report-hook-in.pkl")
    target = PickleDataset(filepath="memory://bucket/kedro-run-report-hook-out.pkl")
    data = list(range(200))
    source.save(data)
    catalog = DataCatalog(datasets={"remote_in": source, "remote_out": target})
    pipe = pipeline([node(_double, "remote_in", "remote_out", name="double")])
    (item,) = pipe.nodes
    hook = RunReportHook()
    try:
        hook.after_catalog_created(catalog)
        hook.before_pipeline_run({"run_id": "r1", "project_path": str(tmp_path)}, pipe, catalog)
        hook.before_dataset_loaded("remote_in", item)
        hook.after_dataset_loaded("remote_in", data, item)
        hook.before_node_run(item, catalog, {"remote_in": data})
        result = _double(data)
        hook.after_node_run(item)
        hook.before_dataset_saved("remote_out", item)
        target.save(result)
        hook.after_dataset_saved("remote_out", result, item)
        hook.after_pipeline_run()
    finally:
        source._fs.rm("/kedro-run-report-hook-in.pkl")
        target._fs.rm("/kedro-run-report-hook-out.pkl")
    status = load_run_status(events=str(tmp_path / "log"))
    loaded, saved = status.dataset_by_name("remote_in"), status.dataset_by_name("remote_out")
    assert loaded is not None and saved is not None
    assert (loaded.size, loaded.bytes_read) == (len(pickle.dumps(data)),) * 2
    assert (saved.size, saved.bytes_written) == (len(pickle.dumps(result)),) * 2
    assert not loaded.in_memory and not saved.in_memory
    # Measured on the probe's thread: the end events carry no size, late "size" events do.
    (stream,) = (tmp_path / "log").glob("runs/*/events-*.jsonl")
    text = stream.read_text()
    assert '"kind":"size"' in text and '"op":"save"' in text and '"op":"load"' in text
    assert (
        '"kind":"save_end","t"' in text
        and '"size"' not in text.split('"kind":"save_end"')[1].split("\n")[0]
    )
