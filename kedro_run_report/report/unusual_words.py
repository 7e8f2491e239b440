"""The words for what is unusual in a run: one spelling for every format.

The HTML comparison section, the terminal summary, the Markdown summary, the e-mail and the
JSON report all describe a finding of ``analysis.usual_range`` with these functions, so that
"3.1× the usual" or "drifting up for 5 runs" reads the same wherever it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass

from kedro_run_report.analysis import Finding, Unusual
from kedro_run_report.analysis.usual_range import (
    DRIFT_DOWN,
    DRIFT_UP,
    DURATION,
    HIGH,
    MIN_RUNS,
    ROWS,
    K,
)
from kedro_run_report.formatting import format_bytes, format_count, format_duration

HEADING = "Unusual in this run"
NOTHING_UNUSUAL = (
    "Every node's duration and every dataset's rows and size are within their usual range."
)
SUBJECT = {DURATION: "node", ROWS: "dataset"}  # anything else is a dataset's size
MEASURE_ORDER = {DURATION: 0, ROWS: 1}  # durations first, then rows, then sizes


def signed_percent(relative: float | None) -> str:
    """``+85%``, ``-12%``, ``+0.4%``; empty when unknown."""
    if relative is None:
        return ""
    percent = relative * 100
    text = f"{percent:+.1f}" if abs(percent) < 10 else f"{round(percent):+d}"
    return f"{text}%"


def judged(unusual: Unusual | None) -> bool:
    """Whether the history was long enough to judge anything against."""
    return unusual is not None and unusual.runs >= MIN_RUNS


def measure_text(measure: str, value: float) -> str:
    """A value of a measure for people: ``2.0 s``, ``6,027``, ``1.2 MB``."""
    if measure == DURATION:
        return format_duration(value)
    if measure == ROWS:
        return format_count(round(value))
    return format_bytes(round(value))


def verdict_text(finding: Finding) -> str:
    """``"3.1× the usual"``, ``"below the usual"``, ``"drifting up for 5 runs: 2.0 s → 3.0 s"``."""
    if finding.verdict in (DRIFT_UP, DRIFT_DOWN):
        way = "up" if finding.verdict == DRIFT_UP else "down"
        first, last = finding.recent[0], finding.recent[-1]
        values = f"{measure_text(finding.measure, first)} → {measure_text(finding.measure, last)}"
        return f"drifting {way} for {len(finding.recent)} runs: {values}"
    ratio = finding.ratio
    if ratio is not None and ratio >= 1.5:
        return f"{ratio:.1f}× the usual"
    if ratio is not None:
        return f"{signed_percent(ratio - 1)} on the usual"
    return "above the usual" if finding.verdict == HIGH else "below the usual"


def usual_text(finding: Finding) -> str:
    """The usual range: ``"1.2 s – 1.9 s"`` (never below zero)."""
    low = measure_text(finding.measure, max(finding.usual.low, 0.0))
    high = measure_text(finding.measure, finding.usual.high)
    return f"{low} – {high}"


@dataclass(frozen=True)
class UnusualLine:
    """One finding in words: what, which measure, now, usual, verdict."""

    finding: Finding
    subject: str  # "node" or "dataset"
    name: str
    measure: str  # "duration", "rows" or "size"
    now: str
    usual: str
    verdict: str

    @property
    def sentence(self) -> str:
        """The finding on one line, for formats without a table."""
        return (
            f"{self.subject} {self.name}: {self.measure} {self.now}, {self.verdict} "
            f"(usual {self.usual} over {self.finding.usual.runs} runs)"
        )


def unusual_lines(unusual: Unusual | None) -> list[UnusualLine]:
    """One line per finding: durations first, then rows and sizes, in pipeline order."""
    if unusual is None:
        return []
    found = sorted(unusual.findings, key=lambda f: MEASURE_ORDER.get(f.measure, 2))
    return [
        UnusualLine(
            f,
            SUBJECT.get(f.measure, "dataset"),
            f.name,
            f.measure,
            measure_text(f.measure, f.value),
            usual_text(f),
            verdict_text(f),
        )
        for f in found
    ]


def unusual_note(unusual: Unusual | None) -> str:
    """What the findings were judged against, or why nothing was."""
    if unusual is None:
        return ""
    if not judged(unusual):
        return (
            f"{unusual.runs} earlier run{'' if unusual.runs == 1 else 's'} of this pipeline "
            f"selection: at least {MIN_RUNS} are needed to tell what is usual."
        )
    return (
        f"Against the {unusual.runs} earlier runs of this pipeline selection: the usual range "
        f"is the median ± {K:g} × the scaled median absolute deviation (never narrower than "
        "±20% and 0.5 s for durations, ±10% for rows, ±20% for sizes)."
    )


def nothing_unusual(unusual: Unusual | None) -> str:
    """The line a format prints when the run was judged and nothing stood out; else empty."""
    if judged(unusual) and unusual is not None and not unusual.findings:
        return NOTHING_UNUSUAL
    return ""
