"""Aggregation of events into the run-status model, on hand-built event streams."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
from helpers.event_log import CHAIN, EventLog

from kedro_run_report.ids import dataset_id, node_id
from kedro_run_report.model import aggregate

SCHEMA = json.loads(
    (
        Path(__file__).parents[1] / "kedro_run_report" / "schema" / "run_status.schema.json"
    ).read_text()
)


def _successful_chain() -> EventLog:
    log = EventLog().start(CHAIN).tick(0.5)
    log.load("raw", "a", size=300, rows=10).node("a", 2.0).save("mid", "a", size=80, in_memory=True)
    log.load("mid", "b", size=80, in_memory=True).load("params:k", "b").node("b", 1.0)
    log.save("out", "b", size=1234, rows=5)
    log.load("out", "c", size=1234, rows=5).node("c", 0.5).save("final", "c", size=10)
    return log.tick(0.2).end()


def test_successful_run() -> None:
    status = aggregate(_successful_chain().events)
    assert status.pipeline.status == "success"
    assert status.pipeline.run_id == "run-1"
    assert status.pipeline.pid == 100 and status.pipeline.host == "host-a"
    assert [n.name for n in status.nodes.values()] == ["a", "b", "c"]
    assert {n.status for n in status.nodes.values()} == {"success"}
    a = status.node_by_name("a")
    assert a is not None
    assert a.compute_duration == pytest.approx(2.0)
    assert a.load_duration == pytest.approx(0.1)
    assert a.save_duration == pytest.approx(0.1)
    assert a.total_duration == pytest.approx(2.2)
    assert status.pipeline.duration == pytest.approx(0.5 + 2.2 + 1.3 + 0.7 + 0.2)

    out = status.dataset_by_name("out")
    assert out is not None
    assert (out.size, out.rows, out.loads, out.saves) == (1234, 5, 1, 1)
    assert out.bytes_read == 1234 and out.bytes_written == 1234
    mid = status.dataset_by_name("mid")
    assert mid is not None and mid.in_memory and mid.bytes_read == 0
    summary = status.summary()
    assert summary["nodes"] == {"success": 3, "failed": 0, "not_run": 0, "interrupted": 0}
    # parameters are not counted as data
    assert summary["datasets"] == {"loaded": 3, "saved": 3, "failed": 0}
    assert summary["bytes_read"] == 300 + 1234
    assert summary["bytes_written"] == 1234 + 10


def test_node_failure_marks_downstream_not_run() -> None:
    log = EventLog().start(CHAIN)
    log.load("raw", "a", size=300).node("a").save("mid", "a")
    log.load("mid", "b").load("params:k", "b").node_fails("b", message="division by zero")
    log.error("division by zero", "ZeroDivisionError")
    status = aggregate(log.events)
    assert status.pipeline.status == "failed"
    assert status.pipeline.error is not None and status.pipeline.error.type == "ZeroDivisionError"
    assert {n.name: n.status for n in status.nodes.values()} == {
        "a": "success",
        "b": "failed",
        "c": "not_run",
    }
    b = status.node_by_name("b")
    assert b is not None and b.error is not None
    assert (b.error.type, b.error.message) == ("ValueError", "division by zero")
    assert status.dataset_by_name("out").status == "not_run"  # type: ignore[union-attr]


def test_missing_input_fails_the_dataset_not_the_node() -> None:
    log = EventLog().start(CHAIN).load_start("raw", "a")
    log.tick(0.01).error("Failed while loading data from dataset raw", "DatasetError")
    status = aggregate(log.events)
    assert status.pipeline.status == "failed"
    assert {n.status for n in status.nodes.values()} == {"not_run"}
    raw = status.dataset_by_name("raw")
    assert raw is not None and raw.status == "failed" and raw.error is not None
    assert (raw.error.node, raw.error.operation) == ("a", "loading")
    assert raw.error.message == "Failed while loading data from dataset raw"
    error = raw.to_dict()["error"]
    assert error["error_node"] == "a" and error["error_operation"] == "loading"


def test_save_failure_keeps_the_node_successful() -> None:
    log = EventLog().start(CHAIN)
    log.load("raw", "a").node("a").save_start("mid", "a")
    log.tick(0.1).error("Failed while saving data to dataset mid")
    status = aggregate(log.events)
    assert status.node_by_name("a").status == "success"  # type: ignore[union-attr]
    mid = status.dataset_by_name("mid")
    assert mid is not None and mid.status == "failed"
    assert mid.error is not None and mid.error.operation == "saving"


def test_killed_run_is_interrupted_with_the_running_node_interrupted() -> None:
    log = EventLog().start(CHAIN)
    log.load("raw", "a").node("a").save("mid", "a")
    log.load("mid", "b").node_start("b", pid=100, thread=None)
    log.tick(5.0).load_start("zzz", None)  # any late event
    status = aggregate(log.events)
    assert status.pipeline.status == "interrupted"
    assert status.pipeline.end is None
    assert status.pipeline.duration == pytest.approx(
        status.pipeline.last_event - status.pipeline.start
    )  # type: ignore[operator]
    assert [n.status for n in status.nodes.values()] == ["success", "interrupted", "not_run"]


def test_parallel_workers_are_merged_by_stream() -> None:
    main = EventLog(pid=1).start(CHAIN)
    worker_a = EventLog(t0=main.t + 0.1, pid=2, host="host-b")
    worker_a.load("raw", "a").node("a").save("mid", "a")
    worker_b = EventLog(t0=worker_a.t + 0.1, pid=3, host="host-b")
    worker_b.load("mid", "b").node("b").save("out", "b")
    main.t = worker_b.t + 0.1
    main.end()
    status = aggregate(main.events + worker_a.events + worker_b.events)
    assert status.pipeline.status == "success"
    assert status.pipeline.pid == 1 and status.pipeline.host == "host-a"
    assert status.node_by_name("a").pid == 2  # type: ignore[union-attr]
    assert status.node_by_name("b").host == "host-b"  # type: ignore[union-attr]
    assert status.node_by_name("c").status == "not_run"  # type: ignore[union-attr]


def test_late_size_event_fills_an_unmeasured_load() -> None:
    log = EventLog().start(CHAIN).load("raw", "a")
    log.size("raw", "a", 321, rows=4)
    status = aggregate(log.node("a").end().events)
    raw = status.dataset_by_name("raw")
    assert raw is not None and (raw.size, raw.rows, raw.bytes_read) == (321, 4, 321)


def test_unknown_event_kinds_and_odd_fields_are_tolerated() -> None:
    log = EventLog().start(CHAIN)
    log.events.append({"kind": "from_the_future", "t": log.t, "x": 1})
    log.load("raw", "a", size="big", rows=True).node("a").end()
    status = aggregate(log.events)
    raw = status.dataset_by_name("raw")
    assert raw is not None and raw.size is None and raw.rows is None
    assert status.pipeline.status == "success"


def test_json_is_a_superset_of_kedro_viz_run_status() -> None:
    status = aggregate(_successful_chain().events)
    data = json.loads(json.dumps(status.to_dict()))
    jsonschema.validate(data, SCHEMA)
    assert set(data) >= {"nodes", "datasets", "pipeline"}
    assert set(data["nodes"]) == {node_id(n) for n, _, _ in CHAIN}
    for node in data["nodes"].values():
        assert {"status", "duration", "error", "name"} <= set(node)
    for ident, dataset in data["datasets"].items():
        assert ident == dataset_id(dataset["name"])
        assert {"name", "size", "status", "error"} <= set(dataset)
    assert {"run_id", "start_time", "end_time", "duration", "status", "error"} <= set(
        data["pipeline"]
    )
    assert data["pipeline"]["start_time"].endswith("+00:00")
    assert data["nodes"][node_id("b")]["inputs"] == [dataset_id("mid"), dataset_id("params:k")]


def test_failed_run_json_validates_against_the_schema() -> None:
    log = EventLog().start(CHAIN).load("raw", "a").node_fails("a").error()
    jsonschema.validate(json.loads(json.dumps(aggregate(log.events).to_dict())), SCHEMA)


def test_transcoded_names_share_one_dataset() -> None:
    log = EventLog().start([("a", ["x@pandas"], ["y"]), ("b", ["x@spark"], ["z"])])
    log.load("x@pandas", "a", size=5).node("a").load("x@spark", "b").node("b").end()
    status = aggregate(log.events)
    x = status.dataset_by_name("x@spark")
    assert x is not None and x.name == "x" and x.loads == 2
    assert x.id == dataset_id("x")
