"""Comparing a run with the previous one, and choosing that previous run."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from helpers.event_log import CHAIN, EventLog
from helpers.runs import with_node_id

from kedro_run_report.analysis import Comparison, NodeChange, compare, pick_baseline
from kedro_run_report.analysis.compare import row_drop_lines
from kedro_run_report.errors import EventLogError
from kedro_run_report.ids import dataset_id, node_id
from kedro_run_report.model import RunStatus, aggregate
from kedro_run_report.store.runs import RunRecord

NODES = [
    ("tiny", [], ["t"]),
    ("grows", ["t"], ["g"]),
    ("steady", ["g"], ["s"]),
    ("shrinks", ["s"], ["k"]),
]


def timed_run(durations: dict[str, float], run_id: str = "run", **rows: int) -> RunStatus:
    """NODES run one after the other with the given compute times and output row counts."""
    log = EventLog().start(NODES)
    for name, _inputs, outputs in NODES:
        log.node(name, durations[name]).save(outputs[0], name, 0.0, rows=rows.get(outputs[0], 100))
    events = log.end().events
    events[1]["run_id"] = run_id
    return aggregate(events)


BEFORE = {"tiny": 0.001, "grows": 1.0, "steady": 10.0, "shrinks": 4.0}
AFTER = {"tiny": 0.003, "grows": 2.0, "steady": 11.0, "shrinks": 2.0}


def by_name(comparison: Comparison) -> dict[str, NodeChange]:
    return {n.name: n for n in comparison.nodes}


def test_regressions_need_both_a_relative_and_an_absolute_change() -> None:
    result = compare(timed_run(AFTER, "new"), timed_run(BEFORE, "old"))
    assert [n.name for n in result.regressions] == ["grows"]  # tiny: 3x but 2 ms
    assert [n.name for n in result.improvements] == ["shrinks"]  # steady: +10% only
    grows = result.regressions[0]
    assert grows.delta == pytest.approx(1.0) and grows.relative == pytest.approx(1.0)
    tiny = by_name(result)["tiny"]
    assert tiny.relative == pytest.approx(2.0, rel=1e-2) and not tiny.regression
    assert result.duration_delta == pytest.approx(0.002, abs=1e-5)
    assert result.duration_relative == pytest.approx(result.duration_delta / 15.001)
    assert (result.current_run_id, result.previous_run_id) == ("new", "old")
    stricter = compare(timed_run(AFTER), timed_run(BEFORE), regression_threshold=0.05)
    assert [n.name for n in stricter.regressions] == ["grows", "steady"]


def test_newly_failed_and_newly_succeeded_nodes() -> None:
    good = aggregate(EventLog().start(CHAIN).node("a").node("b").node("c").end().events)
    bad = aggregate(EventLog().start(CHAIN).node("a").node_fails("b").error().events)
    broke = compare(bad, good)
    assert [n.name for n in broke.newly_failed] == ["b"]
    assert broke.newly_succeeded == [] and broke.regressions == []
    c = by_name(broke)["c"]
    assert (c.previous_status, c.current_status, c.delta) == ("success", "not_run", None)
    fixed = compare(good, bad)
    assert [n.name for n in fixed.newly_succeeded] == ["b"] and fixed.newly_failed == []


def test_added_and_removed_nodes_and_matching_by_name() -> None:
    old_nodes = [("a", [], ["x"]), ("gone", ["x"], ["y"]), ("kept", ["x"], ["z"])]
    new_nodes = [("a", [], ["x"]), ("kept", ["x", "extra"], ["z"]), ("fresh", ["z"], ["w"])]
    old = aggregate(EventLog().start(old_nodes).node("a").node("gone").node("kept").end().events)
    log = EventLog().start(new_nodes).node("a").node("kept", 3.0).node("fresh").end()
    # "kept" changed its inputs, so Kedro gives it a new id; it still matches by name.
    new = aggregate(with_node_id(log.events, "kept", "new-id"))
    result = compare(new, old)
    assert [n.name for n in result.added] == ["fresh"]
    assert [n.name for n in result.removed] == ["gone"]
    kept = by_name(result)["kept"]
    assert (kept.node_id, kept.previous_id) == ("new-id", node_id("kept"))
    assert [n.name for n in result.regressions] == ["kept"]
    assert [n.name for n in result.nodes] == ["a", "kept", "fresh", "gone"]


def test_datasets_with_notable_size_or_row_changes() -> None:
    def run(rows: int, size: int, params_size: int) -> RunStatus:
        log = EventLog().start([("a", ["params:p"], ["out", "same"])])
        log.load("params:p", "a", size=params_size).node("a")
        log.save("out", "a", size=size, rows=rows).save("same", "a", size=100, rows=100)
        return aggregate(log.end().events)

    result = compare(
        run(rows=80, size=1000, params_size=9), run(rows=100, size=1000, params_size=1)
    )
    (change,) = result.datasets  # params and the unchanged dataset are not listed
    assert change.dataset_id == dataset_id("out")
    assert change.rows_changed and change.rows_dropped and not change.size_changed
    assert change.rows_relative == pytest.approx(-0.2)
    assert result.rows_dropped == [change]
    assert compare(run(95, 1000, 1), run(100, 1000, 1)).datasets == []  # -5%: noise
    grown = compare(run(130, 1300, 1), run(100, 1000, 1)).datasets[0]
    assert grown.size_changed and grown.rows_changed and not grown.rows_dropped
    emptied = compare(run(0, 10, 1), run(100, 1000, 1)).datasets[0]
    assert emptied.rows_dropped and emptied.rows_relative == pytest.approx(-1.0)
    from_zero = compare(run(5, 1000, 1), run(0, 1000, 1)).datasets[0]
    assert from_zero.rows_changed and from_zero.rows_relative is None


def test_the_comparison_says_which_rows_dropped_since_the_baseline() -> None:
    # k: 1,000 -> 690 dropped; g: 50 -> 100 grew; t: 104 -> 100 is noise; s: 20 -> 0 emptied
    before = timed_run(BEFORE, "old", k=1000, g=50, t=104, s=20)
    after = timed_run(BEFORE, "new", k=690, s=0)
    assert row_drop_lines(compare(after, before)) == [
        "s: 20 -> 0 rows (-100%) since run old",
        "k: 1,000 -> 690 rows (-31%) since run old",
    ]
    assert row_drop_lines(compare(before, before)) == []


def test_to_dict_is_json_ready_with_ids_and_rounded_numbers() -> None:
    result = compare(timed_run(AFTER, "new"), timed_run(BEFORE, "old", k=50))
    data = json.loads(json.dumps(result.to_dict()))
    assert data["regressions"] == [node_id("grows")]
    assert data["improvements"] == [node_id("shrinks")]
    assert data["added"] == data["removed"] == data["newly_failed"] == []
    assert data["rows_dropped"] == []  # 50 -> 100 rows is growth
    assert data["datasets"][0]["id"] == dataset_id("k")
    assert data["current_run_id"] == "new"
    tiny = next(n for n in data["nodes"] if n["name"] == "tiny")
    for key in ("previous_duration", "current_duration", "delta", "relative"):
        assert tiny[key] == round(tiny[key], 6)
    assert set(data["nodes"][0]) >= {"id", "name", "delta", "relative", "regression"}


# -- choosing the baseline --------------------------------------------------------------


def record(key: str, start: float, pipelines: list[str] | None, **filters: object) -> RunRecord:
    manifest: dict[str, object] = {"start": start}
    if pipelines is not None:
        manifest.update(pipeline_names=pipelines, filters=filters)
    return RunRecord(run_id=key, key=key, location=f"runs/{key}", start=start, manifest=manifest)


def loader_for(statuses: dict[str, RunStatus]) -> Callable[[RunRecord], RunStatus]:
    def load(rec: RunRecord) -> RunStatus:
        if rec.key not in statuses:
            raise EventLogError(f"{rec.location} holds no event files")
        return statuses[rec.key]

    return load


def simple(status_word: str = "success", **meta: object) -> RunStatus:
    log = EventLog().start(CHAIN, **meta).node("a")
    return aggregate((log.end() if status_word == "success" else log.error()).events)


def test_pick_baseline_takes_the_latest_earlier_run_of_the_same_selection() -> None:
    records = [
        record("r1", 1.0, ["__default__"]),
        record("r2", 2.0, ["__default__"]),
        record("r3", 3.0, ["data"]),
        record("r4", 4.0, ["__default__"], from_nodes=["b"]),
        record("r5", 5.0, ["__default__"]),
        record("r6", 6.0, ["__default__"]),  # after the current one: never a baseline
    ]
    statuses = {r.key: simple() for r in records}
    load = loader_for(statuses)
    found = pick_baseline(records, records[4], load)
    assert found is not None and found.record.key == "r2" and found.status is statuses["r2"]
    partial = pick_baseline(records, record("r9", 9.0, ["__default__"], from_nodes=["b"]), load)
    assert partial is not None and partial.record.key == "r4"
    assert pick_baseline(records, records[0], load) is None
    assert pick_baseline(records, record("r7", 7.0, ["other"]), load) is None


def test_pick_baseline_skips_unreadable_and_optionally_failed_runs() -> None:
    records = [
        record("ok", 1.0, ["__default__"]),
        record("failed", 2.0, ["__default__"]),
        record("corrupt", 3.0, ["__default__"]),
        record("now", 4.0, ["__default__"]),
    ]
    load = loader_for({"ok": simple(), "failed": simple("failed"), "now": simple()})
    assert pick_baseline(records, records[-1], load).record.key == "failed"  # type: ignore[union-attr]
    found = pick_baseline(records, records[-1], load, successful_only=True)
    assert found is not None and found.record.key == "ok"


def test_pick_baseline_reads_the_selection_from_the_run_when_the_manifest_lacks_it() -> None:
    records = [record("old", 1.0, None), record("other", 2.0, None), record("now", 3.0, None)]
    load = loader_for(
        {
            "old": simple(pipeline_names=["b", "a"]),
            "other": simple(pipeline_names=["a"]),
            "now": simple(pipeline_names=["a", "b"]),  # same pipelines, other order
        }
    )
    found = pick_baseline(records, records[-1], load)
    assert found is not None and found.record.key == "old"
