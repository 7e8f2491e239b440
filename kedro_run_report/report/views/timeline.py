"""The run's timeline (a Gantt chart) as inline SVG: one lane per worker, one bar per node.

Pure: a function of RunStatus and the critical path's node ids, no I/O. The SVG is coloured
with presentation attributes, so it reads without CSS (Jenkins' CSP, e-mail clients); the
page's stylesheet only adds hover, focus, dark-mode and filter dimming on top. It stays small
for thousands of nodes: one ``<a>``, one ``<title>`` and one or two ``<path>`` per node, bars
drawn as thick strokes (``M x 0h w``), coordinates with at most one decimal.
"""

from __future__ import annotations

import math
from collections.abc import Collection
from dataclasses import dataclass

from kedro_run_report.analysis import lanes
from kedro_run_report.analysis._timing import node_spans, run_window
from kedro_run_report.formatting import format_duration, num, xml
from kedro_run_report.model import NOT_RUN, SUCCESS, NodeRun, RunStatus
from kedro_run_report.vocabulary import ACCENT, GRID, MUTED, STATUS_STYLE, STATUS_WORD

AXIS_H = 24  # the time axis above the lanes
LABEL_MIN, LABEL_MAX = 90, 230  # the lane-label column, in px
PX_PER_BAR = 2.5  # plot width per node of the busiest lane, so bars stay clickable
PLOT_MIN, PLOT_MAX = 960, 4800
FIT_WIDTH = 1240
TEXT_PX = 6.4  # rough width of a character at 11 px, to decide whether a label fits


@dataclass(frozen=True)
class Geometry:
    """Where the plot is: scale (px per second), origin and sizes."""

    origin: float  # the run's start, seconds since the epoch
    span: float  # seconds shown
    left: float  # x of the origin: the width of the label column
    plot: float  # width of the plot area
    lane_h: int
    bar_h: int

    def x(self, t: float) -> float:
        """The x coordinate of a moment."""
        return self.left + (t - self.origin) * self.plot / self.span if self.span else self.left


def nice_step(span: float, target: int = 8) -> float:
    """A step of 1, 2 or 5 x 10^n (in the unit of ``span``) giving about ``target`` ticks."""
    if span <= 0:
        return 1.0
    raw = span / max(1, target)
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * 0.999)


def ticks(span: float, target: int = 8) -> list[tuple[float, str]]:
    """``(seconds, label)`` ticks from 0 over ``span`` seconds: ``"+0 s"``, ``"+2 s"``, ...

    The unit follows the span (ms, s, min, h) and the step is 1-2-5 x 10^n in that unit.
    """
    if span < 2:
        unit, name = 0.001, "ms"
    elif span < 180:
        unit, name = 1.0, "s"
    elif span < 3 * 3600:
        unit, name = 60.0, "min"
    else:
        unit, name = 3600.0, "h"
    step = nice_step(span / unit, target)
    count = int(span / unit / step + 1e-9)
    return [(i * step * unit, f"+{i * step:g} {name}") for i in range(count + 1)]


def bar_title(node: NodeRun, start: float, end: float, origin: float, *, brief: bool) -> str:
    """The tooltip of a bar: name, status cue, duration, when it ran relative to the start.

    ``brief`` (big runs) leaves out the status word and the load/compute/save split, which the
    node table has, to keep the page small.
    """
    mark = STATUS_STYLE.get(node.status, STATUS_STYLE[NOT_RUN])[2]
    cue = f"{mark} {STATUS_WORD.get(node.status, node.status)} ·"
    if brief and node.status == SUCCESS:
        cue = mark  # "✓ 2.1 s" as in the diagram
    when = f"+{format_duration(start - origin)} → +{format_duration(end - origin)}"
    text = f"{node.name}\n{cue} {format_duration(end - start)} · {when}"
    if not brief and (node.load_duration or node.save_duration):
        text += (
            f"\nload {format_duration(node.load_duration)} · compute "
            f"{format_duration(node.compute_duration)} · save {format_duration(node.save_duration)}"
        )
    return text


BRIEF_ABOVE = 400  # nodes; above, tooltips are one line shorter (bytes add up)


