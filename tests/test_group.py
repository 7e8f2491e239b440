"""Run groups: several processes' runs merged into one, with retries and missing parts."""

from __future__ import annotations

from helpers.event_log import CHAIN, EventLog

from kedro_run_report.ids import node_id
from kedro_run_report.model import RunStatus, aggregate
from kedro_run_report.model.group import merge_group


def _part(run_id: str, t0: float, pid: int, host: str, build) -> RunStatus:  # type: ignore[no-untyped-def]
    """One `kedro run --nodes ...` process of the group, planned as just its nodes."""
    log = EventLog(t0=t0, pid=pid, host=host)
    log.start(CHAIN, run_id=run_id)
    build(log)
    status = aggregate(log.events)
    return status


def _only(status: RunStatus, *names: str) -> RunStatus:
    """Keep ``names`` planned; the other nodes become the part's unselected ones."""
    for ident in [i for i, n in status.nodes.items() if n.name not in names]:
        node = status.nodes.pop(ident)
        node.status = "not_selected"
        status.unselected[ident] = node
    return status


def test_each_node_takes_the_status_of_the_process_that_ran_it() -> None:
    a = _only(
        _part(
            "p1", 100.0, 11, "h1", lambda log: log.load("raw", "a").node("a").save("mid", "a").end()
        ),
        "a",
    )
    b = _only(
        _part(
            "p2", 110.0, 22, "h2", lambda log: log.load("mid", "b").node("b").save("out", "b").end()
        ),
        "b",
    )
    c = _only(_part("p3", 120.0, 33, "h1", lambda log: log.load("out", "c").node("c").end()), "c")
    group = merge_group("airflow-run-7", [c, a, b])
    assert group.pipeline.run_id == "airflow-run-7"
    assert group.pipeline.status == "success"
    assert sorted(n.name for n in group.nodes.values()) == ["a", "b", "c"]
    assert {n.name: (n.host, n.pid) for n in group.nodes.values()} == {
        "a": ("h1", 11),
        "b": ("h2", 22),
        "c": ("h1", 33),
    }
    assert [p.run_id for p in group.parts] == ["p1", "p2", "p3"]
    assert group.pipeline.start == a.pipeline.start and group.pipeline.end == c.pipeline.end
    assert group.to_dict()["parts"][1]["run_id"] == "p2"


def test_a_retry_decides_and_every_attempt_is_listed() -> None:
    a = _only(
        _part(
            "p1", 100.0, 1, "h", lambda log: log.load("raw", "a").node("a").save("mid", "a").end()
        ),
        "a",
    )
    failed = _only(
        _part("p2", 110.0, 2, "h", lambda log: log.load("mid", "b").node_fails("b").error()), "b"
    )
    retry = _only(
        _part(
            "p3", 120.0, 3, "h", lambda log: log.load("mid", "b").node("b").save("out", "b").end()
        ),
        "b",
    )
    c = _only(_part("p4", 130.0, 4, "h", lambda log: log.load("out", "c").node("c").end()), "c")
    group = merge_group("g", [a, failed, retry, c])
    b = group.nodes[node_id("b")]
    assert b.status == "success" and b.pid == 3
    assert [(x.run_id, x.status) for x in b.attempts] == [("p2", "failed"), ("p3", "success")]
    assert group.pipeline.status == "success"
    assert group.to_dict()["nodes"][node_id("b")]["attempts"][0]["status"] == "failed"


def test_a_failure_without_retry_fails_the_group() -> None:
    a = _only(
        _part(
            "p1", 100.0, 1, "h", lambda log: log.load("raw", "a").node("a").save("mid", "a").end()
        ),
        "a",
    )
    b = _only(
        _part(
            "p2",
            110.0,
            2,
            "h",
            lambda log: log.load("mid", "b").node_fails("b", message="bad").error("bad"),
        ),
        "b",
    )
    group = merge_group("g", [a, b])
    assert group.pipeline.status == "failed"
    assert group.pipeline.error is not None and group.pipeline.error.message == "bad"
    assert group.nodes[node_id("c")].status == "not_run"  # never planned by any part


def test_missing_or_running_parts_leave_the_group_incomplete() -> None:
    a = _only(
        _part(
            "p1", 100.0, 1, "h", lambda log: log.load("raw", "a").node("a").save("mid", "a").end()
        ),
        "a",
    )
    group = merge_group("g", [a])
    assert group.pipeline.status == "incomplete"  # b and c have not run anywhere yet
    running = _only(_part("p2", 110.0, 2, "h", lambda log: log.load("mid", "b").node("b")), "b")
    group = merge_group("g", [a, running])
    assert group.pipeline.status == "incomplete" and group.pipeline.end is None
    assert group.nodes[node_id("b")].status == "success"  # its function ended; saves pending


def test_merging_leaves_the_parts_untouched() -> None:
    a = _only(
        _part(
            "p1", 100.0, 1, "h", lambda log: log.load("raw", "a").node("a").save("mid", "a").end()
        ),
        "a",
    )
    before = a.to_dict()
    merge_group("g", [a, a])
    assert a.to_dict() == before


def test_the_html_report_lists_the_parts_and_the_attempts() -> None:
    from kedro_run_report.report.html import render_html

    a = _only(
        _part(
            "p1", 100.0, 1, "h1", lambda log: log.load("raw", "a").node("a").save("mid", "a").end()
        ),
        "a",
    )
    failed = _only(
        _part("p2", 110.0, 2, "h2", lambda log: log.load("mid", "b").node_fails("b").error()), "b"
    )
    retry = _only(
        _part(
            "p3", 120.0, 3, "h2", lambda log: log.load("mid", "b").node("b").save("out", "b").end()
        ),
        "b",
    )
    html = render_html(merge_group("g", [a, failed, retry])).html
    assert "A run group of 3 runs" in html
    for run_id in ("p1", "p2", "p3"):
        assert f"<code>{run_id}</code>" in html
    assert "2 attempts" in html and "attempts: p2: failed; p3: success" in html
