"""Scale: how long each step of a report takes, and how big it gets, from 100 to 10,000 nodes.

For each size a synthetic run (a layered DAG with fan-in and fan-out, nested namespaces, file
and memory datasets, parameters and one failure two-thirds of the way) is written as a recorded
run of a minimal Kedro project. Printed per size: time to aggregate, to lay out, to render each
format, the peak memory of a whole report, the output sizes, and "our time": the wall time of
`kedro viz report` minus that of `kedro --help` in the same project (Kedro's own start-up is not
ours to cut), for a first report and for reports again of the same structure (the layout
cache's case). Finally the aggregation of 1,000,000 events, in time and peak memory.

The same figures for the shapes real projects take (tests/helpers/large_shapes.py: a modular
pipeline reused under many namespaces, a wide layered DAG, namespaces nested three deep, no
namespaces at all), each with a failure two-thirds of the way, with --shapes.

Run:  python benchmarks/bench_scale.py [--sizes 100 1000 5000 10000] [--compare] [--no-cli]
      python benchmarks/bench_scale.py --shapes all          (or e.g. --shapes nested wide_dag:5000)
      --compare also times plain `dot -Tsvg` (no tuning) on the equivalent graph.
      --shapes NAME[:NODES] ... (1,000 nodes unless given); `all` is every shape at 1,000 nodes
      and the modular and wide ones at 10,000. Without --sizes, --shapes runs only the shapes
      (and not the million events).
Targets (issue 6): 1,000 nodes <= 1.5 s our time and <= 1.5 MB, again with the cached layout
<= 0.3 s; 5,000 <= 8 s and <= 6 MB; 10,000 <= 20 s; 1,000,000 events aggregated in <= 10 s and
<= 500 MB.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from helpers import large_shapes, scenarios  # noqa: E402  (runs are shared with the tests)
from helpers.event_log import record_run  # noqa: E402

from kedro_run_report.diagram import render as diagram  # noqa: E402
from kedro_run_report.diagram.layout import find_layout_program  # noqa: E402
from kedro_run_report.diagram.render import layout_source  # noqa: E402
from kedro_run_report.report import FORMATS, render  # noqa: E402
from kedro_run_report.report.load import load_run_report, read_record  # noqa: E402
from kedro_run_report.store.runs import find_run  # noqa: E402


class _Log:
    """Just enough of tests/helpers/event_log.EventLog for record_run."""

    def __init__(self, events: list) -> None:
        self.events = events


def make_project(root: Path, events: list, name: str) -> Path:
    """A minimal Kedro project holding one recorded run of ``events``, named ``name``."""
    package = root / "src" / "scale_bench"
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.kedro]\npackage_name = "scale_bench"\nproject_name = "Scale bench"\n'
        'kedro_init_version = "1.0.0"\n'
    )
    (package / "__init__.py").write_text("")
    (package / "settings.py").write_text("")
    (package / "pipeline_registry.py").write_text("def register_pipelines():\n    return {}\n")
    (root / "conf" / "base").mkdir(parents=True)
    (root / "conf" / "local").mkdir()
    record_run(root / ".viz" / "run-report", _Log(events), name)
    return root


def timed(fn, repeats: int = 1):  # type: ignore[no-untyped-def]
    """(median seconds, last result)."""
    times, result = [], None
    for _ in range(repeats):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def wall(cmd: list[str], cwd: Path, repeats: int = 3) -> float:
    """Median wall time of a command."""
    env = dict(os.environ, KEDRO_DISABLE_TELEMETRY="1", DO_NOT_TRACK="1")
    # Byte-compiled modules, as an installed package has them (the first run writes them).
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run(cmd, cwd=cwd, env=env, check=True, capture_output=True)
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


def plain_dot_seconds(status) -> float:  # type: ignore[no-untyped-def]
    """Graphviz with its default settings on the same graph (our size-dependent tuning off)."""
    tuned = diagram.layout_attrs
    diagram.layout_attrs = lambda size: tuned(0)  # the attributes of a small graph
    try:
        source = layout_source(status)
    finally:
        diagram.layout_attrs = tuned
    started = time.perf_counter()
    subprocess.run(["dot", "-Tsvg"], input=source.encode(), capture_output=True, check=False)
    return time.perf_counter() - started


def bench_size(n_nodes: int, compare: bool, cli: bool) -> None:
    """The synthetic run of ``n_nodes`` nodes."""
    events = scenarios.synthetic_events(n_nodes, fail_at=n_nodes * 2 // 3)
    bench_events(events, f"synthetic-{n_nodes}", f"{n_nodes:>6} nodes", compare, cli)


SHAPE_SIZE = 1000
ALL_SHAPES = [*large_shapes.SHAPES, "modular_fanout:10000", "wide_dag:10000"]


def shape_names(names: list[str]) -> list[tuple[str, int]]:
    """``NAME`` or ``NAME:NODES`` (``all``: ALL_SHAPES) as (shape, node count)."""
    out = []
    for name in names:
        for one in ALL_SHAPES if name == "all" else [name]:
            shape, _, size = one.partition(":")
            if shape not in large_shapes.SHAPES:
                known = ", ".join(large_shapes.SHAPES)
                raise SystemExit(f"unknown shape {shape!r}; known: {known}, all")
            out.append((shape, int(size) if size else SHAPE_SIZE))
    return out


def bench_shape(shape: str, size: int, compare: bool, cli: bool) -> None:
    """One shape of tests/helpers/large_shapes.py, failing two-thirds of the way."""
    spec = large_shapes.SHAPES[shape](size)
    events = large_shapes.shape_events(spec, fail_at=len(spec) * 2 // 3)
    namespaces = len(large_shapes.namespace_sizes(spec, depth=1))
    print(f"{shape} {size}: {len(spec):,} nodes, {namespaces} top-level namespaces")
    bench_events(events, f"{shape}-{size}", f"{len(spec):>6} nodes", compare, cli)


def bench_events(events: list, name: str, label: str, compare: bool, cli: bool) -> None:
    """Time each step of a report of the recorded run ``events``, and print its sizes."""
    with tempfile.TemporaryDirectory() as tmp:
        project = make_project(Path(tmp) / "proj", events, name)
        root = str(project / ".viz" / "run-report")
        record = find_run(root)
        aggregate_s, status = timed(lambda: read_record(record), 3)
        report = load_run_report(project_path=project)
        program = find_layout_program()
        # every layout the report makes (one, or an overview and a diagram per box), uncached
        layout_s, _ = timed(lambda: diagram.render_diagram(status), 1) if program else (0.0, None)
        cells = [f"{label}  aggregate {aggregate_s:6.3f} s  diagram {layout_s:6.2f} s"]
        for fmt in FORMATS:
            seconds, rendered = timed(lambda fmt=fmt: render(report, fmt), 1)
            size = len(rendered.text.encode("utf-8"))
            cells.append(f"{fmt} {seconds:5.2f} s {size / 1e6:6.2f} MB")
        print("  ".join(cells[:1]))
        print("        " + " | ".join(cells[1:]))
        cache = Path(tmp) / "layouts"
        cold, _ = timed(lambda: render(report, "html", layout_cache=cache), 1)
        warm, _ = timed(lambda: render(report, "html", layout_cache=cache), 3)
        print(f"        html with the layout cache: first {cold:5.2f} s, then {warm:5.2f} s")
        if compare and program:
            plain = plain_dot_seconds(status)
            print(
                f"        plain dot -Tsvg {plain:6.2f} s  (ours {layout_s:.2f} s, "
                f"ratio {plain / layout_s if layout_s else float('nan'):.1f}x)"
            )
        if cli:
            kedro = [sys.executable, "-m", "kedro"]
            report = [*kedro, "viz", "report", "-o", "r.html", "-q"]
            help_s = wall([*kedro, "--help"], project, repeats=5)
            first_s = wall(report, project, repeats=1)  # lays the pipeline out, fills caches
            again_s = wall(report, project, repeats=5)  # the same structure: cached layout
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            html_mb = (project / "r.html").stat().st_size / 1e6
            print(
                f"        kedro --help {help_s:5.2f} s; kedro viz report: first {first_s:5.2f} s "
                f"= our time {first_s - help_s:5.2f} s, again (cached layout) {again_s:5.2f} s "
                f"= our time {again_s - help_s:5.2f} s; HTML {html_mb:.2f} MB; "
                f"peak RSS of any child so far {peak:.0f} MB"
            )


def bench_million_events() -> None:
    """Aggregate about 1,000,000 events in a fresh process; print its time and peak memory."""
    tests = str(Path(__file__).resolve().parents[1] / "tests")
    with tempfile.TemporaryDirectory() as tmp:
        write = (
            f"import sys; sys.path.insert(0, {tests!r})\n"
            "from helpers import scenarios\nfrom helpers.event_log import record_run\n"
            "class L:\n    def __init__(s, e): s.events = e\n"
            "events = scenarios.synthetic_events(120_000)\n"
            f"record_run({tmp!r}, L(events), 'million')\nprint(len(events))\n"
        )
        done = subprocess.run([sys.executable, "-c", write], check=True, capture_output=True)
        count = int(done.stdout.decode().split()[-1])
        read = (
            "import resource, time\n"
            "from kedro_run_report.report.load import read_record\n"
            "from kedro_run_report.store.runs import find_run\n"
            f"record = find_run({tmp!r})\n"
            "t = time.perf_counter(); status = read_record(record); t = time.perf_counter() - t\n"
            "peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024\n"
            "print(f'{t:.2f} {peak:.0f} {len(status.nodes)}')\n"
        )
        out = subprocess.run([sys.executable, "-c", read], check=True, capture_output=True)
        seconds, peak, nodes = out.stdout.decode().split()[-3:]
        size = sum(p.stat().st_size for p in Path(tmp).rglob("*.jsonl")) / 1e6
        print(
            f"{count:,} events ({size:.0f} MB, {int(nodes):,} nodes): aggregated in {seconds} s, "
            f"peak memory of the reading process {peak} MB"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="*", default=None)
    parser.add_argument("--shapes", nargs="+", metavar="NAME[:NODES]", default=None)
    parser.add_argument("--compare", action="store_true")
    parser.add_argument("--no-cli", action="store_true")
    parser.add_argument("--no-million", action="store_true")
    args = parser.parse_args()
    print(f"layout program: {find_layout_program() or 'none'}")
    shapes = shape_names(args.shapes) if args.shapes else []
    sizes = args.sizes
    if sizes is None:
        sizes = [] if shapes else [100, 1000, 5000, 10000]
    for n in sizes:
        bench_size(n, args.compare, not args.no_cli)
    for shape, size in shapes:
        bench_shape(shape, size, args.compare, not args.no_cli)
    if not args.no_million and not shapes:
        bench_million_events()


if __name__ == "__main__":
    main()
