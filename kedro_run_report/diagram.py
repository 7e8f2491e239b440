"""RunStatus -> DOT (via the ``graphviz`` package) -> SVG (via the Graphviz layout program)."""

from __future__ import annotations

import html
from dataclasses import dataclass

import graphviz

from kedro_run_report.formatting import format_bytes, format_count, format_duration
from kedro_run_report.ids import dataset_id, is_parameter, strip_transcoding
from kedro_run_report.layout import DOT_ENV, LayoutError, find_layout_program, layout_svg
from kedro_run_report.model import (
    FAILED,
    INTERRUPTED,
    NOT_RUN,
    NOT_SELECTED,
    SUCCESS,
    DatasetRun,
    NodeRun,
    RunStatus,
)
from kedro_run_report.svg_clean import FONT, clean_svg, mark_critical_nodes, tooltip_names

# status -> (fill, stroke, text cue); #RRGGBB only, Graphviz rejects short hex
STATUS_STYLE = {
    SUCCESS: ("#E8F5EC", "#2F8F4E", "✓"),
    FAILED: ("#FDECEC", "#C93C3C", "✗"),
    NOT_RUN: ("#F3F4F6", "#9AA1AB", "–"),
    INTERRUPTED: ("#FFF4E0", "#C27C0E", "!"),
    NOT_SELECTED: ("#FFFFFF", "#C5CBD3", "○"),  # outside a partial run's selection
}
STATUS_WORD = {
    SUCCESS: "success",
    FAILED: "failed",
    NOT_RUN: "not run",
    INTERRUPTED: "interrupted",
    NOT_SELECTED: "not selected",
}
FADED = "#8C95A1"  # text of what a partial run did not select
FADED_EDGE = "#C5CBD3"
EDGE_COLOUR = "#8C95A1"
CLUSTER_FILL, CLUSTER_STROKE = "#F7F8FA", "#D5DAE1"
MUTED = "#5F6B7A"
PARAM_STROKE = "#B8BEC7"
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


def gv_text(text: str, limit: int | None = None) -> str:
    """Text for a Graphviz HTML-like label: XML-escaped, backslashes and newlines neutralised."""
    if limit is not None and len(text) > limit:
        text = "…" + text[-(limit - 1) :]  # the end of a name tells nodes apart best
    # control characters are not allowed in XML; newlines become a visible mark
    text = text.replace("\r\n", "\n").replace("\n", "↵")
    text = "".join(ch if ch >= " " or ch == "\t" else "\ufffd" for ch in text)
    # Graphviz expands \N, \G, \L ... inside labels too; "\\" is its literal backslash
    return html.escape(text, quote=True).replace("\\", "\\\\")


def node_cue(status: str, duration: float) -> str:
    """The text cue under a task name: ``"✓ 1.2 s"``, ``"✗ failed"``, ``"– not run"``."""
    mark = STATUS_STYLE[status][2] if status in STATUS_STYLE else "?"
    if status == SUCCESS:
        return f"{mark} {format_duration(duration)}"
    return f"{mark} {STATUS_WORD.get(status, status)}"


def dataset_cue(dataset: DatasetRun) -> str:
    """The text cue under a dataset name: size and rows, or its status."""
    if dataset.status == FAILED:
        operation = dataset.error.operation if dataset.error else None
        return f"✗ failed {operation}" if operation else "✗ failed"
    parts = []
    if dataset.size is not None:
        parts.append(format_bytes(dataset.size))
    if dataset.rows is not None:
        parts.append(f"{format_count(dataset.rows)} rows")
    if parts:
        return " · ".join(parts)
    return {NOT_RUN: "– not used", INTERRUPTED: "! interrupted"}.get(dataset.status, "✓")


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


def _label(title: str, detail: str, *, size: int, bold: bool, compact: bool) -> str:
    if compact:  # one line, one <text>: the status mark leads, the name follows
        return f"<{detail.split(' ', 1)[0]} {title}>"
    head = f"<B>{title}</B>" if bold else title
    return f'<{head}<BR/><FONT POINT-SIZE="{size - 2}" COLOR="{MUTED}">{detail}</FONT>>'


