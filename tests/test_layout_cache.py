"""The layout cache: keyed by structure, painted per run, bounded, and never in the way."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from helpers import scenarios
from helpers.layout_stub import LayoutStub

from kedro_run_report.diagram import layout_cache
from kedro_run_report.diagram.layout_cache import cache_dir, cache_key, cached_layout, prune
from kedro_run_report.diagram.render import build_dot, render_diagram

needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is not installed")


def _layout_source(status: object) -> str:
    return build_dot(status, paint=False).source  # type: ignore[arg-type]


class Counting:
    """A layout program stand-in that counts its calls and returns a fixed SVG."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, source: str, program: str) -> str:
        self.calls += 1
        return '<svg width="10pt" height="10pt"><g id="graph0"></g></svg>\n'


@needs_dot
def test_a_hit_renders_exactly_what_a_miss_does(tmp_path: Path) -> None:
    status = scenarios.node_failure()
    cold = render_diagram(status, layout_cache=tmp_path)
    assert len(list(tmp_path.glob("*.svg"))) == 1
    warm = render_diagram(status, layout_cache=tmp_path)
    uncached = render_diagram(status)
    assert cold.svg == warm.svg == uncached.svg and cold.svg is not None


@needs_dot
def test_a_hit_is_painted_with_this_runs_statuses(tmp_path: Path) -> None:
    """The same pipeline, failing one day and succeeding the next, shares one layout."""
    failed, passed = scenarios.node_failure(), scenarios.success()
    assert _layout_source(failed) == _layout_source(passed)
    render_diagram(failed, layout_cache=tmp_path)
    warm = render_diagram(passed, layout_cache=tmp_path)
    assert len(list(tmp_path.glob("*.svg"))) == 1
    assert warm.svg == render_diagram(passed).svg
    assert "#C93C3C" not in (warm.svg or "")  # nothing of yesterday's failure is left


def test_key_ignores_statuses_and_figures() -> None:
    runs = [scenarios.success(), scenarios.node_failure(), scenarios.missing_input()]
    keys = {cache_key(_layout_source(run), "dot") for run in runs}
    assert len(keys) == 1


def test_key_follows_structure_and_settings() -> None:
    base = cache_key(_layout_source(scenarios.success()), "dot")
    assert cache_key(_layout_source(scenarios.synthetic(12)), "dot") != base
    assert cache_key(_layout_source(scenarios.partial()), "dot") != base  # what is selected
    no_datasets = build_dot(scenarios.success(), show_datasets=False, paint=False).source
    assert cache_key(no_datasets, "dot") != base
    assert cache_key(_layout_source(scenarios.success()), "/other/dot") != base


def test_corrupt_entries_are_ignored_and_rebuilt(tmp_path: Path) -> None:
    layout = Counting()
    source = _layout_source(scenarios.success())
    first = cached_layout(source, "dot", tmp_path, layout)
    (entry,) = tmp_path.glob("*.svg")
    for junk in ("", "<svg><g>truncat", "\x00\xff", f"<!-- other -->\n{first}"):
        entry.write_text(junk, encoding="utf-8", errors="surrogateescape")
        assert cached_layout(source, "dot", tmp_path, layout) == first
    assert layout.calls == 5
    assert cached_layout(source, "dot", tmp_path, layout) == first and layout.calls == 5


def test_entries_are_bounded(tmp_path: Path) -> None:
    layout = Counting()
    for n in range(layout_cache.KEEP + 5):
        cached_layout(f"digraph g{n} {{}}", "dot", tmp_path, layout)
    assert len(list(tmp_path.glob("*.svg"))) == layout_cache.KEEP
    prune(tmp_path, keep=3)
    assert len(list(tmp_path.glob("*.svg"))) == 3


def test_unwritable_location_just_skips_caching(tmp_path: Path) -> None:
    layout = Counting()
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    svg = cached_layout("digraph {}", "dot", blocked / "layouts", layout)
    assert svg.startswith("<svg") and layout.calls == 1
    if os.name == "posix" and os.geteuid() != 0:
        readonly = tmp_path / "ro"
        readonly.mkdir()
        readonly.chmod(0o500)
        try:
            assert cached_layout("digraph {}", "dot", readonly, layout).startswith("<svg")
        finally:
            readonly.chmod(0o700)


def test_cache_dir_beside_a_local_log_only() -> None:
    assert cache_dir("/some/log") == Path("/some/log/layouts")
    assert cache_dir("file:///some/log") == Path("/some/log/layouts")
    assert cache_dir("s3://bucket/log") is None and cache_dir(None) is None


def test_render_html_passes_the_cache_through(tmp_path: Path, stub_layout: LayoutStub) -> None:
    from kedro_run_report.report.html import render_html

    first = render_html(scenarios.success(), layout_cache=tmp_path).html
    second = render_html(scenarios.success(), layout_cache=tmp_path).html
    assert first == second and stub_layout.calls == 1
    render_html(scenarios.success())  # no cache: laid out again
    assert stub_layout.calls == 2
