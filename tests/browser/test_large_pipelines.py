"""Large pipelines in headless Chromium: is the diagram whole and legible where it opens?

Runs of 1,000 to 10,000 nodes in the shapes real projects take (tests/helpers/large_shapes.py)
are rendered to HTML and measured in a 1400 x 1000 window, against the diagram's contract for
large runs (kedro_run_report/diagram/views.py and drill.py):

- ``#diagram-viewport`` is the frame, ``#diagram-viewport svg`` (exactly one) the diagram shown;
- on load it is an overview, one ``g.group`` box per namespace (or part) with
  ``data-view="<key>"``; clicking a box shows its own diagram in the frame (its nodes, or the
  boxes of what it holds), and ``#diagram-crumbs [data-view="overview"]`` goes back;
- ``[data-zoom="in"]``, ``[data-zoom="reset"]`` (Fit), the wheel and dragging change the svg's
  viewBox;
- without JavaScript every box's diagram is in the page: one ``details.ns-view`` (with an svg)
  per box of every overview;
- a failed run opens on the diagram holding the failed node (``g.node.failed``), inside the
  frame, with the breadcrumb back to an overview where its box is marked failed.

Two measures, in every state: "whole visible" (the graph group ``svg > g`` lies inside the
frame, 2 px allowed) and "legible" (the median height of the shown svg's non-empty labels is at
least 9 px). Every state is saved as test-output/screenshots/large-<shape>-<size>-<state>.png,
and every measure is appended to test-output/large-pipelines.jsonl.
"""

from __future__ import annotations

import json
import re
import shutil
import statistics
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from helpers import large_shapes
from helpers.large_shapes import Spec, namespace_sizes, shape_run

from kedro_run_report.model import RunStatus
from kedro_run_report.report.html import render_html

pytestmark = pytest.mark.browser
NEEDS_DOT = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz dot is not installed")

WINDOW = {"width": 1400, "height": 1000}
SLACK = 2.0  # px: how far the graph may stick out of the frame
MIN_LABEL = 9.0  # px: the smallest median label height we call legible
MAX_DRILL_NODES = 300  # the "largest box" drilled into has at most this many nodes
TIMEOUT_MS = 15_000  # a click, a wait for the diagram
LOAD_TIMEOUT_MS = 120_000  # opening a report of 10,000 nodes takes seconds
MEASURES = Path(__file__).resolve().parents[2] / "test-output" / "large-pipelines.jsonl"

# (shape, nodes) measured on load; the drill-downs use the ones with namespaces
LOAD_CASES = [
    ("modular_fanout", 1000),
    ("modular_fanout", 5000),
    ("modular_fanout", 10000),
    ("wide_dag", 1000),
    ("wide_dag", 5000),
    ("wide_dag", 10000),
    ("nested", 1000),
    ("flat", 1000),
]
# every box of every size opens its diagram; 5,000 nodes are drilled into as 1,000 and 10,000
DRILL_CASES = [case for case in LOAD_CASES if case[1] != 5000]
FAILED_CASES = [
    ("modular_fanout", 1000),
    ("wide_dag", 1000),
    ("nested", 1000),
    ("flat", 1000),
    ("modular_fanout", 10000),
]
# every diagram of nodes opened, down its breadcrumb (the others test the first and the largest)
SWEEP_CASES = [("wide_dag", 1000), ("flat", 1000), ("nested", 1000)]
QUICK_CASES = [*LOAD_CASES[:1], ("wide_dag", 1000), ("nested", 1000), ("modular_fanout", 10000)]


def _ids(cases: list[tuple[str, int]]) -> list[str]:
    return [f"{shape}-{size}" for shape, size in cases]


# -- the runs, each generated, rendered and written once per module ---------------------------


class Report:
    """A written report of one shape, size and outcome."""

    def __init__(self, shape: str, size: int, failed: bool, output_dir: Path) -> None:
        self.shape, self.size, self.failed = shape, size, failed
        self.spec: Spec = large_shapes.SHAPES[shape](size)
        self.fail_at = len(self.spec) * 2 // 3 if failed else None
        self.status: RunStatus = shape_run(self.spec, fail_at=self.fail_at)
        self.name = f"large-{shape}-{size}" + ("-failed" if failed else "")
        path = output_dir / f"{self.name}.html"
        path.write_text(render_html(self.status).html, encoding="utf-8")
        self.url = path.as_uri()
        self.namespaces = namespace_sizes(self.spec)

    @property
    def failed_namespace(self) -> str | None:
        return None if self.fail_at is None else self.spec[self.fail_at][1]


