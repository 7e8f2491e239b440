"""RunStatus -> DOT (via the ``graphviz`` package) -> SVG (via the Graphviz layout program)."""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path

import graphviz

from kedro_run_report.diagram.collapsed import (
    COLLAPSE_LAYOUT_ABOVE,
    build_collapsed_dot,
    paint_collapsed,
)
from kedro_run_report.diagram.layout import LayoutError, find_layout_program, layout_svg
from kedro_run_report.diagram.layout_cache import cached_layout
from kedro_run_report.diagram.marks import (
    all_tasks,
    critical_links,
    mark_critical_nodes,
    namespace_order,
    unselected_datasets,
)
from kedro_run_report.diagram.paint import (
    COMPACT_MARK,
    DATA_CUE_SLOT,
    TASK_CUE_SLOT,
    Paint,
    dataset_cue,
    node_cue,
    paint_svg,
    paints,
)
from kedro_run_report.diagram.svg_clean import FONT, clean_svg, round_geometry, tooltip_names
from kedro_run_report.ids import dataset_id, is_parameter
from kedro_run_report.model import (
    NOT_SELECTED,
    DatasetRun,
    NodeRun,
    RunStatus,
)
from kedro_run_report.settings import DOT
from kedro_run_report.vocabulary import (
    CLUSTER_FILL,
    EDGE,
    FADED,
    GRID,
    MUTED,
    PARAM_STROKE,
    STATUS_STYLE,
)

__all__ = [  # re-exported: the report modules and tests import these from here
    "all_tasks",
    "critical_links",
    "dataset_cue",
    "namespace_order",
    "node_cue",
    "unselected_datasets",
]

FADED_EDGE = STATUS_STYLE[NOT_SELECTED][1]
MAX_LABEL = 42
COMPACT_ABOVE = 300  # graph elements; above this, one-line labels and integer geometry
MAX_DATASET_ELEMENTS = 800  # above this many nodes + datasets, datasets are left out

Attrs = dict[str, str]


@dataclass
class DiagramResult:
    """The SVG to inline, or ``None`` with a one-line notice saying why there is none."""

    svg: str | None
    notice: str | None = None
    program: str | None = None
    note: str | None = None  # a caption, e.g. that datasets were left out for size
    show_datasets: bool = True  # whether datasets are drawn after all
    collapsed: bool = False  # one box per namespace (huge runs): nothing to collapse or expand


def gv_text(text: str, limit: int | None = None) -> str:
    """Text for a Graphviz HTML-like label: XML-escaped, backslashes and newlines neutralised."""
    if limit is not None and len(text) > limit:
        text = "…" + text[-(limit - 1) :]  # the end of a name tells nodes apart best
    # control characters are not allowed in XML; newlines become a visible mark
    text = text.replace("\r\n", "\n").replace("\n", "↵")
    text = "".join(ch if ch >= " " or ch == "\t" else "\ufffd" for ch in text)
    # Graphviz expands \N, \G, \L ... inside labels too; "\\" is its literal backslash
    return html.escape(text, quote=True).replace("\\", "\\\\")


def layout_attrs(size: int) -> Attrs:
    """Graph attributes; dot's slowest phases are bounded more tightly as the graph grows."""
    attrs = {"rankdir": "TB", "nodesep": "0.25", "ranksep": "0.35", "fontname": FONT}
    attrs.update(bgcolor="transparent", pad="0.2", newrank="true")
    if size > 150:
        attrs.update(mclimit="0.5", nslimit="4", nslimit1="4", searchsize="50")
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


def _overlay(attrs: Attrs, paint: Paint | None) -> Attrs:
    """Status paint as DOT attributes: for a DOT source that stands alone (not laid out)."""
    if paint is None:
        return attrs
    if paint.fill is not None:
        attrs.update(fillcolor=paint.fill, color=paint.stroke)
        attrs["style"] = "filled" + (f",{paint.dash}" if paint.dash else "")
        if paint.width:
            attrs["penwidth"] = paint.width
    attrs["class"] = paint.classes
    return attrs


def _two_lines(title: str, detail: str, size: int, bold: bool) -> str:
    head = f"<B>{title}</B>" if bold else title
    return f'<{head}<BR/><FONT POINT-SIZE="{size - 2}" COLOR="{MUTED}">{gv_text(detail)}</FONT>>'