def _task_attrs(node: NodeRun, compact: bool) -> Attrs:
    fill, stroke, _ = STATUS_STYLE.get(node.status, STATUS_STYLE[NOT_RUN])
    name = node.name
    if node.namespace and name.startswith(node.namespace + "."):
        name = name[len(node.namespace) + 1 :]  # the cluster already says the namespace
    label = _label(
        gv_text(name, MAX_LABEL),
        gv_text(node_cue(node.status, node.compute_duration)),
        size=11,
        bold=True,
        compact=compact,
    )
    # plain boxes: clean_svg turns their polygons into rects with rounded corners
    style = {NOT_RUN: "filled,dashed", NOT_SELECTED: "filled,dotted"}.get(node.status, "filled")
    attrs = {"label": label, "shape": "box", "style": style, "fillcolor": fill, "color": stroke}
    attrs.update(URL=f"#node-{node.id}", id=f"gn_{node.id}", tooltip=f"n_{node.id}")
    if node.status == NOT_SELECTED:
        attrs["fontcolor"] = FADED
    attrs["class"] = f"task {node.status}"
    if node.status == FAILED:
        attrs["penwidth"] = "2.2"
    return attrs


def _dataset_attrs(ds: DatasetRun, compact: bool, namespace: str | None = None) -> Attrs:
    fill, stroke, _ = STATUS_STYLE.get(ds.status, STATUS_STYLE[NOT_RUN])
    if ds.is_parameter:
        attrs = {"label": f"<{gv_text(ds.name, MAX_LABEL)}>", "shape": "note", "fontsize": "9"}
        attrs.update(height="0.2", fontcolor=MUTED, style="filled", color=PARAM_STROKE)
        attrs["fillcolor"] = "#FFFFFF"
    else:
        name = ds.name[len(namespace) + 1 :] if namespace else ds.name
        label = _label(
            gv_text(name, MAX_LABEL), gv_text(dataset_cue(ds)), size=10, bold=False, compact=False
        )
        if compact:  # the name alone, with a mark only where something went wrong
            mark = {FAILED: "✗ ", INTERRUPTED: "! "}.get(ds.status, "")
            label = f"<{gv_text(mark + name, MAX_LABEL)}>"
        memory = (ds.type or "").endswith("MemoryDataset")
        style = "filled,dashed" if memory or ds.status == NOT_RUN else "filled"
        attrs = {"label": label, "shape": "cylinder", "style": style, "color": stroke}
        attrs["fillcolor"] = fill if ds.status in (FAILED, INTERRUPTED) else "#FFFFFF"
        if ds.status == FAILED:
            attrs["penwidth"] = "2.2"
    attrs.update(URL=f"#dataset-{ds.id}", id=f"gd_{ds.id}", tooltip=f"d_{ds.id}")
    attrs["class"] = ("param " if ds.is_parameter else "data ") + ds.status
    return attrs


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


def unselected_datasets(status: RunStatus) -> dict[str, str]:
    """Dataset id -> name of the datasets that only unselected nodes read or write."""
    found: dict[str, str] = {}
    for node in status.unselected.values():
        for name in node.inputs + node.outputs:
            ident = dataset_id(name)
            if ident not in status.datasets:
                found.setdefault(ident, strip_transcoding(name))
    return found


def _dataset_namespace(name: str, namespaces: set[str]) -> str | None:
    parts = name.split(".")
    for cut in range(len(parts) - 1, 0, -1):
        if ".".join(parts[:cut]) in namespaces:
            return ".".join(parts[:cut])
    return None


def build_dot(status: RunStatus, *, show_datasets: bool = True) -> graphviz.Digraph:
    """The workflow as a DOT graph: tasks, datasets, namespace clusters, status colours, links."""
    size = graph_size(status, show_datasets=show_datasets)
    compact = size > COMPACT_ABOVE
    graph = graphviz.Digraph(name="workflow", graph_attr=layout_attrs(size))
    # black text and 1pt lines are the SVG defaults dot leaves unwritten; clean_svg sets the
    # real text colour once on the root
    graph.attr("node", fontname=FONT, fontsize="11", fontcolor="black")
    graph.attr("node", penwidth="1" if compact else "1.2")
    graph.attr("node", margin="0.12,0.05", height="0.3")
    graph.attr("edge", color=EDGE_COLOUR, arrowsize="0.6", penwidth="1")
    if compact:
        graph.attr("edge", arrowhead="none")  # top to bottom already says the direction

    tasks = all_tasks(status)
    namespaces = {n.namespace for n in tasks if n.namespace}
    members: dict[str | None, list[tuple[str, Attrs]]] = {}
    for node in tasks:
        members.setdefault(node.namespace, []).append((f"n_{node.id}", _task_attrs(node, compact)))
    if show_datasets:
        for ds in status.datasets.values():
            ns = _dataset_namespace(ds.name, namespaces)
            members.setdefault(ns, []).append((f"d_{ds.id}", _dataset_attrs(ds, compact, ns)))
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


