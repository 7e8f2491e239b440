"""Judging a run against its own history: usual ranges, outliers and drifts."""

from __future__ import annotations

import json

import pytest
from helpers.event_log import EventLog
from helpers.runs import TWO_STEPS, two_step_run

from kedro_run_report.analysis import Unusual, unusual
from kedro_run_report.analysis.usual_range import (
    DRIFT_DOWN,
    DRIFT_UP,
    DURATION,
    HIGH,
    LOW,
    MIN_RUNS,
    ROWS,
    RULES,
    SIZE,
    judge,
    measures,
    measures_from_dict,
    measures_to_dict,
    usual_range,
)
from kedro_run_report.ids import dataset_id, node_id
from kedro_run_report.model import aggregate

NODES = TWO_STEPS
NOISE = [2.0, 2.1, 1.9, 2.05, 1.95, 2.2, 1.85, 2.0]  # seconds of "fit", a few % either way
run = two_step_run


def findings(result: Unusual, measure: str) -> dict[str, str]:
    return {f.name: f.verdict for f in result.of(measure)}


def test_noise_within_the_usual_range_is_not_flagged() -> None:
    history = [run(fit) for fit in NOISE]
    assert unusual(run(2.25), history).findings == []
    assert unusual(run(1.8), history).findings == []


def test_a_three_times_slower_node_is_flagged_high() -> None:
    history = [run(fit) for fit in NOISE]
    result = unusual(run(6.0), history)
    assert findings(result, DURATION) == {"fit": HIGH}
    finding = result.of(DURATION)[0]
    assert finding.subject_id == node_id("fit")
    assert finding.usual.runs == len(NOISE)
    assert finding.usual.centre == pytest.approx(2.0, abs=1e-6)
    assert finding.usual.low < 2.0 < finding.usual.high < 6.0
    assert finding.ratio == pytest.approx(3.0, rel=1e-3)


def test_a_faster_node_is_not_a_problem() -> None:
    history = [run(fit) for fit in NOISE]
    assert unusual(run(0.5), history).findings == []


def test_tiny_or_constant_histories_do_not_flag_noise() -> None:
    constant = [run(2.0) for _ in range(8)]  # no spread at all: the floors decide
    assert unusual(run(2.3), constant).findings == []  # +15%: inside the 20% floor
    assert findings(unusual(run(2.6), constant), DURATION) == {"fit": HIGH}
    # "load" takes 0.1 s: 3x is 0.3 s, within the half-second floor
    fast = EventLog().start(NODES)
    fast.node("load", 0.3).save("table", "load", 0.0, rows=1000, size=50_000)
    fast.node("fit", 2.0).save("model", "fit", 0.0)
    assert unusual(aggregate(fast.end().events), constant).findings == []


def test_one_outlier_in_the_history_does_not_widen_the_range() -> None:
    history = [run(fit) for fit in [*NOISE, 30.0]]  # one very slow run, once
    assert findings(unusual(run(6.0), history), DURATION) == {"fit": HIGH}


def test_too_few_runs_flag_nothing() -> None:
    history = [run(fit) for fit in NOISE[: MIN_RUNS - 1]]
    assert unusual(run(20.0, rows=10, size=10), history).findings == []
    assert unusual(run(2.0), []).findings == []
    assert unusual(run(2.0), []).run_range is None


def test_a_steady_rise_is_flagged_as_a_drift() -> None:
    # every value inside a range as wide as the history's own spread, but rising run after run
    history = [run(fit) for fit in [2.0, 3.0, 2.0, 3.0, 2.0, 2.1, 2.4, 2.7]]
    result = unusual(run(3.0), history)
    assert findings(result, DURATION) == {"fit": DRIFT_UP}
    finding = result.of(DURATION)[0]
    assert finding.value <= finding.usual.high
    assert finding.recent == pytest.approx((2.0, 2.1, 2.4, 2.7, 3.0), abs=1e-6)


def test_a_rise_too_small_or_not_monotone_is_no_drift() -> None:
    small = [run(fit) for fit in [2.0, 2.0, 2.0, 2.0, 2.01, 2.02, 2.03, 2.04]]
    assert unusual(run(2.05), small).findings == []  # monotone, but +2%
    broken = [run(fit) for fit in [2.0, 3.0, 2.0, 3.0, 2.0, 2.4, 2.2, 2.7]]
    assert unusual(run(3.0), broken).findings == []  # 2.4 -> 2.2 breaks the rise


