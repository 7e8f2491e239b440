"""The workflow diagram: DOT source, the layout call, and the SVG that gets inlined."""

from __future__ import annotations

import os
import re
import shutil
import xml.dom.minidom
from pathlib import Path

import pytest
from helpers import scenarios
from helpers.layout_stub import LayoutStub

from kedro_run_report.diagram import layout
from kedro_run_report.diagram import render as diagram
from kedro_run_report.diagram.render import (
    LayoutError,
    build_dot,
    clean_svg,
    find_layout_program,
    gv_text,
    layout_svg,
    render_diagram,
    tooltip_names,
)
from kedro_run_report.vocabulary import STATUS_STYLE

HAVE_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAVE_DOT, reason="Graphviz dot is not installed")

NASTY = scenarios.NASTY


def test_statuses_have_colours_and_text_cues() -> None:
    status = scenarios.node_failure()
    source = build_dot(status).source
    failed = status.node_by_name("data_science.train_model_node")
    skipped = status.node_by_name("data_science.evaluate_model_node")
    done = status.node_by_name("data_processing.preprocess_companies_node")
    assert failed is not None and skipped is not None and done is not None
    line = next(ln for ln in source.splitlines() if f"n_{failed.id} [" in ln)
    assert STATUS_STYLE["failed"][0] in line and STATUS_STYLE["failed"][1] in line
    assert "✗ failed" in line and 'class="task failed"' in line
    line = next(ln for ln in source.splitlines() if f"n_{skipped.id} [" in ln)
    assert "– not run" in line and "dashed" in line
    line = next(ln for ln in source.splitlines() if f"n_{done.id} [" in ln)
    assert "✓ 420 ms" in line and f'URL="#node-{done.id}"' in line
    for fill, stroke, _ in STATUS_STYLE.values():  # Graphviz rejects #RGB
        assert len(fill) == len(stroke) == 7


def test_datasets_shapes_links_and_sizes() -> None:
    status = scenarios.success()
    source = build_dot(status).source
    companies = status.dataset_by_name("companies")
    params = status.dataset_by_name("params:model_options")
    assert companies is not None and params is not None
    line = next(ln for ln in source.splitlines() if f"d_{companies.id} [" in ln)
    assert "cylinder" in line and "1.8 MB · 77,096 rows" in line
    assert f'URL="#dataset-{companies.id}"' in line
    line = next(ln for ln in source.splitlines() if f"d_{params.id} [" in ln)
    assert "shape=note" in line and "fontsize=9" in line
    assert f"d_{companies.id} -> n_" in source


def test_failed_dataset_is_marked() -> None:
    status = scenarios.missing_input()
    companies = status.dataset_by_name("companies")
    assert companies is not None
    line = next(ln for ln in build_dot(status).source.splitlines() if f"d_{companies.id} [" in ln)
    assert "✗ failed loading" in line and STATUS_STYLE["failed"][0] in line


def test_nested_namespaces_become_nested_clusters() -> None:
    status = scenarios.synthetic(40)
    source = build_dot(status).source
    assert source.count("subgraph cluster_") == len(
        {n.namespace for n in status.nodes.values()}
        | {n.namespace.split(".")[0] for n in status.nodes.values() if n.namespace}
    )
    # a child cluster opens before its parent closes
    first = source.index("subgraph cluster_0")
    assert source.index("subgraph cluster_1") > first
    assert "<B>left</B>" in source and "<B>stage_0</B>" in source


def test_without_datasets_tasks_link_directly() -> None:
    status = scenarios.success()
    source = build_dot(status, show_datasets=False).source
    assert "d_" not in source.replace("id=gd_", "")
    split = status.node_by_name("data_science.split_data_node")
    train = status.node_by_name("data_science.train_model_node")
    assert split and train
    assert f"n_{split.id} -> n_{train.id}" in source


def test_gv_text_escapes_markup_backslashes_and_newlines() -> None:
    text = gv_text(NASTY)
    assert "<" not in text and ">" not in text and '"' not in text
    assert "\\\\N" in text and "\n" not in text and "↵" in text
    assert gv_text("a\x00b") == "a\ufffdb"
    assert gv_text("x" * 100, 10) == "…" + "x" * 9


def test_large_graphs_get_bounded_layout() -> None:
    small, big = diagram.layout_attrs(20), diagram.layout_attrs(2000)
    assert "nslimit" not in small and "mclimit" not in small
    assert float(big["nslimit"]) <= 1 and float(big["mclimit"]) < 0.5 and big["searchsize"]


