"""The "Compared with earlier runs" section: what is unusual, what changed since the previous
run, and the duration trend with its usual range."""

from __future__ import annotations

from dataclasses import dataclass, field

from kedro_run_report.analysis import Comparison, NodeChange, Unusual, trend
from kedro_run_report.analysis.compare import row_drop_lines
from kedro_run_report.analysis.usual_range import DURATION
from kedro_run_report.formatting import format_bytes, format_count, format_duration, num, xml
from kedro_run_report.model import NOT_RUN
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.report.unusual_words import (
    judged,
    nothing_unusual,
    signed_percent,
    unusual_lines,
    unusual_note,
    usual_text,
    verdict_text,
)
from kedro_run_report.vocabulary import ACCENT, GRID, MUTED, STATUS_STYLE, STATUS_WORD

NO_BASELINE = "No earlier run of the same pipeline selection to compare with."
BAND_FILL = "#DDE1F7"  # the usual range behind the trend line: a pale tint of the accent
TREND_W, TREND_H, PAD = 560, 120, 28
UNREADABLE_COLOUR = "#9AA1AB"


def signed_duration(seconds: float) -> str:
    """``+9.0 s`` or ``-1m 2s``."""
    return ("-" if seconds < 0 else "+") + format_duration(abs(seconds))


@dataclass
class ChangeRow:
    """A node that got slower or faster: before, after and by how much."""

    name: str
    href: str
    before: str
    after: str
    change: str


@dataclass
class DataRow:
    """A dataset whose size or rows changed notably."""

    name: str
    href: str
    size: str
    rows: str
    change: str
    dropped: bool


@dataclass
class UnusualRow:
    """A measure of this run outside its usual range, or drifting."""

    name: str
    href: str
    measure: str  # "duration", "rows" or "size"
    now: str
    usual: str  # "1.2 s – 1.9 s"
    verdict: str  # "3.1× the usual", "rising for 5 runs: 2.0 s → 3.0 s"


@dataclass
class ComparisonView:
    """What the comparison section prints; ``message`` alone when there is no baseline."""

    message: str = ""
    previous_run: str = ""
    before: str = ""
    after: str = ""
    delta: str = ""
    delta_css: str = ""  # "worse", "better" or ""
    regressions: list[ChangeRow] = field(default_factory=list)
    improvements: list[ChangeRow] = field(default_factory=list)
    newly_failed: list[tuple[str, str]] = field(default_factory=list)
    newly_succeeded: list[tuple[str, str]] = field(default_factory=list)
    added: int = 0
    removed: int = 0
    datasets: list[DataRow] = field(default_factory=list)
    row_drops: list[str] = field(default_factory=list)  # "x: 6,027 -> 4,120 rows (-32%) ..."
    causes: list[str] = field(default_factory=list)  # "code changed: commit a -> b", ...
    causes_known: bool = False  # both runs have fingerprints; else ``causes`` says why not
    trend_svg: str | None = None
    trend_caption: str = ""
    unusual: list[UnusualRow] = field(default_factory=list)
    unusual_note: str = ""  # what the findings were judged against, or why nothing was
    unusual_judged: bool = False  # the history was long enough to judge against
    nothing_unusual: str = ""  # said when it was judged and nothing stood out


def unusual_rows(unusual: Unusual) -> list[UnusualRow]:
    """One row per finding: durations first, then rows and sizes, in pipeline order."""
    return [
        UnusualRow(
            line.name,
            f"#{line.subject}-{line.finding.subject_id}",
            line.measure,
            line.now,
            line.usual,
            line.verdict,
        )
        for line in unusual_lines(unusual)
    ]


def duration_badges(report: RunReport) -> dict[str, tuple[str, str]]:
    """Node id -> (badge, tooltip): from the usual ranges when the history is long enough,
    else from the comparison with the previous run."""
    if not judged(report.unusual):
        return regression_badges(report.comparison)
    assert report.unusual is not None
    return {
        f.subject_id: (verdict_text(f), f"usual {usual_text(f)} over {f.usual.runs} runs")
        for f in report.unusual.of(DURATION)
    }


def regression_badges(comparison: Comparison | None) -> dict[str, tuple[str, str]]:
    """Node id -> (badge text, tooltip) for the node table: ``("+85%", "was 1.2 s")``."""
    if comparison is None:
        return {}
    return {
        n.node_id: (signed_percent(n.relative) or signed_duration(n.delta or 0.0), _was(n))
        for n in comparison.regressions
    }


def _was(change: NodeChange) -> str:
    return f"{format_duration(change.previous_duration)} in the previous run"


def _change(change: NodeChange) -> ChangeRow:
    text = signed_duration(change.delta or 0.0)
    if change.relative is not None:
        text += f" ({signed_percent(change.relative)})"
    return ChangeRow(
        change.name,
        f"#node-{change.node_id}" if change.current_status else "",
        format_duration(change.previous_duration),
        format_duration(change.current_duration),
        text,
    )


