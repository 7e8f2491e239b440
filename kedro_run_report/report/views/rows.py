"""The node and dataset tables of the HTML report: one precomputed row per node or dataset."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kedro_run_report.analysis import MemoryUse, NodeMemory, lanes
from kedro_run_report.diagram.marks import row_drops
from kedro_run_report.formatting import (
    format_bytes,
    format_clock,
    format_count,
    format_duration,
    format_offset,
)
from kedro_run_report.ids import dataset_id
from kedro_run_report.model import FAILED, NOT_RUN, NodeRun, RunStatus
from kedro_run_report.report.summary import SHARED_MEMORY, memory_raise
from kedro_run_report.vocabulary import STATUS_STYLE, STATUS_WORD


@dataclass
class Link:
    """A name that links to an anchor in the page (``href`` empty: plain text)."""

    text: str
    href: str = ""


@dataclass
class Cell:
    """A table cell: what it shows, and the value it sorts by."""

    text: str
    sort: str | float = ""
    title: str = ""


@dataclass
class Row:
    """One row of the node or dataset table."""

    anchor: str
    name: str
    status: str
    status_label: str
    status_mark: str
    namespace: str
    cells: dict[str, Cell]
    inputs: list[Link] = field(default_factory=list)
    outputs: list[Link] = field(default_factory=list)
    error_href: str = ""
    badge: str = ""  # "+85%": slower than usual; "-31% rows": fewer rows than the main input
    badge_title: str = ""

    @property
    def name_parts(self) -> tuple[str, str]:
        """The namespace prefix (with its dot) and the rest, to print the prefix quieter."""
        if self.namespace and self.name.startswith(self.namespace + "."):
            return self.name[: len(self.namespace) + 1], self.name[len(self.namespace) + 1 :]
        return "", self.name


def _sort(value: float | None) -> str:
    """A short numeric sort key (milliseconds are enough); empty when unknown, sorting first."""
    return "" if value is None else f"{round(value, 3):g}"


def node_rows(
    status: RunStatus, badges: dict[str, tuple[str, str]], memory: MemoryUse
) -> list[Row]:
    """One row per planned node; ``badges`` mark regressions by node id; ``memory``: the
    run's memory figures."""
    origin = status.pipeline.start
    known = status.datasets
    # the lane's short label ("thread 2 (...)"), with host, pid and thread in the tooltip
    worker_of = {node_id: lane.label for lane in lanes(status) for node_id in lane.node_ids}
    raised = memory.nodes
    rows = []
    for node in status.nodes.values():
        compute = node.compute_duration if node.compute_start is not None else None
        io = node.load_duration + node.save_duration
        where = [f"pid {node.pid}"] if node.pid is not None else []
        if node.thread:
            where.append(node.thread)
        if node.host:
            where.append(node.host)
        # "thread 2 (ThreadPoolExecutor-0_1)" -> "thread 2": the executor's name is in the title
        worker = re.sub(r" \([^()]*\)$", "", worker_of.get(node.id, "–"))
        cells = {
            "start": Cell(
                format_offset(node.start, origin),
                _sort(node.start - origin if node.start and origin else None),
                format_clock(node.start),
            ),
            "duration": Cell(format_duration(compute), _sort(compute)),
            "io": Cell(
                f"{format_duration(node.load_duration)} / {format_duration(node.save_duration)}"
                if io
                else "–",
                _sort(io),
                "load / save",
            ),
            "memory": _memory_cell(raised.get(node.id)),
            "worker": Cell(*_with_attempts(worker, " · ".join(where), node)),
        }
        links = [
            Link(name, f"#dataset-{dataset_id(name)}" if dataset_id(name) in known else "")
            for name in node.inputs
        ]
        outs = [
            Link(name, f"#dataset-{dataset_id(name)}" if dataset_id(name) in known else "")
            for name in node.outputs
        ]
        rows.append(
            Row(
                anchor=f"node-{node.id}",
                name=node.name,
                status=node.status,
                status_label=STATUS_WORD.get(node.status, node.status),
                status_mark=STATUS_STYLE.get(node.status, STATUS_STYLE[NOT_RUN])[2],
                namespace=node.namespace or "",
                cells=cells,
                inputs=links,
                outputs=outs,
                error_href=f"#error-node-{node.id}" if node.error else "",
                badge=badges.get(node.id, ("", ""))[0],
                badge_title=badges.get(node.id, ("", ""))[1],
            )
        )
    return rows


def _memory_cell(found: NodeMemory | None) -> Cell:
    """How much the node raised its process's peak memory, with that peak in the title."""
    if found is None:
        return Cell("–")
    title = f"process peak {format_bytes(found.peak)}" + (
        f" (pid {found.pid})" if found.pid is not None else ""
    )
    if found.shared:
        title += ". " + SHARED_MEMORY
    return Cell(memory_raise(found), str(found.raised), title)


def _with_attempts(worker: str, where: str, node: NodeRun) -> tuple[str, str, str]:
    """The worker cell; in a run group a retried node also says which attempt decided."""
    if len(node.attempts) < 2:
        return worker, worker, where
    tried = "; ".join(f"{a.run_id}: {a.status}" for a in node.attempts)
    text = f"{worker} · {len(node.attempts)} attempts"
    return text, worker, f"{where} · attempts: {tried}"


def dataset_rows(status: RunStatus) -> list[Row]:
    """One row per dataset; an output with notably fewer rows than its node's main input gets
    a badge (``"-31% rows"``), as it does on the diagram."""
    drops = row_drops(status)
    rows = []
    for ds in status.datasets.values():
        drop = drops.get(ds.id) if ds.status != FAILED else None
        spent = ds.load_duration + ds.save_duration
        kind = (ds.type or "").rsplit(".", 1)[-1] or "–"
        label = STATUS_WORD.get(ds.status, ds.status)
        if ds.status == NOT_RUN:
            label = "not used"
        elif ds.status == FAILED and ds.error and ds.error.operation:
            label = f"failed {ds.error.operation}"
        cells = {
            "type": Cell(kind, kind, ds.type or ""),
            "size": Cell(format_bytes(ds.size), _sort(ds.size)),
            "rows": Cell(format_count(ds.rows), _sort(ds.rows)),
            "loads": Cell(str(ds.loads), ds.loads),
            "saves": Cell(str(ds.saves), ds.saves),
            "time": Cell(format_duration(spent) if ds.loads or ds.saves else "–", _sort(spent)),
        }
        rows.append(
            Row(
                anchor=f"dataset-{ds.id}",
                name=ds.name,
                status=ds.status,
                status_label=label,
                status_mark=STATUS_STYLE.get(ds.status, STATUS_STYLE[NOT_RUN])[2],
                namespace="",
                cells=cells,
                error_href=f"#error-dataset-{ds.id}" if ds.error else "",
                badge=drop.label if drop else "",
                badge_title=drop.explanation if drop else "",
            )
        )
    return rows
