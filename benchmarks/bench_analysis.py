"""Time of the run analyses (critical path, time breakdown, comparison) on large synthetic runs.

Run: ``python benchmarks/bench_analysis.py`` (from the repository root). Prints figures; asserts
nothing. Target: each analysis of a 10,000-node run well under a second.
"""

from __future__ import annotations

import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers.runs import hand_built  # noqa: E402  (the hand-built run builder is shared with the tests)

from kedro_run_report.analysis import compare, critical_path, time_breakdown  # noqa: E402
from kedro_run_report.model import RunStatus  # noqa: E402


def layered(layers: int, width: int) -> RunStatus:
    """``layers x width`` nodes, each reading two outputs of the layer before."""
    nodes = []
    for k in range(layers):
        for i in range(width):
            inputs = [f"d{k - 1}_{(i + 1) % width}", f"d{k - 1}_{(i * 7) % width}"] if k else []
            start = k * 10.0 + (i % 3)
            nodes.append((f"n{k}_{i}", inputs, [f"d{k}_{i}"], start, start + 1.0 + (i % 7) * 0.1))
    return hand_built(nodes)


def chain(n: int) -> RunStatus:
    """``n`` nodes, each reading the output of the one before."""
    return hand_built(
        [(f"n{i}", [f"d{i - 1}"] if i else [], [f"d{i}"], float(i), i + 0.5) for i in range(n)]
    )


def timed(label: str, func: Callable[[], Any], repeats: int = 5) -> None:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        func()
        times.append(time.perf_counter() - started)
    print(f"{label:<45} {statistics.median(times) * 1000:8.1f} ms (median of {repeats})")


def main() -> None:
    """Print the figures for 10,000-node runs."""
    wide, long = layered(100, 100), chain(10_000)
    timed("critical_path, 100 x 100 layered DAG", lambda: critical_path(wide))
    timed("critical_path, 10,000-long chain", lambda: critical_path(long))
    timed("time_breakdown, 100 x 100 layered DAG", lambda: time_breakdown(wide))
    timed("compare, 100 x 100 layered DAG with itself", lambda: compare(wide, wide))


if __name__ == "__main__":
    main()