@pytest.fixture(scope="module")
def reports() -> Iterator[Any]:
    made: dict[tuple[str, int, bool], Report] = {}

    def get(shape: str, size: int, output_dir: Path, *, failed: bool = False) -> Report:
        key = (shape, size, failed)
        if key not in made:
            made[key] = Report(shape, size, failed, output_dir)
        return made[key]

    yield get
    made.clear()


# -- a watched page in a 1400 x 1000 window ---------------------------------------------------


@pytest.fixture
def watched(watched: Any) -> Any:
    """The browser conftest's watched pages, in a 1400 x 1000 window with longer waits."""

    def make(**kwargs: Any) -> Any:
        return watched(
            viewport=WINDOW, timeout_ms=TIMEOUT_MS, load_timeout_ms=LOAD_TIMEOUT_MS, **kwargs
        )

    return make


# -- measuring the diagram shown ----------------------------------------------------------------

MEASURE = """() => {
  const box = e => { const b = e.getBoundingClientRect();
                     return {x: b.x, y: b.y, w: b.width, h: b.height}; };
  const frame = document.querySelector('#diagram-viewport');
  const svgs = frame ? [...frame.querySelectorAll('svg')] : [];
  const out = {frame: frame ? box(frame) : null, svgs: svgs.length};
  if (svgs.length !== 1) return out;
  const svg = svgs[0];
  const graph = svg.querySelector(':scope > g');
  out.graph = graph ? box(graph) : null;
  out.viewBox = svg.getAttribute('viewBox');
  // labels not rendered (display: none, as collapsed content is) have no box: not shown
  const labels = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim() !== '')
    .map(t => t.getBoundingClientRect());
  out.heights = labels.filter(b => b.width > 0 || b.height > 0).map(b => b.height);
  out.hidden = labels.length - out.heights.length;
  out.groups = svg.querySelectorAll('g.group').length;
  // the failed node, or in an overview the box holding it
  out.failed = [...svg.querySelectorAll('g.node.failed, g.group.failed')].map(box);
  return out;
}"""

BOXES = """() => [...document.querySelectorAll('#diagram-viewport svg g.group')].map(g => ({
  view: g.getAttribute('data-view'),
  title: (g.querySelector(':scope > title') || {}).textContent || '',
  text: [...g.querySelectorAll('text')].map(t => t.textContent).join(' '),
  cls: g.getAttribute('class') || '',
}))"""

MARK_SHOWN = """() => {
  const svg = document.querySelector('#diagram-viewport svg');
  window.__shownBefore = svg;
  window.__shownSignature = svg ? svg.innerHTML.length + ':' + svg.querySelectorAll('g').length
                                : '';
}"""

SHOWN_CHANGED = """() => {
  const svgs = document.querySelectorAll('#diagram-viewport svg');
  if (svgs.length !== 1) return false;
  const svg = svgs[0];
  const signature = svg.innerHTML.length + ':' + svg.querySelectorAll('g').length;
  return svg !== window.__shownBefore || signature !== window.__shownSignature;
}"""


def _fmt(box: dict[str, float] | None) -> str:
    if not box:
        return "none"
    return f"x={box['x']:.0f} y={box['y']:.0f} w={box['w']:.0f} h={box['h']:.0f}"


def _inside(inner: dict[str, float], outer: dict[str, float], slack: float = SLACK) -> bool:
    return (
        inner["x"] >= outer["x"] - slack
        and inner["y"] >= outer["y"] - slack
        and inner["x"] + inner["w"] <= outer["x"] + outer["w"] + slack
        and inner["y"] + inner["h"] <= outer["y"] + outer["h"] + slack
    )


def _view_box(page: Any) -> list[float] | None:
    value = page.get_attribute("#diagram-viewport svg", "viewBox")
    return [float(v) for v in value.replace(",", " ").split()] if value else None


