"""The words, marks and colours of a run's statuses, and the colours every format shares.

One place for what a reader sees: the diagram, the HTML page and its timeline, the e-mail,
the Markdown summary and the terminal all spell and colour a status from here, so that
"not run" reads and looks the same everywhere. Colours are ``#RRGGBB``: Graphviz rejects
short hex. The stylesheet (``templates/report.css``) repeats ACCENT, TEXT and MUTED as its
``--accent``, ``--text`` and ``--muted`` custom properties (a test keeps them equal).

Importing this module is cheap (no jinja2, no graphviz), so any format may use it.
"""

from __future__ import annotations

from kedro_run_report.model import FAILED, INTERRUPTED, NOT_RUN, NOT_SELECTED, SUCCESS

# status -> (fill, stroke, text cue)
STATUS_STYLE = {
    SUCCESS: ("#E8F5EC", "#2F8F4E", "✓"),
    FAILED: ("#FDECEC", "#C93C3C", "✗"),
    NOT_RUN: ("#F3F4F6", "#9AA1AB", "–"),
    INTERRUPTED: ("#FFF4E0", "#C27C0E", "!"),
    NOT_SELECTED: ("#FFFFFF", "#C5CBD3", "○"),  # outside a partial run's selection
}
# status -> the word a reader sees
STATUS_WORD = {
    SUCCESS: "success",
    FAILED: "failed",
    NOT_RUN: "not run",
    INTERRUPTED: "interrupted",
    NOT_SELECTED: "not selected",
}

ACCENT = "#4654C8"  # the page's accent: marks the critical path (diagram, timeline, trend)
TEXT = "#1F2933"  # body text
MUTED = "#5F6B7A"  # secondary text and outlines: detail lines, namespace labels, axes
GRID = "#D5DAE1"  # hairlines: grid lines of the timeline and trend, namespace outlines
CLUSTER_FILL = "#F7F8FA"  # the background of a namespace in the diagram
EDGE = "#8C95A1"  # the diagram's edges
FADED = "#8C95A1"  # text of what a partial run did not select
PARAM_STROKE = "#B8BEC7"  # the outline of a parameters box
# A dataset with notably fewer rows than its producing node's main input (a filter or a join
# that dropped rows): its cue leads with this mark and is written in this colour.
ROW_DROP_CUE = "▼"
ROW_DROP_COLOUR = "#B0481A"
# Phase hues, apart from the status colours so that a bar's colour never reads as a status:
# compute strong, I/O light.
PHASE_COLOURS = {"load": "#8DBFE3", "compute": "#2B6CB0", "save": "#B9A2DE"}
# The bars of the most memory-hungry nodes: apart from the phases and the statuses.
MEMORY_COLOUR = "#8A6D3B"

# What the HTML template draws its legends with (it prints these, it does not spell colours).
PAGE_COLOURS = {
    "accent": ACCENT,
    "muted": MUTED,
    "param": PARAM_STROKE,
    "rows_dropped": ROW_DROP_COLOUR,
    **{status: style[1] for status, style in STATUS_STYLE.items()},
    **PHASE_COLOURS,
}
