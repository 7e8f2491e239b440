"""The critical path on hand-built runs with known answers."""

from __future__ import annotations

import sys

import pytest
from helpers.event_log import CHAIN, EventLog, status_of, worker
from helpers.runs import hand_built

from kedro_run_report.analysis import critical_path
from kedro_run_report.ids import node_id
from kedro_run_report.model import RunStatus, aggregate


def names(status: RunStatus, ids: list[str]) -> list[str]:
    return [status.nodes[i].name for i in ids]


DIAMOND = [
    ("split", ["raw"], ["left", "right"]),
    ("fast", ["left"], ["left_out"]),
    ("slow", ["right"], ["right_out"]),
    ("join", ["left_out", "right_out"], ["final"]),
]


def test_a_chain_is_its_own_critical_path() -> None:
    log = EventLog().start(CHAIN).tick(0.5)
    log.load("raw", "a", 0.1).node("a", 1.0).save("mid", "a", 0.1)
    log.load("mid", "b", 0.1).node("b", 2.0).save("out", "b", 0.1)
    log.load("out", "c", 0.1).node("c", 0.5).save("final", "c", 0.1)
    status = aggregate(log.tick(0.4).end().events)
    path = critical_path(status)
    assert names(status, path.node_ids) == ["a", "b", "c"]
    assert path.total == pytest.approx(1.2 + 2.2 + 0.7)
    assert path.wall == pytest.approx(0.5 + 4.1 + 0.4)
    assert path.share == pytest.approx(4.1 / 5.0)
    assert path.waiting == pytest.approx(0.9)
    data = path.to_dict()
    assert data["node_ids"] == [node_id("a"), node_id("b"), node_id("c")]
    # Epoch timestamps carry ~1e-7 s of float noise; rounding to 6 places keeps JSON short.
    assert data["total"] == pytest.approx(4.1, abs=1e-5) and len(str(data["share"])) <= 8


def test_diamond_on_two_workers_goes_through_the_slower_branch() -> None:
    main = EventLog(pid=100).start(DIAMOND, runner="ParallelRunner")
    w1 = worker(0.0, pid=201).node("split", 1.0).node("slow", 3.0).node("join", 1.0)
    w2 = worker(1.0, pid=202).node("fast", 1.0)
    main.tick(5.5).end()
    status = status_of(main, w1, w2)
    path = critical_path(status)
    assert names(status, path.node_ids) == ["split", "slow", "join"]
    assert path.total == pytest.approx(5.0)
    assert path.wall == pytest.approx(5.5)


def test_sequential_diamond_follows_the_branch_that_ran_last() -> None:
    # One worker: join waited for whichever branch ran second, however short it was.
    log = EventLog().start(DIAMOND).node("split", 1.0).node("slow", 3.0).node("fast", 0.5)
    status = aggregate(log.node("join", 1.0).end().events)
    assert names(status, critical_path(status).node_ids) == ["split", "fast", "join"]


def test_parallel_overlapping_branches_pick_the_longer_chain() -> None:
    nodes = [
        ("a1", ["in_a"], ["a_mid"]),
        ("a2", ["a_mid"], ["a_out"]),
        ("b1", ["in_b"], ["b_mid"]),
        ("b2", ["b_mid"], ["b_out"]),
    ]
    main = EventLog().start(nodes, runner="ThreadRunner")
    t1 = worker(0.0).node("a1", 1.0, thread="T-0").node("a2", 2.0, thread="T-0")
    t2 = worker(0.5).node("b1", 2.0, thread="T-1").node("b2", 3.0, thread="T-1")
    main.tick(6.0).end()
    status = status_of(main, t1, t2)
    path = critical_path(status)
    assert names(status, path.node_ids) == ["b1", "b2"]
    assert path.total == pytest.approx(5.0)
    assert path.share == pytest.approx(5.0 / 6.0)


