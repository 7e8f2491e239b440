"""The recorder's own faults, unit by unit: racing run directories, a failing disk, interrupts."""

from __future__ import annotations

import errno
import json
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from helpers.event_log import CHAIN, EventLog

from kedro_run_report.events import decode, encode
from kedro_run_report.model import aggregate
from kedro_run_report.model.aggregate import MAX_OPEN_IO, MAX_WARNINGS, Aggregator
from kedro_run_report.store import writer as store
from kedro_run_report.store.runs import create_run, event_files, list_runs
from kedro_run_report.store.viz_events import from_viz_events, to_viz_events
from kedro_run_report.store.writer import EventWriter


def test_runs_with_the_same_id_started_at_once_get_their_own_directories(tmp_path: Path) -> None:
    barrier = threading.Barrier(8)
    made: list[str] = []

    def start() -> None:
        barrier.wait()
        made.append(create_run(str(tmp_path), "2024-05-01T12.00.00.000Z", {"start": 1.0}))

    threads = [threading.Thread(target=start) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(made)) == 8
    assert len(list_runs(str(tmp_path))) == 8


def test_a_full_disk_fails_the_first_write_then_drops_quietly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    room = [300]  # bytes left on the disk

    def write_to_full_disk(fd: int, data: bytes) -> None:
        if len(data) > room[0]:
            raise OSError(errno.ENOSPC, "No space left on device")
        room[0] -= len(data)
        os.write(fd, data)

    monkeypatch.setattr(store, "_write_all", write_to_full_disk)
    writer = EventWriter(str(tmp_path / "run"))
    event = {"kind": "node_start", "t": 1.0, "node": "a" * 50}
    writer.write(event)
    with pytest.raises(OSError):
        for _ in range(10):
            writer.write(event)
    assert writer.broken
    writer.write(event)  # dropped, no error
    writer.close()
    assert writer._fd is None
    (stream,) = (tmp_path / "run").glob("*.jsonl")
    lines = stream.read_text().splitlines()
    assert len(lines) == 300 // len(encode(event)) and all(json.loads(x) == event for x in lines)


def test_short_writes_are_completed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real_write = os.write
    monkeypatch.setattr(store.os, "write", lambda fd, data: real_write(fd, data[:7]))
    writer = EventWriter(str(tmp_path / "run"))
    event = {"kind": "node_start", "t": 1.0, "node": "é" * 40}
    writer.write(event)
    writer.close()
    monkeypatch.undo()
    (stream,) = (tmp_path / "run").glob("*.jsonl")
    assert json.loads(stream.read_text(encoding="utf-8")) == event


def test_a_deleted_run_directory_is_noticed_and_not_recreated(tmp_path: Path) -> None:
    location = create_run(str(tmp_path), "r", {"start": 1.0})
    writer = EventWriter(location, create_dir=False)
    writer.write({"kind": "process", "t": 1.0})
    import shutil

    shutil.rmtree(location)
    writer.write({"kind": "node_start", "t": 2.0})  # the open file is unlinked: no error
    assert writer.lost()
    writer.close()
    with pytest.raises(FileNotFoundError):
        EventWriter(location, create_dir=False)
    assert not Path(location).exists()


def test_an_interrupted_run_keeps_its_cause_and_end() -> None:
    log = EventLog().start(CHAIN).load("raw", "a").node("a").load("mid", "b")
    log.node_start("b", "x", pid=1).tick(2)
    error = {"type": "KeyboardInterrupt", "message": "Run interrupted (KeyboardInterrupt)"}
    log.interrupted(error)
    status = aggregate(log.events)
    assert status.pipeline.status == "interrupted"
    assert status.pipeline.end == log.t
    assert status.pipeline.error is not None and status.pipeline.error.type == "KeyboardInterrupt"
    assert {n.name: n.status for n in status.nodes.values()} == {
        "a": "success",
        "b": "interrupted",
        "c": "not_run",
    }


def test_an_interrupt_marker_after_the_end_changes_nothing() -> None:
    log = EventLog().start(CHAIN).node("a").end().tick(1)
    log.interrupted({"message": "late"})
    status = aggregate(log.events)
    assert status.pipeline.status == "success" and status.pipeline.error is None


