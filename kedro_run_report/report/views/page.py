"""The view model of the HTML report: everything the templates print, precomputed."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kedro_run_report.analysis import CriticalPath
from kedro_run_report.diagram.render import DiagramResult
from kedro_run_report.formatting import (
    format_bytes,
    format_count,
    format_duration,
    format_timestamp,
    iso_utc,
)
from kedro_run_report.model import (
    FAILED,
    INTERRUPTED,
    NOT_RUN,
    NOT_SELECTED,
    SUCCESS,
    RunStatus,
)
from kedro_run_report.model.run_status import is_selection
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.report.summary import (
    HEADLINES,
    ResumeAdvice,
    advice_of,
    error_summary,
    filter_value,
    headline,
    short_runner,
)
from kedro_run_report.report.views.comparison import (
    ComparisonView,
    comparison_view,
    duration_badges,
)
from kedro_run_report.report.views.rows import Link, Row, dataset_rows, node_rows
from kedro_run_report.report.views.time import TimeView, time_view
from kedro_run_report.vocabulary import STATUS_STYLE, STATUS_WORD

LINK_DATASETS_UP_TO = 500  # nodes; above, input/output names are linked by JavaScript (bytes)
FIT_WIDTH_PX = 1400  # diagrams narrower than this are scaled to the page without JavaScript


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
    resume: ResumeAdvice | None = None  # the command that finishes a failed or interrupted run


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
    partial_note: str = ""
    unselected: list[Link] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    timing: TimeView | None = None
    comparison: ComparisonView | None = None
    critical_wall: str = ""
    rows_dropped: bool = False  # the diagram marks a dataset with fewer rows than its input
    parts: list[tuple[str, str, str, str]] = field(default_factory=list)  # a run group's runs


def group_parts(status: RunStatus) -> list[tuple[str, str, str, str]]:
    """A run group's runs: (run id, where it ran, status, duration), in start order."""
    return [
        (
            part.run_id,
            " · ".join(x for x in (part.host, f"pid {part.pid}" if part.pid else "") if x),
            STATUS_WORD.get(part.status, part.status),
            format_duration(part.duration),
        )
        for part in status.parts
    ]


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


def _banner(report: RunReport, errors: list[ErrorBlock]) -> Banner:
    status = report.status
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
    banner.resume = advice_of(status, report.resume_plan)
    return banner


def _card(label: str, value: str, css: str = "", filter_status: str = "") -> dict[str, str]:
    return {"label": label, "value": value, "css": css, "filter": filter_status}


def _summary(status: RunStatus) -> list[dict[str, str]]:
    s = status.summary()
    nodes, data = s["nodes"], s["datasets"]
    total = sum(nodes.values())
    # the total in the label: "6,667 / 10,001" would not fit a card's width
    succeeded = format_count(nodes[SUCCESS])
    cards = [_card(f"of {format_count(total)} nodes succeeded", succeeded, SUCCESS, SUCCESS)]
    for word in (FAILED, NOT_RUN, INTERRUPTED):
        count = nodes.get(word, 0)
        cards.append(_card(STATUS_WORD[word], format_count(count), word if count else "", word))
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


def legend(partial: bool = False) -> list[dict[str, str]]:
    """Legend entries: status colours (with their text cue) and what the shapes mean."""
    entries = []
    words = (SUCCESS, FAILED, NOT_RUN, INTERRUPTED) + ((NOT_SELECTED,) if partial else ())
    for word in words:
        fill, stroke, mark = STATUS_STYLE[word]
        dash = {NOT_RUN: "3 2", NOT_SELECTED: "1 2"}.get(word, "")
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


# Kedro's command-line option for each recorded filter, where it is not the key itself
CLI_OPTIONS = {"node_names": "--nodes"}


def _cli_value(value: object) -> str:
    if isinstance(value, dict):
        return ",".join(f"{k}:{v}" for k, v in value.items())
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(v) for v in value)
    return str(value)


def partial_note(status: RunStatus) -> str:
    """What a partial run selected and how the diagram shows the rest; empty for a full run.

    The "Partial run" pill precedes it: ``"--tags prep selected 2 of 5 nodes; ..."``.
    """
    filters = status.pipeline.filters
    if not is_selection(filters) and not status.unselected:
        return ""
    options = []
    for key, value in filters.items():
        option = CLI_OPTIONS.get(key, "--" + key.replace("_", "-"))
        options.append(option if value is True else f"{option} {_cli_value(value)}")
    words = " ".join(options) or "the selection"
    selected = len(status.nodes)
    if status.unselected:
        others = len(status.unselected)
        return (
            f"{words} selected {format_count(selected)} of {format_count(selected + others)} "
            f"nodes; the {format_count(others)} other{'' if others == 1 else 's'} "
            f"{'is' if others == 1 else 'are'} drawn as not selected."
        )
    return (
        f"{words} selected {format_count(selected)} node{'' if selected == 1 else 's'}. "
        "The full pipeline was not recorded; only the selected nodes are shown."
    )


def build_view(
    status: RunStatus | RunReport,
    diagram: DiagramResult,
    *,
    title: str | None,
    version: str,
    path: CriticalPath | None = None,
) -> ReportView:
    """Precompute every label, class and formatted value the HTML templates print."""
    report = RunReport.of(status)
    status = report.status
    path = path if path is not None else report.critical
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
    rows = node_rows(status, duration_badges(report), report.memory)
    data_rows = dataset_rows(status)
    ran = any(n.start is not None for n in status.nodes.values())
    return ReportView(
        title=title or f"{project} · run {p.run_id or ''} · {STATUS_WORD.get(p.status, p.status)}",
        project=project,
        facts=facts,
        filters=filters,
        banner=_banner(report, errors),
        summary=_summary(status),
        warnings=list(status.warnings),
        diagram=diagram,
        diagram_fit=0 < _svg_width_px(diagram.svg) <= FIT_WIDTH_PX,
        node_rows=rows,
        dataset_rows=data_rows,
        rows_dropped=bool(diagram.svg and diagram.show_datasets and not diagram.collapsed)
        and any(r.badge for r in data_rows),
        namespaces=sorted({r.namespace for r in rows if r.namespace}),
        errors=errors,
        version=version,
        legend=legend(bool(status.unselected)),
        link_datasets=len(status.nodes) <= LINK_DATASETS_UP_TO,
        partial_note=partial_note(status),
        unselected=[Link(n.name, f"node-{n.id}") for n in status.unselected.values()],
        parts=group_parts(status),
        tags=sorted({t for n in status.nodes.values() for t in n.tags}),
        timing=time_view(status, path, report.breakdown, report.memory) if ran else None,
        comparison=comparison_view(report),
    )
