"""The OpenTelemetry export (``-f otlp``): OTLP/JSON read back with the official messages.

Documents are decoded as the Collector does (tests/helpers/otlp.py). The expected span
times are computed here from the scenario's events, not from the model.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from helpers import scenarios
from helpers.event_log import CHAIN, EventLog, record_run
from helpers.golden import check_golden
from helpers.otlp import attrs, decode, nanos
from helpers.runs import big_failed_run, hostile_run, interrupted_run, pipeline_error_run
from opentelemetry.proto.trace.v1.trace_pb2 import Span, Status

import kedro_run_report
from kedro_run_report.events import Event
from kedro_run_report.model import RunStatus, aggregate
from kedro_run_report.model.group import merge_group
from kedro_run_report.report import otlp, render
from kedro_run_report.report.otlp import render_otlp
from kedro_run_report.report.run_report import RunReport


def spans_of(status: RunStatus) -> list[Span]:
    request = decode(render_otlp(status))
    (resource,) = request.resource_spans
    (scope,) = resource.scope_spans
    assert scope.scope.name == "kedro-run-report"
    return list(scope.spans)


def by_name(spans: list[Span]) -> dict[str, Span]:
    found = {span.name: span for span in spans}
    assert len(found) == len(spans), "names repeat: look up by something else"
    return found


def io_intervals(events: list[Event]) -> dict[tuple[str, str, str], tuple[float, float]]:
    """(verb, node, dataset) -> (start, end) from the raw events of a scenario."""
    opened: dict[tuple[str, str, str], float] = {}
    out = {}
    for e in events:
        kind = e["kind"]
        if kind in ("load_start", "save_start"):
            opened[(kind.split("_")[0], e["node"], e["dataset"])] = e["t"]
        elif kind in ("load_end", "save_end"):
            key = (kind.split("_")[0], e["node"], e["dataset"])
            out[key] = (opened.pop(key), e["t"])
    return out


def test_success_span_tree_matches_the_nodes_and_their_times() -> None:
    status = scenarios.success()
    events = scenarios.success_events()
    spans = spans_of(status)
    roots = [s for s in spans if not s.parent_span_id]
    assert len(roots) == 1
    root = roots[0]
    assert root.name == "kedro run" and root.kind == Span.SPAN_KIND_INTERNAL
    assert root.status.code == Status.STATUS_CODE_OK
    assert root.start_time_unix_nano == nanos(events[1]["t"])  # run_start
    assert root.end_time_unix_nano == nanos(events[-1]["t"])  # run_end
    assert attrs(root)["kedro.run.id"] == scenarios.RUN_ID
    assert attrs(root)["kedro.pipeline.name"] == "__default__"
    assert attrs(root)["kedro.run.nodes.success"] == len(scenarios.SPACEFLIGHTS)

    nodes = [s for s in spans if s.parent_span_id == root.span_id]
    assert [s.name for s in nodes] == [name for name, *_ in scenarios.SPACEFLIGHTS]
    intervals = io_intervals(events)
    starts = {e["node"]: e["t"] for e in events if e["kind"] == "node_start"}
    for span, (name, namespace, ins, outs, _) in zip(nodes, scenarios.SPACEFLIGHTS, strict=True):
        assert span.trace_id == root.trace_id and len(span.span_id) == 8
        assert span.status.code == Status.STATUS_CODE_OK
        a = attrs(span)
        assert a["kedro.node.name"] == name and a["kedro.node.namespace"] == namespace
        # the node runs from its first input load to its last output save
        assert span.start_time_unix_nano == nanos(intervals[("load", name, ins[0])][0])
        assert span.end_time_unix_nano == nanos(intervals[("save", name, outs[-1])][1])
        assert span.start_time_unix_nano < nanos(starts[name]) < span.end_time_unix_nano
        children = [s for s in spans if s.parent_span_id == span.span_id]
        expected = [f"load {d}" for d in ins] + [f"save {d}" for d in outs]
        assert [c.name for c in children] == expected
        for child in children:
            verb, _, dataset = child.name.partition(" ")
            start, end = intervals[(verb, name, dataset)]
            assert (child.start_time_unix_nano, child.end_time_unix_nano) == (
                nanos(start),
                nanos(end),
            )
            a = attrs(child)
            assert a["kedro.dataset.name"] == dataset and a["kedro.dataset.operation"] == verb
            assert a["kedro.node.name"] == name
            size = scenarios.SIZES.get(dataset, (None, None))[0]
            assert a.get("kedro.dataset.size_bytes") == size
    assert len(spans) == 1 + len(nodes) + len(intervals)


def test_a_failed_node_has_an_error_status_and_an_exception_event() -> None:
    spans = by_name(spans_of(scenarios.node_failure()))
    failed = spans["data_science.train_model_node"]
    assert failed.status.code == Status.STATUS_CODE_ERROR
    assert failed.status.message == scenarios.TRAIN_ERROR["message"]
    (event,) = failed.events
    assert event.name == "exception" and event.time_unix_nano == failed.end_time_unix_nano
    assert attrs(event) == {
        "exception.type": "ValueError",
        "exception.message": scenarios.TRAIN_ERROR["message"],
        "exception.stacktrace": scenarios.TRAIN_ERROR["traceback"],
    }
    root = spans["kedro run"]
    assert root.status.code == Status.STATUS_CODE_ERROR and len(root.events) == 1
    # nodes that never ran have no span; the root counts them
    assert "data_science.evaluate_model_node" not in spans
    assert "reporting.plot_passengers_node" not in spans
    assert attrs(root)["kedro.run.nodes.not_run"] == 2
    assert attrs(root)["kedro.run.nodes.failed"] == 1


def test_a_load_outside_any_started_node_hangs_under_the_root() -> None:
    spans = by_name(spans_of(scenarios.missing_input()))
    assert set(spans) == {"kedro run", "load companies"}
    load, root = spans["load companies"], spans["kedro run"]
    assert load.parent_span_id == root.span_id
    assert load.status.code == Status.STATUS_CODE_ERROR
    assert attrs(load.events[0])["exception.type"] == "DatasetError"
    assert load.end_time_unix_nano == root.end_time_unix_nano


def test_an_interrupted_run_ends_its_open_spans_at_its_last_event() -> None:
    status = interrupted_run()
    spans = by_name(spans_of(status))
    root, b, load = spans["kedro run"], spans["b"], spans["load mid"]
    last = nanos(status.pipeline.last_event or 0)
    assert root.end_time_unix_nano == b.end_time_unix_nano == load.end_time_unix_nano == last
    assert root.status.code == b.status.code == load.status.code == Status.STATUS_CODE_ERROR
    assert "interrupted" in b.status.message and load.parent_span_id == b.span_id
    assert spans["a"].status.code == Status.STATUS_CODE_OK and "c" not in spans


def test_a_node_killed_in_its_function_lasts_until_the_run_stopped() -> None:
    log = EventLog().start(CHAIN).load("raw", "a").node_start("a").tick(5).warning("late")
    spans = by_name(spans_of(aggregate(log.events)))
    a, root = spans["a"], spans["kedro run"]
    assert a.end_time_unix_nano == root.end_time_unix_nano == nanos(log.t)
    assert a.start_time_unix_nano == spans["load raw"].start_time_unix_nano
    assert a.status.code == Status.STATUS_CODE_ERROR and "interrupted" in a.status.message


def test_a_run_error_no_node_explains_is_on_the_root() -> None:
    (root,) = spans_of(pipeline_error_run())
    assert root.status.code == Status.STATUS_CODE_ERROR
    assert "not found in the DataCatalog" in root.status.message
    assert attrs(root.events[0])["exception.type"] == "ValueError"


def test_ids_are_valid_unique_and_the_same_on_every_export() -> None:
    first = render_otlp(scenarios.node_failure())
    assert render_otlp(aggregate(scenarios.node_failure_events())) == first
    spans = spans_of(scenarios.node_failure())
    assert len({s.span_id for s in spans}) == len(spans)
    assert all(any(s.span_id) and any(s.trace_id) and len(s.trace_id) == 16 for s in spans)
    # another run of the same project is another trace
    events = scenarios.node_failure_events()
    events[1] = {**events[1], "run_id": "2024-05-02T08.00.00.000Z"}
    other = spans_of(aggregate(events))
    assert other[0].trace_id != spans[0].trace_id
    assert {s.span_id for s in other}.isdisjoint(s.span_id for s in spans)


def test_the_resource_names_the_project() -> None:
    request = decode(render_otlp(scenarios.success()))
    resource = request.resource_spans[0].resource
    assert attrs(resource) == {"service.name": "spaceflights"}
    assert request.resource_spans[0].scope_spans[0].scope.version == kedro_run_report.__version__


def _part(run_id: str, t0: float, pid: int, node: str, build: Any) -> RunStatus:
    """One process of a run group that planned (and ran) just ``node``."""
    log = EventLog(t0=t0, pid=pid, host=f"worker-{pid}", run_id=run_id)
    build(log.start(CHAIN, run_id=run_id))
    status = aggregate(log.events)
    for ident in [i for i, n in status.nodes.items() if n.name != node]:
        status.unselected[ident] = status.nodes.pop(ident)
    return status


def test_a_run_group_is_one_trace_with_a_span_per_process() -> None:
    parts = [
        _part(
            "p1", 100.0, 1, "a", lambda log: log.load("raw", "a").node("a").save("mid", "a").end()
        ),
        _part("p2", 110.0, 2, "b", lambda log: log.load("mid", "b").node_fails("b").error()),
        _part(
            "p3", 120.0, 3, "b", lambda log: log.load("mid", "b").node("b").save("out", "b").end()
        ),
        _part("p4", 130.0, 4, "c", lambda log: log.load("out", "c").node("c").end()),
    ]
    group = merge_group("dagster-run-42", parts)
    spans = spans_of(group)
    (root,) = [s for s in spans if not s.parent_span_id]
    assert root.name == "kedro run group" and attrs(root)["kedro.run.group"] == "dagster-run-42"
    assert root.status.code == Status.STATUS_CODE_OK  # the retry of b decided
    processes = [s for s in spans if s.parent_span_id == root.span_id]
    assert [attrs(p)["kedro.run.id"] for p in processes] == ["p1", "p2", "p3", "p4"]
    assert [attrs(p)["process.pid"] for p in processes] == [1, 2, 3, 4]
    for process, part in zip(processes, parts, strict=True):
        assert process.name == "kedro run"
        assert process.start_time_unix_nano == nanos(part.pipeline.start or 0)
        assert process.end_time_unix_nano == nanos(part.pipeline.end or 0)
    assert processes[1].status.code == Status.STATUS_CODE_ERROR
    children = {
        attrs(p)["kedro.run.id"]: [s for s in spans if s.parent_span_id == p.span_id]
        for p in processes
    }
    assert {run: [s.name for s in found] for run, found in children.items()} == {
        "p1": ["a"],
        "p2": ["b"],
        "p3": ["b"],
        "p4": ["c"],
    }
    failed_b, good_b = children["p2"][0], children["p3"][0]
    assert failed_b.status.code == Status.STATUS_CODE_ERROR
    assert good_b.status.code == Status.STATUS_CODE_OK and not good_b.events
    assert [s.name for s in spans if s.parent_span_id == good_b.span_id] == [
        "load mid",
        "save out",
    ]
    assert len({s.trace_id for s in spans}) == 1


def test_many_long_tracebacks_are_cut_to_a_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(otlp, "STACKTRACE_BUDGET", 100_000)
    status = big_failed_run(n_nodes=40, traceback_bytes=70_000)
    spans = [s for s in spans_of(status) if s.name.startswith("stage_")]
    traces = [attrs(s.events[0])["exception.stacktrace"] for s in spans]
    assert len(traces) == 40
    full = status.node_by_name(spans[0].name).error.traceback  # type: ignore[union-attr]
    assert traces[0].endswith(full[-otlp.MAX_STACKTRACE :]) and "characters not shown" in traces[0]
    # the budget is spent after two: the rest keep their last SMALL_STACKTRACE characters
    assert all(len(t) < 64_100 for t in traces[:2])
    assert all(t.endswith(full[-otlp.SMALL_STACKTRACE :]) and len(t) < 1_100 for t in traces[2:])


def test_hostile_text_survives_as_it_was() -> None:
    status = hostile_run()
    names = {s.name for s in spans_of(status)}
    assert {n.name for n in status.nodes.values() if n.start is not None} <= names


@pytest.mark.parametrize("scenario", sorted(scenarios.SCENARIOS))
def test_golden_otlp(scenario: str) -> None:
    text = render_otlp(scenarios.SCENARIOS[scenario]())
    pretty = json.dumps(json.loads(text), indent=1, ensure_ascii=False) + "\n"
    pretty = pretty.replace(f'"{kedro_run_report.__version__}"', '"<version>"')
    check_golden(f"otlp_{scenario}.json", pretty)


def test_the_reporter_table_renders_it() -> None:
    status = scenarios.success()
    assert render(RunReport.of(status), "otlp").text == render_otlp(status)


def test_the_cli_writes_it_to_stdout_alone(tmp_path: Any) -> None:
    from click.testing import CliRunner

    from kedro_run_report.cli import report as report_command

    record_run(tmp_path / "log", EventLog().start(CHAIN).load("raw", "a").node("a").end())
    args = ["--events", str(tmp_path / "log"), "-f", "otlp", "-o", "-"]
    result = CliRunner().invoke(report_command, args, obj=None)
    assert result.exit_code == 0, result.stderr
    names = [s.name for s in decode(result.stdout).resource_spans[0].scope_spans[0].spans]
    assert names == ["kedro run", "a", "load raw"]


def test_a_partial_run_names_its_filters_and_node_details_are_attributes() -> None:
    log = EventLog().start(CHAIN, filters={"tags": ["prep", "ml"], "from_nodes": ["a"]})
    log.load("raw", "a", size=30, rows=3).node("a", thread="ThreadPoolExecutor-0_1")
    spans = by_name(spans_of(aggregate(log.save("mid", "a", in_memory=True, size=8).end().events)))
    root = attrs(spans["kedro run"])
    assert root["kedro.run.partial"] is True
    assert (
        root["kedro.run.filter.tags"] == "prep, ml" and root["kedro.run.filter.from_nodes"] == "a"
    )
    a = attrs(spans["a"])
    assert a["thread.name"] == "ThreadPoolExecutor-0_1" and a["kedro.node.function"] == "mod.a"
    assert a["kedro.node.compute_duration"] == pytest.approx(1.0)
    assert a["kedro.node.load_duration"] == pytest.approx(0.1)
    load, save = attrs(spans["load raw"]), attrs(spans["save mid"])
    assert (load["kedro.dataset.size_bytes"], load["kedro.dataset.rows"]) == (30, 3)
    assert load["kedro.dataset.in_memory"] is False and save["kedro.dataset.in_memory"] is True
