"""Huge runs: the diagram is laid out with one box per namespace; the tables keep every node."""

from __future__ import annotations

import shutil
import xml.dom.minidom

import pytest
from helpers import scenarios

from kedro_run_report.diagram import collapsed as diagram_collapsed
from kedro_run_report.diagram import render as diagram
from kedro_run_report.diagram.collapsed import build_collapsed_dot, groups
from kedro_run_report.model import FAILED

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


def test_groups_use_the_deepest_level_that_fits(monkeypatch: pytest.MonkeyPatch) -> None:
    status = scenarios.synthetic(64)
    assert sorted(groups(status)) == [
        f"stage_{s}.{side}" for s in range(4) for side in ("left", "right")
    ]
    monkeypatch.setattr(diagram_collapsed, "MAX_BOXES", 4)
    assert sorted(groups(status)) == [f"stage_{s}" for s in range(4)]


def test_collapsed_dot_has_boxes_clusters_and_edges_between_namespaces() -> None:
    status = scenarios.synthetic(64)
    source = build_collapsed_dot(status, diagram.layout_attrs(0)).source
    assert source.count("class=group") == 8 and source.count("subgraph cluster_") == 4
    assert "g_0 -> g_1" in source or "->" in source
    assert "n_" not in source  # no node of its own


@needs_dot
def test_huge_runs_get_the_collapsed_diagram(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagram, "COLLAPSE_LAYOUT_ABOVE", 50)
    status = scenarios.synthetic(64, fail_at=40)
    result = diagram.render_diagram(status)
    assert result.svg is not None and result.note and "one box per namespace" in result.note
    dom = xml.dom.minidom.parseString(result.svg)
    boxes = [g for g in dom.getElementsByTagName("g") if "group" in g.getAttribute("class")]
    assert len(boxes) == 8
    failed = [g for g in boxes if FAILED in g.getAttribute("class")]
    assert len(failed) == 1  # the failure's namespace, in the failure's colour
    assert "#C93C3C" in failed[0].toxml()
    assert "8 nodes:" in result.svg and "✗ 1" in result.svg
