"""What is unusual in a run: each measure judged against its own history.

A node's duration, a dataset's row count and its size are each compared with the same measure
in the earlier runs of the same pipeline selection (oldest first). The rules:

* **Usual range.** The centre is the median of the earlier values; the spread is the median
  absolute deviation scaled by 1.4826 (so that it estimates the standard deviation of normal
  noise). The usual range is ``median +/- K * spread`` with ``K = 3``, but never narrower than
  ``median +/- max(relative floor * median, absolute floor)``: a history of identical values
  has no spread at all, and a 3 ms node that takes 4 ms is noise, not news. The floors are the
  old one-run comparison's thresholds: 20% and 0.5 s for durations, 10% for rows, 20% for sizes.
* **Enough history.** Nothing is judged with fewer than ``MIN_RUNS`` (5) earlier values.
* **Outside.** A value above the range is flagged ``high``, below it ``low`` (a run that got
  faster is not a problem: durations are only flagged when high).
* **Drift.** The last ``DRIFT_RUNS`` (5) values, this run's included, each strictly beyond the
  one before, with a total change of at least the floor (20% and 0.5 s for durations), are a
  steady drift, flagged even while each value is still within the range. Durations drift up;
  row counts and sizes are flagged when they shrink steadily (tables that grow run after run
  are the ordinary life of data).

Robust statistics, because one slow run (a cold cache, a busy machine) must not widen the
range for ever, as it would a mean and a standard deviation.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from math import isfinite
from statistics import median
from typing import Any

from kedro_run_report.analysis._timing import node_span, round6
from kedro_run_report.model import SUCCESS, RunStatus

K = 3.0
MAD_SCALE = 1.4826  # MAD * this estimates the standard deviation of normally distributed noise
MIN_RUNS = 5
DRIFT_RUNS = 5
MAX_RUNS = 20  # the earlier runs a report reads to judge against

DURATION, ROWS, SIZE = "duration", "rows", "size"
HIGH, LOW, DRIFT_UP, DRIFT_DOWN = "high", "low", "drift up", "drift down"


@dataclass(frozen=True)
class Rule:
    """How one measure is judged: the floors of its range and which ways it is flagged."""

    relative_floor: float  # the range is at least median +/- this share of the median
    absolute_floor: float  # ... and at least median +/- this many units
    flags: tuple[str, ...]  # the verdicts worth showing for this measure


RULES = {
    DURATION: Rule(0.2, 0.5, (HIGH, DRIFT_UP)),
    ROWS: Rule(0.1, 0.0, (HIGH, LOW, DRIFT_DOWN)),
    SIZE: Rule(0.2, 0.0, (HIGH, LOW, DRIFT_DOWN)),
}


@dataclass(frozen=True)
class UsualRange:
    """The usual values of a measure over the earlier runs."""

    centre: float  # the median
    low: float
    high: float
    runs: int  # how many earlier values it was computed from

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "centre": round6(self.centre),
            "low": round6(self.low),
            "high": round6(self.high),
            "runs": self.runs,
        }


def usual_range(history: Sequence[float], rule: Rule) -> UsualRange | None:
    """The usual range of ``history`` under ``rule``; ``None`` with fewer than MIN_RUNS values."""
    if len(history) < MIN_RUNS:
        return None
    centre = median(history)
    spread = MAD_SCALE * median(abs(v - centre) for v in history)
    half = max(K * spread, rule.relative_floor * abs(centre), rule.absolute_floor)
    return UsualRange(centre, centre - half, centre + half, len(history))


def drift(history: Sequence[float], value: float, rule: Rule) -> str | None:
    """``DRIFT_UP`` or ``DRIFT_DOWN`` when the last DRIFT_RUNS values move one way steadily."""
    recent = [*history[-(DRIFT_RUNS - 1) :], value]
    if len(history) < MIN_RUNS or len(recent) < DRIFT_RUNS:
        return None
    first = recent[0]
    floor = max(rule.relative_floor * abs(first), rule.absolute_floor)
    pairs = list(zip(recent, recent[1:], strict=False))
    if all(b > a for a, b in pairs) and value - first >= floor:
        return DRIFT_UP
    if all(b < a for a, b in pairs) and first - value >= floor:
        return DRIFT_DOWN
    return None


@dataclass(frozen=True)
class Finding:
    """One measure of this run outside its usual range, or drifting."""

    measure: str  # DURATION, ROWS or SIZE
    subject_id: str  # a node id (durations) or a dataset id
    name: str
    value: float
    usual: UsualRange
    verdict: str  # HIGH, LOW, DRIFT_UP or DRIFT_DOWN
    recent: tuple[float, ...] = ()  # a drift's values, oldest first, this run's last

    @property
    def ratio(self) -> float | None:
        """This run's value over the usual centre; ``None`` when the centre is 0."""
        return self.value / self.usual.centre if self.usual.centre else None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "measure": self.measure,
            "id": self.subject_id,
            "name": self.name,
            "value": round6(self.value),
            "verdict": self.verdict,
            "usual": self.usual.to_dict(),
            "recent": [round6(v) for v in self.recent],
        }