def comparison_view(report: RunReport) -> ComparisonView | None:
    """The section's view; ``None`` when the report has no history (a run read from a file)."""
    comparison = report.comparison
    if comparison is None and not report.history:
        return None
    view = ComparisonView()
    view.trend_svg, view.trend_caption = trend_chart(report)
    view.unusual_note = unusual_note(report.unusual)
    view.unusual_judged = judged(report.unusual)
    view.nothing_unusual = nothing_unusual(report.unusual)
    if report.unusual is not None:
        view.unusual = unusual_rows(report.unusual)
    if comparison is None:
        view.message = NO_BASELINE
        return view
    c = comparison
    view.previous_run = c.previous_run_id
    view.before = format_duration(c.previous_duration)
    view.after = format_duration(c.current_duration)
    view.delta = signed_duration(c.duration_delta)
    if c.duration_relative is not None:
        view.delta += f" ({signed_percent(c.duration_relative)})"
    if c.duration_relative is not None and abs(c.duration_relative) >= 0.1:
        view.delta_css = "worse" if c.duration_delta > 0 else "better"
    view.regressions = [_change(n) for n in sorted(c.regressions, key=lambda n: -(n.delta or 0))]
    view.improvements = [_change(n) for n in sorted(c.improvements, key=lambda n: n.delta or 0)]
    view.newly_failed = [(n.name, f"#node-{n.node_id}") for n in c.newly_failed]
    view.newly_succeeded = [(n.name, f"#node-{n.node_id}") for n in c.newly_succeeded]
    view.added, view.removed = len(c.added), len(c.removed)
    view.row_drops = row_drop_lines(c)
    if c.causes is not None:
        view.causes, view.causes_known = c.causes.lines, c.causes.known
    for d in c.datasets:
        rows = f"{format_count(d.previous_rows)} → {format_count(d.current_rows)}"
        size = f"{format_bytes(d.previous_size)} → {format_bytes(d.current_size)}"
        changes = []
        if d.rows_changed:
            changes.append(f"rows {signed_percent(d.rows_relative) or 'changed'}")
        if d.size_changed:
            changes.append(f"size {signed_percent(d.size_relative) or 'changed'}")
        view.datasets.append(
            DataRow(
                d.name, f"#dataset-{d.dataset_id}", size, rows, ", ".join(changes), d.rows_dropped
            )
        )
    return view


def trend_chart(report: RunReport) -> tuple[str | None, str]:
    """A small line chart of total duration over the recorded runs, oldest to newest."""
    points = trend(report.history)
    if len(points) < 2:
        return None, ""
    current = report.status.pipeline.run_id
    band = report.unusual.run_range if report.unusual is not None else None
    top = max([d for _, d, _ in points] + ([band.high] if band else [])) or 1.0
    step = (TREND_W - 2 * PAD) / (len(points) - 1)
    plot_h = TREND_H - 2 * PAD + 12

    def xy(i: int, seconds: float) -> tuple[str, str]:
        return num(PAD + i * step), num(PAD - 8 + plot_h * (1 - seconds / top))

    line = " ".join(",".join(xy(i, d)) for i, (_, d, _) in enumerate(points))
    out = [
        f'<svg class="trend" width="{TREND_W}" height="{TREND_H}" viewBox="0 0 {TREND_W} '
        f'{TREND_H}" xmlns="http://www.w3.org/2000/svg" font-family="Helvetica,Arial,sans-serif"'
        f' font-size="10" fill="{MUTED}" role="img" aria-label="Run duration, oldest to newest">',
        f'<path class="grid" d="M{PAD} {num(PAD - 8)}H{TREND_W - PAD}M{PAD} {num(PAD - 8 + plot_h)}'
        f'H{TREND_W - PAD}" stroke="{GRID}"/>',
        f'<text x="{PAD}" y="{num(PAD - 12)}">{format_duration(top)}</text>',
        f'<text x="{PAD}" y="{TREND_H - 4}">oldest</text>',
        f'<text x="{TREND_W - PAD}" y="{TREND_H - 4}" text-anchor="end">newest</text>',
    ]
    if band is not None:
        _, y_high = xy(0, band.high)
        _, y_low = xy(0, max(band.low, 0.0))
        tip = (
            f"usual range {format_duration(max(band.low, 0.0))} – {format_duration(band.high)} "
            f"(median {format_duration(band.centre)} of {band.runs} successful runs)"
        )
        out.append(
            f'<rect class="usual" x="{PAD}" y="{y_high}" width="{TREND_W - 2 * PAD}" '
            f'height="{num(float(y_low) - float(y_high))}" fill="{BAND_FILL}">'
            f"<title>{xml(tip)}</title></rect>"
        )
        middle = TREND_W // 2  # a legend between "oldest" and "newest", clear of the points
        out.append(
            f'<rect x="{middle - 40}" y="{TREND_H - 12}" width="12" height="9" '
            f'fill="{BAND_FILL}"/><text x="{middle - 24}" y="{TREND_H - 4}">usual range</text>'
        )
    out += [
        f'<polyline points="{line}" fill="none" stroke="#9AA1AB" stroke-width="1.5"/>',
    ]
    marked = max((i for i, (run, _, _) in enumerate(points) if run == current), default=None)
    for i, (run, seconds, status) in enumerate(points):
        x, y = xy(i, seconds)
        colour = STATUS_STYLE[status][1] if status in STATUS_STYLE else UNREADABLE_COLOUR
        word = STATUS_WORD.get(status, status)
        mark = STATUS_STYLE.get(status, STATUS_STYLE[NOT_RUN])[2]
        tip = f"{run}: {mark} {word}, {format_duration(seconds)}"
        if i == marked:
            tip += " (this run)"
            out.append(
                f'<circle class="current" cx="{x}" cy="{y}" r="8" fill="none" stroke="{ACCENT}" '
                'stroke-width="2"/>'
            )
            out.append(
                f'<text x="{x}" y="{num(float(y) + 20)}" text-anchor="middle">this run</text>'
            )
        out.append(
            f'<circle cx="{x}" cy="{y}" r="4.5" fill="{colour}" stroke="#FFFFFF">'
            f"<title>{xml(tip)}</title></circle>"
        )
    out.append("</svg>")
    caption = f"Total duration of the last {len(points)} recorded runs, oldest to newest."
    if band is not None:
        caption += (
            f" The band is the usual range of a successful run of this pipeline selection "
            f"over {band.runs} runs."
        )
    return "\n".join(out), caption
