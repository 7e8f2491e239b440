"""What the diagram draws besides the planned nodes, and marks put on it after layout.

The helpers here depend only on the model and ids, not on the DOT builder, so that the
diagram, its painter and the namespace summaries can share them without an import cycle.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kedro_run_report.ids import dataset_id, strip_transcoding
from kedro_run_report.model import DatasetRun, NodeRun, RunStatus
from kedro_run_report.vocabulary import ACCENT


def all_tasks(status: RunStatus) -> list[NodeRun]:
    """The planned nodes, then a partial run's unselected ones (drawn as "not selected")."""
    return [*status.nodes.values(), *status.unselected.values()]


def unselected_datasets(status: RunStatus) -> dict[str, str]:
    """Dataset id -> name of the datasets that only unselected nodes read or write."""
    found: dict[str, str] = {}
    for node in status.unselected.values():
        for name in node.inputs + node.outputs:
            ident = dataset_id(name)
            if ident not in status.datasets:
                found.setdefault(ident, strip_transcoding(name))
    return found


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


def namespace_children(namespaces: set[str] | list[str]) -> dict[str, set[str]]:
    """Parent namespace ("" for the top) -> its direct children, parents filled in."""
    children: dict[str, set[str]] = {}
    for ns in namespaces:
        parts = ns.split(".")
        for depth in range(1, len(parts) + 1):
            children.setdefault(".".join(parts[: depth - 1]), set()).add(".".join(parts[:depth]))
    return children


def namespace_order(namespaces: set[str]) -> list[str]:
    """Every namespace and its parents, in the order their clusters are emitted (gc_0, ...)."""
    children = namespace_children(namespaces)
    order: list[str] = []

    def walk(ns: str) -> None:
        order.append(ns)
        for child in sorted(children.get(ns, ())):
            walk(child)

    for top in sorted(children.get("", ())):
        walk(top)
    return order


ROW_DROP_THRESHOLD = 0.1  # an output this much smaller than the main input is marked


@dataclass(frozen=True)
class RowDrop:
    """A node's output with notably fewer rows than the node's main input."""

    dataset_id: str
    rows: int
    node: str  # the node's name
    main_input: str  # the input with the most rows
    input_rows: int

    @property
    def relative(self) -> float:
        """``-0.31`` for an output with 31% fewer rows than the main input."""
        return (self.rows - self.input_rows) / self.input_rows

    @property
    def percent(self) -> int:
        """How many percent fewer rows, rounded: ``31``."""
        return round(-self.relative * 100)

    @property
    def label(self) -> str:
        """``"-31% rows"``."""
        return f"-{self.percent}% rows"

    @property
    def explanation(self) -> str:
        """What the label means, for a tooltip."""
        return (
            f"{self.rows:,} rows, {self.percent}% fewer than the {self.input_rows:,} rows of "
            f"{self.main_input}, the largest input of node {self.node}"
        )


def row_drops(status: RunStatus, threshold: float = ROW_DROP_THRESHOLD) -> dict[str, RowDrop]:
    """Dataset id -> its row drop, for each node output with ``threshold`` fewer rows or more.

    A node's main input is its input with the most rows (a join's larger side); inputs and
    outputs whose rows were not recorded, and parameters, take no part. A node none of whose
    inputs has a row count marks nothing, and so does a node whose outputs together hold at
    least as many rows as its main input: a split (train and test) shares rows out, it does
    not lose them.
    """
    found: dict[str, RowDrop] = {}
    for node in status.nodes.values():
        inputs = [ds for ds in _with_rows(status, node.inputs) if ds.rows]
        outputs = _with_rows(status, node.outputs)
        if not inputs or not outputs:
            continue
        main = max(inputs, key=lambda ds: ds.rows or 0)  # the first of equals: input order
        most = main.rows or 0
        if len(outputs) > 1 and sum(out.rows or 0 for out in outputs) >= most:
            continue
        for out in outputs:
            rows = out.rows or 0
            # an integer comparison: 900 of 1,000 rows is exactly 10% fewer, and marked
            if (most - rows) * 1_000_000 >= round(threshold * 1_000_000) * most:
                found[out.id] = RowDrop(out.id, rows, node.name, main.name, most)
    return found


def _with_rows(status: RunStatus, names: list[str]) -> list[DatasetRun]:
    datasets = (status.datasets.get(dataset_id(name)) for name in names)
    return [ds for ds in datasets if ds is not None and not ds.is_parameter and ds.rows is not None]


_NODE_HEAD = re.compile(
    r'<g (?:id="g[nd]_[0-9a-f]+" )?class="node [^"]*'
    r'">\n?<a (?:xlink:)?href="#(?:node|dataset)-([0-9a-f]+)"[^>]*>'
    r"\n?<(rect|path|polygon) ([^>]*?)/>"
)
_RECT_BOX = re.compile(r' x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"')


def mark_critical_nodes(svg: str, graph_ids: set[str]) -> str:
    """Give the critical path's tasks and datasets the class ``cp``, a thicker outline and, on
    tasks, an accent bar along the left edge: visible without CSS and without colour."""
    if not graph_ids:
        return svg
    ids = {g[2:] for g in graph_ids}

    def mark(match: re.Match[str]) -> str:
        if match.group(1) not in ids:
            return match.group(0)
        text = match.group(0)
        cut = match.start(2) - match.start(0) - 1
        head = text[:cut].replace('class="node ', 'class="node cp ', 1)
        attrs = re.sub(r' stroke-width="[^"]*"', "", match.group(3)) + ' stroke-width="2.6"'
        shape = f"<{match.group(2)} {attrs}/>"
        box = _RECT_BOX.search(attrs) if match.group(2) == "rect" else None
        if box:
            x, y, _, h = (float(v) for v in box.groups())
            shape += (
                f'<path class="cp-mark" d="M{x + 3:g} {y + 3:g}v{h - 6:g}" '
                f'stroke="{ACCENT}" stroke-width="3"/>'
            )
        return head + shape

    return _NODE_HEAD.sub(mark, svg)
