"""The view model of the HTML report: everything the templates print, precomputed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kedro_run_report.diagram import STATUS_STYLE, STATUS_WORD, DiagramResult
from kedro_run_report.formatting import (
    format_bytes,
    format_clock,
    format_count,
    format_duration,
    format_offset,
    format_timestamp,
    iso_utc,
)
from kedro_run_report.ids import dataset_id
from kedro_run_report.model import FAILED, INTERRUPTED, NOT_RUN, SUCCESS, RunStatus
from kedro_run_report.report.summary import (
    HEADLINES,
    error_summary,
    filter_value,
    headline,
    short_runner,
)

LINK_DATASETS_UP_TO = 500  # nodes; above, input/output names are linked by JavaScript (bytes)
FIT_WIDTH_PX = 1400  # diagrams narrower than this are scaled to the page without JavaScript


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

    @property
    def name_parts(self) -> tuple[str, str]:
        """The namespace prefix (with its dot) and the rest, to print the prefix quieter."""
        if self.namespace and self.name.startswith(self.namespace + "."):
            return self.name[: len(self.namespace) + 1], self.name[len(self.namespace) + 1 :]
        return "", self.name


@dataclass
class ErrorBlock:
    """The details of one error: who failed, the message and the traceback."""

    anchor: str
    kind: str  # "Node", "Dataset" or "Pipeline"
    subject: str
    subject_href: str
    summary: str
    message: str
    traceback: str
    context: str = ""


@dataclass
class Banner:
    """The status banner at the top."""

    status: str
    mark: str
    headline: str
    when: str
    when_iso: str
    culprit: Link | None = None
    culprit_kind: str = ""
    culprit_message: str = ""


@dataclass
class ReportView:
    """Everything the page shows."""

    title: str
    project: str
    facts: list[tuple[str, str]]
    filters: list[tuple[str, str]]
    banner: Banner
    summary: list[dict[str, str]]
    warnings: list[str]
    diagram: DiagramResult
    diagram_fit: bool
    node_rows: list[Row]
    dataset_rows: list[Row]
    namespaces: list[str]
    errors: list[ErrorBlock]
    version: str
    legend: list[dict[str, str]] = field(default_factory=list)
    link_datasets: bool = True


def _sort(value: float | None) -> str:
    """A short numeric sort key (milliseconds are enough); empty when unknown, sorting first."""
    return "" if value is None else f"{round(value, 3):g}"


def _node_rows(status: RunStatus) -> list[Row]:
    origin = status.pipeline.start
    known = status.datasets
    rows = []
    for node in status.nodes.values():
        compute = node.compute_duration if node.compute_start is not None else None
        io = node.load_duration + node.save_duration
        worker = []
        if node.pid is not None:
            worker.append(f"pid {node.pid}")
        if node.thread and node.thread != "MainThread":
            worker.append(node.thread)
        elif node.thread:
            worker.append("main thread")
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
            "worker": Cell(" · ".join(worker) or "–", " ".join(worker)),
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
            )
        )
    return rows


def _dataset_rows(status: RunStatus) -> list[Row]:
    rows = []
    for ds in status.datasets.values():
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
            )
        )
    return rows


def _errors(status: RunStatus) -> list[ErrorBlock]:
    blocks = []
    messages = set()
    for node in status.nodes.values():
        if node.error:
            messages.add(node.error.message)
            blocks.append(
                ErrorBlock(
                    f"error-node-{node.id}",
                    "Node",
                    node.name,
                    f"#node-{node.id}",
                    error_summary(node.error.message, node.error.type),
                    node.error.message,
                    node.error.traceback,
                )
            )
    for ds in status.datasets.values():
        if ds.error:
            messages.add(ds.error.message)
            context = ""
            if ds.error.operation:
                context = f"while {ds.error.operation}"
                if ds.error.node:
                    context += f" for node {ds.error.node}"
            blocks.append(
                ErrorBlock(
                    f"error-dataset-{ds.id}",
                    "Dataset",
                    ds.name,
                    f"#dataset-{ds.id}",
                    error_summary(ds.error.message, ds.error.type),
                    ds.error.message,
                    ds.error.traceback,
                    context,
                )
            )
    error = status.pipeline.error
    if error and error.message not in messages:
        blocks.append(
            ErrorBlock(
                "error-pipeline",
                "Pipeline",
                "the run",
                "",
                error_summary(error.message, error.type),
                error.message,
                error.traceback,
            )
        )
    return blocks


def _banner(status: RunStatus, errors: list[ErrorBlock]) -> Banner:
    p = status.pipeline
    word = p.status if p.status in HEADLINES else INTERRUPTED
    ended = p.end if p.end is not None else p.last_event
    banner = Banner(
        word, STATUS_STYLE[word][2], headline(status), format_timestamp(ended), iso_utc(ended)
    )
    culprit = next((e for e in errors if e.kind != "Pipeline"), errors[0] if errors else None)
    if word == FAILED and culprit is not None:
        banner.culprit = Link(culprit.subject, f"#{culprit.anchor}")
        banner.culprit_kind = culprit.kind if culprit.kind != "Pipeline" else ""
        banner.culprit_message = culprit.summary + (
            f" ({culprit.context})" if culprit.context else ""
        )
    return banner


def _card(label: str, value: str, css: str = "", filter_status: str = "") -> dict[str, str]:
    return {"label": label, "value": value, "css": css, "filter": filter_status}


def _summary(status: RunStatus) -> list[dict[str, str]]:
    s = status.summary()
    nodes, data = s["nodes"], s["datasets"]
    total = sum(nodes.values())
    cards = [_card("nodes succeeded", f"{nodes[SUCCESS]} / {total}", SUCCESS, SUCCESS)]
    for word, label in ((FAILED, "failed"), (NOT_RUN, "not run"), (INTERRUPTED, "interrupted")):
        count = nodes.get(word, 0)
        cards.append(_card(label, format_count(count), word if count else "", word))
    cards += [
        _card("datasets loaded", format_count(data["loaded"])),
        _card("datasets saved", format_count(data["saved"])),
        _card("datasets failed", format_count(data["failed"]), FAILED if data["failed"] else ""),
        _card("read", format_bytes(s["bytes_read"])),
        _card("written", format_bytes(s["bytes_written"])),
    ]
    return cards


def _svg_width_px(svg: str | None) -> float:
    match = re.search(r'<svg[^>]*\swidth="([\d.]+)pt"', svg or "")
    return float(match.group(1)) * 4 / 3 if match else 0.0


def legend() -> list[dict[str, str]]:
    """Legend entries: status colours (with their text cue) and what the shapes mean."""
    entries = []
    for word in (SUCCESS, FAILED, NOT_RUN, INTERRUPTED):
        fill, stroke, mark = STATUS_STYLE[word]
        dash = "3 2" if word == NOT_RUN else ""
        entries.append(
            {
                "shape": "task",
                "fill": fill,
                "stroke": stroke,
                "dash": dash,
                "label": f"{mark} {STATUS_WORD[word]}",
            }
        )
    return entries


def build_view(
    status: RunStatus, diagram: DiagramResult, *, title: str | None, version: str
) -> ReportView:
    """Precompute every label, class and formatted value the HTML templates print."""
    p = status.pipeline
    project = p.project_name or p.package_name or "Kedro project"
    facts = [
        ("Pipeline", ", ".join(p.pipeline_names) or "__default__"),
        ("Run id", p.run_id or "–"),
        ("Runner", short_runner(p.runner)),
        ("Kedro", p.kedro_version or "–"),
        ("Env", p.env or "–"),
        ("Host", p.host or "–"),
        ("Started", format_timestamp(p.start)),
    ]
    filters = [(key.replace("_", " "), filter_value(value)) for key, value in p.filters.items()]
    errors = _errors(status)
    node_rows = _node_rows(status)
    return ReportView(
        title=title or f"{project} · run {p.run_id or ''} · {STATUS_WORD.get(p.status, p.status)}",
        project=project,
        facts=facts,
        filters=filters,
        banner=_banner(status, errors),
        summary=_summary(status),
        warnings=list(status.warnings),
        diagram=diagram,
        diagram_fit=0 < _svg_width_px(diagram.svg) <= FIT_WIDTH_PX,
        node_rows=node_rows,
        dataset_rows=_dataset_rows(status),
        namespaces=sorted({r.namespace for r in node_rows if r.namespace}),
        errors=errors,
        version=version,
        legend=legend(),
        link_datasets=len(status.nodes) <= LINK_DATASETS_UP_TO,
    )
