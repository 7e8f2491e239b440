"""Many diagrams laid out a few runs of the layout program at a time (diagram/batch.py)."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from kedro_run_report.diagram import batch
from kedro_run_report.diagram import render as diagram
from kedro_run_report.diagram.layout import LayoutError, layout_svg, split_svgs
from kedro_run_report.diagram.svg_clean import round_geometry

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


def _graph(i: int) -> str:
    return f'digraph workflow {{ n_{i:x} [label="node {i}"]; n_{i:x} -> m_{i:x} }}'


class Runs:
    """The real layout program, each run of it recorded (how many graphs it was given)."""

    def __init__(self, refuse: str | None = None) -> None:
        self.graphs: list[int] = []
        self.refuse = refuse  # a run with this text in it fails, as dot on a bad graph

    def __call__(self, source: str, program: str, timeout: float | None = None) -> str:
        self.graphs.append(source.count("digraph"))
        if self.refuse is not None and self.refuse in source:
            raise LayoutError("Graphviz failed (syntax error in line 1)")
        return layout_svg(source, program, timeout)


def _lay_out(graphs: list[str], directory: Path | None = None) -> list[batch.Layout]:
    deadline = time.monotonic() + 60
    with batch.Layouts("dot", directory, deadline) as layouts:
        size = layouts.batch_size(len(graphs))
        runs = [
            layouts.submit([(g, 0) for g in graphs[at : at + size]])
            for at in range(0, len(graphs), size)
        ]
        return [svg for run in runs for svg in run.result()]


def test_the_output_of_several_graphs_is_split_into_their_svgs() -> None:
    output = '<svg a>\n<g id="graph0">\n</svg>\n<svg b>\n<g id="page0,1_graph0">\n</svg>\n'
    # each as dot writes it for that graph alone: its graph group's id without a page prefix
    assert split_svgs(output) == [
        '<svg a>\n<g id="graph0">\n</svg>\n',
        '<svg b>\n<g id="graph0">\n</svg>\n',
    ]
    assert split_svgs("") == []


@needs_dot
def test_many_graphs_take_few_runs_and_get_what_one_run_each_gives(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    runs = Runs()
    monkeypatch.setattr(diagram, "layout_svg", runs)
    graphs = [_graph(i) for i in range(40)]
    laid_out = _lay_out(graphs)
    assert len(runs.graphs) < 10 and max(runs.graphs) > 1 and sum(runs.graphs) == 40
    alone = [round_geometry(layout_svg(g, "dot"), 0) for g in graphs]
    assert laid_out == alone  # in order, each the graph's own
    assert all(f"node {i}<" in svg for i, svg in enumerate(laid_out))


@needs_dot
def test_a_graph_the_program_refuses_loses_only_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = Runs(refuse='node 7"')
    monkeypatch.setattr(diagram, "layout_svg", runs)
    laid_out = _lay_out([_graph(i) for i in range(12)])
    failed = [i for i, svg in enumerate(laid_out) if isinstance(svg, LayoutError)]
    assert failed == [7]
    assert all("<svg" in svg for svg in laid_out if isinstance(svg, str))


def test_past_the_deadline_nothing_is_laid_out(monkeypatch: pytest.MonkeyPatch) -> None:
    runs = Runs()
    monkeypatch.setattr(diagram, "layout_svg", runs)
    with batch.Layouts("dot", None, time.monotonic() - 1) as layouts:
        laid_out = layouts.submit([(_graph(1), 0), (_graph(2), 0)]).result()
    assert runs.graphs == []
    assert all(isinstance(e, LayoutError) and "ran out" in str(e) for e in laid_out)


@needs_dot
def test_layouts_are_cached_and_read_back(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    runs = Runs()
    monkeypatch.setattr(diagram, "layout_svg", runs)
    pruned: list[Path] = []
    real_prune = batch.write_entries.__globals__["prune"]
    monkeypatch.setitem(
        batch.write_entries.__globals__, "prune", lambda d: (pruned.append(d), real_prune(d))
    )
    graphs = [_graph(i) for i in range(20)]
    first = _lay_out(graphs, tmp_path)
    assert len(list(tmp_path.glob("*.svg"))) == 20 and pruned == [tmp_path]  # pruned once
    made = len(runs.graphs)
    assert _lay_out(graphs, tmp_path) == first
    assert len(runs.graphs) == made  # all from the cache
