"""Naming why two runs differ, on hand-built event logs: each cause, none, and old logs."""

from __future__ import annotations

import json
from typing import Any

from helpers.event_log import CHAIN, EventLog

from kedro_run_report.analysis import compare
from kedro_run_report.analysis.causes import TIMING, TIMING_WITHOUT_GIT, causes
from kedro_run_report.model import RunStatus, aggregate

C1, C2 = "1" * 40, "2" * 40
PARAMS = {"k": 1, "model": {"alpha": 0.5, "layers": [8, 4]}, "db": {"password": "hunter22"}}
INPUT = {"raw": {"size": 1000, "mtime": 1_700_000_000.0}}


def run(run_id: str, *, rows: int = 40, fingerprint: bool = True, **facts: Any) -> RunStatus:
    """A successful three-node run that loads the raw input ``raw`` with ``rows`` rows."""
    log = EventLog(run_id=run_id).start(CHAIN)
    if fingerprint:
        facts.setdefault("params", PARAMS)
        facts.setdefault("inputs", INPUT)
        log.fingerprint(**facts)
    log.load("raw", "a", size=facts.get("inputs", INPUT).get("raw", {}).get("size"), rows=rows)
    log.node("a").save("mid", "a").load("mid", "b").node("b").save("out", "b")
    log.load("out", "c").node("c").save("final", "c")
    return aggregate(log.end().events)


def lines(current: RunStatus, previous: RunStatus) -> list[str]:
    return causes(current, previous).lines


def test_nothing_changed_means_the_difference_is_timing() -> None:
    found = causes(run("r2"), run("r1"))
    assert found.known and found.items == []
    assert found.lines == [TIMING]


def test_code_changed_names_both_commits_and_a_dirty_tree() -> None:
    assert lines(run("r2", commit=C2, dirty=True), run("r1", commit=C1)) == [
        "code changed: commit 1111111 -> 2222222, with uncommitted changes"
    ]
    assert lines(run("r2", commit=C1, dirty=True), run("r1", commit=C1)) == [
        "code changed: uncommitted changes at commit 1111111 (none before)"
    ]
    assert lines(run("r2", commit=C1), run("r1", commit=C1, dirty=True)) == [
        "code changed: uncommitted changes at commit 1111111 were committed or undone"
    ]


def test_without_git_code_is_not_compared_and_the_timing_line_says_so() -> None:
    assert lines(run("r2", commit=None), run("r1", commit=None)) == [TIMING_WITHOUT_GIT]


def test_parameters_changed_names_keys_with_old_and_new_values() -> None:
    changed = {**PARAMS, "k": 2, "new_one": "x", "model": {"alpha": 0.5, "layers": [8, 8]}}
    (line,) = lines(run("r2", params=changed), run("r1"))
    assert line == (
        'parameters changed: k 1 -> 2, model.layers [8, 4] -> [8, 8], new_one (new) "x"'
    )
    (line,) = lines(run("r2", params={"k": 1}), run("r1", params={"k": 1, "gone": True}))
    assert line == "parameters changed: gone removed"


def test_a_changed_secret_is_named_but_its_values_never_shown() -> None:
    changed = {**PARAMS, "db": {"password": "correct horse"}}
    current, previous = run("r2", params=changed), run("r1")
    (line,) = lines(current, previous)
    assert line == "parameters changed: db.password *** -> ***"
    text = json.dumps([current.to_dict(), compare(current, previous).to_dict()])
    assert "hunter22" not in text and "correct horse" not in text


def test_input_data_changed_names_the_dataset_with_size_and_rows() -> None:
    bigger = {"raw": {"size": 1500, "mtime": 1_700_000_100.0}}
    (line,) = lines(run("r2", inputs=bigger, rows=50), run("r1"))
    assert line == "input data changed: raw 1.0 kB -> 1.5 kB, 40 -> 50 rows"
    touched = {"raw": {"size": 1000, "mtime": 1_700_000_100.0}}
    assert lines(run("r2", inputs=touched), run("r1")) == [
        "input data changed: raw modified (same size)"
    ]


def test_environment_changed_names_packages_and_versions() -> None:
    now = {"kedro": "1.7.0", "pandas": "2.3.0", "polars": "1.0.0"}
    (line,) = lines(run("r2", packages=now, python="3.12.1"), run("r1"))
    assert line == (
        "environment changed: Python 3.11.7 -> 3.12.1, pandas 2.2.0 -> 2.3.0, polars (new) 1.0.0"
    )


def test_several_causes_one_line_each_in_a_fixed_order() -> None:
    found = causes(
        run("r2", commit=C2, params={**PARAMS, "k": 3}, rows=39, packages={"kedro": "1.7.0"}),
        run("r1"),
    )
    assert found.kinds() == ["code", "parameters", "inputs", "environment"]
    assert len(found.lines) == 4


def test_runs_recorded_before_fingerprints_compare_without_causes() -> None:
    old = run("r1", fingerprint=False)
    found = causes(run("r2"), old)
    assert not found.known and found.items == []
    assert found.lines == [
        "Causes not compared: run r1 has no fingerprint (recorded before kedro-run-report "
        "recorded code, parameters, inputs and environment)."
    ]
    assert causes(old, old).lines[0].startswith("Causes not compared: neither run has")
    comparison = compare(run("r2"), old)  # the rest of the comparison is unaffected
    assert comparison.to_dict()["causes"]["known"] is False
    assert len(comparison.nodes) == 3


def test_long_lists_are_cut_with_a_count() -> None:
    before = {f"p{i}": i for i in range(20)}
    after = {f"p{i}": i + 1 for i in range(20)}
    (line,) = lines(run("r2", params=after), run("r1", params=before))
    assert line.endswith("p4 4 -> 5 and 15 more")
