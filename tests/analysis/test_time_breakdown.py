"""Where the time went: shares of worker-time, slowest nodes and datasets, worker lanes."""

from __future__ import annotations

import json

import pytest
from helpers.event_log import CHAIN, EventLog, status_of, worker
from helpers.runs import hand_built

from kedro_run_report.analysis import lanes, time_breakdown
from kedro_run_report.analysis.time_breakdown import SHARE_KEYS
from kedro_run_report.model import NodeRun, aggregate

THREE: list[tuple[str, list[str], list[str]]] = [
    ("a", [], ["x"]),
    ("b", [], ["y"]),
    ("c", [], ["z"]),
]


def sequential_chain() -> EventLog:
    log = EventLog().start(CHAIN).tick(0.5)  # startup
    log.load("raw", "a", 0.25, size=300).node("a", 2.0).save("mid", "a", 0.2)
    log.tick(0.1)  # a gap between nodes
    log.load("mid", "b", 0.1).load("params:k", "b", 0.05).node("b", 1.0)
    log.save("out", "b", 0.6)
    log.load("out", "c", 0.1).node("c", 0.5).save("final", "c", 0.05)
    return log.tick(0.4).end()  # teardown


def test_sequential_run_shares_add_up_and_idle_is_gaps_plus_startup() -> None:
    status = aggregate(sequential_chain().events)
    tb = time_breakdown(status)
    assert tb.lanes == 1
    assert tb.wall == pytest.approx(5.85)
    assert tb.worker_time == pytest.approx(tb.wall)
    assert tb.loading == pytest.approx(0.25 + 0.15 + 0.1)
    assert tb.computing == pytest.approx(3.5)
    assert tb.saving == pytest.approx(0.85)
    assert tb.overhead == pytest.approx(0.0, abs=1e-5)
    assert tb.idle == pytest.approx(0.5 + 0.1 + 0.4)
    shares = tb.shares()
    assert list(shares) == list(SHARE_KEYS)
    assert sum(shares.values()) == pytest.approx(1.0)
    assert shares["computing"] == pytest.approx(3.5 / 5.85)


def test_slowest_nodes_and_datasets() -> None:
    tb = time_breakdown(aggregate(sequential_chain().events), top=2)
    assert [(n.name, round(n.total, 3)) for n in tb.slowest_nodes] == [("a", 2.45), ("b", 1.75)]
    assert tb.slowest_nodes[0].load == pytest.approx(0.25)
    assert tb.slowest_nodes[0].compute == pytest.approx(2.0)
    # "out" is saved (0.6) and loaded (0.1): 0.7; params are never listed.
    assert [d.name for d in tb.slowest_datasets] == ["out", "mid"]
    assert tb.slowest_datasets[0].total == pytest.approx(0.7)
    assert (tb.slowest_datasets[0].loads, tb.slowest_datasets[0].saves) == (1, 1)
    all_data = time_breakdown(aggregate(sequential_chain().events)).slowest_datasets
    assert "params:k" not in {d.name for d in all_data}


def test_thread_runner_counts_every_thread_for_the_whole_wall() -> None:
    main = EventLog().start(THREE, runner="ThreadRunner")
    t1 = worker(1.0).node("a", 2.0, thread="ThreadPoolExecutor-0_0")
    t1.tick(0.5).node("c", 1.0, thread="ThreadPoolExecutor-0_0")
    t2 = worker(1.5).node("b", 3.0, thread="ThreadPoolExecutor-0_1")
    status = status_of(main.tick(5.0).end(), t1, t2)
    tb = time_breakdown(status)
    assert tb.lanes == 2 and tb.wall == pytest.approx(5.0)
    assert tb.worker_time == pytest.approx(10.0)
    assert tb.computing == pytest.approx(6.0)
    assert tb.idle == pytest.approx(4.0)
    assert sum(tb.shares().values()) == pytest.approx(1.0)
    assert [lane.label for lane in lanes(status)] == [
        "thread 1 (ThreadPoolExecutor-0_0)",
        "thread 2 (ThreadPoolExecutor-0_1)",
    ]