def test_row_counts_outside_their_usual_range_are_flagged_both_ways() -> None:
    history = [run(rows=rows) for rows in (1000, 1010, 990, 1005, 995, 1000)]
    assert unusual(run(rows=1040), history).findings == []  # +4%: noise
    assert findings(unusual(run(rows=600), history), ROWS) == {"table": LOW}
    assert findings(unusual(run(rows=3000), history), ROWS) == {"table": HIGH}
    finding = unusual(run(rows=600), history).of(ROWS)[0]
    assert finding.subject_id == dataset_id("table")


def test_a_steady_loss_of_rows_is_a_drift_growth_is_not() -> None:
    shrinking = [run(rows=rows) for rows in (1000, 1200, 1000, 1200, 1000, 960, 930, 900)]
    assert findings(unusual(run(rows=870), shrinking), ROWS) == {"table": DRIFT_DOWN}
    growing = [run(rows=rows) for rows in (1000, 1200, 1000, 1200, 1000, 1040, 1070, 1100)]
    assert unusual(run(rows=1130), growing).findings == []


def test_sizes_are_judged_like_rows() -> None:
    history = [run(size=size) for size in (50_000, 51_000, 49_500, 50_200, 50_100)]
    assert unusual(run(size=52_000), history).findings == []
    assert findings(unusual(run(size=150_000), history), SIZE) == {"table": HIGH}
    assert findings(unusual(run(size=10_000), history), SIZE) == {"table": LOW}


def test_unknown_measures_and_failed_nodes_are_left_out() -> None:
    history = [run(fit) for fit in NOISE]
    failed = EventLog().start(NODES)
    failed.node("load", 0.1).save("table", "load", 0.0)  # rows and size not recorded
    failed.node_fails("fit", 9.0).error()
    assert unusual(aggregate(failed.events), history).findings == []
    # failed runs in the history give no duration, and no run-duration range
    broken = EventLog().start(NODES)
    broken.node("load", 0.1).save("table", "load", 0.0, rows=1000, size=50_000)
    broken.node_fails("fit", 30.0).error()
    assert unusual(run(6.0), [aggregate(broken.events)] * 8).findings == []


def test_the_usual_total_duration_of_successful_runs() -> None:
    history = [run(fit) for fit in NOISE]
    result = unusual(run(2.0), history)
    assert result.run_range is not None and result.runs == len(NOISE)
    assert result.run_range.low < 2.1 < result.run_range.high
    data = result.to_dict()
    assert data["run_duration"]["runs"] == len(NOISE) and data["findings"] == []


def test_the_range_and_its_floors() -> None:
    assert usual_range([1.0] * (MIN_RUNS - 1), RULES[DURATION]) is None
    flat = usual_range([10.0] * MIN_RUNS, RULES[DURATION])
    assert flat is not None and (flat.low, flat.high) == (pytest.approx(8.0), pytest.approx(12.0))
    tiny = usual_range([0.01] * MIN_RUNS, RULES[DURATION])
    assert tiny is not None and tiny.high == pytest.approx(0.51)
    spread = usual_range([8.0, 9.0, 10.0, 11.0, 12.0], RULES[DURATION])
    assert spread is not None and spread.high == pytest.approx(10.0 + 3 * 1.4826)
    assert judge(ROWS, "d", "d", 0.0, [0.0] * MIN_RUNS) is None  # an always-empty table
    assert judge(ROWS, "d", "d", 5.0, [0.0] * MIN_RUNS) is not None


def test_measures_round_trip_and_odd_caches_are_refused() -> None:
    status = run(3.0, rows=7, size=70)
    kept = measures(status)
    assert measures_from_dict(json.loads(json.dumps(measures_to_dict(kept)))) == kept
    assert kept.rows == {dataset_id("table"): 7.0} and kept.run_duration == status.pipeline.duration
    good = measures_to_dict(kept)
    for bad in (
        None,
        {},
        {**good, "version": 2},
        {**good, "rows": []},
        {**good, "rows": {"x": "7"}},
        {**good, "rows": {"x": True}},
        {**good, "sizes": {"x": float("nan")}},
        {**good, "run_duration": "1"},
    ):
        assert measures_from_dict(bad) is None, bad
    # judging against kept measures is judging against the runs
    history = [run(fit) for fit in NOISE]
    assert unusual(run(6.0), [measures(h) for h in history]) == unusual(run(6.0), history)
