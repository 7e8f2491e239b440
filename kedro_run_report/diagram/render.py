"""RunStatus -> DOT (via the ``graphviz`` package) -> SVG (via the Graphviz layout program).

Runs of up to ``views.DETAIL_MAX`` nodes get one diagram of every node. Larger runs get a
tree of views (``views``): an overview of boxes and a diagram per namespace or part
(``drill``), each laid out on its own and all in the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import graphviz

from kedro_run_report.diagram.dot_text import add_edge, add_node
from kedro_run_report.diagram.elements import (
    MAX_LABEL,
    Attrs,
    Stub,
    dataset_attrs,
    dataset_size,
    gv_text,
    stub_attrs,
    stub_size,
    task_attrs,
    task_size,
    unselected_dataset_attrs,
)
from kedro_run_report.diagram.frame import Arrangement, arrangements
from kedro_run_report.diagram.layout import LayoutError, find_layout_program, layout_svg
from kedro_run_report.diagram.layout_cache import cached_layout
from kedro_run_report.diagram.marks import (
    all_tasks,
    critical_links,
    mark_critical_nodes,
    namespace_order,
    unselected_datasets,
)
from kedro_run_report.diagram.paint import dataset_cue, node_cue, paint_svg, paints
from kedro_run_report.diagram.svg_clean import FONT, clean_svg, round_geometry, tooltip_names
from kedro_run_report.ids import dataset_id
from kedro_run_report.model import NOT_SELECTED, RunStatus
from kedro_run_report.settings import DOT
from kedro_run_report.vocabulary import CLUSTER_FILL, EDGE, GRID, MUTED, STATUS_STYLE

__all__ = [  # re-exported: the report modules and tests import these from here
    "LayoutError",
    "all_tasks",
    "clean_svg",
    "critical_links",
    "dataset_cue",
    "find_layout_program",
    "gv_text",
    "layout_svg",
    "namespace_order",
    "node_cue",
    "tooltip_names",
    "unselected_datasets",
]

FADED_EDGE = STATUS_STYLE[NOT_SELECTED][1]
COMPACT_ABOVE = 300  # graph elements; above this, one-line labels and integer geometry
STUB_EDGES = 3  # a stub links to this many of its ends at most (each long edge widens)
VIEW_COMPACT_ABOVE = 60  # the same in a large run's views, which must fit the frame whole
MAX_DATASET_ELEMENTS = 800  # above this many nodes + datasets, datasets are left out
LEGIBLE_SCALE = 0.75  # fitted px per point at which 11 pt labels are still 9 px tall


def legible_scale(font: float) -> float:
    """The fitted px per point at which labels of ``font`` points are still 9 px tall."""
    return LEGIBLE_SCALE * 11 / font


@dataclass
class ViewDiagram:
    """One view below the top of a large run's diagram (see ``views``), laid out."""

    key: str  # "v3": its element is #view-v3
    title: str
    trail: list[tuple[str, str]]  # (key, title) from the top view down to this one
    summary: str  # "25 nodes: ✓ 24  ✗ 1"
    worst: str  # the worst status inside: its box's colour
    svg: str | None
    notice: str | None = None  # why there is no svg (the layout took too long, failed)
    note: str | None = None  # a caption, e.g. that its datasets are not drawn


@dataclass
class DiagramResult:
    """The SVG to inline, or ``None`` with a one-line notice saying why there is none."""

    svg: str | None
    notice: str | None = None
    program: str | None = None
    note: str | None = None  # a caption, e.g. that datasets were left out for size
    show_datasets: bool = True  # whether datasets are drawn after all
    collapsed: bool = False  # the svg is an overview of boxes, the views hold the nodes
    views: list[ViewDiagram] = field(default_factory=list)
    start_view: str = ""  # the view a failed run opens on ("" is the top)