def all_tasks(status: RunStatus) -> list[NodeRun]:
    """The planned nodes, then a partial run's unselected ones (drawn as "not selected")."""
    return [*status.nodes.values(), *status.unselected.values()]


def critical_links(
    status: RunStatus, path: list[str], show_datasets: bool
) -> tuple[set[str], set[tuple[str, str]]]:
    """Graph ids (``n_``/``d_``) and edges of the critical path as the diagram draws it."""
    ids = {f"n_{node_id}" for node_id in path}
    edges: set[tuple[str, str]] = set()
    for a, b in zip(path, path[1:], strict=False):
        outs = {dataset_id(d) for d in status.nodes[a].outputs}
        shared = [dataset_id(d) for d in status.nodes[b].inputs if dataset_id(d) in outs]
        if not show_datasets:
            edges.add((f"n_{a}", f"n_{b}"))
            continue
        for ds in shared:
            ids.add(f"d_{ds}")
            edges.update({(f"n_{a}", f"d_{ds}"), (f"d_{ds}", f"n_{b}")})
    return ids, edges


def namespace_order(namespaces: set[str]) -> list[str]:
    """Every namespace and its parents, in the order their clusters are emitted (gc_0, ...)."""
    children: dict[str, set[str]] = {}
    for ns in namespaces:
        parts = ns.split(".")
        for depth in range(1, len(parts) + 1):
            children.setdefault(".".join(parts[: depth - 1]), set()).add(".".join(parts[:depth]))
    order: list[str] = []

    def walk(ns: str) -> None:
        order.append(ns)
        for child in sorted(children.get(ns, ())):
            walk(child)

    for top in sorted(children.get("", ())):
        walk(top)
    return order


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
            sub.attr(label=label, style="filled", fillcolor=CLUSTER_FILL, color=CLUSTER_STROKE)
            sub.attr(fontcolor=MUTED, fontsize="10", labeljust="l", id=f"gc_{number}")
            sub.attr(**{"class": "ns"})
            for ident, attrs in members.get(ns, []):
                sub.node(ident, **attrs)
            for child in sorted(children.get(ns, ())):
                emit(sub, child)

    for top in sorted(children.get("", ())):
        emit(graph, top)


def render_diagram(
    status: RunStatus, *, show_datasets: bool = True, critical: list[str] | None = None
) -> DiagramResult:
    """Build and lay out the diagram; on any problem return a notice instead of raising.

    ``critical`` (node ids, in order) is marked after layout, so it never moves anything.
    """
    if not status.nodes:
        return DiagramResult(None, "The run has no nodes to draw.")
    program = find_layout_program()
    if program is None:
        return DiagramResult(
            None,
            "Graphviz 'dot' was not found; the report has no diagram. Install Graphviz "
            "(e.g. apt-get install graphviz) or `pip install kedro-run-report[layout]`, "
            f"or set {DOT_ENV}.",
        )
    note = None
    if show_datasets and graph_size(status) > MAX_DATASET_ELEMENTS:
        # datasets double the graph; past this size they cost more than they tell
        show_datasets = False
        note = (
            f"Datasets are not drawn for runs with more than {MAX_DATASET_ELEMENTS} nodes and "
            "datasets; the dataset table lists them all."
        )
    compact = graph_size(status, show_datasets=show_datasets) > COMPACT_ABOVE
    source = build_dot(status, show_datasets=show_datasets).source
    try:
        svg = layout_svg(source, program)
    except LayoutError as exc:
        return DiagramResult(None, f"{exc}; the report has no diagram.", program)
    marked, edges = critical_links(status, critical or [], show_datasets)
    svg = clean_svg(svg, tooltip_names(status), digits=0 if compact else 1, critical_edges=edges)
    svg = mark_critical_nodes(svg, marked)
    return DiagramResult(svg, None, program, note, show_datasets)