def test_a_node_that_queued_for_a_worker_still_links_to_its_latest_input() -> None:
    # c needs a (ends at 1) and b (ends at 2) but only starts at 4, once a worker is free.
    nodes = [("a", [], ["x"]), ("b", [], ["y"]), ("busy", [], ["z"]), ("c", ["x", "y"], ["w"])]
    main = EventLog().start(nodes)
    w1 = worker(0.0, pid=201).node("a", 1.0).node("busy", 3.0).node("c", 1.0)
    w2 = worker(0.0, pid=202).node("b", 2.0)
    status = status_of(main.tick(5.0).end(), w1, w2)
    path = critical_path(status)
    assert names(status, path.node_ids) == ["b", "c"]
    assert path.total == pytest.approx(3.0)
    assert path.waiting == pytest.approx(2.0)  # the queueing shows as wall - total


def test_sequential_failed_run_ends_at_the_failed_node() -> None:
    log = EventLog().start(CHAIN).node("a", 1.0).node_fails("b", 0.5).error()
    status = aggregate(log.events)
    path = critical_path(status)
    assert names(status, path.node_ids) == ["a", "b"]  # c did not run
    assert path.total == pytest.approx(1.5)


def test_parallel_failed_run_ends_at_the_node_that_finished_last() -> None:
    nodes = [("a", [], ["x"]), ("bad", ["x"], ["y"]), ("long", [], ["z"])]
    main = EventLog().start(nodes)
    t1 = worker(0.0).node("a", 1.0, thread="T-0")
    t1.node_fails("bad", 0.5, thread="T-0")
    t2 = worker(0.0).node("long", 3.0, thread="T-1")
    status = status_of(main.tick(3.0).error(), t1, t2)
    assert names(status, critical_path(status).node_ids) == ["long"]


def test_nodes_that_did_not_run_are_left_out() -> None:
    # A partial run: "a" is planned but not run, so "b" starts the chain.
    log = EventLog().start(CHAIN).node("b", 1.0).node("c", 1.0).end()
    status = aggregate(log.events)
    assert status.node_by_name("a").status == "not_run"  # type: ignore[union-attr]
    assert names(status, critical_path(status).node_ids) == ["b", "c"]


def test_an_empty_run_has_an_empty_path() -> None:
    status = aggregate(EventLog().start(CHAIN).tick(2.0).end().events)
    path = critical_path(status)
    assert path.node_ids == [] and path.total == 0.0
    assert path.wall == pytest.approx(2.0) and path.share == 0.0


def test_transcoded_datasets_link_their_nodes() -> None:
    nodes = [("make", [], ["table@spark"]), ("use", ["table@pandas"], ["out"])]
    log = EventLog().start(nodes).node("make", 1.0).node("use", 1.0).end()
    status = aggregate(log.events)
    assert names(status, critical_path(status).node_ids) == ["make", "use"]


def test_interrupted_node_runs_until_the_last_event() -> None:
    # The process was killed while "b" computed; its last sign of life is a later event.
    log = EventLog().start(CHAIN).node("a", 1.0)
    log.node_start("b")
    status = aggregate(log.tick(2.0).warning("late").events)
    path = critical_path(status)
    assert names(status, path.node_ids) == ["a", "b"]
    assert path.total == pytest.approx(3.0)


def test_ten_thousand_nodes_in_layers() -> None:
    layers, width = 100, 100
    nodes = []
    key = [(k * 37) % width for k in range(layers)]  # the slow node of each layer
    for k in range(layers):
        for i in range(width):
            inputs = []
            if k:
                inputs = [f"d{k - 1}_{(i + 1) % width}", f"d{k - 1}_{(i * 7) % width}"]
                if i == key[k]:
                    inputs.append(f"d{k - 1}_{key[k - 1]}")
            length = 9.0 if i == key[k] else 1.0 + (i % 7) * 0.1
            nodes.append((f"n{k}_{i}", inputs, [f"d{k}_{i}"], k * 10.0, k * 10.0 + length))
    status = hand_built(nodes)
    assert len(status.nodes) == 10_000
    path = critical_path(status)
    assert path.node_ids == [f"n{k}_{key[k]}" for k in range(layers)]
    assert path.total == pytest.approx(9.0 * layers)
    outputs = {n: set(status.nodes[n].outputs) for n in path.node_ids}
    for before, after in zip(path.node_ids, path.node_ids[1:], strict=False):
        assert outputs[before] & set(status.nodes[after].inputs)  # every step is an edge