def layout_attrs(size: int) -> Attrs:
    """Graph attributes; dot's slowest phases are bounded more tightly as the graph grows."""
    attrs = {"rankdir": "TB", "nodesep": "0.25", "ranksep": "0.35", "fontname": FONT}
    attrs.update(bgcolor="transparent", pad="0.2", newrank="true")
    if size > 150:
        attrs.update(mclimit="0.5", nslimit="4", nslimit1="4", searchsize="50")
        attrs.update(nodesep="0.15", ranksep="0.3")  # dense graphs: text before white space
    if size > 600:
        attrs.update(mclimit="0.1", nslimit="1", nslimit1="1", searchsize="10", remincross="false")
    if size > 1500:
        attrs.update(splines="line")  # spline routing dominates here
    return attrs


def graph_size(status: RunStatus, *, show_datasets: bool = True) -> int:
    """How many graph nodes the diagram has (tasks, plus datasets if drawn)."""
    tasks = len(status.nodes) + len(status.unselected)
    if not show_datasets:
        return tasks
    return tasks + len(status.datasets) + len(unselected_datasets(status))


def _dataset_namespace(name: str, namespaces: set[str]) -> str | None:
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:cut]) in namespaces:
            return ".".join(parts[:cut])
    return None


def _around(namespace: str | None, inside: str | None) -> bool:
    """Whether ``namespace`` is ``inside`` or one of its parents: every node of the view is
    in it, so its cluster would frame the whole diagram and say nothing."""
    if not namespace or not inside:
        return False
    return namespace == inside or inside.startswith(namespace + ".")


def build_dot(
    status: RunStatus,
    *,
    show_datasets: bool = True,
    paint: bool = True,
    inside: str | None = None,
    stubs: Sequence[Stub] = (),
    compact_above: int = COMPACT_ABOVE,
    nodesep: str | None = None,
    compact_font: int = 11,
) -> graphviz.Digraph:
    """The workflow as a DOT graph: tasks, datasets, namespace clusters, links and, with
    ``paint``, status colours and cues. Without ``paint`` it is what gets laid out: a graph of
    the pipeline's structure alone, painted after layout (see diagram/paint.py).

    ``inside``: the namespace every node is in (a view of it): not drawn as a cluster.
    ``stubs``: what lies outside the view, drawn beside what they attach to.
    ``compact_above``: graph elements above which labels take one line; ``nodesep``: the
    space between neighbours in a rank, in inches, if not the size's usual; ``compact_font``:
    the labels' size when they take one line.
    """
    graph, sizes, edges = _unfitted(
        status, show_datasets, paint, inside, stubs, compact_above, nodesep, compact_font
    )
    next(fit_to_frame(graph, sizes, edges))  # the graph takes the arrangement estimated best
    return graph


def dot_choices(
    status: RunStatus,
    *,
    show_datasets: bool,
    inside: str | None,
    stubs: Sequence[Stub],
    compact_above: int,
    nodesep: str | None,
    compact_font: int,
    choices: int,
) -> Iterator[str]:
    """The DOT sources of :func:`build_dot` (unpainted) in the ``choices`` arrangements
    estimated best, best first, each built when asked for."""
    graph, sizes, edges = _unfitted(
        status, show_datasets, False, inside, stubs, compact_above, nodesep, compact_font
    )
    return fit_to_frame(graph, sizes, edges, choices=choices, fold_clusters=True)


