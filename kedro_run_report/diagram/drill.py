"""A large run's diagram as a tree of views: an overview of boxes, and a diagram per box.

``views`` decides the tree. Here each view becomes DOT (an overview: one box per child view,
the few nodes outside them, and the links between them counted; a detail view: its nodes and
datasets, with stubs naming where the links that cross its edge come from or go), every view
is laid out on its own (several to a run of the layout program, runs in parallel, each view
cached, all within one time budget; see batch.py) and painted. A view whose layout fails or
takes too long gets a notice instead; the rest still show.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TypeVar

import graphviz

from kedro_run_report import settings
from kedro_run_report.diagram import batch, render
from kedro_run_report.diagram.elements import (
    Attrs,
    Stub,
    stub_attrs,
    stub_size,
    stub_text,
    task_attrs,
    task_size,
    text_width,
)
from kedro_run_report.diagram.frame import FRAME
from kedro_run_report.diagram.layout import LayoutError
from kedro_run_report.diagram.marks import critical_links, mark_critical_nodes
from kedro_run_report.diagram.ns_summary import summary_of
from kedro_run_report.diagram.paint import Paint, paint_svg, paints
from kedro_run_report.diagram.svg_clean import FONT, clean_svg, tooltip_names
from kedro_run_report.diagram.views import (
    View,
    home_views,
    place_name,
    unit_in,
    view_tree,
)
from kedro_run_report.ids import dataset_id
from kedro_run_report.model import FAILED, INTERRUPTED, NodeRun, RunStatus
from kedro_run_report.vocabulary import EDGE, MUTED, STATUS_STYLE

__all__ = ["render_views", "view_tree"]

T = TypeVar("T")

DATASETS_UP_TO = 60  # nodes in a detail view; above, its nodes are linked directly
DATASETS_IN_RUNS_UP_TO = 500  # nodes; above, only views with a failure draw datasets (size)
DETAILS_IN_RUNS_UP_TO = 12_000  # nodes; above, the overviews alone (the page grows past 17 MB)
OVERVIEW_ONLY = (
    f"Runs of more than {DETAILS_IN_RUNS_UP_TO:,} nodes show two levels of boxes alone, to keep "
    "the page light and quick to open; the node table lists every node."
)
VIEW_COMPACT_FONT = 13  # one-line labels in views: taller text in the same box height
DENSE_NODESEP = "0.06"  # inches between neighbours in the views of many nodes: text first
CHOICES = 3  # arrangements of a view tried, best estimate first, until one is legible
_VIEW_BOX = re.compile(r'viewBox="[-\d.]+ [-\d.]+ ([\d.]+) ([\d.]+)"')
BOX_SLOT = "0" * 20  # where a box's counts and time go: "✓ 1,234 ✗ 1 – 3 · 1m 2s"
_GROUP = re.compile(r'<g id="gg_([0-9a-f]+)" class="group')


@dataclass
class _Links:
    """Who writes and who reads each dataset, over the whole run."""

    producer: dict[str, NodeRun]
    readers: dict[str, list[NodeRun]]
    order: dict[str, int]  # node and dataset id -> its place in the run

    @classmethod
    def of(cls, status: RunStatus) -> _Links:
        producer: dict[str, NodeRun] = {}
        readers: dict[str, list[NodeRun]] = {}
        for node in render.all_tasks(status):
            for name in node.outputs:
                producer[dataset_id(name)] = node
            for name in dict.fromkeys(node.inputs):
                readers.setdefault(dataset_id(name), []).append(node)
        idents = [*status.nodes, *status.unselected, *status.datasets]
        return cls(producer, readers, {ident: at for at, ident in enumerate(idents)})


@dataclass
class _Variant:
    """One way to draw a view: its DOT, and what is needed to paint its layout."""

    source: str
    digits: int
    paint: dict[str, Paint]
    tips: dict[str, str]
    show_datasets: bool = True
    font: int = 11  # points: the size of most of its labels, which says when it is legible


@dataclass
class _Job:
    """One view to lay out: its ways to draw it, the one estimated best first."""

    view: View
    variants: Callable[[], Iterator[_Variant]]  # built as they are tried: DOT costs time
    sub: RunStatus | None = None  # a detail view's nodes and datasets
    lean: bool = False  # its datasets left out for the page's size, not its own


def _number(view: View) -> int:
    return int(view.key[1:]) if view.key else 0


def _box_id(view: View) -> str:
    return f"g_{_number(view):x}"


class _Places:
    """How a view names and links to the place of a node outside it: the coarsest view that
    holds the node and not this one (from inside ``stage_a``, a node of ``stage_b › part 3``
    is in ``stage_b``), or the node itself where it is drawn on its own."""

    def __init__(self, home: dict[str, View], around: frozenset[int] = frozenset()) -> None:
        self.home = home
        self.around = around

    def seen_from(self, view: View) -> _Places:
        return _Places(self.home, frozenset(id(v) for v in view.trail()))

    def _place(self, node: NodeRun) -> View | None:
        at = self.home[node.id]
        if id(at) in self.around:
            return None  # loose in an overview around this view
        while at.parent is not None and id(at.parent) not in self.around:
            at = at.parent
        return at

    def name(self, node: NodeRun) -> str:
        at = self._place(node)
        return node.name if at is None else at.title

    def url(self, node: NodeRun) -> str:
        at = self._place(node)
        return f"#node-{node.id}" if at is None else f"#view-{at.key}"


def _stubs(
    inside: set[str],
    nodes: list[NodeRun],
    links: _Links,
    places: _Places,
    attach_in: dict[str, tuple[str, ...]],
    attach_out: dict[str, tuple[str, ...]],
    number: int,
) -> list[Stub]:
    """One stub per outside place a view reads from, and one per place it writes to.

    ``attach_in``/``attach_out``: dataset id -> the graph ids inside the view its links end at
    (the dataset when datasets are drawn, else the nodes or boxes reading or writing it)."""
    incoming: dict[str, tuple[str, dict[str, None]]] = {}
    outgoing: dict[str, tuple[str, dict[str, None]]] = {}
    for node in nodes:
        for name in node.inputs:
            ds = dataset_id(name)
            source = links.producer.get(ds)
            if source is None or source.id in inside or ds not in attach_in:
                continue
            _, ends = incoming.setdefault(places.name(source), (places.url(source), {}))
            ends.update(dict.fromkeys(attach_in[ds]))
        for name in node.outputs:
            ds = dataset_id(name)
            if ds not in attach_out:
                continue
            for reader in links.readers.get(ds, ()):
                if reader.id not in inside:
                    _, ends = outgoing.setdefault(places.name(reader), (places.url(reader), {}))
                    ends.update(dict.fromkeys(attach_out[ds]))
    out: list[Stub] = []
    for found, is_in in ((incoming, True), (outgoing, False)):
        for label, (url, ends) in sorted(found.items()):
            # unique in the page and the same each time (layouts are cached by their source)
            out.append(Stub(f"s_{number:x}{len(out):03x}", label, url, tuple(ends), is_in))
    return out


def _ends(
    nodes: list[NodeRun],
    names: Callable[[NodeRun], list[str]],
    graph_id: Callable[[NodeRun], str | None],
) -> dict[str, tuple[str, ...]]:
    """Dataset id -> the graph ids of the nodes (or boxes) among ``nodes`` that read it (or
    write it, as ``names`` says)."""
    found: dict[str, dict[str, None]] = {}
    for node in nodes:
        ident = graph_id(node)
        if ident is not None:
            for name in names(node):
                found.setdefault(dataset_id(name), {})[ident] = None
    return {ds: tuple(ends) for ds, ends in found.items()}


def _overview_job(view: View, status: RunStatus, links: _Links, places: _Places) -> _Job:
    """One box per child view, the loose nodes, the links between them counted, and stubs."""
    attrs = render.layout_attrs(len(view.children) + len(view.loose))
    attrs.update(nodesep="0.2", ranksep="0.35", concentrate="true")  # fan-ins share one trunk
    graph = graphviz.Digraph(name="workflow", graph_attr=attrs)
    graph.attr("node", fontname=FONT, fontsize="14", fontcolor="black", shape="box")
    graph.attr("node", style="filled", fillcolor="#FFFFFF", color="#000000", margin="0.2,0.1")
    graph.attr("edge", color=EDGE, arrowsize="0.7")
    sizes: dict[str, tuple[float, float]] = {}
    table: dict[str, Paint] = {}
    tips: dict[str, str] = {}
    loose = replace(status, nodes={n.id: n for n in view.loose}, unselected={}, datasets={})
    full = paints(loose, compact=False)
    for child in view.children:
        ident = _box_id(child)
        title = render.gv_text(child.title, 48)
        slot = f'<FONT POINT-SIZE="11" COLOR="{MUTED}">{BOX_SLOT}</FONT>'
        graph.node(
            ident,
            label=f"<<B>{title}</B><BR/>{slot}>",
            URL=f"#view-{child.key}",
            id=f"g{ident}",
            tooltip=ident,
            **{"class": "group"},
        )
        width = max(text_width(min(len(child.title), 48), 14, True), text_width(len(BOX_SLOT), 11))
        sizes[ident] = (width + 29, 48.0)
        summary = summary_of(child.title, child.nodes)
        fill, stroke, _ = STATUS_STYLE[summary.worst]
        width_attr = "2.6" if summary.worst == FAILED else None
        table[ident] = Paint(f"group {summary.worst}", fill, stroke, width_attr, cue=summary.cue())
        tips[ident] = f"{place_name(child)}: {summary.text()}"
    for node in view.loose:
        ident = f"n_{node.id}"
        graph.node(ident, **task_attrs(node, False, None))
        sizes[ident] = task_size(node, False)
        table[ident] = full[ident]
        tips[ident] = node.name

    def unit(node: NodeRun) -> str | None:
        key = unit_in(view, node, places.home)
        if key is None:
            return None
        return f"n_{node.id}" if key == "n" else f"g_{int(key[1:]):x}"

    inside = {n.id for n in view.nodes}
    crossing: dict[tuple[str, str], set[str]] = {}
    for node in view.nodes:
        target = unit(node)
        for name in node.inputs:
            ds = dataset_id(name)
            source = links.producer.get(ds)
            if source is None or source.id not in inside:
                continue
            origin = unit(source)
            if origin is not None and target is not None and origin != target:
                crossing.setdefault((origin, target), set()).add(ds)
    edges = list(crossing)
    for (a, b), datasets in crossing.items():
        many = len(datasets)
        extra: Attrs = {"penwidth": f"{1 + min(math.log2(many), 4) / 2:g}"}
        if many > 1:
            extra.update(label=f" {many:,} ", fontsize="11", fontcolor=MUTED)
        graph.edge(a, b, **extra)
    # what the view reads from or writes to elsewhere, attached to the box that does it
    stubs = _stubs(
        inside,
        view.nodes,
        links,
        places.seen_from(view),
        _ends(view.nodes, lambda n: n.inputs, unit),
        _ends(view.nodes, lambda n: n.outputs, unit),
        _number(view),
    )
    for stub in stubs:
        graph.node(stub.ident, **stub_attrs(stub))
        sizes[stub.ident] = stub_size(stub)
        tips[stub.ident] = stub_text(stub)
    edges += render.link_stubs(graph, stubs)
    sources = render.fit_to_frame(graph, sizes, edges, wrap=True, choices=CHOICES)
    return _Job(view, lambda: (_Variant(source, 1, table, tips) for source in sources))


def _detail_job(
    view: View,
    status: RunStatus,
    links: _Links,
    places: _Places,
    large_run: bool = False,
) -> _Job:
    """The view's nodes and the datasets they read and write, with stubs at its edge."""
    inside = {n.id for n in view.nodes}
    touched = {dataset_id(d) for n in view.nodes for d in [*n.inputs, *n.outputs]}

    def kept(table: dict[str, T], idents: set[str]) -> dict[str, T]:
        # in the run's order (the layout's input order), without a pass over the whole run
        found = sorted((i for i in idents if i in table), key=links.order.__getitem__)
        return {i: table[i] for i in found}

    sub = replace(
        status,
        nodes=kept(status.nodes, inside),
        unselected=kept(status.unselected, inside),
        datasets=kept(status.datasets, touched),
    )
    # datasets make a diagram twice as big: tried first where the view may stay readable
    # with them, then without. In a large run they cost the page more than the rest of a
    # node (about 0.5 kB each): only the views where something failed keep them.
    troubled = any(n.status in (FAILED, INTERRUPTED) for n in view.nodes)
    with_datasets = len(inside) <= DATASETS_UP_TO and (troubled or not large_run)

    def variants() -> Iterator[_Variant]:
        for show_datasets in (True, False) if with_datasets else (False,):
            yield from _detail_variants(view, sub, touched, show_datasets, links, places)

    lean = len(inside) <= DATASETS_UP_TO and not with_datasets
    return _Job(view, variants, sub, lean)


