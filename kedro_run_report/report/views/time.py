"""The "Where the time went" section: critical path, slowest nodes and datasets, time shares,
and the nodes that raised their process's peak memory most.

Built from ``analysis.critical_path``, ``analysis.time_breakdown``, ``analysis.memory``;
text and numbers the template prints (bar geometry in percent, formatted durations).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kedro_run_report.analysis import CriticalPath, MemoryUse, TimeBreakdown
from kedro_run_report.analysis.time_breakdown import SHARE_KEYS
from kedro_run_report.formatting import format_bytes, format_count, format_duration
from kedro_run_report.model import NOT_RUN, RunStatus
from kedro_run_report.report.summary import memory_raise
from kedro_run_report.vocabulary import MEMORY_COLOUR, PHASE_COLOURS, STATUS_STYLE, STATUS_WORD

# The phase hues (vocabulary.PHASE_COLOURS), then overhead amber and idle grey.
SHARE_STYLE = {
    "loading": ("loading", PHASE_COLOURS["load"]),
    "computing": ("computing", PHASE_COLOURS["compute"]),
    "saving": ("saving", PHASE_COLOURS["save"]),
    "overhead": ("overhead", "#E0B84C"),
    "idle": ("idle", "#D5DAE1"),
}
OPEN_UP_TO = 12  # critical-path steps shown open; longer paths fold into a <details>


def pct(value: float) -> str:
    """A share as a percentage for people: ``"42%"``, ``"0.4%"``, ``"<0.1%"``."""
    if value <= 0:
        return "0%"
    percent = value * 100
    if percent < 0.1:
        return "<0.1%"
    return f"{percent:.1f}%" if percent < 10 else f"{round(percent)}%"


def geo(value: float) -> str:
    """A percentage for an SVG attribute: at most two decimals."""
    return f"{max(0.0, value):.2f}".rstrip("0").rstrip(".") + "%"


@dataclass
class Segment:
    """One coloured part of a bar: where it starts and how wide it is, in percent."""

    x: str
    width: str
    colour: str
    label: str


@dataclass
class BarRow:
    """A slowest node or dataset: its name, link, time and a bar in phases."""

    name: str
    href: str
    value: str
    detail: str
    segments: list[Segment]
    status: str = ""
    mark: str = ""


@dataclass
class Step:
    """One node of the critical path."""

    name: str
    href: str
    duration: str
    status: str
    mark: str


@dataclass
class TimeView:
    """Everything the section prints."""

    steps: list[Step] = field(default_factory=list)
    path_summary: str = ""
    path_open: bool = True
    slowest_nodes: list[BarRow] = field(default_factory=list)
    slowest_datasets: list[BarRow] = field(default_factory=list)
    shares: list[Segment] = field(default_factory=list)
    share_legend: list[tuple[str, str, str, str]] = field(default_factory=list)
    share_note: str = ""
    hungriest: list[BarRow] = field(default_factory=list)  # most memory-hungry nodes
    memory_note: str = ""  # what the figures mean; empty when the log has no readings


def _segments(parts: list[tuple[str, float]], scale: float) -> list[Segment]:
    out, x = [], 0.0
    for key, seconds in parts:
        if seconds <= 0 or scale <= 0:
            continue
        width = seconds / scale * 100
        out.append(Segment(geo(x), geo(width), PHASE_COLOURS[key], key))
        x += width
    return out


CLOSE_TO_BOUND = 1.1  # a run within 10% of its bound gains nothing from more workers


def _nodes(count: int) -> str:
    return f"{format_count(count)} node{'' if count == 1 else 's'}"


def _name(status: RunStatus, node_id: str) -> str:
    return status.nodes[node_id].name


def path_summary(status: RunStatus, path: CriticalPath) -> str:
    """What the chain means for the run's wall time, honest about how many workers ran.

    One worker runs every node in turn, so its wall time is the sum of the nodes, not the
    chain: the sentence says so, and estimates the wall time with enough parallel workers
    (:attr:`CriticalPath.bound`: the longest chain, the measured per-node overhead between its
    nodes, startup and teardown). With several workers it says how close the run came to it.
    """
    count = len(path.longest_ids)
    took = format_duration(path.longest)
    if path.longest_ids == path.node_ids:
        which = "the chain below"
    else:
        first, last = _name(status, path.longest_ids[0]), _name(status, path.longest_ids[-1])
        which = _nodes(count) + (f", from {first} to {last}" if count > 1 else f": {first}")
    chain = f"The longest chain of dependent nodes ({which}) took {took}"
    parts = [f"that chain {took}"]
    if count > 1 and path.per_node_overhead > 0:
        overhead = format_duration(path.per_node_overhead)
        parts.append(f"{count - 1} × {overhead} of per-node overhead")
    if path.startup_teardown > 0:
        parts.append(f"{format_duration(path.startup_teardown)} of startup and teardown")
    estimate = f"about {format_duration(path.bound)} ({', '.join(parts)})"
    wall = format_duration(path.wall)
    if path.workers <= 1:
        text = (
            f"One worker ran all {_nodes(path.nodes_run)} in turn: "
            f"{format_duration(path.node_time)} of node time in the {wall} wall time. "
        )
        if count >= path.nodes_run:
            return text + (
                "They form one chain, each waiting for the one before it, so more workers "
                "would not make the run faster."
            )
        return text + f"{chain}; with enough parallel workers the run would take {estimate}."
    text = (
        f"{format_count(path.workers)} workers ran {_nodes(path.nodes_run)} in a {wall} wall "
        f"time. {chain}; with enough workers the run would take {estimate}. "
    )
    if path.bound <= 0 or path.wall <= path.bound * CLOSE_TO_BOUND:
        return text + "The run came within 10% of that bound: more workers would not help."
    return text + (
        f"It took {path.wall / path.bound:.1f}× that bound: nodes that could have run "
        "waited for a free worker, or workers slowed each other down."
    )


def memory_note(memory: MemoryUse) -> str:
    """What the peak-memory figures mean for this run; empty when nothing was read."""
    if memory.run_peak is None:
        return ""
    processes = memory.processes
    text = (
        "How much each node raised its process's peak resident memory while it ran (0 when "
        f"it stayed under an earlier peak). The run's peak: {format_bytes(memory.run_peak)}"
    )
    if processes > 1:
        text += (
            f", the highest of {format_count(processes)} processes, each measured on its own "
            "(together they may have held more)"
        )
    text += "."
    if memory.any_shared:
        text += (
            " Some nodes ran beside others in one process (threads): their raises cannot be "
            "attributed to one node, so they are marked shared in the node table and not "
            "listed here."
        )
    return text


def _hungriest(memory: MemoryUse, status: RunStatus) -> list[BarRow]:
    top = max((n.raised for n in memory.hungriest()), default=0)
    rows = []
    for n in memory.hungriest():
        node = status.nodes[n.node_id]
        style = STATUS_STYLE.get(node.status, STATUS_STYLE[NOT_RUN])
        width = n.raised / top * 100 if top else 0.0
        where = f" (pid {n.pid})" if n.pid is not None else ""
        rows.append(
            BarRow(
                n.name,
                f"#node-{n.node_id}",
                memory_raise(n),
                f"process peak {format_bytes(n.peak)}{where}",
                [Segment("0%", geo(width), MEMORY_COLOUR, "memory")],
                node.status,
                style[2],
            )
        )
    return rows


def time_view(
    status: RunStatus,
    path: CriticalPath,
    breakdown: TimeBreakdown,
    memory: MemoryUse,
) -> TimeView:
    """The view of where the time went, or an empty one when nothing ran."""
    view = TimeView()
    view.hungriest = _hungriest(memory, status)
    view.memory_note = memory_note(memory)
    for node_id in path.node_ids:
        node = status.nodes[node_id]
        style = STATUS_STYLE.get(node.status, STATUS_STYLE[NOT_RUN])
        view.steps.append(
            Step(
                node.name,
                f"#node-{node_id}",
                format_duration(node.total_duration),
                node.status,
                style[2],
            )
        )
    if path.node_ids:
        count = len(path.node_ids)
        view.path_summary = path_summary(status, path)
        view.path_open = count <= OPEN_UP_TO
    top = max((n.total for n in breakdown.slowest_nodes), default=0.0)
    for n in breakdown.slowest_nodes:
        style = STATUS_STYLE.get(n.status, STATUS_STYLE[NOT_RUN])
        parts = [("load", n.load), ("compute", n.compute), ("save", n.save)]
        detail = " · ".join(f"{k} {format_duration(v)}" for k, v in parts if v)
        view.slowest_nodes.append(
            BarRow(
                n.name,
                f"#node-{n.node_id}",
                format_duration(n.total),
                detail or STATUS_WORD.get(n.status, n.status),
                _segments(parts, top),
                n.status,
                style[2],
            )
        )
    top = max((d.total for d in breakdown.slowest_datasets), default=0.0)
    for d in breakdown.slowest_datasets:
        counts = [(d.loads, "load", d.load), (d.saves, "save", d.save)]
        detail = " · ".join(
            f"{n} {word}{'' if n == 1 else 's'} {format_duration(seconds)}"
            for n, word, seconds in counts
            if n
        )
        view.slowest_datasets.append(
            BarRow(
                d.name,
                f"#dataset-{d.dataset_id}",
                format_duration(d.total),
                detail,
                _segments([("load", d.load), ("save", d.save)], top),
            )
        )
    shares = breakdown.shares()
    x = 0.0
    for key in SHARE_KEYS:
        label, colour = SHARE_STYLE[key]
        seconds = getattr(breakdown, key)
        view.share_legend.append((label, colour, pct(shares[key]), format_duration(seconds)))
        if shares[key] > 0:
            view.shares.append(Segment(geo(x), geo(shares[key] * 100), colour, label))
            x += shares[key] * 100
    workers = breakdown.lanes
    view.share_note = (
        f"{workers} worker{'' if workers == 1 else 's'} × {format_duration(breakdown.wall)} wall "
        f"time = {format_duration(breakdown.worker_time)} of worker time."
    )
    return view
