"""Status colours, cues and classes (``vocabulary``'s), painted onto the laid-out diagram.

The DOT source the layout program sees depends only on the pipeline's structure: every task
and dataset gets neutral paint and a fixed-width placeholder where its status cue goes. So the
layout (and a cached copy of it) is the same whatever the run's statuses, durations and sizes;
this module then writes, per element, the fill, stroke, dash, width, class and cue text into
the SVG. Colours stay presentation attributes, so the diagram reads where CSS is blocked.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from kedro_run_report.diagram.marks import RowDrop, row_drops
from kedro_run_report.diagram.svg_clean import outline_xs
from kedro_run_report.formatting import (
    format_bytes,
    format_count,
    format_duration,
    short_number,
)
from kedro_run_report.model import (
    FAILED,
    INTERRUPTED,
    NOT_RUN,
    NOT_SELECTED,
    SUCCESS,
    DatasetRun,
    RunStatus,
)
from kedro_run_report.vocabulary import (
    ROW_DROP_COLOUR,
    ROW_DROP_CUE,
    STATUS_STYLE,
    STATUS_WORD,
)

# Placeholders laid out where a cue goes: digits have one width in Helvetica, so the box
# fits the widest usual cue ("! interrupted", "1.8 MB · 77,096 rows") whatever is shown.
TASK_CUE_SLOT = "0" * 12
DATA_CUE_SLOT = "0" * 18
COMPACT_MARK = "✓"  # the status mark leading a one-line task label; replaced after layout
DASHES = {"dashed": "5,2", "dotted": "1,5"}  # what dot writes for these styles


@dataclass(frozen=True)
class Paint:
    """How one graph node (``n_<id>``/``d_<id>``) is painted after layout."""

    classes: str  # appended to dot's "node <class>"
    fill: str | None = None  # None: keep the shape's paint (parameters)
    stroke: str = ""
    width: str | None = None  # stroke-width
    dash: str | None = None  # "dashed" | "dotted"
    cue: str | None = None  # the second label line, centred
    mark: str | None = None  # one-line labels: the leading status mark
    cue_colour: str | None = None  # None: the cue keeps the layout's muted colour


def node_cue(status: str, duration: float) -> str:
    """The text cue under a task name: ``"✓ 1.2 s"``, ``"✗ failed"``, ``"– not run"``."""
    mark = STATUS_STYLE[status][2] if status in STATUS_STYLE else "?"
    if status == SUCCESS:
        return f"{mark} {format_duration(duration)}"
    return f"{mark} {STATUS_WORD.get(status, status)}"


def dataset_cue(dataset: DatasetRun, drop: RowDrop | None = None) -> str:
    """The text cue under a dataset name: size and rows, or its status.

    An output with notably fewer rows than its node's main input says so instead of its row
    count (``"▼ -31% rows · 1.8 MB"``): the count is in the dataset table.
    """
    if dataset.status == FAILED:
        operation = dataset.error.operation if dataset.error else None
        failed = f"{STATUS_STYLE[FAILED][2]} {STATUS_WORD[FAILED]}"
        return f"{failed} {operation}" if operation else failed
    parts = []
    if drop is not None:
        parts.append(f"{ROW_DROP_CUE} {drop.label}")
    if dataset.size is not None:
        parts.append(format_bytes(dataset.size))
    if dataset.rows is not None and drop is None:
        parts.append(f"{format_count(dataset.rows)} rows")
    if parts:
        return " · ".join(parts)
    if dataset.status == NOT_RUN:
        return f"{STATUS_STYLE[NOT_RUN][2]} not used"
    if dataset.status == INTERRUPTED:
        return f"{STATUS_STYLE[INTERRUPTED][2]} {STATUS_WORD[INTERRUPTED]}"
    return STATUS_STYLE[SUCCESS][2]


def paints(status: RunStatus, *, compact: bool) -> dict[str, Paint]:
    """The paint of every planned task and recorded dataset (unselected ones are structure)."""
    out: dict[str, Paint] = {}
    for node in [*status.nodes.values(), *status.unselected.values()]:
        fill, stroke, mark = STATUS_STYLE.get(node.status, STATUS_STYLE[NOT_RUN])
        out[f"n_{node.id}"] = Paint(
            f"task {node.status}",
            fill,
            stroke,
            "2.2" if node.status == FAILED else None,
            {NOT_RUN: "dashed", NOT_SELECTED: "dotted"}.get(node.status),
            None if compact else node_cue(node.status, node.compute_duration),
            mark if compact else None,
        )
    drops = row_drops(status)
    for ds in status.datasets.values():
        if ds.is_parameter:
            out[f"d_{ds.id}"] = Paint(f"param {ds.status}")
            continue
        fill, stroke, _ = STATUS_STYLE.get(ds.status, STATUS_STYLE[NOT_RUN])
        memory = (ds.type or "").endswith("MemoryDataset")
        drop = drops.get(ds.id) if ds.status != FAILED else None
        mark = STATUS_STYLE[ds.status][2] if ds.status in (FAILED, INTERRUPTED) else ""
        out[f"d_{ds.id}"] = Paint(
            f"data {ds.status}" + (" rows-dropped" if drop else ""),
            fill if ds.status in (FAILED, INTERRUPTED) else "#FFFFFF",
            stroke,
            "2.2" if ds.status == FAILED else None,
            "dashed" if memory or ds.status == NOT_RUN else None,
            None if compact else dataset_cue(ds, drop),
            (mark or (ROW_DROP_CUE if drop else "")) if compact else None,
            ROW_DROP_COLOUR if drop else None,
        )
    return out


_CHUNK = re.compile(r'<g id="g([ndg]_[0-9a-f]+)" class="node([^"]*)">(.*?)</a>', re.S)
_SHAPE = re.compile(
    r'<(polygon|path|polyline|ellipse) fill="([^"]*)" stroke="([^"]*)"((?: stroke-[a-z]+="[^"]*")*)'
)
# dot writes <text text-anchor=...>, graphviz-pure <text xml:space="preserve" text-anchor=...>
_TEXT = re.compile(r'<text([^>]*?) text-anchor="start" x="([-\d.]+)"([^>]*)>([^<]*)</text>')


def _centre(chunk: str) -> float | None:
    """The x centre of a node's outline (its first shape's points or path)."""
    shape = re.search(r' (?:points|d)="([^"]*)"', chunk)
    if not shape:
        return None
    xs = outline_xs(shape.group(1))
    return (min(xs) + max(xs)) / 2 if xs else None


def _paint_shapes(chunk: str, paint: Paint) -> str:
    extra = (f' stroke-width="{paint.width}"' if paint.width else "") + (
        f' stroke-dasharray="{DASHES[paint.dash]}"' if paint.dash else ""
    )

    def shape(match: re.Match[str]) -> str:
        tag, fill, _, _ = match.groups()
        new_fill = fill if fill == "none" else paint.fill
        return f'<{tag} fill="{new_fill}" stroke="{paint.stroke}"{extra}'

    head, sep, rest = chunk.partition("<text")
    return _SHAPE.sub(shape, head) + sep + rest


def _paint_text(chunk: str, paint: Paint, digits: int) -> str:
    texts = list(_TEXT.finditer(chunk))
    if not texts:
        return chunk
    last = texts[-1]
    lead, x, attrs, content = last.groups()
    centre = _centre(chunk)
    if paint.cue is not None:
        content = html.escape(paint.cue, quote=False)
    elif paint.mark is not None and content.startswith(COMPACT_MARK + " "):
        content = paint.mark + content[len(COMPACT_MARK) :]  # a task: same width
        centre = None
    elif paint.mark:
        content = f"{paint.mark} {content}"  # a failed dataset: the mark leads its name
    else:
        return chunk
    if paint.cue_colour is not None and paint.cue is not None:
        attrs = re.sub(r' fill="[^"]*"', "", attrs) + f' fill="{paint.cue_colour}"'
    if centre is None:
        text = f'<text{lead} text-anchor="start" x="{x}"{attrs}>{content}</text>'
    else:
        x = short_number(centre, digits)
        text = f'<text{lead} text-anchor="middle" x="{x}"{attrs}>{content}</text>'
    return chunk[: last.start()] + text + chunk[last.end() :]


def paint_svg(svg: str, table: dict[str, Paint], digits: int) -> str:
    """Write each element's status paint, class and cue into the layout program's SVG.

    Positions it writes get ``digits`` decimals, as ``svg_clean.round_geometry`` gives the rest.
    """

    def one(match: re.Match[str]) -> str:
        ident, classes, body = match.groups()
        paint = table.get(ident)
        if paint is None:
            return match.group(0)
        if paint.fill is not None:
            body = _paint_shapes(body, paint)
            body = _paint_text(body, paint, digits)
        if ident.startswith("g_"):  # a namespace box: not a node the inspector shows
            return f'<g id="g{ident}" class="{paint.classes}">{body}</a>'
        base = classes.replace(" task", "").replace(" data", "").replace(" param", "")
        return f'<g id="g{ident}" class="node{base} {paint.classes}">{body}</a>'

    return _CHUNK.sub(one, svg)
