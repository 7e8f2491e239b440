"""Runs that several test modules share, beyond the seed scenarios: hostile names, a huge
failed run, an interrupted run, a run whose error no node explains (used by the Markdown,
JUnit, e-mail and terminal tests), and statuses built by hand for the analysis tests."""

from __future__ import annotations

from typing import Any

from helpers.event_log import EventLog
from kedro_run_report.events import Event, EventKind
from kedro_run_report.model import SUCCESS, NodeRun, PipelineRun, RunStatus, aggregate

# Markup, a CDATA end, a table pipe, backticks, quotes, an entity, a newline, non-ASCII and a
# terminal escape; the message adds characters that XML 1.0 cannot carry at all.
HOSTILE = "<script>alert(1)</script> ]]> a|b `x` ``y`` \"q\" 'q' &amp; & \\| nl\nüñï 名前 \x1b[31m"
HOSTILE_MESSAGE = HOSTILE + " \x00\x01\x08\x0b\ufffe end"


def hostile_run() -> RunStatus:
    """A failed run: hostile node, dataset and namespace names, messages and tracebacks."""
    first, failing, loader = f"ok {HOSTILE}", f"ns{HOSTILE}.fail {HOSTILE}", f"load {HOSTILE}"
    log = EventLog().start(
        [
            (first, [f"raw {HOSTILE}"], [f"mid {HOSTILE}"]),
            (failing, [f"mid {HOSTILE}", "params:k"], ["out"]),
            (loader, [f"in|put {HOSTILE}"], ["other"]),
            ("after", ["out", "other"], ["final"]),
        ],
        project_name=f"Proj {HOSTILE}",
        filters={"tags": [HOSTILE, "b"], "from_nodes": [first]},
    )
    log.load(f"raw {HOSTILE}", first, size=1234).node(first).save(f"mid {HOSTILE}", first)
    log.load(f"mid {HOSTILE}", failing)
    traceback = f"Traceback (most recent call last):\n  ```` {HOSTILE_MESSAGE}\nValueError: x\n"
    error = {"type": "ValueError", "message": HOSTILE_MESSAGE, "traceback": traceback}
    log.node_start(failing).tick(1).node_error(failing, error)
    # a load still open when the run fails is a failed dataset (as with ParallelRunner)
    log.load_start(f"in|put {HOSTILE}", loader)
    return aggregate(log.tick(0.1).run_error(error).events)


def big_failed_run(n_nodes: int = 10_000, traceback_bytes: int = 50_000) -> RunStatus:
    """Every node of a large run fails with a long traceback (one shared string: cheap)."""
    line = '  File "src/project/nodes.py", line 12, in f\n    ``` return x | y <b> &\n'
    traceback = "Traceback (most recent call last):\n" + line * (traceback_bytes // len(line))
    traceback += "x" * 5_000 + "\nValueError: no\n"  # and one very long line
    names = [f"stage_{i % 7}.node_{i:05d}" for i in range(n_nodes)]
    log = EventLog().start([(name, [f"in_{i}"], [f"out_{i}"]) for i, name in enumerate(names)])
    error = {"type": "ValueError", "message": "no\nsecond line", "traceback": traceback}
    for i, name in enumerate(names):
        log.node_start(name).tick(0.001 * (i % 97)).node_error(name, error)
    return aggregate(log.error("no\nsecond line").events)  # the last node's error


def interrupted_run() -> RunStatus:
    """a succeeds, b is running with an open load when the run stops, c never starts."""
    log = EventLog().start([("a", ["raw"], ["mid"]), ("b", ["mid"], ["out"]), ("c", ["out"], [])])
    log.load("raw", "a").node("a", 2).save("mid", "a")
    log.load_start("mid", "b").tick(0.5).node_start("b")
    return aggregate(log.tick(3).events)


def pipeline_error_run() -> RunStatus:
    """The run fails before any node starts, with an error no node or dataset explains."""
    log = EventLog().start([("a", ["raw"], ["mid"])])
    message = "Pipeline input(s) {'raw'} not found in the DataCatalog"
    return aggregate(log.tick(0.2).error(message, kind="ValueError").events)


def with_node_id(events: list[Event], name: str, new_id: str) -> list[Event]:
    """The events with node ``name`` given another id (as when its inputs change)."""
    out = []
    for event in events:
        event = dict(event)
        if event.get("node") == name and "id" in event:
            event["id"] = new_id
        if event["kind"] == EventKind.RUN_START.value:
            nodes = [
                dict(n, id=new_id) if n["name"] == name else n for n in event["pipeline"]["nodes"]
            ]
            event["pipeline"] = dict(event["pipeline"], nodes=nodes)
        out.append(event)
    return out


def hand_built(
    nodes: list[tuple[str, list[str], list[str], float, float]], **pipeline: Any
) -> RunStatus:
    """A status straight from ``(name, inputs, outputs, start, end)``: fast for huge runs."""
    runs = {}
    for name, inputs, outputs, start, end in nodes:
        runs[name] = NodeRun(
            id=name,
            name=name,
            inputs=inputs,
            outputs=outputs,
            status=SUCCESS,
            start=start,
            end=end,
            compute_start=start,
            compute_end=end,
            pid=1,
            thread="MainThread",
        )
    first = min((n[3] for n in nodes), default=0.0)
    last = max((n[4] for n in nodes), default=0.0)
    fields: dict[str, Any] = {"status": SUCCESS, "start": first, "end": last, "pid": 1}
    fields.update(pipeline)
    return RunStatus(pipeline=PipelineRun(**fields), nodes=runs, datasets={})


TWO_STEPS = [("load", [], ["table"]), ("fit", ["table"], ["model"])]


def two_step_log(
    fit: float = 2.0, rows: int = 1000, size: int = 50_000, t0: float | None = None
) -> EventLog:
    """``load`` (0.1 s) saves ``table`` with ``rows`` and ``size``; ``fit`` takes ``fit`` s.

    The runs of a history, for judging a run against it (``analysis.usual_range``).
    """
    log = EventLog() if t0 is None else EventLog(t0)
    log.start(TWO_STEPS)
    log.node("load", 0.1).save("table", "load", 0.0, rows=rows, size=size)
    return log.node("fit", fit).save("model", "fit", 0.0).end()


def two_step_run(fit: float = 2.0, rows: int = 1000, size: int = 50_000) -> RunStatus:
    """The status of a :func:`two_step_log` run."""
    return aggregate(two_step_log(fit, rows, size).events)