def _detail_variants(
    view: View,
    sub: RunStatus,
    touched: set[str],
    show_datasets: bool,
    links: _Links,
    places: _Places,
) -> Iterator[_Variant]:
    inside = set(sub.nodes) | set(sub.unselected)
    attach_in: dict[str, tuple[str, ...]]
    attach_out: dict[str, tuple[str, ...]]
    if show_datasets:
        attach_in = attach_out = {ds: (f"d_{ds}",) for ds in touched}
    else:
        attach_in = _ends(view.nodes, lambda n: n.inputs, lambda n: f"n_{n.id}")
        attach_out = _ends(view.nodes, lambda n: n.outputs, lambda n: f"n_{n.id}")
    stubs = _stubs(
        inside, view.nodes, links, places.seen_from(view), attach_in, attach_out, _number(view)
    )
    sources = render.dot_choices(
        sub,
        show_datasets=show_datasets,
        inside=view.namespace,
        stubs=stubs,
        compact_above=render.VIEW_COMPACT_ABOVE,
        nodesep=DENSE_NODESEP if len(inside) > render.VIEW_COMPACT_ABOVE // 2 else None,
        compact_font=VIEW_COMPACT_FONT,
        choices=CHOICES,
    )
    compact = render.graph_size(sub, show_datasets=show_datasets) + len(stubs) > (
        render.VIEW_COMPACT_ABOVE
    )
    tips = tooltip_names(sub)
    tips.update({s.ident: stub_text(s) for s in stubs})
    table = paints(sub, compact=compact)
    digits = 0  # whole-number geometry: the views are fitted, a fraction of a point is lost
    font = VIEW_COMPACT_FONT if compact else 11
    for source in sources:  # each arrangement built only if the one before is too small
        yield _Variant(source, digits, table, tips, show_datasets, font)