def _task_attrs(node: NodeRun, compact: bool, paint: Paint | None) -> Attrs:
    name = node.name
    if node.namespace and name.startswith(node.namespace + "."):
        name = name[len(node.namespace) + 1 :]  # the cluster already says the namespace
    title = gv_text(name, MAX_LABEL)
    if compact:  # one line, one <text>: the status mark leads, the name follows
        label = f"<{paint.mark if paint and paint.mark else COMPACT_MARK} {title}>"
    else:
        label = _two_lines(title, paint.cue or "" if paint else TASK_CUE_SLOT, 11, True)
    # neutral paint: statuses are painted after layout (diagram/paint.py), so the layout, and
    # its cache key, depend on structure alone. Plain boxes: clean_svg rounds their corners.
    attrs = {"label": label, "shape": "box", "style": "filled", "fillcolor": "#FFFFFF"}
    attrs.update(color="#000000", URL=f"#node-{node.id}", id=f"gn_{node.id}")
    attrs["tooltip"] = f"n_{node.id}"
    if node.status == NOT_SELECTED:  # the selection is structure
        attrs["fontcolor"] = FADED
    attrs["class"] = "task"
    return _overlay(attrs, paint)


def _dataset_attrs(
    ds: DatasetRun, compact: bool, namespace: str | None, paint: Paint | None
) -> Attrs:
    if ds.is_parameter:
        attrs = {"label": f"<{gv_text(ds.name, MAX_LABEL)}>", "shape": "note", "fontsize": "9"}
        attrs.update(height="0.2", fontcolor=MUTED, style="filled", color=PARAM_STROKE)
        attrs.update(fillcolor="#FFFFFF", **{"class": "param"})
    else:
        name = ds.name[len(namespace) + 1 :] if namespace else ds.name
        if compact:  # the name alone, with a mark only where something went wrong
            mark = paint.mark if paint and paint.mark else ""
            label = f"<{gv_text((mark + ' ' if mark else '') + name, MAX_LABEL)}>"
        else:
            detail = paint.cue or "" if paint else DATA_CUE_SLOT
            label = _two_lines(gv_text(name, MAX_LABEL), detail, 10, False)
        attrs = {"label": label, "shape": "cylinder", "style": "filled", "color": "#000000"}
        attrs.update(fillcolor="#FFFFFF", **{"class": "data"})
    attrs.update(URL=f"#dataset-{ds.id}", id=f"gd_{ds.id}", tooltip=f"d_{ds.id}")
    return _overlay(attrs, paint)


def _unselected_dataset_attrs(ident: str, name: str, namespace: str | None) -> Attrs:
    """A dataset only the unselected nodes of a partial run touch: drawn faded, not linked."""
    short = name[len(namespace) + 1 :] if namespace else name
    fill, stroke, _ = STATUS_STYLE[NOT_SELECTED]
    shape = "note" if is_parameter(name) else "cylinder"
    attrs = {"label": f"<{gv_text(short, MAX_LABEL)}>", "shape": shape, "style": "filled,dotted"}
    attrs.update(color=stroke, fillcolor=fill, fontcolor=FADED, id=f"gd_{ident}")
    attrs.update(tooltip=f"d_{ident}", URL="#not-selected")
    attrs["class"] = "data " + NOT_SELECTED
    return attrs


def _dataset_namespace(name: str, namespaces: set[str]) -> str | None:
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:cut]) in namespaces:
            return ".".join(parts[:cut])
    return None


def build_dot(
    status: RunStatus, *, show_datasets: bool = True, paint: bool = True
) -> graphviz.Digraph:
    """The workflow as a DOT graph: tasks, datasets, namespace clusters, links and, with
    ``paint``, status colours and cues. Without ``paint`` it is what gets laid out: a graph of
    the pipeline's structure alone, painted after layout (see diagram/paint.py)."""
    size = graph_size(status, show_datasets=show_datasets)
    compact = size > COMPACT_ABOVE
    table = paints(status, compact=compact) if paint else {}
    graph = graphviz.Digraph(name="workflow", graph_attr=layout_attrs(size))
    # black text and 1pt lines are the SVG defaults dot leaves unwritten; clean_svg sets the
    # real text colour once on the root
    graph.attr("node", fontname=FONT, fontsize="11", fontcolor="black")
    graph.attr("node", penwidth="1" if compact else "1.2")
    graph.attr("node", margin="0.12,0.05", height="0.3")
    graph.attr("edge", color=EDGE, arrowsize="0.6", penwidth="1")
    if compact:
        graph.attr("edge", arrowhead="none")  # top to bottom already says the direction

    tasks = all_tasks(status)
    namespaces = {n.namespace for n in tasks if n.namespace}
    members: dict[str | None, list[tuple[str, Attrs]]] = {}
    for node in tasks:
        members.setdefault(node.namespace, []).append(
            (f"n_{node.id}", _task_attrs(node, compact, table.get(f"n_{node.id}")))
        )
    if show_datasets:
        for ds in status.datasets.values():
            ns = _dataset_namespace(ds.name, namespaces)
            attrs = _dataset_attrs(ds, compact, ns, table.get(f"d_{ds.id}"))
            members.setdefault(ns, []).append((f"d_{ds.id}", attrs))
        for ident, name in unselected_datasets(status).items():
            ns = _dataset_namespace(name, namespaces)
            members.setdefault(ns, []).append(
                (f"d_{ident}", _unselected_dataset_attrs(ident, name, ns))
            )
    _emit_clusters(graph, members)

    if show_datasets:
        drawn = set(status.datasets) | set(unselected_datasets(status))
        for node in tasks:
            # edges of what a partial run did not select are as faded as their ends
            faded = {"color": FADED_EDGE} if node.status == NOT_SELECTED else {}
            for ds_id in dict.fromkeys(dataset_id(d) for d in node.inputs):
                if ds_id in drawn:
                    graph.edge(f"d_{ds_id}", f"n_{node.id}", **faded)
            for ds_id in dict.fromkeys(dataset_id(d) for d in node.outputs):
                if ds_id in drawn:
                    graph.edge(f"n_{node.id}", f"d_{ds_id}", **faded)
        return graph
    # without datasets, a task points straight at the tasks that read its outputs
    producers = {dataset_id(d): n.id for n in tasks for d in n.outputs}
    for node in tasks:
        sources = (producers.get(dataset_id(d)) for d in node.inputs)
        for src in dict.fromkeys(s for s in sources if s is not None):
            graph.edge(f"n_{src}", f"n_{node.id}")
    return graph