@dataclass(frozen=True)
class Unusual:
    """What is unusual in a run, judged against the earlier runs of its selection."""

    runs: int  # the earlier runs judged against
    findings: list[Finding] = field(default_factory=list)
    run_range: UsualRange | None = None  # the usual total duration of a successful run

    def of(self, measure: str) -> list[Finding]:
        """The findings about one measure."""
        return [f for f in self.findings if f.measure == measure]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "runs": self.runs,
            "rules": {"k": K, "min_runs": MIN_RUNS, "drift_runs": DRIFT_RUNS},
            "run_duration": self.run_range.to_dict() if self.run_range else None,
            "findings": [f.to_dict() for f in self.findings],
        }


def judge(
    measure: str, subject_id: str, name: str, value: float, history: Sequence[float]
) -> Finding | None:
    """A finding when ``value`` is outside the usual range of ``history`` or ends a drift."""
    rule = RULES[measure]
    usual = usual_range(history, rule)
    if usual is None:
        return None
    verdict: str | None = HIGH if value > usual.high else LOW if value < usual.low else None
    recent: tuple[float, ...] = ()
    if verdict is None or verdict not in rule.flags:
        verdict = drift(history, value, rule)
        recent = (*history[-(DRIFT_RUNS - 1) :], value)
    if verdict is None or verdict not in rule.flags:
        return None
    return Finding(measure, subject_id, name, value, usual, verdict, recent)


@dataclass(frozen=True)
class Measures:
    """What a run is judged by, and judged against: a few numbers per node and dataset."""

    durations: dict[str, float]  # node id -> span, for nodes that succeeded
    rows: dict[str, float]  # dataset id -> recorded row count (parameters left out)
    sizes: dict[str, float]  # dataset id -> recorded size in bytes
    run_duration: float | None  # wall time of a successful run; None for any other


MEASURES_VERSION = 1


def measures_to_dict(m: Measures) -> dict[str, Any]:
    """JSON-ready form (what a run's cache keeps)."""
    return {
        "version": MEASURES_VERSION,
        "durations": m.durations,
        "rows": m.rows,
        "sizes": m.sizes,
        "run_duration": m.run_duration,
    }


def measures_from_dict(data: dict[str, Any] | None) -> Measures | None:
    """The Measures of :func:`measures_to_dict`; ``None`` for anything else."""
    if not data or data.get("version") != MEASURES_VERSION:
        return None
    tables: list[dict[str, float]] = []
    for key in ("durations", "rows", "sizes"):
        table = data.get(key)
        if not isinstance(table, dict) or not all(_number(v) for v in table.values()):
            return None
        tables.append({str(k): float(v) for k, v in table.items()})
    run_duration = data.get("run_duration")
    if run_duration is not None and not _number(run_duration):
        return None
    durations, rows, sizes = tables
    return Measures(durations, rows, sizes, None if run_duration is None else float(run_duration))


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and isfinite(value)


def measures(run: RunStatus) -> Measures:
    """The measures of one run (small: a history of them is cheap to keep in memory)."""
    durations = {}
    for node_id, node in run.nodes.items():
        span = node_span(node, run) if node.status == SUCCESS else None
        if span is not None:
            durations[node_id] = span[1] - span[0]
    data = [ds for ds in run.datasets.values() if not ds.is_parameter]
    return Measures(
        durations,
        {ds.id: float(ds.rows) for ds in data if ds.rows is not None},
        {ds.id: float(ds.size) for ds in data if ds.size is not None},
        run.pipeline.duration if run.pipeline.status == SUCCESS else None,
    )


def unusual(current: RunStatus, history: Sequence[RunStatus | Measures]) -> Unusual:
    """Judge ``current`` against ``history``: earlier runs of the same selection, oldest first.

    Durations are node spans (loads and saves included) of nodes that succeeded, matched by
    node id; rows and sizes are those recorded for a dataset, parameters left out.
    """
    now = measures(current)
    earlier = [m if isinstance(m, Measures) else measures(m) for m in history]
    findings: list[Finding] = []
    for node_id, value in now.durations.items():
        values = [m.durations[node_id] for m in earlier if node_id in m.durations]
        found = judge(DURATION, node_id, current.nodes[node_id].name, value, values)
        if found is not None:
            findings.append(found)
    for ds_id, ds in current.datasets.items():
        for measure, table in ((ROWS, _rows), (SIZE, _sizes)):
            if ds_id not in table(now):
                continue
            values = [table(m)[ds_id] for m in earlier if ds_id in table(m)]
            found = judge(measure, ds_id, ds.name, table(now)[ds_id], values)
            if found is not None:
                findings.append(found)
    durations = [m.run_duration for m in earlier if m.run_duration is not None]
    return Unusual(len(earlier), findings, usual_range(durations, RULES[DURATION]))


def _rows(m: Measures) -> dict[str, float]:
    return m.rows


def _sizes(m: Measures) -> dict[str, float]:
    return m.sizes
