"""The run history as a plain-text table, for ``kedro viz report --list``."""

from __future__ import annotations

from kedro_run_report.analysis import HistoryRow
from kedro_run_report.formatting import format_duration, terminal_safe

COLUMNS = ("RUN ID", "PIPELINES", "STARTED (UTC)", "DURATION", "STATUS", "OK", "FAILED", "NOT RUN")


def history_table(rows: list[HistoryRow]) -> str:
    """Aligned columns, newest run first; a partial run is marked with '*'."""
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
    return "\n".join(lines) + "\n"
