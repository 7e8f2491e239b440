"""The timeline (Gantt) SVG: lanes, bar geometry, phases, ticks, escaping, size."""

from __future__ import annotations

import re
import xml.dom.minidom

import pytest
from helpers import scenarios
from helpers.event_log import CHAIN, EventLog

from kedro_run_report.analysis import critical_path, lanes
from kedro_run_report.model import aggregate
from kedro_run_report.report.views.timeline import nice_step, num, ticks, timeline_svg

BAR = re.compile(r'<a href="#node-([0-9a-f]+)"[^>]*>.*?</a>', re.S)
PATH = re.compile(r'<path d="M([\d.]+) 0h([\d.]+)"( stroke-opacity=".38")?/>')


def bars(svg: str) -> dict[str, str]:
    """Node id -> the markup of its bar."""
    return {m.group(1): m.group(0) for m in BAR.finditer(svg)}


def geometry(bar: str) -> list[tuple[float, float, bool]]:
    """(x, width, light) of each phase path of a bar."""
    return [(float(x), float(w), bool(light)) for x, w, light in PATH.findall(bar)]


def test_one_lane_per_worker_with_its_label() -> None:
    status = scenarios.threaded()
    svg = timeline_svg(status)
    assert svg is not None
    labels = [lane.label for lane in lanes(status)]
    assert len(labels) == 2 and svg.count('<g class="lane"') == 2
    for label in labels:
        assert f">{label}<title>" in svg or f">{label[:26]}…<title>" in svg
    assert len(bars(svg)) == len(status.nodes)
    xml.dom.minidom.parseString(svg)  # well-formed


def test_bars_are_placed_in_time_order_on_their_lane() -> None:
    status = scenarios.threaded()
    svg = timeline_svg(status)
    assert svg is not None
    found = bars(svg)
    for lane in lanes(status):
        starts = [min(x for x, _, _ in geometry(found[node_id])) for node_id in lane.node_ids]
        assert starts == sorted(starts)
    # overlapping nodes of different threads overlap on the chart too
    companies = status.node_by_name("data_processing.preprocess_companies_node")
    shuttles = status.node_by_name("data_processing.preprocess_shuttles_node")
    assert companies and shuttles
    a, b = geometry(found[companies.id])[0], geometry(found[shuttles.id])[0]
    assert a[0] == b[0]  # both started at +50 ms


def test_phases_light_io_and_solid_compute() -> None:
    status = scenarios.success()
    svg = timeline_svg(status)
    assert svg is not None
    node = status.node_by_name("data_processing.create_model_input_table_node")
    assert node is not None
    light, solid = geometry(bars(svg)[node.id])
    assert light[2] and not solid[2]
    assert light[0] < solid[0] and solid[0] + solid[1] <= light[0] + light[1] + 0.1
    # the longest node is wide enough for its name; short ones are not labelled
    train = status.node_by_name("data_science.train_model_node")
    assert train is not None and "✓ train_model_node</text>" in bars(svg)[train.id]


def test_tooltips_name_the_node_and_its_times() -> None:
    status = scenarios.success()
    svg = timeline_svg(status)
    assert svg is not None
    train = status.node_by_name("data_science.train_model_node")
    assert train is not None
    title = re.search(r"<title>([^<]*)</title>", bars(svg)[train.id])
    assert title is not None
    text = title.group(1)
    assert text.startswith("data_science.train_model_node\n✓ success · 1m 2s · +6.4 s → +1m 9s")
    assert "load 4 ms · compute 1m 2s · save 3 ms" in text


def test_failed_bars_keep_a_text_cue() -> None:
    status = scenarios.node_failure()
    svg = timeline_svg(status)
    assert svg is not None
    train = status.node_by_name("data_science.train_model_node")
    assert train is not None
    bar = bars(svg)[train.id]
    assert 'class="failed"' in bar and 'stroke="#C93C3C"' in bar and "✗" in bar
    assert "✗ failed" in bar
    # nodes that never started have no bar
    assert len(bars(svg)) == sum(1 for n in status.nodes.values() if n.start is not None)


def test_nice_ticks() -> None:
    assert nice_step(71, 8) == 10 and nice_step(0.8, 8) == 0.1 and nice_step(13, 4) == 5
    assert [label for _, label in ticks(71)][:3] == ["+0 s", "+10 s", "+20 s"]
    assert ticks(0.8)[1] == (pytest.approx(0.1), "+100 ms")
    assert ticks(1300)[1] == (300.0, "+5 min")
    assert ticks(20_000)[1] == (3600.0, "+1 h")
    assert ticks(9, 5)[-1][1] == "+8 s"  # no tick past the end
    assert num(12.345) == "12.3" and num(4.0) == "4" and num(-0.01) == "0"


def test_hostile_names_are_escaped() -> None:
    status = scenarios.nasty()
    svg = timeline_svg(status)
    assert svg is not None
    assert "<script" not in svg and "<b>" not in svg
    dom = xml.dom.minidom.parseString(svg)
    titles = [t.firstChild.data for t in dom.getElementsByTagName("title") if t.firstChild]
    assert any(t.startswith(f"ns<b>.{scenarios.NASTY}".replace("\n", "\n")) for t in titles)


def test_critical_path_is_marked() -> None:
    status = scenarios.threaded()
    path = critical_path(status)
    svg = timeline_svg(status, path.node_ids)
    assert svg is not None
    found = bars(svg)
    for node_id, bar in found.items():
        marked = 'class="cp"' in bar or " cp" in bar.split(">", 1)[0]
        assert marked == (node_id in path.node_ids)
        assert ('class="cp-mark"' in bar) == (node_id in path.node_ids)
    assert timeline_svg(status) is not None and "cp-mark" not in (timeline_svg(status) or "")


def test_nothing_ran_means_no_timeline() -> None:
    assert timeline_svg(scenarios.missing_input()) is None


def test_two_lanes_overlapping_threads_from_builders() -> None:
    log = EventLog().start(CHAIN)
    log.node("a", 1.0, thread="MainThread")
    log.node_start("b", _id("b"), thread="T-1")
    log.tick(0.5).node("c", 1.0, thread="T-2")
    log.node_end("b", _id("b")).end()
    status = aggregate(log.events)
    svg = timeline_svg(status)
    assert svg is not None and svg.count('<g class="lane"') == 3


def _id(name: str) -> str:
    from kedro_run_report.ids import node_id

    return node_id(name)


@pytest.mark.parametrize("n", [1000, 5000])
def test_big_runs_stay_small(n: int) -> None:
    status = scenarios.synthetic(n)
    svg = timeline_svg(status, critical_path(status).node_ids)
    assert svg is not None
    assert len(bars(svg)) == n
    per_bar = len(svg.encode()) / n
    assert per_bar < 160, per_bar  # bytes: brief tooltips, shared lane attributes
    assert re.search(r'="-?\d+\.\d\d', svg) is None  # at most one decimal
    width = int(re.search(r'width="(\d+)"', svg).group(1))  # type: ignore[union-attr]
    assert width <= 5200  # it scrolls, within bounds