def render_views(
    status: RunStatus,
    tree: View,
    program: str,
    directory: Path | None,
    critical: list[str],
) -> render.DiagramResult:
    """Lay out and paint every view of ``tree``; the top one is the result's svg."""
    home = home_views(tree)
    links = _Links.of(status)
    places = _Places(home)
    large_run = len(tree.nodes) > DATASETS_IN_RUNS_UP_TO
    details = len(tree.nodes) <= DETAILS_IN_RUNS_UP_TO
    jobs = [
        _overview_job(view, status, links, places)
        if view.is_overview
        else _detail_job(view, status, links, places, large_run)
        for view in tree.walk()
        # the overview alone: the top two levels of boxes, what a reader takes in at once
        if details or (view.is_overview and len(view.trail()) <= 2)
    ]
    laid_out = _lay_out_all(jobs, program, directory)
    top = laid_out[0]
    if isinstance(top, LayoutError):
        return render.DiagramResult(None, f"{top}; the report has no diagram.", program)
    drawn = {job.view.key: (job, svg) for job, svg in zip(jobs, laid_out, strict=True)}
    views = []
    for view in list(tree.walk())[1:]:
        if view.key in drawn:
            views.append(_view_diagram(*drawn[view.key], critical))
        else:
            views.append(_untold(view, OVERVIEW_ONLY))
    note = (
        f"The run has {len(tree.nodes):,} nodes: each box stands for a namespace or a part of "
        "the pipeline; click one to see its nodes."
    )
    if not details:
        note += " " + OVERVIEW_ONLY
    return render.DiagramResult(
        _paint(jobs[0], top, critical),
        None,
        program,
        note,
        show_datasets=False,
        collapsed=True,
        views=views,
        start_view=_start_view(status, home),
    )