def _same_view_box(a: list[float] | None, b: list[float] | None) -> bool:
    if a is None or b is None or len(a) != len(b):
        return a == b
    scale = max(abs(a[2]), abs(a[3]), 1.0)
    return all(abs(x - y) <= scale * 0.002 for x, y in zip(a, b, strict=True))


class Checks:
    """The measures of one test's states, failures collected to be reported together."""

    def __init__(self, report: Report, view: Any, output_dir: Path) -> None:
        self.report, self.page, self.output_dir = report, view.page, output_dir
        self.failures: list[str] = []
        self.figures: list[str] = [f"opened in {view.load_seconds:.1f} s"]

    @property
    def label(self) -> str:
        return self.report.name.removeprefix("large-")

    def screenshot(self, state: str) -> None:
        path = self.output_dir / "screenshots" / f"{self.report.name}-{state}.png"
        self.page.screenshot(path=str(path))

    def fail(self, message: str) -> None:
        self.failures.append(f"{self.label} {message}")

    def measure(
        self, state: str, *, whole: bool = True, legible: bool = True, shot: bool = True
    ) -> dict[str, Any]:
        """Screenshot the state (``shot``), measure it, record what falls short; the figures."""
        if shot:
            self.screenshot(state)
        m = self.page.evaluate(MEASURE)
        heights = m.get("heights") or []
        median = statistics.median(heights) if heights else None
        figures = (
            f"{state}: frame {_fmt(m['frame'])}, graph {_fmt(m.get('graph'))}, "
            f"median label {median if median is None else round(median, 1)} px "
            f"over {len(heights)} labels ({m.get('hidden', 0)} hidden), {m.get('groups', 0)} "
            f"boxes, viewBox {m.get('viewBox')}"
        )
        self.figures.append(figures)
        _record(self.report, state, m, median)
        if m["svgs"] != 1:
            self.fail(f"{state}: {m['svgs']} svg elements in #diagram-viewport, expected one")
            return m
        if whole and m.get("graph") and m["frame"] and not _inside(m["graph"], m["frame"]):
            self.fail(
                f"{state}: not whole: the graph {_fmt(m['graph'])} is not inside the frame "
                f"{_fmt(m['frame'])} ({SLACK:.0f} px allowed)"
            )
        elif whole and not m.get("graph"):
            self.fail(f"{state}: the shown svg has no top-level g")
        if legible and (median is None or median < MIN_LABEL):
            shown = "no labels" if median is None else f"{median:.1f} px"
            self.fail(
                f"{state}: not legible: median label height {shown} over {len(heights)} "
                f"labels (at least {MIN_LABEL:.0f} px wanted; frame {_fmt(m['frame'])}, "
                f"graph {_fmt(m.get('graph'))})"
            )
        return m

    def done(self) -> None:
        detail = "\n  ".join(self.figures)
        if self.failures:
            pytest.fail("\n".join(self.failures) + f"\nmeasured:\n  {detail}", pytrace=False)


def _record(report: Report, state: str, m: dict[str, Any], median: float | None) -> None:
    """Append one state's figures to test-output/large-pipelines.jsonl, to compare runs."""
    line = {
        "report": report.name,
        "nodes": len(report.spec),
        "state": state,
        "frame": m.get("frame"),
        "graph": m.get("graph"),
        "median_label_px": median,
        "labels": len(m.get("heights") or []),
        "hidden_labels": m.get("hidden"),
        "boxes": m.get("groups"),
        "viewBox": m.get("viewBox"),
    }
    with MEASURES.open("a", encoding="utf-8") as out:
        out.write(json.dumps(line) + "\n")


@pytest.fixture(scope="module", autouse=True)
def _fresh_measures() -> None:
    MEASURES.parent.mkdir(parents=True, exist_ok=True)
    MEASURES.write_text("")


# -- finding boxes and their namespaces -----------------------------------------------------------