def test_parallel_runner_lanes_are_processes_in_first_start_order() -> None:
    main = EventLog(pid=100).start(THREE, runner="ParallelRunner")
    late = worker(2.0, pid=302).node("c", 1.0)
    early = worker(1.0, pid=301).node("b", 0.5).tick(0.2).node("a", 0.5)
    status = status_of(main.tick(4.0).end(), late, early)
    got = lanes(status)
    assert [(lane.label, lane.pid) for lane in got] == [("process 301", 301), ("process 302", 302)]
    assert [[status.nodes[i].name for i in lane.node_ids] for lane in got] == [["b", "a"], ["c"]]
    assert got[0].busy == pytest.approx(1.0)
    start = status.pipeline.start or 0.0
    assert got[0].start == pytest.approx(start + 1.0)
    assert got[0].end == pytest.approx(start + 2.2)
    tb = time_breakdown(status)
    assert tb.worker_time == pytest.approx(8.0) and tb.idle == pytest.approx(6.0)


def test_lane_labels_name_hosts_only_when_there_are_several() -> None:
    main = EventLog(pid=100, host="head").start(THREE)
    here = worker(0.0, pid=100, host="head").node("a", 1.0)
    there = worker(0.0, pid=7, host="node-2").node("b", 1.0, thread="Thread-3")
    there.node("c", 1.0)
    status = status_of(main.tick(3.0).end(), here, there)
    assert [lane.label for lane in lanes(status)] == [
        "head: main thread",
        "node-2: process 7, thread 1 (Thread-3)",
        "node-2: process 7",
    ]


def test_an_empty_run_is_all_idle() -> None:
    tb = time_breakdown(aggregate(EventLog().start(CHAIN).tick(2.0).end().events))
    assert tb.lanes == 0 and tb.slowest_nodes == [] and lanes(aggregate([])) == []
    assert tb.shares()["idle"] == pytest.approx(1.0)
    assert time_breakdown(aggregate([])).shares() == dict.fromkeys(SHARE_KEYS, 0.0)


def test_overlapping_io_and_overlapping_nodes_still_add_up() -> None:
    status = hand_built([("a", [], ["x"], 0.0, 2.0), ("b", [], ["y"], 1.0, 3.0)])
    a = status.nodes["a"]
    # Two inputs loaded at once (asynchronous loading): 1.5 s of loads in a 2 s span.
    a.compute_start, a.load_duration, a.save_duration = 1.5, 1.5, 0.0
    assert a.compute_duration == pytest.approx(0.5)
    (lane,) = lanes(status)  # both on pid 1, MainThread: a malformed, overlapping lane
    assert lane.busy == pytest.approx(3.0) and lane.label == "main thread"
    tb = time_breakdown(status)
    parts = sum(getattr(tb, key) for key in SHARE_KEYS)
    assert parts == pytest.approx(tb.worker_time)
    assert tb.idle == pytest.approx(0.0)


def test_to_dict_is_json_with_short_numbers() -> None:
    data = time_breakdown(aggregate(sequential_chain().events)).to_dict()
    assert json.loads(json.dumps(data)) == data
    assert set(data["shares"]) == set(SHARE_KEYS)
    assert data["slowest_nodes"][0]["name"] == "a"
    for number in _floats(data):
        assert len(repr(number).split(".")[-1]) <= 6


def test_a_node_without_worker_fields_is_on_the_main_thread() -> None:
    status = hand_built([("a", [], ["x"], 0.0, 1.0)], pid=None)
    status.nodes["a"] = NodeRun(id="a", name="a", status="success", start=0.0, end=1.0)
    assert [lane.label for lane in lanes(status)] == ["main thread"]


def _floats(value: object) -> list[float]:
    if isinstance(value, float):
        return [value]
    if isinstance(value, dict):
        return [f for v in value.values() for f in _floats(v)]
    if isinstance(value, list):
        return [f for v in value for f in _floats(v)]
    return []