def test_find_layout_program(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("KEDRO_RUN_REPORT_DOT", str(tmp_path / "nope"))
    assert find_layout_program() is None
    fake = tmp_path / "mydot"
    fake.write_text("#!/bin/sh\n")
    fake.chmod(0o755)
    monkeypatch.setenv("KEDRO_RUN_REPORT_DOT", str(fake))
    assert find_layout_program() == str(fake)
    monkeypatch.delenv("KEDRO_RUN_REPORT_DOT")
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(layout.sys, "executable", str(tmp_path / "python"))
    assert find_layout_program() is None


def test_graphviz_pure_is_the_fallback_without_dot(
    monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:
    """pip's graphviz-pure (the layout extra, a test dependency) draws when dot is absent."""
    monkeypatch.delenv("KEDRO_RUN_REPORT_DOT", raising=False)
    monkeypatch.setenv("PATH", str(tmp_path))  # no dot anywhere
    program = find_layout_program()
    assert program is not None and program.endswith("graphviz-pure")
    result = render_diagram(scenarios.node_failure())
    assert result.svg is not None and result.notice is None
    assert "train_model_node" in result.svg and "#c93c3c" in result.svg.lower()


@pytest.mark.usefixtures("no_layout_program")
def test_missing_program_gives_a_notice() -> None:
    result = render_diagram(scenarios.success())
    assert result.svg is None and result.notice and "apt-get install graphviz" in result.notice


def test_layout_failures_become_notices(stub_layout: LayoutStub) -> None:
    stub_layout.error = LayoutError("Graphviz failed (syntax error)")
    result = render_diagram(scenarios.success())
    assert result.svg is None and "syntax error" in (result.notice or "")


def test_layout_svg_errors_and_timeout(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    failing = tmp_path / "failing"
    failing.write_text("#!/bin/sh\necho 'Error: bad graph' >&2\nexit 3\n")
    failing.chmod(0o755)
    with pytest.raises(LayoutError, match="bad graph"):
        layout_svg("digraph {}", str(failing))
    with pytest.raises(LayoutError, match="could not be run"):
        layout_svg("digraph {}", str(tmp_path / "missing"))
    slow = tmp_path / "slow"
    slow.write_text("#!/bin/sh\nsleep 5\n")
    slow.chmod(0o755)
    monkeypatch.setenv("KEDRO_RUN_REPORT_DOT_TIMEOUT", "0.2")
    with pytest.raises(LayoutError, match="longer than 0.2 s"):
        layout_svg("digraph {}", str(slow))


def test_render_diagram_uses_the_stub(stub_layout: LayoutStub) -> None:
    stub_layout.svg = (
        '<?xml version="1.0"?>\n<!DOCTYPE svg>\n<!-- c -->\n<svg width="10pt" height="10pt">'
        '<g id="gn_ab" class="node task success"><title>n_ab</title>'
        '<g id="a_gn_ab"><a xlink:href="#node-ab" xlink:title="n_ab"><text>x</text></a></g>'
        "</g></svg>"
    )
    result = render_diagram(scenarios.success())
    seen = stub_layout.sources
    assert seen and seen[0].startswith("digraph workflow")
    assert result.svg is not None and result.notice is None
    assert "<?xml" not in result.svg and "DOCTYPE" not in result.svg and "<!--" not in result.svg


def test_clean_svg_replaces_tooltip_tokens_with_escaped_names() -> None:
    svg = '<svg width="1pt"><a xlink:href="#node-ab" xlink:title="n_ab"><text>x</text></a></svg>'
    cleaned = clean_svg(svg, {"n_ab": 'a<b>"&'})
    assert 'xlink:title="a&lt;b&gt;&quot;&amp;"' in cleaned


@pytest.mark.usefixtures("stub_layout")
def test_big_runs_leave_datasets_out(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(diagram, "MAX_DATASET_ELEMENTS", 100)
    result = render_diagram(scenarios.synthetic(80))
    assert result.show_datasets is False and result.note and "not drawn" in result.note
    assert "d_" not in diagram.layout_source(scenarios.synthetic(80))


@needs_dot
def test_real_dot_renders_nasty_names_literally() -> None:
    status = scenarios.nasty()
    result = render_diagram(status)
    assert result.svg is not None, result.notice
    dom = xml.dom.minidom.parseString(result.svg)  # well-formed XML
    texts = "".join(
        node.firstChild.data for node in dom.getElementsByTagName("text") if node.firstChild
    )
    # labels keep the end of long names; the full name is the tooltip
    assert 'alert(1)</script> "q" & \\N \\ a↵b &amp;' in texts
    assert "in&put" in texts
    assert "<script" not in result.svg  # only as escaped text
    titles = [a.getAttribute("xlink:title") for a in dom.getElementsByTagName("a")]
    assert f"ns<b>.{NASTY}" in titles
    assert not dom.getElementsByTagName("script")


@needs_dot
def test_real_dot_links_and_ids() -> None:
    status = scenarios.node_failure()
    svg = layout_svg(build_dot(status).source, "dot")
    cleaned = clean_svg(svg, tooltip_names(status))
    for node in status.nodes.values():
        assert f'href="#node-{node.id}"' in cleaned
    assert 'class="node task failed"' in cleaned
    assert "<rect" in cleaned  # task boxes become rounded rects


def _fake_dot(path: Path, version: str, mtime: int) -> None:
    """A layout program that reads DOT and draws an SVG saying which version drew it."""
    svg = f'<svg width="10pt" height="10pt"><g id="graph0"><text>dot {version}</text></g></svg>'
    path.write_text(f"#!/bin/sh\ncat > /dev/null\necho '{svg}'\n")
    path.chmod(0o755)
    os.utime(path, (mtime, mtime))


def test_the_layout_programs_version_is_tracked(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """What we report of the layout program: which one drew the diagram, and (through the
    layout cache's key, ``program_identity``) which version: a new Graphviz lays out afresh
    instead of serving the old one's layout."""
    fake = tmp_path / "bin" / "dot"
    fake.parent.mkdir()
    _fake_dot(fake, "2.43.0", 1_700_000_000)
    monkeypatch.setenv("KEDRO_RUN_REPORT_DOT", str(fake))
    cache = tmp_path / "layouts"
    old = render_diagram(scenarios.success(), layout_cache=cache)
    assert old.notice is None and old.program == str(fake)
    assert old.svg is not None and "dot 2.43.0" in old.svg
    assert render_diagram(scenarios.success(), layout_cache=cache).svg == old.svg  # a hit

    _fake_dot(fake, "12.2.1-dev", 1_800_000_000)  # Graphviz upgraded in place
    new = render_diagram(scenarios.success(), layout_cache=cache)
    assert new.program == str(fake)
    assert new.svg is not None and "dot 12.2.1-dev" in new.svg and "2.43.0" not in new.svg
    assert len(list(cache.glob("*.svg"))) == 2  # one layout per program version


def test_critical_path_is_marked_after_layout(stub_layout: LayoutStub) -> None:
    """The DOT source is the same with or without the critical path: the layout cannot move."""
    from kedro_run_report.analysis import critical_path

    status = scenarios.node_failure()
    path = critical_path(status).node_ids
    render_diagram(status)
    render_diagram(status, critical=path)
    seen = stub_layout.sources
    assert len(seen) == 2 and seen[0] == seen[1]
    nodes, edges = diagram.critical_links(status, path, True)
    # split_data -> train_model share X_train and y_train: both pairs of edges are marked
    assert {f"n_{i}" for i in path} <= nodes and len(edges) == 2 * len(path)


@needs_dot
def test_real_dot_marks_critical_nodes_and_edges() -> None:
    from kedro_run_report.analysis import critical_path

    status = scenarios.success()
    path = critical_path(status).node_ids
    result = render_diagram(status, critical=path)
    assert result.svg is not None
    dom = xml.dom.minidom.parseString(result.svg)
    marked = [g for g in dom.getElementsByTagName("g") if " cp" in g.getAttribute("class")]
    assert len([g for g in marked if "task" in g.getAttribute("class")]) == len(path)
    assert any(g.getAttribute("class") == "edge cp" for g in marked)
    assert result.svg.count('class="cp-mark"') == len(path)


def test_big_graphs_draw_their_arrows_as_one_path_with_one_for_the_heads() -> None:
    svg = (
        '<svg width="1pt"><g id="graph0" class="graph">'
        '<g id="gn_ab" class="node task success"><a xlink:href="#node-ab"><rect/></a></g>\n'
        '<g id="edge1" class="edge">\n<title>n_ab&#45;&gt;n_cd</title>\n'
        '<path fill="none" stroke="#8c95a1" d="M1,2C3,4 5,6 7,8"/>\n'
        '<polygon fill="#8c95a1" stroke="#8c95a1" points="7,8 9,12 5,12 7,8"/>\n</g>\n'
        '<g id="edge2" class="edge">\n<title>n_cd&#45;&gt;n_ef</title>\n'
        '<path fill="none" stroke="#8c95a1" d="M9,9C3,4 5,6 7,8"/>\n'
        '<polygon fill="#8c95a1" stroke="#8c95a1" points="7,8 9,-12 5,12 7,8"/>\n</g>\n'
        "</g></svg>"
    )
    cleaned = clean_svg(svg, {}, digits=0)
    assert '<path d="M1 2c2 2 4 4 6 6M9 9c-6-5-4-3-2-1"/>' in cleaned
    assert '<path class="heads" fill="#8c95a1" stroke="none" d="M7 8 9 12 5 12 7 8zM7 8 9-12 5' in (
        cleaned
    )
    assert 'class="edge"' not in cleaned and cleaned.count("<path") == 2
    # smaller diagrams keep an element per edge (the page dims and hides them one by one)
    assert clean_svg(svg, {}, digits=1).count('<g class="edge"') == 2


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")
def test_a_cylinder_is_one_path() -> None:
    result = render_diagram(scenarios.success())
    assert result.svg is not None
    cylinders = re.findall(r'<g [^>]*class="node data[^"]*".*?</a>', result.svg, re.S)
    assert cylinders
    for chunk in cylinders:
        shapes = re.findall(r"<path [^>]*>", chunk)
        assert len(shapes) == 1, chunk  # the outline and the rim of its top, in one path
        assert shapes[0].count("M") == 2 and ' fill="#FFFFFF"' in shapes[0], chunk


def test_big_graphs_group_their_edges() -> None:
    svg = (
        '<svg width="1pt"><g id="graph0" class="graph">'
        '<g id="gn_ab" class="node task success"><a xlink:href="#node-ab"><rect/></a></g>\n'
        '<g id="edge1" class="edge">\n<title>n_ab&#45;&gt;n_cd</title>\n'
        '<path fill="none" stroke="#8c95a1" d="M1,2C3,4 5,6 7,8"/>\n</g>\n'
        '<g id="edge2" class="edge">\n<title>n_cd&#45;&gt;n_ef</title>\n'
        '<path fill="none" stroke="#8c95a1" d="M9,9C3,4 5,6 7,8"/>\n</g>\n</g></svg>'
    )
    cleaned = clean_svg(svg, {}, digits=0, critical_edges={("n_cd", "n_ef")})
    assert '<g class="edges" fill="none" stroke="#8c95a1">' in cleaned
    assert '<path d="M1 2c2 2 4 4 6 6"/>' in cleaned  # relative coordinates: fewer bytes
    assert 'class="cp" d="M9 9c-6-5-4-3-2-1" stroke="#4654C8"' in cleaned
    assert cleaned.index('class="edges"') < cleaned.index('class="node')
    assert 'class="edge"' not in cleaned


def test_unselected_nodes_are_drawn_with_their_datasets() -> None:
    status = scenarios.partial()
    source = build_dot(status).source
    extra = diagram.unselected_datasets(status)
    assert extra and all(ident not in status.datasets for ident in extra)
    for ident in extra:
        line = next(ln for ln in source.splitlines() if f"d_{ident} [" in ln)
        assert "dotted" in line and "not_selected" in line
    assert diagram.graph_size(status) == 7 + len(status.datasets) + len(extra)
    # a full run draws exactly what it drew before
    assert "not_selected" not in build_dot(scenarios.success()).source


@needs_dot
def test_namespace_summaries_sit_over_their_clusters() -> None:
    from kedro_run_report.diagram.ns_summary import add_namespace_summaries

    status = scenarios.node_failure()
    result = render_diagram(status)
    assert result.svg is not None
    svg = add_namespace_summaries(result.svg, status)
    dom = xml.dom.minidom.parseString(svg)
    sums = [g for g in dom.getElementsByTagName("g") if "ns-sum" in g.getAttribute("class")]
    assert sorted(g.getAttribute("data-ns") for g in sums) == [
        "data_processing",
        "data_science",
        "reporting",
    ]
    science = next(g for g in sums if g.getAttribute("data-ns") == "data_science")
    assert "failed" in science.getAttribute("class")  # the worst status colours it
    assert science.getAttribute("display") == "none"  # hidden without the script
    assert "3 nodes: ✓ 1  ✗ 1  – 1" in svg


def test_cues_are_centred_under_their_shapes() -> None:
    """With the real layout program: each centred cue sits in the middle of its outline,
    cylinders (relative curves once cleaned) as much as boxes."""

    from kedro_run_report.diagram.svg_clean import outline_xs

    result = render_diagram(scenarios.success())
    assert result.svg is not None
    checked = {"data": 0, "task": 0}
    for chunk in re.findall(r'<g [^>]*class="node[^"]*".*?</a>', result.svg, re.S):
        kind = "data" if " data " in chunk else "task" if " task " in chunk else None
        cue = re.search(r'text-anchor="middle" x="([-\d.]+)"', chunk)
        shape = re.search(
            r'<(?:path|rect)[^>]*?(?: d="([^"]*)"| x="([-\d.]+)"[^>]*? width="([\d.]+)")', chunk
        )
        if kind is None or cue is None or shape is None:
            continue
        if shape.group(1) is not None:
            xs = outline_xs(shape.group(1))
            left, right = min(xs), max(xs)
        else:
            left = float(shape.group(2))
            right = left + float(shape.group(3))
        assert abs(float(cue.group(1)) - (left + right) / 2) <= 1, chunk
        checked[kind] += 1
    assert checked["data"] >= 3 and checked["task"] >= 3, checked