def _emit_clusters(graph: graphviz.Digraph, members: dict[str | None, list[tuple[str, Attrs]]]):
    """Nested clusters for dotted namespaces ("a.b" inside "a"), in a stable order."""
    for ident, attrs in members.get(None, []):
        graph.node(ident, **attrs)
    children: dict[str, set[str]] = {}
    for ns in (n for n in members if n):
        parts = ns.split(".")
        for depth in range(1, len(parts) + 1):
            children.setdefault(".".join(parts[: depth - 1]), set()).add(".".join(parts[:depth]))
    counter = iter(range(1_000_000))

    def emit(parent: graphviz.Digraph, ns: str) -> None:
        number = next(counter)
        with parent.subgraph(name=f"cluster_{number}") as sub:
            label = f"<<B>{gv_text(ns.rsplit('.', 1)[-1], MAX_LABEL)}</B>>"
            sub.attr(label=label, style="filled", fillcolor=CLUSTER_FILL, color=GRID)
            sub.attr(fontcolor=MUTED, fontsize="10", labeljust="l", id=f"gc_{number}")
            sub.attr(**{"class": "ns"})
            for ident, attrs in members.get(ns, []):
                sub.node(ident, **attrs)
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
    if len(all_tasks(status)) > COLLAPSE_LAYOUT_ABOVE:
        return _collapsed(status, program, directory)
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
        svg = _rounded_layout(source, program, directory, digits)
    except LayoutError as exc:
        return DiagramResult(None, f"{exc}; the report has no diagram.", program)
    svg = paint_svg(svg, paints(status, compact=compact), digits)
    marked, edges = critical_links(status, critical or [], show_datasets)
    svg = clean_svg(
        svg, tooltip_names(status), digits=digits, critical_edges=edges, geometry_rounded=True
    )
    svg = mark_critical_nodes(svg, marked)
    return DiagramResult(svg, None, program, note, show_datasets)


def _rounded_layout(source: str, program: str, directory: Path | None, digits: int) -> str:
    """The layout program's SVG of ``source`` with its geometry rounded, cached together:
    rounding is most of the cleaning's cost and depends on the layout alone."""

    def lay_out(dot_source: str, layout_program: str) -> str:
        # looked up here, not bound at import, so that tests can stub the layout program
        return round_geometry(layout_svg(dot_source, layout_program), digits)

    return cached_layout(source, program, directory, lay_out, variant=f"rounded-{digits}")


def layout_source(status: RunStatus, *, show_datasets: bool = True) -> str:
    """The DOT source the layout program gets for this run (as render_diagram decides it)."""
    if len(all_tasks(status)) > COLLAPSE_LAYOUT_ABOVE:
        return build_collapsed_dot(status, layout_attrs(0)).source
    if show_datasets and graph_size(status) > MAX_DATASET_ELEMENTS:
        show_datasets = False
    return build_dot(status, show_datasets=show_datasets, paint=False).source


def _collapsed(status: RunStatus, program: str, directory: Path | None) -> DiagramResult:
    """Huge runs: one box per namespace, laid out instead of every node (dot stays fast and
    the page small); the tables still list every node and dataset."""
    source = layout_source(status)
    try:
        svg = _rounded_layout(source, program, directory, 0)
    except LayoutError as exc:
        return DiagramResult(None, f"{exc}; the report has no diagram.", program)
    svg, tips = paint_collapsed(svg, status)
    svg = clean_svg(svg, tips, digits=0, geometry_rounded=True)
    note = (
        f"Runs with more than {COLLAPSE_LAYOUT_ABOVE:,} nodes are drawn one box per namespace; "
        "the node table lists every node."
    )
    return DiagramResult(svg, None, program, note, False, collapsed=True)