def _box_namespace(box: dict[str, str], namespaces: dict[str, int]) -> str | None:
    """The namespace a box stands for: its key if that is one, else the longest namespace
    its label or title names as a whole word."""
    if box["view"] in namespaces:
        return box["view"]
    words = f"{box['title']} {box['text']}"
    found = [ns for ns in namespaces if re.search(rf"(?<![\w.]){re.escape(ns)}(?![\w])", words)]
    return max(found, key=len, default=None)


def _boxes(page: Any, checks: Checks, state: str = "overview") -> list[dict[str, Any]]:
    """The overview's boxes with their namespace and node count (from the spec); fails the
    test when there is none or one has no data-view."""
    boxes = page.evaluate(BOXES)
    if not boxes:
        checks.fail(
            f"{state}: the diagram shown on load has no g.group box, so it is no overview "
            "(expected one box per namespace; the spec has "
            f"{len(namespace_sizes(checks.report.spec, depth=1))} top-level namespaces)"
        )
        checks.done()
    missing = [b["text"] or b["title"] for b in boxes if not b["view"]]
    if missing:
        checks.fail(
            f"{state}: {len(missing)} of {len(boxes)} g.group boxes have no data-view "
            f"attribute, so none can be opened (e.g. {missing[:3]})"
        )
        checks.done()
    for b in boxes:
        b["namespace"] = _box_namespace(b, checks.report.namespaces)
        b["nodes"] = checks.report.namespaces.get(b["namespace"], 0) if b["namespace"] else None
    return boxes


def _drill(page: Any, checks: Checks, box: dict[str, Any], state: str) -> bool:
    """Click a box and wait until the frame shows another diagram; False (recorded) if not."""
    page.evaluate(MARK_SHOWN)
    selector = f'#diagram-viewport g.group[data-view="{box["view"]}"]'
    try:
        page.click(selector)
        page.wait_for_function(SHOWN_CHANGED, timeout=TIMEOUT_MS)
    except Exception as exc:  # playwright's TimeoutError and Error alike
        checks.screenshot(f"{state}-stuck")
        checks.fail(
            f"{state}: clicking {selector} ({box['namespace']}, {box['nodes']} nodes) did not "
            f"show its diagram in the frame: {str(exc).splitlines()[0]}"
        )
        return False
    return True


def _back_to_overview(page: Any, checks: Checks, boxes: int, state: str) -> bool:
    """The breadcrumb's overview link brings the overview back; False (recorded) if not."""
    crumb = "#diagram-crumbs [data-view=overview]"
    try:
        page.click(crumb)
        page.wait_for_function(
            "n => document.querySelectorAll('#diagram-viewport svg g.group').length === n",
            arg=boxes,
            timeout=TIMEOUT_MS,
        )
    except Exception as exc:
        checks.screenshot(f"{state}-stuck")
        checks.fail(
            f"{state}: {crumb} did not bring back the overview of {boxes} boxes: "
            f"{str(exc).splitlines()[0]}"
        )
        return False
    checks.measure(state)
    return True


def _zoom_and_fit(page: Any, checks: Checks, state: str) -> None:
    """Zoom in, Fit: back to the fitted viewBox; wheel and drag: Fit again."""
    fitted = _view_box(page)
    try:
        page.click("[data-zoom=in]")
        zoomed = _view_box(page)
        if _same_view_box(zoomed, fitted):
            checks.fail(f"{state}: [data-zoom=in] left the viewBox at {fitted}")
        checks.screenshot(f"{state}-zoomed")
        page.click("[data-zoom=reset]")
    except Exception as exc:
        checks.fail(f"{state}: the zoom buttons failed: {str(exc).splitlines()[0]}")
        return
    if not _same_view_box(_view_box(page), fitted):
        checks.fail(
            f"{state}: Fit after zooming in gave viewBox {_view_box(page)}, not the fitted {fitted}"
        )
    frame = page.locator("#diagram-viewport").bounding_box()
    cx, cy = frame["x"] + frame["width"] / 2, frame["y"] + frame["height"] / 2
    page.mouse.move(cx, cy)
    page.mouse.wheel(0, -400)
    wheeled = _view_box(page)
    if _same_view_box(wheeled, fitted):
        checks.fail(f"{state}: the wheel over the frame left the viewBox at {fitted}")
    page.mouse.down()
    page.mouse.move(cx + 80, cy + 30, steps=4)
    page.mouse.up()
    if _same_view_box(_view_box(page), wheeled):
        checks.fail(f"{state}: dragging left the viewBox at {wheeled}")
    page.click("[data-zoom=reset]")
    if not _same_view_box(_view_box(page), fitted):
        checks.fail(
            f"{state}: Fit after wheel and drag gave viewBox {_view_box(page)}, not {fitted}"
        )
    checks.measure(f"{state}-fitted")


