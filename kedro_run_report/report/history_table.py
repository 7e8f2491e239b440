"""The run history as a plain-text table, for ``kedro viz report --list``."""

from __future__ import annotations

from kedro_run_report.analysis import HistoryRow
from kedro_run_report.formatting import format_duration, terminal_safe

COLUMNS = (
    "RUN ID",
    "PIPELINES",
    "STARTED (UTC)",
    "DURATION",
    "STATUS",
    "OK",
    "FAILED",
    "NOT RUN",
    "COMMIT",
    "CHANGED",
)
#: One letter per part of a run that changed against the previous run of its selection.
CHANGE_LETTERS = {"code": "C", "parameters": "P", "inputs": "I", "environment": "E"}
LEGEND = (
    "CHANGED against the previous run of the same pipelines: C code, P parameters, I inputs, "
    "E environment (- nothing, blank unknown); a COMMIT ending in + had uncommitted changes"
)


def commit_cell(row: HistoryRow) -> str:
    """The short commit, ``+`` when the working tree was dirty; empty when not recorded."""
    if not row.commit:
        return ""
    return row.commit[:7] + ("+" if row.dirty else "")


def changed_cell(row: HistoryRow) -> str:
    """``"CP"``: the letters of what changed; ``"-"`` for nothing; empty when unknown."""
    if row.changed is None:
        return ""
    return "".join(CHANGE_LETTERS.get(part, "?") for part in row.changed) or "-"


def history_table(rows: list[HistoryRow]) -> str:
    """Aligned columns, newest run first; a partial run is marked with '*', what changed
    against the run before it with letters explained in a legend line."""
    # Run ids, pipeline names and times come from the log: shown, never acted on by the
    # terminal (escape sequences, bidi overrides).
    body = [
        tuple(
            terminal_safe(cell)
            for cell in (
                row.run_id,
                ",".join(row.pipelines) + (" *" if row.partial else ""),
                (row.start or "")[:19].replace("T", " "),
                format_duration(row.duration),
                row.status,
                str(row.succeeded),
                str(row.failed),
                str(row.not_run + row.interrupted),
                commit_cell(row),
                changed_cell(row),
            )
        )
        for row in rows
    ]
    widths = [max(len(cells[i]) for cells in [COLUMNS, *body]) for i in range(len(COLUMNS))]
    lines = [
        "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()
        for cells in [COLUMNS, *body]
    ]
    if any(row.partial for row in rows):
        lines.append("* partial run (--tags, --nodes, --from-nodes, ...)")
    if any(row.commit or row.changed is not None for row in rows):
        lines.append(LEGEND)
    return "\n".join(lines) + "\n"
