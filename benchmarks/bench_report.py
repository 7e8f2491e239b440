"""Time and size of the HTML report for synthetic runs of 100 and 1000 nodes.

Run: ``python benchmarks/bench_report.py`` (from the repository root). Prints figures; asserts
nothing. Targets for 1000 nodes: under 3 s and under 2 MB.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers import scenarios  # noqa: E402  (the synthetic run builders are shared with the tests)

from kedro_run_report.analysis import critical_path  # noqa: E402
from kedro_run_report.diagram.render import find_layout_program  # noqa: E402
from kedro_run_report.report.html import render_html  # noqa: E402
from kedro_run_report.report.views.timeline import timeline_svg  # noqa: E402


def bench(n_nodes: int, repeats: int = 3) -> None:
    """Render one synthetic run a few times; print the median time and the size."""
    status = scenarios.synthetic(n_nodes, fail_at=n_nodes * 2 // 3)
    times, size, notices = [], 0, []
    for _ in range(repeats):
        started = time.perf_counter()
        report = render_html(status)
        times.append(time.perf_counter() - started)
        size, notices = len(report.html.encode("utf-8")), report.notices
    print(
        f"{n_nodes:>5} nodes, {len(status.datasets):>5} datasets: "
        f"{statistics.median(times):6.2f} s (median of {repeats}), "
        f"{size / 1e6:5.2f} MB ({size / 2**20:.2f} MiB)"
        + (f"  [{'; '.join(notices)}]" if notices else "")
    )


def bench_timeline(n_nodes: int) -> None:
    """The timeline alone (no layout program involved): time and size of its SVG."""
    status = scenarios.synthetic(n_nodes)
    started = time.perf_counter()
    svg = timeline_svg(status, critical_path(status).node_ids) or ""
    elapsed = time.perf_counter() - started
    print(f"{n_nodes:>5} nodes, timeline only: {elapsed:6.2f} s, {len(svg.encode()) / 1e3:7.1f} kB")


def main() -> None:
    """Print the figures for 100 and 1000 nodes, and the timeline's for 1000 and 5000."""
    print(f"layout program: {find_layout_program() or 'none (no diagram)'}")
    for n_nodes in (100, 1000):
        bench(n_nodes)
    for n_nodes in (1000, 5000):
        bench_timeline(n_nodes)


if __name__ == "__main__":
    main()
