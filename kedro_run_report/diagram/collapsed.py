"""The diagram of a huge run: one box per namespace instead of one per node.

Above :data:`COLLAPSE_LAYOUT_ABOVE` nodes, laying out every node costs seconds of ``dot`` and
megabytes of SVG, and nobody reads ten thousand boxes at once (Prefect asks before drawing
more than 2,000 graph nodes). So the graph laid out has one box per namespace, at the deepest
namespace level that keeps it under :data:`MAX_BOXES` boxes, with edges where one namespace
reads what another wrote. As with the full diagram, the DOT depends on structure alone: the
boxes' colours and status counts are painted after layout. The tables keep every node.
"""

from __future__ import annotations

import html

import graphviz

from kedro_run_report.diagram.marks import all_tasks, namespace_children
from kedro_run_report.diagram.paint import Paint, paint_svg
from kedro_run_report.formatting import format_count, format_duration
from kedro_run_report.ids import dataset_id
from kedro_run_report.model import (
    FAILED,
    INTERRUPTED,
    NOT_RUN,
    NOT_SELECTED,
    SUCCESS,
    NodeRun,
    RunStatus,
)
from kedro_run_report.vocabulary import CLUSTER_FILL, EDGE, GRID, MUTED, STATUS_STYLE

COLLAPSE_LAYOUT_ABOVE = 2000  # tasks (planned + unselected)
MAX_BOXES = 300
NO_NAMESPACE = "(no namespace)"
SLOT = "0" * 30  # where the counts go: "625 nodes: ✓ 600  ✗ 1  – 24"
WORST_FIRST = (FAILED, INTERRUPTED, NOT_RUN, SUCCESS, NOT_SELECTED)


def _cut(namespace: str | None, depth: int) -> str:
    return ".".join(namespace.split(".")[:depth]) if namespace else NO_NAMESPACE


def groups(status: RunStatus) -> dict[str, list[NodeRun]]:
    """Namespace (cut to the chosen depth) -> its tasks, in first-seen order."""
    tasks = all_tasks(status)
    deepest = max((n.namespace.count(".") + 1 for n in tasks if n.namespace), default=1)
    depth = 1
    for candidate in range(deepest, 0, -1):
        if len({_cut(n.namespace, candidate) for n in tasks}) <= MAX_BOXES:
            depth = candidate
            break
    found: dict[str, list[NodeRun]] = {}
    for node in tasks:
        found.setdefault(_cut(node.namespace, depth), []).append(node)
    return found


def _ident(index: int) -> str:
    return f"g_{index:x}"


def build_collapsed_dot(status: RunStatus, graph_attrs: dict[str, str]) -> graphviz.Digraph:
    """One box per namespace group, nested in clusters of their parent namespaces."""
    found = groups(status)
    graph = graphviz.Digraph(name="workflow", graph_attr=graph_attrs)
    graph.attr("node", fontname=graph_attrs.get("fontname", "Helvetica"), fontsize="12")
    graph.attr("node", shape="box", style="filled", fillcolor="#FFFFFF", color="#000000")
    graph.attr("node", margin="0.2,0.1")
    graph.attr("edge", color=EDGE, arrowsize="0.7")
    index = {name: i for i, name in enumerate(found)}
    parents = namespace_children([n for n in found if n != NO_NAMESPACE])
    number = iter(range(1_000_000))

    def box(parent: graphviz.Digraph, name: str) -> None:
        first = found[name][0].id
        slot = f'<FONT POINT-SIZE="10" COLOR="{MUTED}">{SLOT}</FONT>'
        label = f"<<B>{html.escape(name)}</B><BR/>{slot}>"
        parent.node(
            _ident(index[name]),
            label=label,
            URL=f"#node-{first}",
            id=f"g{_ident(index[name])}",
            tooltip=_ident(index[name]),
            **{"class": "group"},
        )

    def emit(parent: graphviz.Digraph, ns: str) -> None:
        kids = sorted(parents.get(ns, ()))
        if ns in found and not kids:
            box(parent, ns)
            return
        with parent.subgraph(name=f"cluster_{next(number)}") as sub:
            sub.attr(label=f"<<B>{html.escape(ns.rsplit('.', 1)[-1])}</B>>", labeljust="l")
            sub.attr(style="filled", fillcolor=CLUSTER_FILL, color=GRID, fontsize="10")
            if ns in found:
                box(sub, ns)
            for child in kids:
                emit(sub, child)

    for top in sorted(parents.get("", ())):
        emit(graph, top)
    if NO_NAMESPACE in found:
        box(graph, NO_NAMESPACE)
    group_of = {n.id: name for name, members in found.items() for n in members}
    producer = {dataset_id(d): n.id for n in all_tasks(status) for d in n.outputs}
    edges: dict[tuple[str, str], None] = {}
    for node in all_tasks(status):
        for d in node.inputs:
            src = producer.get(dataset_id(d))
            if src is not None and group_of[src] != group_of[node.id]:
                edges[(group_of[src], group_of[node.id])] = None
    for a, b in edges:
        graph.edge(_ident(index[a]), _ident(index[b]))
    return graph


def _summary(members: list[NodeRun]) -> tuple[str, str]:
    counts: dict[str, int] = {}
    for node in members:
        counts[node.status] = counts.get(node.status, 0) + 1
    worst = next((w for w in WORST_FIRST if counts.get(w)), NOT_RUN)
    parts = [
        f"{STATUS_STYLE[word][2]} {format_count(counts[word])}"
        for word in (SUCCESS, FAILED, NOT_RUN, INTERRUPTED, NOT_SELECTED)
        if counts.get(word)
    ]
    seconds = sum(n.total_duration for n in members)
    noun = "node" if len(members) == 1 else "nodes"
    text = f"{format_count(len(members))} {noun}: " + "  ".join(parts)
    return worst, text + (f" · {format_duration(seconds)}" if seconds else "")


def paint_collapsed(svg: str, status: RunStatus) -> tuple[str, dict[str, str]]:
    """The boxes' status colours and counts, and the tooltip of each box."""
    table: dict[str, Paint] = {}
    tips: dict[str, str] = {}
    for i, (name, members) in enumerate(groups(status).items()):
        worst, text = _summary(members)
        fill, stroke, _ = STATUS_STYLE.get(worst, STATUS_STYLE[NOT_RUN])
        width = "2.2" if worst == FAILED else None
        table[_ident(i)] = Paint(f"group {worst}", fill, stroke, width, cue=text)
        tips[_ident(i)] = f"{name}: {text}"
    return paint_svg(svg, table, digits=0), tips
