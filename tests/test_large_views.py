"""Large runs: the diagram as a tree of views (an overview of boxes, a diagram per box)."""

from __future__ import annotations

import re
import shutil
from collections import Counter

import graphviz
import pytest
from helpers import large_shapes, scenarios

from kedro_run_report.diagram import drill, frame, views
from kedro_run_report.diagram import render as diagram
from kedro_run_report.diagram.layout import LayoutError
from kedro_run_report.diagram.render import render_diagram
from kedro_run_report.report.html import render_html

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


def _run(shape: str, nodes: int, fail_at: int | None = None):  # type: ignore[no-untyped-def]
    return large_shapes.shape_run(large_shapes.SHAPES[shape](nodes), fail_at=fail_at)


def _leaves(root: views.View) -> list[views.View]:
    return [v for v in root.walk() if not v.is_overview]


def test_small_runs_are_one_diagram() -> None:
    tree = views.view_tree(scenarios.synthetic(views.DETAIL_MAX))
    assert not tree.is_overview and len(tree.nodes) == views.DETAIL_MAX


def test_a_modular_pipeline_gets_one_box_per_namespace_and_its_joining_node() -> None:
    status = _run("modular_fanout", 1000)
    tree = views.view_tree(status)
    assert len(tree.children) == 40
    assert all(len(child.nodes) == 25 and not child.is_overview for child in tree.children)
    assert [n.name for n in tree.loose] == ["combine_results"]  # no namespace: drawn itself
    assert tree.children[0].title == "region_00" and tree.children[0].namespace == "region_00"


@pytest.mark.parametrize(("shape", "nodes"), [("wide_dag", 5000), ("flat", 1000), ("nested", 1000)])
def test_every_node_is_drawn_once_in_a_view_small_enough_to_read(shape: str, nodes: int) -> None:
    status = _run(shape, nodes)
    tree = views.view_tree(status)
    home = views.home_views(tree)
    assert set(home) == set(status.nodes)
    drawn = [n.id for v in _leaves(tree) for n in v.nodes] + [
        n.id for v in tree.walk() for n in v.loose
    ]
    assert sorted(drawn) == sorted(status.nodes)  # each exactly once
    assert all(len(v.nodes) <= views.DETAIL_MAX for v in _leaves(tree))
    assert all(len(v.children) <= max(views.PARTS_MAX, 60) for v in tree.walk())


def _reads_from_a_later_part(parts: list[views.View]) -> list[str]:
    written = {out: i for i, part in enumerate(parts) for n in part.nodes for out in n.outputs}
    return [
        n.name
        for i, part in enumerate(parts)
        for n in part.nodes
        if any(written.get(d, -1) > i for d in n.inputs)
    ]


def test_a_namespace_too_big_to_draw_is_cut_into_parts_in_running_order() -> None:
    status = _run("wide_dag", 5000)
    tree = views.view_tree(status)
    stage = tree.children[0]
    assert stage.is_overview and all(p.title.startswith("part ") for p in stage.children)
    assert _reads_from_a_later_part(stage.children) == []  # each part runs after the ones before


