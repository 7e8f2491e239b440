"""How much the recording hook costs.

1. Microseconds per recorded event: the hook methods called in-process, as Kedro calls them,
   without file-size probes (KEDRO_RUN_REPORT_SIZES=off); the median of several repetitions.
   Also the cost of the peak-memory reading alone (two per node: at its start and its end),
   and of the run's fingerprint, taken once per run on a background thread.
2. The wall-time ratio of `kedro run` on a 1000-node no-op pipeline with and without the plugin,
   in alternating pairs so that drift on the machine affects both sides alike.

Run:  python benchmarks/bench_hook.py [--pairs 15] [--nodes 1000] [--slow-fs]
Targets (issue 15): under 5 us per event, and a ratio of at most 1.03.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import NamedTuple

from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import node, pipeline

EVENTS_PER_NODE = 6  # load start/end, node start/end, save start/end


def identity(x: object) -> object:
    return x


def per_event_microseconds(nodes: int = 2000, repeats: int = 7) -> list[float]:
    """Median-ready samples: microseconds per event over ``nodes`` simulated nodes."""
    os.environ["KEDRO_RUN_REPORT_SIZES"] = "off"
    from kedro_run_report.record.hook import RunReportHook
    from kedro_run_report.settings import ACTIVE_RUN

    pipe = pipeline([node(identity, f"d{i}", f"d{i + 1}", name=f"n{i}") for i in range(nodes)])
    catalog = DataCatalog(datasets={"d0": MemoryDataset(1)})
    samples = []
    for _ in range(repeats):
        with tempfile.TemporaryDirectory() as project:
            os.environ["KEDRO_RUN_REPORT_DIR"] = str(Path(project) / "log")
            hook = RunReportHook()
            run_params = {"run_id": "bench", "project_path": project, "runner": "None"}
            hook.before_pipeline_run(run_params, pipe, catalog)
            data = {"x": 1}
            started = time.perf_counter()
            for item in pipe.nodes:
                (name,) = item.inputs
                (out,) = item.outputs
                hook.before_dataset_loaded(name, item)
                hook.after_dataset_loaded(name, data, item)
                hook.before_node_run(item, catalog, {name: data})
                hook.after_node_run(item)
                hook.before_dataset_saved(out, item)
                hook.after_dataset_saved(out, data, item)
            elapsed = time.perf_counter() - started
            hook._main.writer.close()  # type: ignore[union-attr]
            hook._main = None
            os.environ.pop(ACTIVE_RUN.name, None)
        samples.append(elapsed / (nodes * EVENTS_PER_NODE) * 1e6)
    os.environ.pop("KEDRO_RUN_REPORT_DIR", None)
    return samples


def memory_reading_microseconds(calls: int = 20_000, repeats: int = 7) -> list[float]:
    """Microseconds per peak-memory reading (``record/memory.py``), one sample per repeat."""
    from kedro_run_report.record.memory import peak_rss_kib

    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        for _ in range(calls):
            peak_rss_kib()
        samples.append((time.perf_counter() - started) / calls * 1e6)
    return samples


def fingerprint_milliseconds(
    nodes: int = 1000, repeats: int = 5
) -> tuple[list[float], list[float]]:
    """Milliseconds of wall time and of CPU time to fingerprint a run of ``nodes`` nodes with
    100 parameters in this repository's git checkout (``record/fingerprint.py``)."""
    from kedro_run_report.record.fingerprint import RunParts, take_fingerprint
    from kedro_run_report.redact import Redactor

    pipe = pipeline([node(identity, f"d{i}", f"d{i + 1}", name=f"n{i}") for i in range(nodes)])
    params = {f"group_{g}": {f"key_{k}": g * k for k in range(10)} for g in range(10)}
    catalog = DataCatalog(datasets={"d0": MemoryDataset(1), "parameters": MemoryDataset(params)})
    checkout = str(Path(__file__).resolve().parents[1])
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.thread_time()
        take_fingerprint(RunParts.of(pipe, catalog), checkout, Redactor())
        wall.append((time.perf_counter() - started) * 1e3)
        cpu.append((time.thread_time() - started_cpu) * 1e3)
    return wall, cpu


REGISTRY = """
from kedro.pipeline import node, pipeline

def noop(x):
    return x

def register_pipelines():
    width, depth = 50, {depth}
    nodes = []
    for chain in range(width):
        previous = "params:seed"
        for step in range(depth):
            out = f"c{{chain}}_{{step}}"
            nodes.append(node(noop, previous, out, name=f"n_{{chain}}_{{step}}"))
            previous = out
    return {{"__default__": pipeline(nodes)}}
"""