def _lay_out_all(
    jobs: list[_Job], program: str, directory: Path | None
) -> list[tuple[_Variant, str] | LayoutError]:
    """Each job's best way to draw it, or why none could be laid out, within the time budget.

    The estimates that order a job's variants are rough: in rounds, every job not yet
    legible (its labels under 9 px once fitted to its frame) tries its next one, several to a run
    of the layout program (see batch.py); a job keeps the best it got."""
    deadline = time.monotonic() + settings.layout_timeout()
    variants = [job.variants() for job in jobs]
    best: list[tuple[float, _Variant, str] | None] = [None] * len(jobs)
    failure = [LayoutError("no way to draw it")] * len(jobs)
    pending = list(range(len(jobs)))
    with batch.Layouts(program, directory, deadline) as layouts:
        while pending and time.monotonic() < deadline:
            size = layouts.batch_size(len(pending))
            runs: list[tuple[list[tuple[int, _Variant]], Future[list[batch.Layout]]]] = []
            tried: list[tuple[int, _Variant]] = []
            for at in pending:  # each run goes as soon as built, laid out while the next is
                variant = next(variants[at], None)
                if variant is not None:
                    tried.append((at, variant))
                if tried and (len(tried) == size or at == pending[-1]):
                    graphs = [(v.source, v.digits) for _, v in tried]
                    runs.append((tried, layouts.submit(graphs)))
                    tried = []
            pending = []
            for run, laid_out in runs:
                for (at, variant), svg in zip(run, laid_out.result(), strict=True):
                    if isinstance(svg, LayoutError):  # dot can fail on one arrangement
                        failure[at] = svg
                        pending.append(at)
                        continue
                    scale, kept = fitted_scale(svg), best[at]
                    if kept is None or scale > kept[0]:
                        best[at] = (scale, variant, svg)
                    if scale < render.legible_scale(variant.font):
                        pending.append(at)
    return [failure[at] if found is None else (found[1], found[2]) for at, found in enumerate(best)]


