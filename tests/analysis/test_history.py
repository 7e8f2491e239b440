"""The run history listing and trend, read from real recorded runs."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.event_log import CHAIN, EventLog

from kedro_run_report.analysis import history_rows, trend
from kedro_run_report.events import encode
from kedro_run_report.model import RunStatus, aggregate, iso
from kedro_run_report.store.reading import iter_run_events
from kedro_run_report.store.runs import RunRecord, create_run, list_runs


def _record(root: Path, log: EventLog, run_id: str, **manifest: object) -> Path:
    """Store ``log`` as one recorded run under ``root`` (as tests/test_cli.py does)."""
    run = Path(create_run(str(root), run_id, {"start": log.events[0]["t"], **manifest}))
    (run / "events-host-1.jsonl").write_text("".join(encode(e) for e in log.events))
    return run


def load(record: RunRecord) -> RunStatus:
    """What the CLI passes: aggregate every event file of the run."""
    return aggregate(iter_run_events(record.location, []))


def recorded(root: Path) -> None:
    ok = EventLog(t0=1000.0).start(CHAIN).node("a").node("b").node("c", 2.0).end()
    _record(root, ok, "first", pipeline_names=["__default__"], filters={})
    failed = EventLog(t0=2000.0).start(CHAIN, pipeline_names=["data"]).node("a", 0.5)
    _record(root, failed.node_fails("b", 0.25).error(), "second")
    # A run whose event files are gone (pruned or copied badly): listed, not fatal.
    create_run(str(root), "broken", {"start": 3000.0, "pipeline_names": ["x"], "filters": {}})
    partial = EventLog(t0=4000.0).start(CHAIN, filters={"from_nodes": ["b"]})
    _record(root, partial.node("b", 1.5).node("c").end(), "fourth")


def test_rows_are_newest_first_with_counts_and_an_unreadable_run(tmp_path: Path) -> None:
    recorded(tmp_path)
    rows = history_rows(list_runs(str(tmp_path)), load)
    assert [r.run_id for r in rows] == ["run-1", "broken", "run-1", "run-1"]
    assert [r.key for r in rows] == ["fourth", "broken", "second", "first"]
    fourth, broken, second, first = rows
    assert (first.status, first.duration, first.start) == ("success", 4.0, iso(1000.0))
    assert (first.succeeded, first.failed, first.not_run) == (3, 0, 0)
    assert first.pipelines == ["__default__"] and first.runner == "SequentialRunner"
    assert (second.status, second.duration) == ("failed", 0.75)
    assert (second.succeeded, second.failed, second.not_run) == (1, 1, 1)
    assert second.pipelines == ["data"] and second.message == "boom"
    assert broken.status == "unreadable" and broken.duration is None
    assert broken.pipelines == ["x"] and broken.start == iso(3000.0)
    assert broken.message and "no event files" in broken.message
    assert fourth.partial and (fourth.succeeded, fourth.not_run) == (2, 1)


def test_trend_is_oldest_first_without_unreadable_runs(tmp_path: Path) -> None:
    recorded(tmp_path)
    rows = history_rows(list_runs(str(tmp_path)), load)
    assert trend(rows) == [
        ("run-1", 4.0, "success"),
        ("run-1", 0.75, "failed"),
        ("run-1", 2.5, "success"),
    ]
    assert trend(reversed(rows)) == trend(rows)  # the order rows come in does not matter


def test_rows_are_json_ready(tmp_path: Path) -> None:
    recorded(tmp_path)
    data = [row.to_dict() for row in history_rows(list_runs(str(tmp_path)), load)]
    assert json.loads(json.dumps(data))[2]["nodes"] == {
        "success": 1,
        "failed": 1,
        "not_run": 1,
        "interrupted": 0,
    }


def test_no_runs_no_rows(tmp_path: Path) -> None:
    assert history_rows(list_runs(str(tmp_path)), load) == []
    assert trend([]) == []


def test_a_vanished_run_directory_is_unreadable(tmp_path: Path) -> None:
    recorded(tmp_path)
    records = list_runs(str(tmp_path))
    for path in Path(records[0].location).iterdir():  # pruned while we were listing
        path.unlink()
    Path(records[0].location).rmdir()
    rows = history_rows(records, load)
    assert rows[-1].key == "first" and rows[-1].status == "unreadable"


def _fingerprinted(
    root: Path, key: str, start: float, pipelines: list[str], **summary: object
) -> None:
    log = EventLog(t0=start).start(CHAIN, pipeline_names=pipelines).node("a").end()
    fingerprint = {"commit": "a" * 40, "dirty": False, "params": "p1", "inputs": "i1"}
    fingerprint.update({"environment": "e1", **summary})
    _record(root, log, key, pipeline_names=pipelines, filters={}, fingerprint=fingerprint)


def test_rows_carry_the_commit_and_what_changed_against_the_previous_run(tmp_path: Path) -> None:
    from kedro_run_report.report.history_table import (
        LEGEND,
        changed_cell,
        commit_cell,
        history_table,
    )

    old = EventLog(t0=500.0).start(CHAIN).node("a").end()
    _record(tmp_path, old, "old", pipeline_names=["__default__"], filters={})  # no fingerprint
    _fingerprinted(tmp_path, "one", 1000.0, ["__default__"])
    _fingerprinted(tmp_path, "other", 1500.0, ["data"], params="p9", commit="b" * 40)
    _fingerprinted(tmp_path, "two", 2000.0, ["__default__"], params="p2", dirty=True)
    _fingerprinted(tmp_path, "three", 3000.0, ["__default__"], params="p2", dirty=True)
    _fingerprinted(tmp_path, "four", 4000.0, ["__default__"], inputs="i2", environment="e2")
    rows = {row.key: row for row in history_rows(list_runs(str(tmp_path)), load)}
    assert rows["old"].changed is None and rows["old"].commit is None
    assert rows["one"].changed is None  # the run before it has no fingerprint
    assert rows["other"].changed is None  # the first of its pipelines
    assert rows["two"].changed == ["code", "parameters"]  # against "one", not "other"
    assert rows["three"].changed == []
    assert rows["four"].changed == ["code", "parameters", "inputs", "environment"]
    assert rows["two"].to_dict()["commit"] == "a" * 40 and rows["two"].to_dict()["dirty"]
    table = history_table(sorted(rows.values(), key=lambda r: r.key))
    assert table.splitlines()[0].endswith("COMMIT    CHANGED")
    assert [changed_cell(rows[k]) for k in ("old", "one", "two", "three", "four")] == [
        "",
        "",
        "CP",
        "-",
        "CPIE",
    ]
    assert commit_cell(rows["two"]) == "aaaaaaa+" and commit_cell(rows["old"]) == ""
    assert table.rstrip("\n").endswith(LEGEND)


def test_a_hostile_fingerprint_summary_in_a_manifest_is_ignored(tmp_path: Path) -> None:
    _fingerprinted(tmp_path, "one", 1000.0, ["__default__"], commit="\x1b[31mred")
    log = EventLog(t0=2000.0).start(CHAIN).node("a").end()
    _record(tmp_path, log, "two", pipeline_names=["__default__"], filters={}, fingerprint=[1])
    rows = {row.key: row for row in history_rows(list_runs(str(tmp_path)), load)}
    assert rows["one"].commit is None and rows["two"].changed is None
    json.dumps([row.to_dict() for row in rows.values()])