def test_a_pipeline_without_namespaces_is_cut_into_parts_one_branch_at_a_time() -> None:
    tree = views.view_tree(_run("flat", 1000))
    count = -(-1000 // views.DETAIL_MAX)
    assert [c.title for c in tree.children] == [f"part {i} of {count}" for i in range(1, count + 1)]
    assert _reads_from_a_later_part(tree.children) == []
    # a branch at a time, not a slice of layers: each part is far narrower than the pipeline
    layers = views.topological_layers(tree.nodes)
    widest = max(Counter(layers.values()).values())
    for part in tree.children:
        assert max(Counter(layers[n.id] for n in part.nodes).values()) < widest / 3


def test_a_fan_out_is_wrapped_into_rows_to_keep_its_text_readable() -> None:
    boxes = {f"b{i}": (160.0, 48.0) for i in range(40)}
    sizes = {"src": (100.0, 30.0), **boxes, "sink": (100.0, 30.0)}
    edges = [("src", b) for b in boxes] + [(b, "sink") for b in boxes]
    chosen = frame.arrangements(sizes, edges, nodesep=14, ranksep=25)[0]
    unwrapped = frame.arrangements(sizes, edges, nodesep=14, ranksep=25, wrap=False)
    assert chosen.wrap and chosen.scale > 2 * max(a.scale for a in unwrapped if not a.fold)
    chain = {f"c{i}": (100.0, 30.0) for i in range(3)}
    small = frame.arrangements(chain, [("c0", "c1"), ("c1", "c2")], nodesep=14, ranksep=25)[0]
    assert (small.rankdir, small.wrap, small.fold) == ("TB", [], 0)  # small: top to bottom


def test_a_deep_chain_is_folded_into_bands() -> None:
    chain = {f"c{i}": (120.0, 30.0) for i in range(40)}
    edges = [(f"c{i}", f"c{i + 1}") for i in range(39)]
    chosen = frame.arrangements(chain, edges, nodesep=14, ranksep=25, wrap=False)[0]
    assert chosen.fold and chosen.band("c0") == 0 and chosen.band("c39") > 0
    graph = graphviz.Digraph()
    for a, b in edges:
        graph.edge(a, b)
    source = next(diagram.fit_to_frame(graph, chain, edges))
    assert "rank=same" in source and "constraint=false" in source


@needs_dot
def test_the_overview_is_laid_out_as_a_graph_of_its_own() -> None:
    status = _run("modular_fanout", 1000, fail_at=500)
    result = render_diagram(status)
    assert result.collapsed and result.svg is not None and len(result.views) == 40
    boxes = re.findall(r'<g id="gg_[0-9a-f]+" data-view="(v\d+)" class="group (\w+)"', result.svg)
    assert len(boxes) == 40
    failed = [key for key, worst in boxes if worst == "failed"]
    assert len(failed) == 1 and result.start_view == failed[0]  # a failed run opens there
    assert "✗ 1" in result.svg and "combine_results" in result.svg
    view = next(v for v in result.views if v.key == failed[0])
    assert view.worst == "failed" and view.svg is not None
    assert "from " in view.svg or "to combine_results" in view.svg  # stubs name the outside
    assert view.trail[0] == ("", "Overview")


@needs_dot
def test_without_javascript_every_view_is_in_the_page() -> None:
    status = _run("wide_dag", 1000)
    below_the_top = len(list(views.view_tree(status).walk())) - 1
    assert below_the_top >= 6  # six namespaces, the biggest cut into parts
    page = render_html(status).html
    assert page.count('<details class="ns-view') == below_the_top
    assert len(re.findall(r'id="view-v\d+">\s*<svg', page)) == below_the_top


@needs_dot
def test_a_view_whose_layout_fails_gets_a_notice_and_the_rest_still_show(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = diagram.layout_svg
    status = _run("modular_fanout", 1000)
    one = next(n.id for n in status.nodes.values() if n.namespace == "region_03")

    def slow_for_one(source: str, program: str, timeout: float | None = None) -> str:
        graphs = source.split("\ndigraph")  # views are laid out several to a run
        if any(f"n_{one} " in g and "class=group" not in g for g in graphs):  # its view
            raise LayoutError("Graphviz took longer than 1 s")
        return real(source, program, timeout)

    monkeypatch.setattr(diagram, "layout_svg", slow_for_one)
    result = render_diagram(status)
    failed = [v for v in result.views if v.svg is None]
    assert [v.title for v in failed] == ["region_03"]
    assert failed[0].notice and "took longer" in failed[0].notice
    assert result.svg is not None and sum(v.svg is not None for v in result.views) == 39


@needs_dot
def test_very_large_runs_show_the_overview_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(drill, "DETAILS_IN_RUNS_UP_TO", 500)
    result = render_diagram(_run("modular_fanout", 1000))
    assert result.svg is not None and result.note and "boxes alone" in result.note
    assert all(v.svg is None and v.notice for v in result.views)


def test_a_view_draws_no_cluster_around_all_of_its_nodes() -> None:
    status = _run("nested", 1000)
    tree = views.view_tree(status)
    store = next(v for v in tree.walk() if v.namespace == "features.store" and not v.is_overview)
    source = diagram.build_dot(status_of(status, store), inside=store.namespace, paint=False).source
    assert re.findall(r"label=<<B>([^<]*)</B>>", source) == ["footfall", "region"]


def status_of(status, view: views.View):  # type: ignore[no-untyped-def]
    """The run restricted to ``view``'s nodes and the datasets they touch."""
    from dataclasses import replace

    ids = {n.id for n in view.nodes}
    touched = {d for n in view.nodes for d in [*n.inputs, *n.outputs]}
    datasets = {i: d for i, d in status.datasets.items() if d.name in touched}
    return replace(
        status, nodes={i: n for i, n in status.nodes.items() if i in ids}, datasets=datasets
    )


@needs_dot
def test_in_a_large_run_only_the_views_where_something_failed_draw_datasets() -> None:
    """Datasets cost a large page more than the rest of a node: past DATASETS_IN_RUNS_UP_TO
    nodes only the views holding a failure keep them, where a reader looks for its cause."""
    status = _run("modular_fanout", 1000, fail_at=600)
    failed = {n.namespace for n in status.nodes.values() if n.status == "failed"}
    result = render_diagram(status)
    drawing_datasets = {v.title for v in result.views if v.svg and 'class="node data' in v.svg}
    assert drawing_datasets == failed and len(failed) == 1
    others = [v for v in result.views if v.title not in failed]
    assert all(v.note and "datasets are not drawn, to keep the page" in v.note for v in others)

    smaller = _run("modular_fanout", drill.DATASETS_IN_RUNS_UP_TO - 100)
    views_drawn = render_diagram(smaller).views
    assert views_drawn and all('class="node data' in (v.svg or "") for v in views_drawn)


def test_labels_of_13_points_are_legible_at_a_smaller_scale_than_of_11() -> None:
    """A view's labels must be 9 px tall once it is fitted: the scale that takes depends on
    their size, so a compact view (13 pt labels) is not laid out again at 0.7."""
    assert diagram.legible_scale(11) == diagram.LEGIBLE_SCALE
    compact = diagram.legible_scale(drill.VIEW_COMPACT_FONT)
    assert compact == pytest.approx(diagram.LEGIBLE_SCALE * 11 / 13) and compact < 0.7