def fitted_scale(svg: str) -> float:
    """The scale at which the laid-out ``svg`` fits the report's frame whole."""
    found = _VIEW_BOX.search(svg)
    if not found:
        return 0.0
    width, height = float(found[1]) or 1.0, float(found[2]) or 1.0
    return min(FRAME[0] / width, FRAME[1] / height)


def _paint(job: _Job, drawn: tuple[_Variant, str], critical: list[str]) -> str:
    variant, svg = drawn
    svg = paint_svg(svg, variant.paint, variant.digits)
    if job.sub is None:
        svg = clean_svg(svg, variant.tips, digits=variant.digits, geometry_rounded=True)
        return _GROUP.sub(
            lambda m: f'<g id="gg_{m[1]}" data-view="v{int(m[1], 16)}" class="group', svg
        )
    path = [i for i in critical if i in job.sub.nodes]
    marked, edges = critical_links(job.sub, path, variant.show_datasets)
    svg = clean_svg(
        svg, variant.tips, digits=variant.digits, critical_edges=edges, geometry_rounded=True
    )
    return mark_critical_nodes(svg, marked)


def _untold(view: View, notice: str) -> render.ViewDiagram:
    """A view without a diagram, and why."""
    summary = summary_of(view.title, view.nodes)
    trail = [(v.key, v.title) for v in view.trail()]
    return render.ViewDiagram(
        view.key, view.title, trail, summary.text(), summary.worst, None, notice
    )


def _view_diagram(
    job: _Job, drawn: tuple[_Variant, str] | LayoutError, critical: list[str]
) -> render.ViewDiagram:
    view = job.view
    if isinstance(drawn, LayoutError):
        return _untold(view, f"{drawn}: this diagram is left out; the node table lists its nodes.")
    summary = summary_of(view.title, view.nodes)
    trail = [(v.key, v.title) for v in view.trail()]
    note = None
    if job.sub is not None and not drawn[0].show_datasets:
        why = (
            "to keep the page of so large a run light" if job.lean else "to keep its nodes readable"
        )
        note = f"Its datasets are not drawn, {why}; the tables list them."
    return render.ViewDiagram(
        view.key,
        view.title,
        trail,
        summary.text(),
        summary.worst,
        _paint(job, drawn, critical),
        None,
        note,
    )


def _start_view(status: RunStatus, home: dict[str, View]) -> str:
    """The view a failed or interrupted run opens on: the one drawing where it stopped."""
    stopped = next((n for n in status.nodes.values() if n.status in (FAILED, INTERRUPTED)), None)
    if stopped is None or stopped.id not in home:
        return ""
    return home[stopped.id].key