def _unfitted(
    status: RunStatus,
    show_datasets: bool,
    paint: bool,
    inside: str | None,
    stubs: Sequence[Stub],
    compact_above: int,
    nodesep: str | None,
    compact_font: int,
) -> tuple[graphviz.Digraph, dict[str, tuple[float, float]], list[tuple[str, str]]]:
    """The graph of :func:`build_dot` before its direction is chosen, with each node's
    estimated size and the links, which choose it."""
    size = graph_size(status, show_datasets=show_datasets) + len(stubs)
    compact = size > compact_above
    table = paints(status, compact=compact) if paint else {}
    graph = graphviz.Digraph(name="workflow", graph_attr=layout_attrs(size))
    if nodesep is not None:
        graph.graph_attr["nodesep"] = nodesep
    # black text and 1pt lines are the SVG defaults dot leaves unwritten; clean_svg sets the
    # real text colour once on the root
    font = compact_font if compact else 11
    graph.attr("node", fontname=FONT, fontsize=str(font), fontcolor="black")
    graph.attr("node", penwidth="1" if compact else "1.2")
    graph.attr("node", margin="0.12,0.05", height="0.3")
    graph.attr("edge", color=EDGE, arrowsize="0.6", penwidth="1")
    if compact:
        graph.attr("edge", arrowhead="none")  # the direction of the layout says it

    tasks = all_tasks(status)
    namespaces = {n.namespace for n in tasks if n.namespace}
    members: dict[str | None, list[tuple[str, Attrs]]] = {}
    sizes: dict[str, tuple[float, float]] = {}
    edges: list[tuple[str, str]] = []

    def place(namespace: str | None, ident: str, attrs: Attrs, extent: tuple[float, float]):
        members.setdefault(None if _around(namespace, inside) else namespace, []).append(
            (ident, attrs)
        )
        sizes[ident] = extent

    for node in tasks:
        attrs = task_attrs(node, compact, table.get(f"n_{node.id}"))
        place(node.namespace, f"n_{node.id}", attrs, task_size(node, compact, font))
    if show_datasets:
        for ds in status.datasets.values():
            ns = _dataset_namespace(ds.name, namespaces)
            attrs = dataset_attrs(ds, compact, ns, table.get(f"d_{ds.id}"))
            short = ds.name[len(ns) + 1 :] if ns else ds.name
            place(ns, f"d_{ds.id}", attrs, dataset_size(short, compact, ds.is_parameter, font))
        for ident, name in unselected_datasets(status).items():
            ns = _dataset_namespace(name, namespaces)
            attrs = unselected_dataset_attrs(ident, name, ns)
            place(ns, f"d_{ident}", attrs, dataset_size(name, compact, False, font))
    for stub in stubs:
        place(None, stub.ident, stub_attrs(stub), stub_size(stub))
    _emit_clusters(graph, members, inside)

    if show_datasets:
        drawn = set(status.datasets) | set(unselected_datasets(status))
        for node in tasks:
            # edges of what a partial run did not select are as faded as their ends
            faded = {"color": FADED_EDGE} if node.status == NOT_SELECTED else {}
            for ds_id in dict.fromkeys(dataset_id(d) for d in node.inputs):
                if ds_id in drawn:
                    add_edge(graph, f"d_{ds_id}", f"n_{node.id}", faded)
                    edges.append((f"d_{ds_id}", f"n_{node.id}"))
            for ds_id in dict.fromkeys(dataset_id(d) for d in node.outputs):
                if ds_id in drawn:
                    add_edge(graph, f"n_{node.id}", f"d_{ds_id}", faded)
                    edges.append((f"n_{node.id}", f"d_{ds_id}"))
    else:
        # without datasets, a task points straight at the tasks that read its outputs
        producers = {dataset_id(d): n.id for n in tasks for d in n.outputs}
        for node in tasks:
            sources = (producers.get(dataset_id(d)) for d in node.inputs)
            for src in dict.fromkeys(s for s in sources if s is not None and s != node.id):
                add_edge(graph, f"n_{src}", f"n_{node.id}")
                edges.append((f"n_{src}", f"n_{node.id}"))
    edges += link_stubs(graph, stubs)
    return graph, sizes, edges


def link_stubs(graph: graphviz.Digraph, stubs: Sequence[Stub]) -> list[tuple[str, str]]:
    """Draw each stub's dashed links to what it attaches to (at most STUB_EDGES of them);
    returns the links drawn."""
    drawn = []
    for stub in stubs:
        for end in stub.attach[:STUB_EDGES]:
            pair = (stub.ident, end) if stub.incoming else (end, stub.ident)
            add_edge(graph, *pair, {"style": "dashed"})
            drawn.append(pair)
    return drawn


