"""Summary boxes of the diagram's namespace clusters, for collapsing them in the browser.

Each cluster gets a hidden ``<g class="ns-sum">`` drawn over its bounding box: the namespace,
its node counts by status, the worst status's colour and the time spent in its nodes. The page's
script shows a box (and hides what it covers) to collapse a namespace; without the script the
boxes stay hidden (``display="none"``, an attribute, so CSS-less viewers hide them too) and the
full diagram shows. The layout is untouched: the boxes are added after it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kedro_run_report.diagram.render import all_tasks, namespace_order
from kedro_run_report.formatting import format_count, format_duration, num, xml
from kedro_run_report.model import (
    FAILED,
    INTERRUPTED,
    NOT_RUN,
    NOT_SELECTED,
    SUCCESS,
    NodeRun,
    RunStatus,
)
from kedro_run_report.vocabulary import STATUS_STYLE

WORST_FIRST = (FAILED, INTERRUPTED, NOT_RUN, SUCCESS, NOT_SELECTED)
_CLUSTER = re.compile(
    r'<g id="gc_(\d+)" class="cluster ns">\n?<rect [^>]*?x="([-\d.]+)" y="([-\d.]+)" '
    r'width="([\d.]+)" height="([\d.]+)"'
)


@dataclass(frozen=True)
class NamespaceSummary:
    """What a collapsed namespace says about its nodes."""

    namespace: str
    counts: dict[str, int]
    worst: str
    seconds: float

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def marks(self, gap: str = "  ") -> str:
        """``"✓ 10  ✗ 1  – 1"``: how many nodes of each status."""
        return gap.join(
            f"{STATUS_STYLE[word][2]} {format_count(count)}"
            for word in (SUCCESS, FAILED, NOT_RUN, INTERRUPTED, NOT_SELECTED)
            if (count := self.counts.get(word, 0))
        )

    def text(self) -> str:
        """``"12 nodes: ✓ 10  ✗ 1  – 1"``."""
        noun = "node" if self.total == 1 else "nodes"
        return f"{format_count(self.total)} {noun}: " + self.marks()

    def cue(self) -> str:
        """``"✓ 10 ✗ 1 – 1 · 12.5 s"``: the marks and the time spent in the nodes."""
        return self.marks(" ") + (f" · {format_duration(self.seconds)}" if self.seconds else "")


def summarise(namespace: str, nodes: list[NodeRun]) -> NamespaceSummary:
    """Counts, worst status and time in nodes of the nodes in ``namespace`` or below it."""
    inside = [n for n in nodes if n.namespace and (n.namespace + ".").startswith(namespace + ".")]
    return summary_of(namespace, inside)


def summary_of(label: str, nodes: list[NodeRun]) -> NamespaceSummary:
    """Counts, worst status and time in nodes of ``nodes``, under the name ``label``."""
    counts: dict[str, int] = {}
    for node in nodes:
        counts[node.status] = counts.get(node.status, 0) + 1
    worst = next((w for w in WORST_FIRST if counts.get(w)), NOT_RUN)
    seconds = sum(n.total_duration for n in nodes)
    return NamespaceSummary(label, counts, worst, seconds)


def add_namespace_summaries(svg: str, status: RunStatus) -> str:
    """The diagram with one hidden summary box per namespace cluster, before its last ``</g>``."""
    tasks = all_tasks(status)
    order = namespace_order({n.namespace for n in tasks if n.namespace})
    if not order:
        return svg
    boxes = []
    for match in _CLUSTER.finditer(svg):
        number = int(match.group(1))
        if number >= len(order):
            continue  # a cluster we did not make: leave it alone
        x, y, w, h = (float(v) for v in match.groups()[1:])
        summary = summarise(order[number], tasks)
        box = _box(summary, x, y, w, h)
        boxes.append(box.replace("<g ", f'<g data-for="gc_{number}" ', 1))
    if not boxes:
        return svg
    at = svg.rindex("</g>")
    return svg[:at] + "\n".join(boxes) + "\n" + svg[at:]


def _box(s: NamespaceSummary, x: float, y: float, w: float, h: float) -> str:
    fill, stroke, _ = STATUS_STYLE.get(s.worst, STATUS_STYLE[NOT_RUN])
    size = max(11.0, min(w / 14, h / 4.5, 40.0))  # readable when a big graph is zoomed out
    line = size * 1.3
    tx = num(x + size * 0.7)
    time = f"{format_duration(s.seconds)} in nodes" if s.seconds else "no time recorded"
    rows = [
        (f'font-weight="bold" font-size="{num(size)}"', f"⊞ {s.namespace}"),
        (f'font-size="{num(size * 0.8)}"', s.text()),
        (f'font-size="{num(size * 0.8)}"', f"{time} · click to expand"),
    ]
    texts = "".join(
        f'<text x="{tx}" y="{num(y + line * (i + 1))}" {attrs}>{xml(text)}</text>'
        for i, (attrs, text) in enumerate(rows)
        if line * (i + 1) < h  # small clusters show fewer lines
    )
    return (
        f'<g class="ns-sum {s.worst}" data-ns="{xml(s.namespace)}" display="none">'
        f"<title>{xml(s.namespace)}: {xml(s.text())}</title>"
        f'<rect x="{num(x)}" y="{num(y)}" width="{num(w)}" height="{num(h)}" rx="6" '
        f'fill="{fill}" stroke="{stroke}" stroke-width="2"/>{texts}</g>'
    )
