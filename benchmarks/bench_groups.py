"""Run groups and object storage: what they cost.

1. The wall-time ratio of `kedro run` (1000 no-op nodes) with the event log on S3 (a moto server
   on 127.0.0.1) against a local event log, in alternating pairs.
2. The time to aggregate a run group of 100 processes (each a `kedro run --nodes` of 10 nodes).

Run:  python benchmarks/bench_groups.py [--pairs 5] [--parts 100]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from bench_hook import make_noop_project  # noqa: E402
from helpers.event_log import EventLog, record_run  # noqa: E402
from helpers.s3_server import moto_server  # noqa: E402

from kedro_run_report.report.load import load_group_report  # noqa: E402


def s3_ratio(pairs: int) -> None:
    with moto_server("bench") as s3_env, tempfile.TemporaryDirectory() as tmp:
        project = make_noop_project(Path(tmp) / "noop", 1000)
        base = dict(os.environ, KEDRO_DISABLE_TELEMETRY="1", DO_NOT_TRACK="1", **s3_env)
        local = dict(base, KEDRO_RUN_REPORT_DIR=str(Path(tmp) / "log"))
        remote = dict(base, KEDRO_RUN_REPORT_DIR="s3://bench/log")

        def run(env: dict[str, str]) -> float:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, "-m", "kedro", "run"],
                cwd=project,
                env=env,
                check=True,
                capture_output=True,
            )
            return time.perf_counter() - started

        run(local), run(remote)  # warm up
        ratios = []
        for i in range(pairs):
            if i % 2:
                on_s3, on_disk = run(remote), run(local)
            else:
                on_disk, on_s3 = run(local), run(remote)
            ratios.append(on_s3 / on_disk)
        print(
            f"kedro run, 1000 no-op nodes, S3 event log vs local: median ratio "
            f"{statistics.median(ratios):.3f} (pairs: {', '.join(f'{x:.3f}' for x in ratios)})"
        )


CHAIN = [(f"n{i}", [f"d{i}"], [f"d{i + 1}"]) for i in range(1000)]


def group_aggregation(parts: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "log"
        for p in range(parts):
            log = EventLog(t0=1_700_000_000.0 + p * 10, pid=1000 + p, host=f"worker-{p % 7}")
            log.start(CHAIN, run_id=f"part-{p}", group="g-100")
            for name, ins, outs in CHAIN[p * 10 : p * 10 + 10]:
                log.load(ins[0], name, 0.01, size=100).node(name, 0.2).save(outs[0], name, 0.01)
            log.end()
            record = record_run(root, log, f"part-{p}")
            manifest = record / "run.json"
            manifest.write_text(
                manifest.read_text().replace('"start"', '"group": "g-100", "start"')
            )
        started = time.perf_counter()
        report = load_group_report(group="g-100", events=str(root))
        elapsed = time.perf_counter() - started
        print(
            f"run group of {parts} processes ({len(report.status.nodes)} nodes): aggregated "
            f"in {elapsed:.2f} s; status {report.status.pipeline.status}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--parts", type=int, default=100)
    args = parser.parse_args()
    group_aggregation(args.parts)
    s3_ratio(args.pairs)


if __name__ == "__main__":
    main()