def fit_to_frame(
    graph: graphviz.Digraph,
    sizes: dict[str, tuple[float, float]],
    edges: list[tuple[str, str]],
    *,
    wrap: bool = False,
    choices: int = 1,
    fold_clusters: bool = False,
) -> Iterator[str]:
    """Set the direction, and wrap wide ranks or fold deep graphs, so the fitted graph keeps
    its text readable (frame.py). Yields the DOT source of the ``choices`` arrangements
    estimated best, best first, each built when asked for (``graph`` gets the best with the
    first): the estimates are rough, so a caller can lay out the next when the first turns
    out too small. dot can lose an edge folding a graph with clusters: only a caller that
    lays out the next when one fails (``fold_clusters``) gets such a folding."""
    nodesep = float(graph.graph_attr.get("nodesep", "0.25")) * 72
    ranksep = float(graph.graph_attr.get("ranksep", "0.35")) * 72
    clusters = any(line.lstrip().startswith("subgraph cluster") for line in graph.body)
    options = arrangements(
        sizes,
        edges,
        nodesep=nodesep,
        ranksep=ranksep,
        wrap=wrap,
        fold=fold_clusters or not clusters,
    )
    plain = graph.copy()
    for i, chosen in enumerate(options[: max(1, choices)]):
        target = graph if i == 0 else plain.copy()
        target.graph_attr["rankdir"] = chosen.rankdir
        for a, b in chosen.wrap:
            target.edge(a, b, style="invis")
        if chosen.fold:
            _fold(target, chosen)
        yield target.source


_EDGE_LINE = re.compile(r"^\t(\S+) -> (\S+)(?: \[(.*)\])?$")


def _fold(graph: graphviz.Digraph, chosen: Arrangement) -> None:
    """Lay a deep graph out in bands of ``chosen.fold`` ranks side by side: the ranks that
    share a place in their bands are made one rank, and the links from one band to the next
    do not constrain the ranking (they are drawn across)."""
    for i, line in enumerate(graph.body):
        match = _EDGE_LINE.match(line.rstrip("\n"))
        if match and chosen.band(match[1]) != chosen.band(match[2]):
            attrs = f"{match[3]} constraint=false" if match[3] else "constraint=false"
            graph.body[i] = f"\t{match[1]} -> {match[2]} [{attrs}]\n"
    slots: dict[int, list[str]] = {}
    for ident, r in chosen.rank.items():
        slots.setdefault(r % chosen.fold, []).append(ident)
    for members in slots.values():
        bands: dict[int, list[str]] = {}
        for member in members:
            bands.setdefault(chosen.band(member), []).append(member)
        if len(bands) < 2:
            continue
        graph.body.append("\t{rank=same; " + "; ".join(members) + "}\n")
        # an edge within a rank runs from left to right: the bands read in order
        order = [bands[b] for b in sorted(bands)]
        for left, right in zip(order, order[1:], strict=False):
            graph.body.append(f"\t{left[-1]} -> {right[0]} [style=invis]\n")


def _emit_clusters(
    graph: graphviz.Digraph,
    members: dict[str | None, list[tuple[str, Attrs]]],
    inside: str | None = None,
) -> None:
    """Nested clusters for dotted namespaces ("a.b" inside "a"), in a stable order; no cluster
    for ``inside`` or its parents (see :func:`_around`)."""
    for ident, attrs in members.get(None, []):
        add_node(graph, ident, attrs)
    clustered = [n for n in members if n]
    children: dict[str, set[str]] = {}
    for ns in clustered:
        parts = ns.split(".")
        for depth in range(1, len(parts) + 1):
            here = ".".join(parts[:depth])
            if _around(here, inside):
                continue
            parent = ".".join(parts[: depth - 1])
            children.setdefault("" if _around(parent, inside) else parent, set()).add(here)
    counter = iter(range(1_000_000))

    def emit(parent: graphviz.Digraph, ns: str) -> None:
        number = next(counter)
        with parent.subgraph(name=f"cluster_{number}") as sub:
            label = f"<<B>{gv_text(ns.rsplit('.', 1)[-1], MAX_LABEL)}</B>>"
            sub.attr(label=label, style="filled", fillcolor=CLUSTER_FILL, color=GRID)
            sub.attr(fontcolor=MUTED, fontsize="10", labeljust="l", id=f"gc_{number}")
            sub.attr(**{"class": "ns"})
            for ident, attrs in members.get(ns, []):
                add_node(sub, ident, attrs)
            for child in sorted(children.get(ns, ())):
                emit(sub, child)

    for top in sorted(children.get("", ())):
        emit(graph, top)