# -- the tests ------------------------------------------------------------------------------------


@NEEDS_DOT
@pytest.mark.parametrize(("shape", "size"), LOAD_CASES, ids=_ids(LOAD_CASES))
def test_overview_on_load_is_whole_and_legible(shape, size, reports, watched, output_dir):
    report = reports(shape, size, output_dir)
    view = watched()
    view.open(report.url)
    checks = Checks(report, view, output_dir)
    m = checks.measure("overview")
    if report.namespaces and m.get("groups", 0) == 0:
        checks.fail(
            f"overview: no g.group box on load (the spec has "
            f"{len(namespace_sizes(report.spec, depth=1))} top-level namespaces)"
        )
    checks.done()


@NEEDS_DOT
@pytest.mark.parametrize(("shape", "size"), DRILL_CASES, ids=_ids(DRILL_CASES))
def test_drilling_into_a_namespace(shape, size, reports, watched, output_dir):
    """The first box, and the largest of at most 300 nodes: each whole and legible, Fit
    restores the fitted view after zooming, the breadcrumb returns to the overview."""
    report = reports(shape, size, output_dir)
    view = watched()
    page = view.open(report.url)
    checks = Checks(report, view, output_dir)
    checks.measure("overview")
    boxes = _boxes(page, checks)
    unknown = [b["text"] or b["title"] for b in boxes if b["namespace"] is None]
    if unknown:  # e.g. the nodes of no namespace: not a failure, but worth seeing
        checks.figures.append(f"boxes naming no namespace of the run: {unknown[:5]}")
    fitting = [b for b in boxes if b["nodes"] and b["nodes"] <= MAX_DRILL_NODES]
    targets = [("first", boxes[0])]
    if fitting:  # the largest; of equals, another than the first
        largest = min(fitting, key=lambda b: (-b["nodes"], b["view"] == boxes[0]["view"]))
        if largest["view"] != boxes[0]["view"]:
            targets.append(("largest", largest))
    else:  # e.g. a wide DAG of 10,000 nodes in 6 namespaces: nothing to hold against it
        checks.figures.append(f"no box of at most {MAX_DRILL_NODES} nodes: the first only")
    for state, box in targets:
        if not _drill(page, checks, box, state):
            break
        checks.figures.append(f"{state} = {box['namespace']} ({box['nodes']} nodes)")
        checks.measure(state)
        _zoom_and_fit(page, checks, state)
        if not _back_to_overview(page, checks, len(boxes), f"{state}-back"):
            break
    checks.done()


PARENTS = """() => Object.fromEntries([...document.querySelectorAll('details.ns-view')]
  .map(d => [d.dataset.view, d.dataset.parent || '']))"""


@NEEDS_DOT
@pytest.mark.parametrize(("shape", "size"), SWEEP_CASES, ids=_ids(SWEEP_CASES))
def test_every_diagram_of_nodes_is_whole_and_legible(shape, size, reports, watched, output_dir):
    """Each box's diagram of nodes, reached by clicking the boxes down its breadcrumb."""
    report = reports(shape, size, output_dir)
    view = watched()
    page = view.open(report.url)
    checks = Checks(report, view, output_dir)
    parents: dict[str, str] = page.evaluate(PARENTS)
    leaves = [key for key in parents if key not in set(parents.values())]
    crumb = "#diagram-crumbs [data-view=overview]"
    for key in leaves:
        trail, at = [], key
        while at:
            trail.append(at)
            at = parents[at]
        if page.is_visible(crumb):
            page.click(crumb)
        steps = [{"view": step, "namespace": step, "nodes": "?"} for step in reversed(trail)]
        if all(_drill(page, checks, step, f"every-{key}") for step in steps):
            checks.measure(f"every-{key}", shot=False)
    checks.figures.append(f"{len(leaves)} diagrams of nodes opened")
    if not leaves:
        checks.fail("no details.ns-view without views below it")
    checks.done()