def make_noop_project(root: Path, nodes: int, slow_fs: bool = False) -> Path:
    """A Kedro project whose pipeline is ``nodes`` no-op nodes in 50 chains.

    With ``slow_fs`` every intermediate dataset is a pickle file on ``slow://``, a local
    filesystem with network-like latency (benchmarks/slowfs.py).
    """
    package = root / "src" / "noop_bench"
    package.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        '[tool.kedro]\npackage_name = "noop_bench"\nproject_name = "noop"\n'
        'kedro_init_version = "1.0.0"\n'
    )
    (package / "__init__.py").write_text("")
    (package / "pipeline_registry.py").write_text(REGISTRY.format(depth=max(1, nodes // 50)))
    (package / "settings.py").write_text(
        textwrap.dedent(
            """
            import os
            DISABLE_HOOKS_FOR_PLUGINS = ("kedro-viz",) + (
                ("kedro-run-report",) if os.environ.get("BENCH_PLUGIN_OFF") else ()
            )
            """
        )
    )
    (root / "conf" / "base").mkdir(parents=True)
    (root / "conf" / "local").mkdir()
    (root / "conf" / "base" / "parameters.yml").write_text("seed: 1\n")
    catalog = "{}\n"
    if slow_fs:
        (root / "data").mkdir()
        data = (root / "data").as_posix()
        catalog = (
            f'"{{name}}":\n  type: pickle.PickleDataset\n  filepath: slow://{data}/{{name}}.pkl\n'
        )
        with open(package / "settings.py", "a") as settings:
            settings.write(
                f"import sys\nsys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
                "import fsspec\n"
                "fsspec.register_implementation('slow', 'slowfs.SlowFileSystem', clobber=True)\n"
            )
    (root / "conf" / "base" / "catalog.yml").write_text(catalog)
    return root


class Timing(NamedTuple):
    wall: float  # seconds
    cpu: float  # user + system seconds of the kedro process: less moved by other load


def timed_run(project: Path, plugin_on: bool) -> Timing:
    env = dict(os.environ, KEDRO_DISABLE_TELEMETRY="1", DO_NOT_TRACK="1")
    env.pop("BENCH_PLUGIN_OFF", None)
    # Byte-compiled modules, as an installed package has them: the warm-up runs write them.
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    if not plugin_on:
        env["BENCH_PLUGIN_OFF"] = "1"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "kedro", "run"],
        cwd=project,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"kedro run failed:\n{result.stderr[-2000:]}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return Timing(elapsed, cpu)


def paired_runs(nodes: int, pairs: int, slow_fs: bool = False) -> tuple[list[Timing], list[Timing]]:
    """Alternating paired runs: (timings with the plugin, timings without)."""
    with tempfile.TemporaryDirectory() as tmp:
        project = make_noop_project(Path(tmp) / "noop", nodes, slow_fs)
        timed_run(project, True)  # warm caches (bytecode, page cache)
        timed_run(project, False)
        on, off = [], []
        for i in range(pairs):
            first_on = i % 2 == 0
            a = timed_run(project, first_on)
            b = timed_run(project, not first_on)
            on.append(a if first_on else b)
            off.append(b if first_on else a)
        return on, off


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=15)
    parser.add_argument("--nodes", type=int, default=1000)
    parser.add_argument(
        "--slow-fs", action="store_true", help="also run with every dataset on a slow filesystem"
    )
    args = parser.parse_args()

    samples = per_event_microseconds()
    print(
        f"hook cost per event: median {statistics.median(samples):.2f} us "
        f"(min {min(samples):.2f}, max {max(samples):.2f}; target < 5 us)"
    )
    reading = memory_reading_microseconds()
    share = 2 * statistics.median(reading) / (EVENTS_PER_NODE * statistics.median(samples))
    print(
        f"peak-memory reading: median {statistics.median(reading):.2f} us per reading "
        f"(min {min(reading):.2f}, max {max(reading):.2f}); two per node, "
        f"{share:.0%} of the hook's cost per node"
    )
    wall_ms, cpu_ms = fingerprint_milliseconds()
    print(
        f"fingerprint, once per run on a background thread: median "
        f"{statistics.median(wall_ms):.1f} ms wall, {statistics.median(cpu_ms):.1f} ms of its "
        f"thread's CPU time "
        f"(first {wall_ms[0]:.1f} ms)"
    )
    on, off = paired_runs(args.nodes, args.pairs)
    wall = [a.wall / b.wall for a, b in zip(on, off, strict=True)]
    cpu = [a.cpu / b.cpu for a, b in zip(on, off, strict=True)]
    print(
        f"kedro run, {args.nodes} no-op nodes, {args.pairs} pairs: "
        f"with plugin median {statistics.median(t.wall for t in on):.3f} s, "
        f"without {statistics.median(t.wall for t in off):.3f} s"
    )
    print(
        f"wall-time ratio: median {statistics.median(wall):.3f} "
        f"(pairs: {', '.join(f'{r:.3f}' for r in wall)}; target <= 1.03)"
    )
    print(
        f"CPU-time ratio: median {statistics.median(cpu):.3f} "
        f"(min {min(cpu):.3f}, max {max(cpu):.3f}; less moved by other load on the machine)"
    )
    if args.slow_fs:
        nodes = args.nodes // 5  # each dataset costs two round trips of 5 ms
        on, off = paired_runs(nodes, args.pairs, slow_fs=True)
        wall = [a.wall / b.wall for a, b in zip(on, off, strict=True)]
        print(
            f"kedro run, {nodes} nodes, every dataset a pickle on a filesystem with 5 ms "
            f"latency: with plugin median {statistics.median(t.wall for t in on):.3f} s, "
            f"without {statistics.median(t.wall for t in off):.3f} s, "
            f"ratio {statistics.median(wall):.3f}"
        )


if __name__ == "__main__":
    main()