def render_diagram(
    status: RunStatus,
    *,
    show_datasets: bool = True,
    critical: list[str] | None = None,
    layout_cache: Path | str | None = None,
) -> DiagramResult:
    """Build and lay out the diagram; on any problem return a notice instead of raising.

    ``critical`` (node ids, in order) is marked after layout, so it never moves anything.
    ``layout_cache`` is a directory for laid-out diagrams (see layout_cache); ``None``: none.
    """
    if not status.nodes:
        return DiagramResult(None, "The run has no nodes to draw.")
    program = find_layout_program()
    if program is None:
        return DiagramResult(
            None,
            "Graphviz 'dot' was not found; the report has no diagram. Install Graphviz "
            "(e.g. apt-get install graphviz) or `pip install kedro-run-report[layout]`, "
            f"or set {DOT.name}.",
        )
    directory = Path(layout_cache) if layout_cache is not None else None
    from kedro_run_report.diagram import drill  # noqa: PLC0415 (drill imports this module)

    tree = drill.view_tree(status)
    if tree.is_overview:
        return drill.render_views(status, tree, program, directory, critical or [])
    note = None
    if show_datasets and graph_size(status) > MAX_DATASET_ELEMENTS:
        # datasets double the graph; past this size they cost more than they tell
        show_datasets = False
        note = (
            f"Datasets are not drawn for runs with more than {MAX_DATASET_ELEMENTS} nodes and "
            "datasets; the dataset table lists them all."
        )
    compact = graph_size(status, show_datasets=show_datasets) > COMPACT_ABOVE
    digits = 0 if compact else 1
    source = layout_source(status, show_datasets=show_datasets)
    try:
        svg = rounded_layout(source, program, directory, digits)
    except LayoutError as exc:
        return DiagramResult(None, f"{exc}; the report has no diagram.", program)
    svg = paint_svg(svg, paints(status, compact=compact), digits)
    marked, edges = critical_links(status, critical or [], show_datasets)
    svg = clean_svg(
        svg, tooltip_names(status), digits=digits, critical_edges=edges, geometry_rounded=True
    )
    svg = mark_critical_nodes(svg, marked)
    return DiagramResult(svg, None, program, note, show_datasets)


def rounded_layout(
    source: str,
    program: str,
    directory: Path | None,
    digits: int,
    timeout: float | None = None,
) -> str:
    """The layout program's SVG of ``source`` with its geometry rounded, cached together:
    rounding is most of the cleaning's cost and depends on the layout alone."""

    def lay_out(dot_source: str, layout_program: str) -> str:
        # looked up here, not bound at import, so that tests can stub the layout program
        svg = layout_svg(dot_source, layout_program, timeout=timeout)
        return round_geometry(svg, digits)

    return cached_layout(source, program, directory, lay_out, variant=f"rounded-{digits}")


def layout_source(status: RunStatus, *, show_datasets: bool = True) -> str:
    """The DOT source the layout program gets for a run drawn in one diagram."""
    if show_datasets and graph_size(status) > MAX_DATASET_ELEMENTS:
        show_datasets = False
    return build_dot(status, show_datasets=show_datasets, paint=False).source