def timeline_svg(status: RunStatus, critical: Collection[str] = ()) -> str | None:
    """The timeline of the nodes that ran, or ``None`` when none did."""
    spans = node_spans(status)
    if not spans:
        return None
    workers = lanes(status)
    begin, end = run_window(status, spans)
    busiest = max(len(lane.node_ids) for lane in workers)
    longest = max(len(lane.label) for lane in workers)
    left = min(LABEL_MAX, max(LABEL_MIN, int(longest * TEXT_PX) + 16))
    plot = min(PLOT_MAX, max(PLOT_MIN, int(busiest * PX_PER_BAR)))
    thin = len(spans) > 2000 or len(workers) > 8
    geo = Geometry(begin, end - begin, left, plot, 18 if thin else 26, 10 if thin else 16)
    width = int(left + plot + 24)
    height = AXIS_H + geo.lane_h * len(workers) + 4
    on_path = set(critical)
    brief = len(spans) > BRIEF_ABOVE
    ok = STATUS_STYLE[SUCCESS][1]
    # narrow charts scale to the page; wide ones (many nodes) keep their size and scroll
    kind = "timeline fit" if width <= FIT_WIDTH else "timeline"
    out = [
        f'<svg class="{kind}" width="{width}" height="{height}" viewBox="0 0 {width} {height}"'
        ' xmlns="http://www.w3.org/2000/svg" font-family="Helvetica,Arial,sans-serif"'
        f' font-size="11" fill="{MUTED}" role="group" aria-label="Timeline: one lane per worker">'
    ]
    out += _axis(geo, height)
    for index, lane in enumerate(workers):
        y = AXIS_H + index * geo.lane_h + geo.lane_h / 2
        label = lane.label if len(lane.label) * TEXT_PX < left - 12 else lane.label[:26] + "…"
        host = f" on {lane.host}" if lane.host else ""
        pid = f", pid {lane.pid}" if lane.pid is not None else ""
        out.append(
            f'<text x="{left - 8}" y="{num(y + 4)}" text-anchor="end">{xml(label)}'
            f"<title>{xml(lane.label)}{xml(host + pid)}</title></text>"
        )
        # the lane carries what every bar shares: most bars succeed, and only the others
        # repeat a colour and a class
        out.append(
            f'<g class="lane" transform="translate(0 {num(y)})" fill="none" stroke="{ok}"'
            f' stroke-width="{geo.bar_h}">'
        )
        out += [
            _bar(status.nodes[node_id], spans[node_id], geo, node_id in on_path, brief)
            for node_id in lane.node_ids
        ]
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def _axis(geo: Geometry, height: int) -> list[str]:
    """Tick labels along the top and light grid lines down through the lanes."""
    target = max(4, int(geo.plot / 110))
    marks = ticks(geo.span, target) if geo.span > 0 else [(0.0, "+0 s")]
    lines, labels = [], []
    for seconds, label in marks:
        x = num(geo.x(geo.origin + seconds))
        lines.append(f"M{x} {AXIS_H - 4}V{height - 2}")
        labels.append(f'<text x="{x}" y="{AXIS_H - 9}" text-anchor="middle">{label}</text>')
    return [
        f'<path class="grid" d="{"".join(lines)}" stroke="{GRID}" stroke-width="1"/>',
        f'<g class="axis" font-size="10">{"".join(labels)}</g>',
    ]


def _bar(
    node: NodeRun, span: tuple[float, float], geo: Geometry, critical: bool, brief: bool
) -> str:
    """One node: a light bar over its whole span, the solid compute part over it, a link."""
    start, end = span
    x0, x1 = geo.x(start), geo.x(end)
    w = max(1.0, x1 - x0)  # a node of no measurable time is still a visible, clickable sliver
    solid = STATUS_STYLE.get(node.status, STATUS_STYLE[NOT_RUN])[1]
    title = xml(bar_title(node, start, end, geo.origin, brief=brief))
    classes = ([] if node.status == SUCCESS else [node.status]) + (["cp"] if critical else [])
    head = f'<a href="#node-{node.id}"'
    if classes:
        head += f' class="{" ".join(classes)}"'
    if node.status != SUCCESS:
        head += f' stroke="{solid}"'
    parts = [f"{head}><title>{title}</title>"]
    c0 = geo.x(node.compute_start) if node.compute_start is not None else None
    c1 = geo.x(node.compute_end) if node.compute_end is not None else x1
    phases = c0 is None or (c0 - x0) + (x1 - c1) >= 0.5
    if phases:
        # loads and saves (and a node that never reached its function) are the lighter part;
        # drawn only where they would show, to keep thousand-node charts small
        parts.append(f'<path d="M{num(x0)} 0h{num(w)}" stroke-opacity=".38"/>')
    text_x = x0
    if c0 is not None:
        cx, cw = (c0, max(1.0, c1 - c0)) if phases else (x0, w)
        text_x = cx
        parts.append(f'<path d="M{num(cx)} 0h{num(cw)}"/>')
    h = geo.bar_h
    if critical:
        # a marker line above the bar: the critical path reads without colour, too
        parts.append(
            f'<path class="cp-mark" d="M{num(x0)} {-h // 2 - 3}h{num(w)}" '
            f'stroke="{ACCENT}" stroke-width="3"/>'
        )
    label = node.name.rsplit(".", 1)[-1] if node.namespace else node.name
    mark = STATUS_STYLE.get(node.status, STATUS_STYLE[NOT_RUN])[2]
    text = f"{mark} {label}"
    if len(text) * TEXT_PX + 8 <= x1 - text_x:
        parts.append(
            f'<text x="{num(text_x + 4)}" y="4" fill="#FFFFFF" stroke="none" '
            f'pointer-events="none">{xml(text)}</text>'
        )
    elif node.status != SUCCESS:
        # failed and interrupted bars keep their text cue beside the bar
        parts.append(
            f'<text x="{num(x0 + w + 2)}" y="4" fill="{solid}" stroke="none">{mark}</text>'
        )
    parts.append("</a>")
    return "".join(parts)
