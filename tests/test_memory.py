"""Peak memory per node: the reading, the events, the attribution, and what reports show."""

from __future__ import annotations

import builtins
import importlib
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from helpers.event_log import EventLog, worker
from helpers.runs import TWO_STEPS

from kedro_run_report import events
from kedro_run_report.analysis import memory_use
from kedro_run_report.diagram.render import DiagramResult
from kedro_run_report.events import peak_memory
from kedro_run_report.model import aggregate
from kedro_run_report.record import memory
from kedro_run_report.report.markdown import render_markdown
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.report.views.page import build_view

SCHEMA = json.loads(
    (
        Path(__file__).parents[1] / "kedro_run_report" / "schema" / "run_status.schema.json"
    ).read_text()
)
MB = 1024  # KiB


# -- the reading ------------------------------------------------------------------------


RISE = """
import resource, threading
from kedro_run_report.record.memory import peak_rss_kib
before = peak_rss_kib()
held = []
# more than the peak so far, whatever the imports left: the rise is at least 128 MiB
size = (before + 128 * 1024) * 1024
worker = threading.Thread(target=lambda: held.append(b"x" * size))
worker.start()
worker.join()
print(before, peak_rss_kib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.skipif(sys.platform == "win32", reason="no getrusage on Windows")
def test_the_reading_is_the_process_peak_whichever_thread_allocates() -> None:
    # a fresh process: this one may hold a higher peak from earlier tests already
    out = subprocess.run([sys.executable, "-c", RISE], capture_output=True, text=True, check=True)
    before, after, process_peak = (int(word) for word in out.stdout.split())
    assert before > 0 and after - before >= 120 * MB, out.stdout
    if sys.platform != "darwin":  # macOS reports bytes; the reading is KiB
        assert abs(after - process_peak) <= MB  # read one after the other


def _reload_with(monkeypatch: pytest.MonkeyPatch, platform: str, missing: bool = False) -> Any:
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if missing and name == "resource":
            raise ImportError("no resource module here")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(sys, "platform", platform)
    monkeypatch.setattr(builtins, "__import__", fake_import)
    try:
        return importlib.reload(memory).peak_rss_kib
    finally:
        monkeypatch.undo()
        importlib.reload(memory)


def test_no_resource_module_means_no_reading(monkeypatch: pytest.MonkeyPatch) -> None:
    assert _reload_with(monkeypatch, "win32", missing=True)() is None


@pytest.mark.skipif(sys.platform == "win32", reason="no getrusage on Windows")
def test_macos_bytes_become_kib(monkeypatch: pytest.MonkeyPatch) -> None:
    import resource

    class Usage:
        ru_maxrss = 300 * 1024 * 1024  # bytes, as macOS reports it

    monkeypatch.setattr(resource, "getrusage", lambda who: Usage())
    darwin = _reload_with(monkeypatch, "darwin")  # the reader keeps the getrusage it found
    assert darwin() == 300 * MB


# -- the events -------------------------------------------------------------------------


def test_node_events_carry_the_reading_only_when_there_is_one() -> None:
    assert events.node_start(1.0, "a", "x", maxrss_kib=5)["maxrss_kib"] == 5
    assert "maxrss_kib" not in events.node_end(1.0, "a", "x")
    assert events.node_error(1.0, "a", "x", {}, maxrss_kib=7)["maxrss_kib"] == 7


@pytest.mark.parametrize("value", [True, -1, 1.5, "100", None, 2**60])
def test_an_implausible_reading_is_unknown(value: object) -> None:
    assert peak_memory({"maxrss_kib": value}) is None
    assert peak_memory({"maxrss_kib": 1234}) == 1234


def test_a_foreign_reading_is_skipped_not_fatal() -> None:
    log = EventLog().start(TWO_STEPS)
    log.node_start("load", maxrss_kib=100 * MB).tick(1)
    log._append({**events.node_end(log.t, "load", log.events[-1]["id"]), "maxrss_kib": "lots"})
    status = aggregate(log.end().events)
    node = status.node_by_name("load")
    assert node is not None and node.status == "success"
    assert (node.maxrss_start_kib, node.maxrss_end_kib) == (100 * MB, None)
    assert memory_use(status).nodes == {}  # one reading is no raise


# -- attribution ------------------------------------------------------------------------


def sequential() -> EventLog:
    """``load`` raises the peak from 100 to 220 MB, ``fit`` stays under it."""
    log = EventLog().start(TWO_STEPS)
    log.node_start("load", maxrss_kib=100 * MB).tick(1).node_end("load", maxrss_kib=220 * MB)
    log.node_start("fit", maxrss_kib=220 * MB).tick(1).node_end("fit", maxrss_kib=220 * MB)
    return log.end()


def test_a_sequential_run_attributes_each_raise_to_its_node() -> None:
    use = memory_use(aggregate(sequential().events))
    raised = {n.name: n.raised for n in use.nodes.values()}
    assert raised == {"load": 120 * MB * 1024, "fit": 0}
    assert [n.name for n in use.hungriest()] == ["load"]  # a raise of 0 is not hungry
    assert use.run_peak == 220 * MB * 1024 and use.processes == 1
    assert not any(n.shared for n in use.nodes.values())


def test_threads_side_by_side_are_marked_shared() -> None:
    log = EventLog().start(TWO_STEPS)
    log.node_start("load", thread="t1", maxrss_kib=100 * MB).tick(0.5)
    log.node_start("fit", thread="t2", maxrss_kib=150 * MB).tick(0.5)
    log.node_end("load", maxrss_kib=300 * MB).tick(0.5).node_end("fit", maxrss_kib=300 * MB)
    use = memory_use(aggregate(log.end().events))
    assert all(n.shared for n in use.nodes.values())
    assert use.hungriest() == [] and use.any_shared


def test_threads_one_after_the_other_are_exact() -> None:
    log = EventLog().start(TWO_STEPS)
    log.node_start("load", thread="t1", maxrss_kib=100 * MB).tick(0.5)
    log.node_end("load", maxrss_kib=130 * MB).tick(0.1)
    log.node_start("fit", thread="t2", maxrss_kib=130 * MB).tick(0.5)
    log.node_end("fit", maxrss_kib=200 * MB)
    use = memory_use(aggregate(log.end().events))
    assert not use.any_shared
    assert [n.name for n in use.hungriest()] == ["fit", "load"]


def test_worker_processes_are_measured_apart() -> None:
    main = EventLog().start(TWO_STEPS)
    one, two = worker(0.1, pid=501), worker(0.1, pid=502)
    one.node_start("load", maxrss_kib=80 * MB).tick(1).node_end("load", maxrss_kib=90 * MB)
    two.node_start("fit", maxrss_kib=80 * MB).tick(1).node_end("fit", maxrss_kib=400 * MB)
    main.tick(2).end()
    status = aggregate([*main.events, *one.events, *two.events])
    use = memory_use(status)
    assert not use.any_shared  # at the same time, but in different processes
    assert [(n.name, n.pid) for n in use.hungriest()] == [("fit", 502), ("load", 501)]
    assert use.run_peak == 400 * MB * 1024 and use.processes == 2


def test_an_older_log_has_no_figures() -> None:
    log = EventLog().start(TWO_STEPS).node("load").node("fit").end()
    use = memory_use(aggregate(log.events))
    assert use.nodes == {} and use.run_peak is None and use.processes == 0


# -- what reports show ------------------------------------------------------------------


def test_the_html_lists_the_hungriest_and_a_column() -> None:
    report = RunReport(aggregate(sequential().events))
    view = build_view(report, DiagramResult(None, "n"), title=None, version="x")
    assert view.timing is not None
    assert [(b.name, b.value) for b in view.timing.hungriest] == [("load", "+126 MB")]
    assert "The run's peak: 231 MB." in view.timing.memory_note
    cells = {r.name: r.cells["memory"] for r in view.node_rows}
    assert cells["load"].text == "+126 MB" and cells["fit"].text == "+0 B"
    assert "process peak 231 MB" in cells["load"].title


def test_shared_figures_say_so_in_the_table() -> None:
    log = EventLog().start(TWO_STEPS)
    log.node_start("load", thread="t1", maxrss_kib=100 * MB).tick(0.5)
    log.node_start("fit", thread="t2", maxrss_kib=150 * MB).tick(0.5)
    log.node_end("load", maxrss_kib=300 * MB).tick(0.5).node_end("fit", maxrss_kib=300 * MB)
    report = RunReport(aggregate(log.end().events))
    view = build_view(report, DiagramResult(None, "n"), title=None, version="x")
    load = next(r for r in view.node_rows if r.name == "load")
    assert load.cells["memory"].text.endswith("(shared)")
    assert "cannot be attributed" in load.cells["memory"].title
    assert view.timing is not None and "marked shared" in view.timing.memory_note


def test_the_markdown_node_table_has_the_column() -> None:
    text = render_markdown(aggregate(sequential().events))
    assert "| Node | Status | Total | Compute | Peak memory |" in text
    assert "| `load` | success | 1.0 s | 1.0 s | +126 MB |" in text


def test_the_json_has_the_run_peak_and_validates() -> None:
    data = json.loads(json.dumps(RunReport(aggregate(sequential().events)).to_dict()))
    jsonschema.validate(data, SCHEMA)
    found = data["analysis"]["memory"]
    assert found["run_peak_bytes"] == 220 * MB * 1024
    assert [n["name"] for n in found["hungriest"]] == ["load"]
    node = next(n for n in data["nodes"].values() if n["name"] == "load")
    assert node["maxrss_kib"] == {"start": 100 * MB, "end": 220 * MB}


def test_the_same_pid_on_two_machines_is_two_processes() -> None:
    main = EventLog().start(TWO_STEPS)
    one, two = worker(0.1, pid=700, host="a"), worker(0.1, pid=700, host="b")
    one.node_start("load", maxrss_kib=80 * MB).tick(1).node_end("load", maxrss_kib=90 * MB)
    two.node_start("fit", maxrss_kib=80 * MB).tick(1).node_end("fit", maxrss_kib=400 * MB)
    use = memory_use(aggregate([*main.tick(2).end().events, *one.events, *two.events]))
    assert not use.any_shared and use.processes == 2
