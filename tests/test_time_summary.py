"""The critical-path sentence: honest about one worker, and about a run's distance to its bound."""

from __future__ import annotations

from helpers.event_log import CHAIN, EventLog, status_of, worker

from kedro_run_report.analysis import critical_path
from kedro_run_report.model import aggregate
from kedro_run_report.report.views.time import path_summary

DIAMOND = [
    ("split", ["raw"], ["left", "right"]),
    ("fast", ["left"], ["left_out"]),
    ("slow", ["right"], ["right_out"]),
    ("join", ["left_out", "right_out"], ["final"]),
]


def sentence_of(status) -> str:  # type: ignore[no-untyped-def]
    return path_summary(status, critical_path(status))


def test_one_worker_says_it_ran_every_node_in_turn_and_estimates_more_workers() -> None:
    log = EventLog().start(DIAMOND).tick(0.5).node("split", 1.0).tick(0.2).node("slow", 3.0)
    log.tick(0.2).node("fast", 0.5).tick(0.2).node("join", 1.0).tick(0.5).end()
    text = sentence_of(aggregate(log.events))
    assert text.startswith("One worker ran all 4 nodes in turn: 5.5 s of node time in the 7.1 s")
    assert "(3 nodes, from split to join) took 5.0 s" in text
    assert "would take about 6.4 s (that chain 5.0 s, 2 × 200 ms of per-node overhead" in text
    assert "1.0 s of startup and teardown" in text
    assert "was startup, teardown or waiting" not in text  # the old, misleading reading


def test_a_single_chain_gains_nothing_from_more_workers() -> None:
    log = EventLog().start(CHAIN).node("a", 1.0).node("b", 1.0).node("c", 1.0).end()
    text = sentence_of(aggregate(log.events))
    assert "They form one chain" in text and "would not make the run faster" in text


def test_several_workers_close_to_the_bound() -> None:
    main = EventLog(pid=100).start(DIAMOND, runner="ParallelRunner")
    w1 = worker(0.0, pid=201).node("split", 1.0).node("slow", 3.0).node("join", 1.0)
    w2 = worker(1.0, pid=202).node("fast", 1.0)
    main.tick(5.2).end()
    text = sentence_of(status_of(main, w1, w2))
    assert text.startswith("2 workers ran 4 nodes in a 5.2 s wall time.")
    assert "(the chain below) took 5.0 s" in text
    assert "within 10% of that bound: more workers would not help" in text


def test_several_workers_far_from_the_bound() -> None:
    # four independent 1 s nodes, but one thread ran them all while the other idled
    spec = [(f"n{i}", [f"in{i}"], [f"out{i}"]) for i in range(4)]
    main = EventLog(pid=100).start(spec, runner="ThreadRunner")
    busy = worker(0.0)
    for i in range(3):
        busy.node(f"n{i}", 1.0, thread="T-0")
    idle = worker(3.0).node("n3", 1.0, thread="T-1")
    main.tick(4.0).end()
    text = sentence_of(status_of(main, busy, idle))
    assert "(1 node: n0) took 1.0 s" in text
    assert "It took 4.0× that bound: nodes that could have run waited for a free worker" in text
