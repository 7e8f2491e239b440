"""The main process's own status of a run (kept in memory, folded in batches) equals the log's."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import node, pipeline

from kedro_run_report.record import recorder as recorder_module
from kedro_run_report.record.hook import RunReportHook
from kedro_run_report.report.load import load_run_status
from kedro_run_report.settings import ACTIVE_RUN
from kedro_run_report.store.viz_events import to_viz_events


def _identity(x: int) -> int:
    return x


@pytest.mark.parametrize("fold_batch", [1, 7, 100_000])
def test_threads_lose_no_event_whatever_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fold_batch: int
) -> None:
    monkeypatch.setenv("KEDRO_RUN_REPORT_DIR", str(tmp_path / "log"))
    monkeypatch.delenv(ACTIVE_RUN.name, raising=False)
    monkeypatch.setattr(recorder_module, "FOLD_BATCH", fold_batch)
    # 40 independent nodes: four threads record them at once, as a ThreadRunner's pool does.
    pipe = pipeline([node(_identity, f"in{i}", f"out{i}", name=f"n{i}") for i in range(40)])
    catalog = DataCatalog(datasets={f"in{i}": MemoryDataset(i) for i in range(40)})
    hook = RunReportHook()
    hook.after_catalog_created(catalog)
    hook.before_pipeline_run({"run_id": "r1", "project_path": str(tmp_path)}, pipe, catalog)

    def run(item: node) -> None:
        (name,), (out,) = item.inputs, item.outputs
        hook.before_dataset_loaded(name, item)
        hook.after_dataset_loaded(name, 1, item)
        hook.before_node_run(item, catalog, {name: 1})
        hook.after_node_run(item)
        hook.before_dataset_saved(out, item)
        hook.after_dataset_saved(out, 1, item)

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(run, pipe.nodes))
    hook.after_pipeline_run()

    from_log = load_run_status(events=str(tmp_path / "log"))
    assert {n.status for n in from_log.nodes.values()} == {"success"}
    assert len(from_log.nodes) == 40 and len(from_log.datasets) == 80
    # The Kedro-Viz file is written from the status in memory: the same as the log's.
    written = json.loads((tmp_path / ".viz" / "kedro_pipeline_events.json").read_text())
    assert written == json.loads(json.dumps(to_viz_events(from_log)))
