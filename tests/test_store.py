"""The event store: per-process streams, torn lines, run listing and pruning."""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from pathlib import Path

import pytest

from kedro_run_report.errors import NoRunsError, UnknownRunError
from kedro_run_report.events import node_start, process
from kedro_run_report.store.files import atomic_write_text, safe_key
from kedro_run_report.store.reading import iter_run_events
from kedro_run_report.store.runs import (
    create_run,
    event_files,
    find_run,
    list_runs,
    prune_runs,
    update_manifest,
)
from kedro_run_report.store.writer import EventWriter


def _event(i: int) -> dict:
    return node_start(float(i), f"n{i}", f"id{i}")


def test_writer_appends_one_line_per_event_and_flushes_each(tmp_path: Path) -> None:
    writer = EventWriter(str(tmp_path / "run"))
    writer.write(process(0.0, "r", pid=1, host="h", role="main"))
    writer.write(_event(1))
    # Readable before close: a killed process keeps what it wrote.
    (stream,) = (tmp_path / "run").glob("events-*.jsonl")
    assert len(stream.read_text().splitlines()) == 2
    assert stream.name.endswith(f"-{os.getpid()}.jsonl")
    writer.close()


def test_threads_never_interleave_lines(tmp_path: Path) -> None:
    writer = EventWriter(str(tmp_path / "run"))

    def work(base: int) -> None:
        for i in range(500):
            writer.write({**_event(base + i), "padding": "x" * 200})

    threads = [threading.Thread(target=work, args=(k * 1000,)) for k in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    writer.close()
    warnings: list[str] = []
    events = list(iter_run_events(str(tmp_path / "run"), warnings))
    assert len(events) == 4000 and not warnings


def test_torn_last_line_is_tolerated_silently(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "events-h-1.jsonl").write_text(
        '{"kind":"process","t":1}\n{"kind":"node_start","t":2,"node":"a"}\n{"kind":"node_e'
    )
    warnings: list[str] = []
    events = list(iter_run_events(str(run), warnings))
    assert [e["kind"] for e in events] == ["process", "node_start"]
    assert warnings == []


def test_corrupt_middle_lines_are_skipped_with_a_warning(tmp_path: Path) -> None:
    run = tmp_path / "run"
    run.mkdir()
    (run / "events-h-1.jsonl").write_text(
        '{"kind":"process","t":1}\nnot json\n[1,2]\n{"t":3}\n{"kind":"run_end","t":4}\n'
    )
    warnings: list[str] = []
    events = list(iter_run_events(str(run), warnings))
    assert [e["kind"] for e in events] == ["process", "run_end"]
    assert warnings == ["Skipped 3 unreadable line(s) in events-h-1.jsonl."]


def test_runs_are_listed_oldest_first_and_found_by_id(tmp_path: Path) -> None:
    root = str(tmp_path / "log")
    for i, run_id in enumerate(["2024-01-02T00.00.00.000Z", "2024-01-01T00.00.00.000Z"]):
        create_run(root, run_id, {"start": 100.0 + i})
    runs = list_runs(root)
    assert [r.run_id for r in runs] == ["2024-01-02T00.00.00.000Z", "2024-01-01T00.00.00.000Z"]
    assert find_run(root).run_id == "2024-01-01T00.00.00.000Z"  # the latest started
    assert find_run(root, "2024-01-02T00.00.00.000Z").start == 100.0


def test_same_run_id_twice_gets_two_directories(tmp_path: Path) -> None:
    root = str(tmp_path / "log")
    first = create_run(root, "same", {"start": 1.0})
    second = create_run(root, "same", {"start": 2.0})
    assert first != second
    assert len(list_runs(root)) == 2


def test_no_runs_and_unknown_run_are_clear_errors(tmp_path: Path) -> None:
    root = str(tmp_path / "log")
    with pytest.raises(NoRunsError, match="No runs recorded"):
        find_run(root)
    create_run(root, "known", {"start": 1.0})
    with pytest.raises(UnknownRunError, match="'nope'.*Recent runs: known"):
        find_run(root, "nope")


@pytest.mark.parametrize("run_id", ["../../etc", "/abs/path", "a/b", "..", "", "x" * 500])
def test_run_ids_cannot_escape_the_runs_directory(tmp_path: Path, run_id: str) -> None:
    key = safe_key(run_id)
    assert "/" not in key and key not in ("", ".", "..") and len(key) <= 120
    location = create_run(str(tmp_path / "log"), run_id, {"start": 1.0})
    assert Path(location).parent == tmp_path / "log" / "runs"


def test_prune_keeps_the_newest(tmp_path: Path) -> None:
    root = str(tmp_path / "log")
    for i in range(5):
        create_run(root, f"run-{i}", {"start": float(i)})
    assert prune_runs(root, keep=2) == ["run-0", "run-1", "run-2"]
    assert [r.run_id for r in list_runs(root)] == ["run-3", "run-4"]


def test_atomic_write_replaces_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out" / "file.json"
    atomic_write_text(str(target), "first")
    atomic_write_text(str(target), "second")
    assert target.read_text() == "second"
    assert [p.name for p in target.parent.iterdir()] == ["file.json"]


def test_only_files_the_user_asked_for_wait_for_the_disk(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[int] = []
    monkeypatch.setattr(os, "fsync", synced.append)
    report = tmp_path / "report.html"
    atomic_write_text(str(report), "<html>")  # a report: synced before it takes the name
    assert len(synced) == 1 and report.read_text() == "<html>"
    location = create_run(str(tmp_path / "log"), "r1", {"start": 1.0})  # the hook's files: not
    update_manifest(location, outcome={"status": "success"})
    assert len(synced) == 1
    assert json.loads((Path(location) / "run.json").read_text())["outcome"]["status"] == "success"


def test_remote_writer_batches_into_new_objects(tmp_path: Path) -> None:
    import fsspec

    location = "memory://kedro-run-report-test/run"
    writer = EventWriter(location)
    writer.write(process(0.0, "r", pid=1, host="h", role="main"))
    writer.write(_event(1), flush=True)  # uploaded by the writer's thread, not this one
    deadline = time.monotonic() + 10
    while not fsspec.filesystem("memory").exists("/kedro-run-report-test/run"):
        assert time.monotonic() < deadline, "the batch was never uploaded"
        time.sleep(0.01)
    writer.write(_event(2))
    assert len(event_files(location)) == 1  # the second batch is still buffered
    writer.close()
    files = event_files(location)
    assert len(files) == 2
    warnings: list[str] = []
    assert [e["kind"] for e in iter_run_events(location, warnings)] == [
        "process",
        "node_start",
        "node_start",
    ]
    fsspec.filesystem("memory").rm("/kedro-run-report-test", recursive=True)


def test_remote_writes_never_wait_on_a_slow_upload(monkeypatch: pytest.MonkeyPatch) -> None:
    import fsspec

    import kedro_run_report.store.files as store

    entered, release = threading.Event(), threading.Event()
    real_open = fsspec.open

    def hanging_open(*args: object, **kwargs: object):  # type: ignore[no-untyped-def]
        entered.set()
        release.wait(60)  # an upload that hangs until released
        return real_open(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(store.fsspec, "open", hanging_open)
    location = "memory://kedro-run-report-slow/run"
    writer = EventWriter(location)
    writer.write(_event(0), flush=True)
    assert entered.wait(10), "the upload never started"

    def more_writes() -> None:
        for i in range(1, 50):
            writer.write(_event(i), flush=True)

    writing = threading.Thread(target=more_writes)
    writing.start()
    writing.join(10)
    finished_while_upload_hung = not writing.is_alive() and not release.is_set()
    release.set()
    writing.join()
    writer.close()
    assert finished_while_upload_hung
    monkeypatch.setattr(store.fsspec, "open", real_open)
    events = list(iter_run_events(location, []))
    assert [e["node"] for e in events] == [f"n{i}" for i in range(50)]  # nothing lost, in order
    fsspec.filesystem("memory").rm("/kedro-run-report-slow", recursive=True)


def test_runs_on_object_storage_with_one_id_never_share_a_key(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Concurrent tasks can both see no run of their id yet; neither may take the other's."""
    from fsspec.implementations.memory import MemoryFileSystem

    root = f"memory://kedro-run-report-same-id-{uuid.uuid4().hex}"
    with monkeypatch.context() as race:  # both look before either has written
        race.setattr(MemoryFileSystem, "exists", lambda self, path, **kwargs: False)
        first = create_run(root, "2026-12-01T00.00.00", {"start": 1.0})
        second = create_run(root, "2026-12-01T00.00.00", {"start": 2.0})
    assert first != second
    records = list_runs(root)
    assert [r.run_id for r in records] == ["2026-12-01T00.00.00"] * 2
    assert [r.start for r in records] == [1.0, 2.0]
