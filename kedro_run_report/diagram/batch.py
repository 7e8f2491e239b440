"""Laying out many diagrams at once: the views of a large run, in a few runs of the program.

Graphviz takes about 10 ms to start, as long as it takes to lay out a view of a hundred nodes,
so a large run's views are laid out several to a run of the program (it lays out each graph
of its input in turn and writes their SVGs one after another), those runs in parallel.
Each result comes from and goes to the layout cache on its own, as ``render.rounded_layout``'s
does. When a run fails (a graph the program rejects, or time running out), each of its graphs
is laid out alone, so that only the culprit is lost.
"""

from __future__ import annotations

import os
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from kedro_run_report.diagram import render
from kedro_run_report.diagram.layout import LayoutError, split_svgs
from kedro_run_report.diagram.layout_cache import cache_key, read_entry, write_entries
from kedro_run_report.diagram.svg_clean import round_geometry

GRAPHS_PER_RUN = 16  # a failed run costs its graphs a second try each: keep runs small
TIME_RAN_OUT = "the time for laying out diagrams ran out"
Layout = str | LayoutError


class Layouts:
    """``render.rounded_layout`` for many graphs: each batch submitted is laid out in one run
    of the layout program, in a pool of them, while the caller builds the next; entries go
    to the cache when the pool closes. All done by ``deadline`` (a ``time.monotonic()``)."""

    def __init__(self, program: str, directory: Path | None, deadline: float) -> None:
        self.program, self.directory, self.deadline = program, directory, deadline
        self.workers = max(1, min(4, os.cpu_count() or 1))
        self._pool = ThreadPoolExecutor(max_workers=self.workers)
        self._laid_out: dict[str, str] = {}  # cache key -> entry, to write

    def __enter__(self) -> Layouts:
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown()
        if self.directory is not None:
            write_entries(self.directory, self._laid_out)

    def batch_size(self, graphs: int) -> int:
        """How many of ``graphs`` to a run: two runs a worker, at most GRAPHS_PER_RUN."""
        return max(1, min(GRAPHS_PER_RUN, -(-graphs // (2 * self.workers))))

    def submit(self, graphs: Sequence[tuple[str, int]]) -> Future[list[Layout]]:
        """Each (DOT source, digits)'s rounded SVG, or the error that stopped it."""
        keys: list[str] = []
        cached: list[str | None] = [None] * len(graphs)
        if self.directory is not None:
            keys = [cache_key(source, self.program, f"rounded-{n}") for source, n in graphs]
            cached = [read_entry(self.directory, key) for key in keys]
        return self._pool.submit(self._lay_out, graphs, keys, cached)

    def _lay_out(
        self, graphs: Sequence[tuple[str, int]], keys: list[str], cached: list[str | None]
    ) -> list[Layout]:
        todo = [at for at, svg in enumerate(cached) if svg is None]
        laid_out = _lay_out([graphs[at][0] for at in todo], self.program, self.deadline)
        fresh = dict(zip(todo, laid_out, strict=True))
        out: list[Layout] = []
        for at, hit in enumerate(cached):
            svg: Layout = hit if hit is not None else fresh[at]
            if hit is None and isinstance(svg, str):
                svg = round_geometry(svg, graphs[at][1])
                if keys:  # to the cache, when there is one
                    self._laid_out[keys[at]] = svg
            out.append(svg)
        return out


def _lay_out(sources: list[str], program: str, deadline: float) -> list[Layout]:
    """The program's SVG of each source: in one run, else (that run failed) one by one."""
    if len(sources) > 1 and deadline > time.monotonic():
        try:
            # looked up in render, where tests stub the layout program
            output = render.layout_svg("\n".join(sources), program, deadline - time.monotonic())
        except LayoutError:
            pass
        else:
            svgs: list[Layout] = list(split_svgs(output))
            if len(svgs) == len(sources):
                return svgs
    out: list[Layout] = []
    for source in sources:
        left = deadline - time.monotonic()
        try:
            if left <= 0:
                raise LayoutError(TIME_RAN_OUT)
            out.append(render.layout_svg(source, program, left))
        except LayoutError as exc:
            out.append(exc)
    return out