def test_a_ten_thousand_long_chain_needs_no_recursion() -> None:
    n = 10_000
    assert n > sys.getrecursionlimit()
    nodes = [(f"n{i}", [f"d{i - 1}"] if i else [], [f"d{i}"], float(i), i + 0.5) for i in range(n)]
    path = critical_path(hand_built(nodes))
    assert len(path.node_ids) == n
    assert path.node_ids[0] == "n0" and path.node_ids[-1] == f"n{n - 1}"
    assert path.total == pytest.approx(0.5 * n)


def test_worker_clock_ahead_of_main_still_yields_a_valid_path() -> None:
    # A node outside the pipeline's window (clock skew) widens the window instead of
    # pushing the share above 1.
    nodes = [("a", [], ["x"]), ("b", ["x"], ["y"])]
    main = EventLog().start(nodes).tick(1.0).end()
    w = worker(0.5, pid=201).node("a", 1.0).node("b", 1.0)
    status = status_of(main, w)
    path = critical_path(status)
    assert path.wall == pytest.approx(2.5) and path.share == pytest.approx(0.8)
    assert (status.nodes[node_id("b")].end or 0.0) > (status.pipeline.end or 0.0)


def test_one_worker_bound_is_the_longest_chain_plus_its_overhead_and_startup() -> None:
    # split 1 s, slow 3 s, fast 0.5 s, join 1 s in turn, 0.2 s between nodes, 0.5 s at each end
    log = EventLog().start(DIAMOND).tick(0.5).node("split", 1.0).tick(0.2).node("slow", 3.0)
    log.tick(0.2).node("fast", 0.5).tick(0.2).node("join", 1.0).tick(0.5).end()
    status = aggregate(log.events)
    path = critical_path(status)
    assert path.workers == 1 and path.nodes_run == 4
    assert path.node_time == pytest.approx(5.5)
    assert path.startup_teardown == pytest.approx(1.0)
    assert path.per_node_overhead == pytest.approx(0.2)
    # the longest chain is split -> slow -> join, not the chain the run waited on last
    assert names(status, path.longest_ids) == ["split", "slow", "join"]
    assert names(status, path.node_ids) == ["split", "fast", "join"]
    assert path.longest == pytest.approx(5.0)
    assert path.bound == pytest.approx(1.0 + 5.0 + 2 * 0.2)
    assert path.wall == pytest.approx(7.1)
    assert path.to_dict()["bound"] == pytest.approx(6.4)


def test_per_node_overhead_counts_from_when_a_node_could_start() -> None:
    # fast waits 1.0 s for a free worker after split: that is queueing, not overhead; the
    # overhead is the 0.1 s it took to start once its worker was free
    main = EventLog(pid=100).start(DIAMOND, runner="ParallelRunner")
    w1 = worker(0.0, pid=201).node("split", 1.0).tick(0.1).node("slow", 1.0).tick(0.1)
    w1.node("fast", 0.5).tick(0.1).node("join", 1.0)
    main.tick(4.0).end()
    path = critical_path(status_of(main, w1))
    assert path.per_node_overhead == pytest.approx(0.1)


def test_the_bound_never_exceeds_the_wall_time() -> None:
    log = EventLog().start(CHAIN).node("a", 1.0).node("b", 1.0).node("c", 1.0).end()
    path = critical_path(aggregate(log.events))
    assert path.bound == pytest.approx(path.wall)
    assert path.longest_ids == path.node_ids