def test_kedro_viz_sees_an_interrupted_run_as_an_error_and_we_read_it_back() -> None:
    log = EventLog().start(CHAIN).node("a")
    log.interrupted({"message": "Run interrupted (KeyboardInterrupt)"})
    viz = to_viz_events(aggregate(log.events))
    assert viz[-1]["event"] == "on_pipeline_error"
    assert viz[-1]["error"] == "Run interrupted (KeyboardInterrupt)"
    from kedro_viz.api.rest.responses.run_events import transform_events_to_structured_format

    assert transform_events_to_structured_format(viz).pipeline.status == "failed"
    again = aggregate(from_viz_events(viz, []))
    assert again.pipeline.status == "interrupted"


def test_a_killed_run_is_interrupted_and_has_no_end_event_for_kedro_viz() -> None:
    # SIGKILL while b computes: no run_interrupted marker, no end of any kind
    log = EventLog().start(CHAIN).load("raw", "a").node("a").save("mid", "a")
    log.load("mid", "b").node_start("b")  # its last sign of life
    status = aggregate(log.events)
    assert status.pipeline.status == "interrupted"
    assert status.pipeline.end is None and status.pipeline.error is None
    assert status.pipeline.last_event == log.t
    assert {n.name: n.status for n in status.nodes.values()} == {
        "a": "success",
        "b": "interrupted",
        "c": "not_run",
    }
    viz = to_viz_events(status)
    kinds = [e["event"] for e in viz]
    assert "after_pipeline_run" not in kinds and "on_pipeline_error" not in kinds
    assert [e["node"] for e in viz if e["event"] in ("after_node_run", "on_node_error")] == ["a"]
    # read back from the Kedro-Viz file, the run is still interrupted, not a success
    again = aggregate(from_viz_events(viz, []))
    assert again.pipeline.status == "interrupted"
    assert {n.name: n.status for n in again.nodes.values()} == {"a": "success"}


@pytest.mark.parametrize(
    "t", [float("inf"), float("nan"), -1, 2.6e11, 10**400, True, "1700000000", None]
)
def test_events_without_a_usable_time_are_skipped_and_counted(t: Any) -> None:
    events = EventLog().start(CHAIN).node("a").events
    events.append({"kind": "run_end", "t": t})
    status = aggregate(events)
    assert status.pipeline.status == "interrupted"
    assert any("Skipped 1 malformed event" in w for w in status.warnings)
    status.to_dict()


def test_decode_refuses_unusable_times() -> None:
    from kedro_run_report.events import BadEventLine

    for line in ('{"kind":"x","t":Infinity}', '{"kind":"x","t":1e400}', '{"kind":"x","t":-5}'):
        with pytest.raises(BadEventLine):
            decode(line)


def test_warnings_and_open_io_stay_bounded() -> None:
    extra = 50
    log = EventLog().start(CHAIN)
    for _ in range(MAX_WARNINGS + extra):
        log.warning("w")
    for _ in range(MAX_OPEN_IO + extra):  # loads of one (node, dataset) that never end
        log.load_start("raw", "a")
    aggregator = Aggregator()
    for event in log.events:
        aggregator.add(event)
    assert [len(starts) for starts in aggregator._open_io.values()] == [MAX_OPEN_IO]
    # the ends beyond the bound find no start: they count as loads, but add no time
    log.tick(1.0)
    for _ in range(MAX_OPEN_IO + extra):
        log.load_end("raw", "a")
    for event in log.events[-(MAX_OPEN_IO + extra) :]:
        aggregator.add(event)
    assert aggregator._open_io == {}
    status = aggregator.result()
    assert len(status.warnings) == MAX_WARNINGS
    raw = status.dataset_by_name("raw")
    assert raw is not None and raw.loads == MAX_OPEN_IO + extra
    assert raw.load_duration == pytest.approx(MAX_OPEN_IO * 1.0)


def test_event_files_leave_out_symlinks(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "events-a-1.jsonl").write_text("")
    (run / "events-b-2.jsonl").symlink_to("/etc/passwd")
    skipped: list[str] = []
    assert [p.rsplit("/", 1)[-1] for p in event_files(str(run), skipped)] == ["events-a-1.jsonl"]
    assert skipped == ["events-b-2.jsonl"]
