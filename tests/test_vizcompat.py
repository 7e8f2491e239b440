"""Kedro-Viz's events file: what we write reads back the same through Kedro-Viz's own code."""

from __future__ import annotations

import pytest
from helpers.event_log import CHAIN, EventLog

from kedro_run_report.model import aggregate
from kedro_run_report.store.viz_events import from_viz_events, looks_like_viz_events, to_viz_events

viz_run_events = pytest.importorskip("kedro_viz.api.rest.responses.run_events")


def _scenarios() -> dict[str, EventLog]:
    ok = EventLog().start(CHAIN)
    ok.load("raw", "a", size=300).node("a").save("mid", "a", size=5, in_memory=True)
    ok.load("mid", "b").load("params:k", "b").node("b").save("out", "b", size=77)
    ok.load("out", "c", size=77).node("c").save("final", "c", size=9).end()
    failed = EventLog().start(CHAIN).load("raw", "a").node("a").save("mid", "a")
    failed.load("mid", "b").node_fails("b", message="bad b").error("bad b")
    missing = EventLog().start(CHAIN).load_start("raw", "a")
    missing.error("Failed while loading data from dataset raw", "DatasetError")
    return {"success": ok, "node_failure": failed, "missing_input": missing}


@pytest.mark.parametrize("scenario", ["success", "node_failure", "missing_input"])
def test_kedro_viz_derives_our_statuses(scenario: str) -> None:
    status = aggregate(_scenarios()[scenario].events)
    viz = viz_run_events.transform_events_to_structured_format(to_viz_events(status))
    assert viz.pipeline.status.value == status.pipeline.status
    ran = {i: n for i, n in status.nodes.items() if n.status in ("success", "failed")}
    assert {i: n.status.value for i, n in viz.nodes.items()} == {
        i: n.status for i, n in ran.items()
    }
    touched = {i: d for i, d in status.datasets.items() if d.status in ("success", "failed")}
    assert {i: d.status.value for i, d in viz.datasets.items()} == {
        i: d.status for i, d in touched.items()
    }
    for ident, dataset in viz.datasets.items():
        assert dataset.size == (touched[ident].size or 0)
    if scenario == "missing_input":
        raw = next(d for d in viz.datasets.values() if d.name == "raw")
        assert raw.error.error_operation == "loading"
        assert raw.error.message == "Failed while loading data from dataset raw"
    if scenario == "node_failure":
        failed = next(n for n in viz.nodes.values() if n.status.value == "failed")
        assert failed.error.message == "bad b"


def test_reading_a_kedro_viz_file_round_trips_statuses() -> None:
    status = aggregate(_scenarios()["node_failure"].events)
    viz_events = to_viz_events(status)
    assert looks_like_viz_events(viz_events)
    warnings: list[str] = []
    again = aggregate(from_viz_events(viz_events, warnings))
    assert warnings and "Kedro-Viz events file" in warnings[0]
    assert again.pipeline.status == "failed"
    assert {n.name: n.status for n in again.nodes.values()} == {"a": "success", "b": "failed"}
    assert again.node_by_name("a").compute_duration == pytest.approx(1.0)  # type: ignore[union-attr]


def test_interrupted_run_has_no_end_event() -> None:
    log = EventLog().start(CHAIN).load("raw", "a").node("a")
    events = to_viz_events(aggregate(log.events))
    assert events[0]["event"] == "before_pipeline_run"
    assert events[-1]["event"] not in ("after_pipeline_run", "on_pipeline_error")


@pytest.mark.parametrize("data", [[], {}, [1], [{"no_event": 1}], "text"])
def test_foreign_json_is_not_taken_for_kedro_viz_events(data: object) -> None:
    assert not looks_like_viz_events(data)
