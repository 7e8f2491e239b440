"""What is unusual, as a report shows it: loaded with the run's history, in the HTML and JSON."""

from __future__ import annotations

import json
from pathlib import Path

from helpers.event_log import T0, record_run
from helpers.runs import two_step_log, two_step_run

from kedro_run_report.analysis import HistoryRow, unusual
from kedro_run_report.diagram.render import DiagramResult
from kedro_run_report.ids import node_id
from kedro_run_report.model import aggregate
from kedro_run_report.report.html import render_html
from kedro_run_report.report.load import MEASURES_FILE, load_run_report
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.report.views.page import build_view
from kedro_run_report.store.runs import update_manifest

NOISE = [2.0, 2.1, 1.9, 2.05, 1.95, 2.2, 1.85, 2.0]


def report_of(fit: float, history: list[float]) -> RunReport:
    """A run whose ``fit`` took ``fit`` s, judged against runs that took ``history``."""
    current = two_step_run(fit)
    rows = [
        HistoryRow(run_id=f"r{i}", key=f"k{i}", status="success", duration=d + 0.1, start=f"{i}")
        for i, d in enumerate([*history, fit])
    ][::-1]
    rows[0] = HistoryRow(
        run_id=current.pipeline.run_id, key="now", status="success", duration=fit + 0.1, start="9"
    )
    judged = unusual(current, [two_step_run(d) for d in history])
    return RunReport(current, None, rows, unusual=judged)


def test_the_report_lists_what_is_unusual_and_badges_the_node() -> None:
    report = report_of(6.0, NOISE)
    view = build_view(report, DiagramResult(None, "n"), title=None, version="x")
    c = view.comparison
    assert c is not None and c.unusual_judged
    (row,) = c.unusual
    assert (row.name, row.measure, row.now) == ("fit", "duration", "6.0 s")
    assert row.verdict == "3.0× the usual" and row.href == f"#node-{node_id('fit')}"
    assert row.usual.endswith("2.5 s")  # the 20% and half-second floors: 2.0 s +/- 0.5 s
    assert "Against the 8 earlier runs" in c.unusual_note
    fit = next(r for r in view.node_rows if r.name == "fit")
    assert fit.badge == "3.0× the usual" and "over 8 runs" in fit.badge_title
    html = render_html(report).html
    assert "Unusual in this run" in html and "3.0× the usual" in html


def test_the_trend_draws_the_usual_range_as_a_band() -> None:
    report = report_of(2.0, NOISE)
    view = build_view(report, DiagramResult(None, "n"), title=None, version="x")
    c = view.comparison
    assert c is not None and c.unusual == [] and c.trend_svg is not None
    assert c.trend_svg.count('class="usual"') == 1 and "usual range" in c.trend_svg
    assert "The band is the usual range" in c.trend_caption
    assert "within their usual range" in render_html(report).html
    # without a history long enough, no band and no judgement: the badges come from the
    # comparison with the previous run, as before
    short = report_of(6.0, NOISE[:3])
    view = build_view(short, DiagramResult(None, "n"), title=None, version="x")
    assert view.comparison is not None and view.comparison.trend_svg is not None
    assert 'class="usual"' not in view.comparison.trend_svg
    assert not view.comparison.unusual_judged and "at least 5" in view.comparison.unusual_note
    assert all(r.badge == "" for r in view.node_rows)


def test_a_loaded_report_is_judged_against_the_same_selection_only(tmp_path: Path) -> None:
    root = tmp_path / "log"
    for i, fit in enumerate(NOISE):
        record_run(root, two_step_log(fit, t0=T0 + 100 * i), f"run-{i}")
    other = two_step_log(60.0, t0=T0 + 950)  # another pipeline: not part of the history
    other.events[1]["meta"]["pipeline_names"] = ["other"]
    record_run(root, other, "other")
    record_run(root, two_step_log(6.0, t0=T0 + 1000), "now")
    report = load_run_report(events=str(root))
    assert report.unusual is not None and report.unusual.runs == len(NOISE)
    assert [(f.name, f.verdict) for f in report.unusual.findings] == [("fit", "high")]
    data = json.loads(json.dumps(report.to_dict()))
    assert data["unusual"]["findings"][0]["usual"]["runs"] == len(NOISE)
    assert data["unusual"]["run_duration"]["runs"] == len(NOISE)
    # an earlier run judged against the runs before it
    earlier = load_run_report(events=str(root), run_id="run-3")
    assert earlier.unusual is not None and earlier.unusual.runs == 3


def test_finished_runs_cache_their_measures_and_a_bad_cache_is_ignored(tmp_path: Path) -> None:
    root = tmp_path / "log"
    runs = []
    for i, fit in enumerate(NOISE):
        log = two_step_log(fit, t0=T0 + 100 * i)
        run = record_run(root, log, f"run-{i}")
        if i:  # the first run never finished: it is read, not cached
            update_manifest(str(run), outcome=aggregate(log.events).outcome())
        runs.append(run)
    record_run(root, two_step_log(6.0, t0=T0 + 1000), "now")
    first = load_run_report(events=str(root)).unusual
    assert first is not None and first.runs == len(NOISE)
    cached = [run / MEASURES_FILE for run in runs]
    assert not cached[0].exists() and all(c.is_file() for c in cached[1:])
    assert load_run_report(events=str(root)).unusual == first  # now from the caches
    # the report reads the cache, not the events: a cache without "fit" counts one run less
    data = json.loads(cached[1].read_text())
    del data["durations"][node_id("fit")]
    cached[1].write_text(json.dumps(data))
    edited = load_run_report(events=str(root)).unusual
    assert edited is not None and edited.findings[0].usual.runs == len(NOISE) - 1
    # garbage, another version, a symlink or a directory: not used, the events are read
    run_4 = cached[4].read_text()
    cached[1].write_text("{not json")
    cached[2].write_text(json.dumps({**data, "version": 99}))
    cached[3].unlink()
    cached[3].symlink_to(cached[4])
    cached[5].unlink()
    cached[5].mkdir()
    assert load_run_report(events=str(root)).unusual == first
    assert cached[3].is_symlink() and cached[5].is_dir()  # left as they were
    assert cached[4].read_text() == run_4  # the link's target was not written through