@NEEDS_DOT
@pytest.mark.parametrize(("shape", "size"), FAILED_CASES, ids=_ids(FAILED_CASES))
def test_a_failed_run_opens_on_its_failure(shape, size, reports, watched, output_dir):
    """It opens on the diagram of the failed node, the failure inside the frame; the
    overview marks the box holding it."""
    report = reports(shape, size, output_dir, failed=True)
    view = watched()
    page = view.open(report.url)
    checks = Checks(report, view, output_dir)
    failed_node = report.spec[report.fail_at][0]
    checks.figures.append(f"the failed node: {failed_node}")
    m = checks.measure("failed")
    shown = [box for box in m.get("failed") or [] if box["w"] > 0 or box["h"] > 0]
    if not shown:
        checks.fail(f"failed: no g.node.failed nor g.group.failed drawn ({failed_node} failed)")
    elif not any(_inside(box, m["frame"]) for box in shown):
        where = ", ".join(_fmt(box) for box in shown[:3])
        checks.fail(f"failed: the failure ({where}) is not inside the frame {_fmt(m['frame'])}")
    if m.get("groups", 0) == 0:  # opened on the failed node's own diagram: back up to the top
        crumb = "#diagram-crumbs [data-view=overview]"
        try:
            page.click(crumb)
            page.wait_for_function(
                "() => document.querySelectorAll('#diagram-viewport svg g.group').length > 0"
            )
        except Exception as exc:
            checks.fail(f"failed: {crumb} did not show the overview: {str(exc).splitlines()[0]}")
            checks.done()
        top = checks.measure("failed-overview")
        marked = [box for box in top.get("failed") or [] if box["w"] > 0]
        if not marked:
            checks.fail("failed-overview: no box marked failed")
    checks.done()


@NEEDS_DOT
@pytest.mark.parametrize(("shape", "size"), QUICK_CASES, ids=_ids(QUICK_CASES))
def test_without_javascript_every_box_has_its_diagram_in_the_page(
    shape, size, reports, watched, output_dir
):
    report = reports(shape, size, output_dir)
    no_js = watched(js=False)
    page = no_js.open(report.url)
    page.screenshot(path=str(output_dir / "screenshots" / f"{report.name}-nojs.png"))
    boxes = page.evaluate("() => document.querySelectorAll('svg g.group').length")
    views = page.evaluate(
        "() => [...document.querySelectorAll('details.ns-view')].map(d => "
        "[d.querySelectorAll('svg').length, (d.querySelector('.notice') || {}).textContent])"
    )
    name = f"{report.name} without JavaScript"
    if not boxes:
        pytest.fail(f"{name}: the overview has no g.group box (nothing to open)", pytrace=False)
    if len(views) < boxes:
        pytest.fail(
            f"{name}: {len(views)} details.ns-view for {boxes} g.group boxes", pytrace=False
        )
    empty = [notice for count, notice in views if count == 0]
    assert not empty, f"{name}: {len(empty)} of {len(views)} details.ns-view have no svg"


@NEEDS_DOT
@pytest.mark.parametrize(("shape", "size"), QUICK_CASES, ids=_ids(QUICK_CASES))
def test_no_page_problems(shape, size, reports, watched, output_dir):
    """Loading, opening the first box and going back log no error and fetch nothing."""
    report = reports(shape, size, output_dir)
    view = watched()
    page = view.open(report.url)
    first = page.locator("#diagram-viewport svg g.group[data-view]").first
    if first.count():
        view_key = first.get_attribute("data-view")
        try:
            page.click(f'#diagram-viewport g.group[data-view="{view_key}"]')
            page.click("#diagram-crumbs [data-view=overview]")
        except Exception as exc:
            view.problems.append(f"(test) opening and closing a box: {str(exc).splitlines()[0]}")
    assert view.problems == [], f"{report.name}: {view.problems}"
    assert view.requests == [report.url], f"{report.name} fetched more than itself"
