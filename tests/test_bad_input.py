"""Hostile input to ``kedro viz report``: random, huge, nested, symlinked, failing mid-write.

The property test feeds mutated event logs (our JSON Lines and Kedro-Viz JSON lists) to the
command in-process. Every input must end in a report (maybe with warnings) or in exit code 2
with one ``Error: ...`` line: never a traceback, never a hang. Run with ``-s`` to see how
many inputs were tried and how they ended.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import textwrap
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from helpers.event_log import CHAIN, EventLog, record_run
from helpers.scenarios import missing_input_events, node_failure_events, success_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kedro_run_report.cli import EXIT_BAD_INPUT, report
from kedro_run_report.events import encode, run_end, warning
from kedro_run_report.model import aggregate
from kedro_run_report.store import reading, runs
from kedro_run_report.store.viz_events import to_viz_events

BASES = [success_events(), node_failure_events(), missing_input_events()]
EXAMPLES = int(os.environ.get("BAD_INPUT_EXAMPLES", "300"))  # more to hunt for crashes

json_leaf = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([0, -1, 2**63, 10**30, 1e308, -1e308, 1.7e9, 2.6e11]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["run_start", "run_end", "node_start", "load_end", "<b>", "", "loading"]),
)
json_value = st.recursive(
    json_leaf,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)
FIELDS = [
    "kind",
    "t",
    "node",
    "id",
    "dataset",
    "error",
    "meta",
    "pipeline",
    "size",
    "rows",
    "mem",
    "pid",
    "run_id",
    "message",
    "event",
    "timestamp",
    "duration",
    "node_id",
    "traceback",
    "operation",
]


def _mutate(draw: st.DrawFn, value: Any, depth: int = 0) -> Any:
    """``value`` with one thing somewhere inside it replaced by a random JSON value."""
    if isinstance(value, dict) and value and depth < 6 and draw(st.integers(0, 3)) > 0:
        key = draw(st.sampled_from(sorted(value)) | st.sampled_from(FIELDS))
        value[key] = _mutate(draw, value.get(key), depth + 1)
        return value
    if isinstance(value, list) and value and depth < 6 and draw(st.integers(0, 3)) > 0:
        i = draw(st.integers(min_value=0, max_value=len(value) - 1))
        value[i] = _mutate(draw, value[i], depth + 1)
        return value
    return draw(json_value)


@st.composite
def mutated_events(draw: st.DrawFn) -> list[Any]:
    """One base log's events (ours or Kedro-Viz's), then a few random mutations."""
    events: list[Any] = json.loads(json.dumps(draw(st.sampled_from(BASES))))
    if draw(st.booleans()):
        events = to_viz_events(aggregate(events))  # the Kedro-Viz flavour
        events = json.loads(json.dumps(events))
    for _ in range(draw(st.integers(min_value=0, max_value=10))):
        if not events:
            break
        i = draw(st.integers(min_value=0, max_value=len(events) - 1))
        how = draw(
            st.sampled_from(["deep", "deep", "deep", "drop-field", "duplicate", "swap", "delete"])
        )
        if how == "deep":
            events[i] = _mutate(draw, events[i])
        elif how == "drop-field" and isinstance(events[i], dict) and events[i]:
            events[i].pop(draw(st.sampled_from(sorted(events[i]))))
        elif how == "duplicate":
            events.insert(i, json.loads(json.dumps(events[i])))
        elif how == "swap":
            j = draw(st.integers(min_value=0, max_value=len(events) - 1))
            events[i], events[j] = events[j], events[i]
        elif how == "delete":
            del events[i]
    return events


@st.composite
def hostile_file(draw: st.DrawFn) -> bytes:
    """The bytes of an events file: JSON Lines or a JSON list, maybe cut or with junk lines."""
    events = draw(mutated_events())
    if events and isinstance(events[0], dict) and "event" in events[0]:
        data = json.dumps(events).encode()
    else:
        lines = [json.dumps(e, allow_nan=True).encode() + b"\n" for e in events]
        for _ in range(draw(st.integers(min_value=0, max_value=2))):
            junk = draw(st.binary(max_size=40) | st.text(max_size=40).map(str.encode))
            lines.insert(draw(st.integers(min_value=0, max_value=len(lines))), junk + b"\n")
        data = b"".join(lines)
    if data and draw(st.integers(min_value=0, max_value=3)) == 0:
        data = data[: draw(st.integers(min_value=0, max_value=len(data)))]  # truncated
    return data


@pytest.fixture(scope="module")
def outcomes() -> Iterator[Counter[str]]:
    """Counts how the generated inputs ended; prints the figures (seen with ``-s``)."""
    counts: Counter[str] = Counter()
    yield counts
    total = sum(counts.values())
    figures = ", ".join(f"{k}: {v}" for k, v in sorted(counts.items()))
    print(f"\nbad inputs tried: {total}; {figures}")


@pytest.mark.usefixtures("stub_layout")  # no Graphviz subprocess (DOT is still built): fast
@settings(
    max_examples=EXAMPLES,
    deadline=5000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=hostile_file(), fmt=st.sampled_from(["json", "html"]))
def test_any_events_file_gives_a_report_or_one_line(
    tmp_path: Path, outcomes: Counter[str], data: bytes, fmt: str
) -> None:
    target = tmp_path / "events.in"
    target.write_bytes(data)
    result = CliRunner().invoke(
        report, ["--events", str(target), "-f", fmt, "-o", "-", "-q"], obj=None
    )
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    if result.exit_code == 0:
        outcomes["rendered"] += 1
        if fmt == "json":
            json.loads(result.stdout)
        else:
            assert result.stdout.startswith("<!DOCTYPE html>")
    else:
        assert result.exit_code == EXIT_BAD_INPUT, result.output
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
        assert "Traceback" not in result.output
        outcomes["exit 2"] += 1


# -- huge inputs ----------------------------------------------------------------------------


def _peak_rss_kib(*args: str) -> tuple[int, str, int]:
    """Run the standalone command in a child; its peak RSS (KiB), stderr and exit code.

    A small parent process runs it, so that RUSAGE_CHILDREN holds that child alone.
    """
    probe = textwrap.dedent(
        """
        import resource, subprocess, sys
        done = subprocess.run(
            [sys.executable, "-c", "from kedro_run_report.cli import main; main()", *sys.argv[1:]],
            capture_output=True, text=True,
        )
        sys.stderr.write(done.stderr)
        print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
        sys.exit(done.returncode)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, *args], capture_output=True, text=True, timeout=300
    )
    return int(done.stdout.strip().splitlines()[-1]), done.stderr, done.returncode


def _header() -> bytes:
    log = EventLog().start(CHAIN).load("raw", "a").node("a")
    return b"".join(encode(e).encode() for e in log.events)


def test_a_1_gb_line_is_skipped_in_bounded_memory(tmp_path: Path) -> None:
    """1 GB without a newline (a sparse file: cheap to make) between valid events."""
    path = tmp_path / "events-host-1.jsonl"
    with open(path, "wb") as handle:
        handle.write(_header())
        handle.truncate(handle.tell() + 1024**3)  # a hole of 1 GiB of zero bytes
        handle.seek(0, os.SEEK_END)
        handle.write(b"\n" + encode(run_end(1_700_000_010.0)).encode())
    baseline, _err, code = _peak_rss_kib("--help")
    peak, err, code = _peak_rss_kib("--events", str(path), "-f", "json", "-o", "-", "-q")
    assert code == 0, err
    print(f"\n1 GiB line: peak RSS {peak / 1024:.0f} MiB (baseline {baseline / 1024:.0f} MiB)")
    limit_kib = reading.MAX_LINE_BYTES // 1024
    assert peak - baseline < 2 * limit_kib  # at most the line limit plus a read chunk


def test_a_1_gb_line_is_reported_as_skipped(tmp_path: Path) -> None:
    path = tmp_path / "events-host-1.jsonl"
    with open(path, "wb") as handle:
        handle.write(_header())
        handle.truncate(handle.tell() + 1024**3)
        handle.seek(0, os.SEEK_END)
        handle.write(b"\n" + encode(run_end(1_700_000_010.0)).encode())
    result = CliRunner().invoke(report, ["--events", str(path), "-f", "json", "-o", "-", "-q"])
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["pipeline"]["status"] == "success"
    limit = reading.MAX_LINE_BYTES // (1024 * 1024)
    assert any(f"longer than {limit} MiB" in w for w in data["warnings"])


def test_many_events_stream_in_bounded_memory(tmp_path: Path) -> None:
    """50 MB of valid events: memory follows the pipeline's size, not the log's."""
    path = tmp_path / "events-host-1.jsonl"
    log = EventLog().start(CHAIN)
    for _ in range(50):
        log.load("raw", "a").node("a").save("mid", "a")
    block = b"".join(encode(e).encode() for e in log.events[2:])
    with open(path, "wb") as handle:
        handle.write(b"".join(encode(e).encode() for e in log.events[:2]))
        while handle.tell() < 50 * 1024**2:
            handle.write(block * 20)
        handle.write(encode(run_end(log.t + 1)).encode())
    baseline, _err, _code = _peak_rss_kib("--help")
    peak, err, code = _peak_rss_kib("--events", str(path), "-f", "json", "-o", "-", "-q")
    assert code == 0, err
    print(f"\n50 MB of events: peak RSS {peak / 1024:.0f} MiB (baseline {baseline / 1024:.0f})")
    assert peak - baseline < 64 * 1024


@pytest.mark.parametrize("layout", ["jsonl", "viz"])
def test_a_10_mb_line_and_deep_nesting_are_handled(tmp_path: Path, layout: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    path = tmp_path / "events.in"
    if layout == "jsonl":
        lines = [encode(e) for e in EventLog().start(CHAIN).node("a").events]
        lines.insert(1, encode(warning(1.7e9, "x" * 10**7)))
        lines.insert(2, deep + "\n")
        lines.append('{"kind": "run_end", "t": 1700000009, "x": ' + deep + "}\n")
        path.write_text("".join(lines))
    else:
        path.write_text('[{"event": "before_pipeline_run", "x": ' + deep + "}]")
    result = CliRunner().invoke(report, ["--events", str(path), "-f", "json", "-o", "-", "-q"])
    assert result.exception is None or isinstance(result.exception, SystemExit)
    if layout == "jsonl":
        assert result.exit_code == 0
        data = json.loads(result.stdout)
        assert any("Skipped 2 unreadable line(s)" in w for w in data["warnings"])
        # the 10 MB warning message is kept: under the line limit, it is an event like any
        assert data["pipeline"]["status"] == "interrupted"
    else:
        assert result.exit_code == EXIT_BAD_INPUT
        assert result.stderr.startswith("Error: ") and "not valid JSON" in result.stderr


def test_a_huge_kedro_viz_file_is_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "kedro_pipeline_events.json"
    with open(path, "wb") as handle:
        handle.write(b'[{"event": "before_pipeline_run"}')
        handle.truncate(1024**3)  # sparse: costs nothing to make
    result = CliRunner().invoke(report, ["--events", str(path), "-f", "json", "-o", "-"])
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.stderr.startswith("Error: ") and "too large" in result.stderr
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("size", [0, 1, 5, 4096, 1024**2 - 1, 1024**2, 1024**2 + 1])
def test_iter_lines_cuts_exactly_at_the_limit(size: int) -> None:
    import io

    limit = 4096
    payload = b"a" * size + b"\n" + b"b\n" + b"c" * (limit + 1)
    got = list(reading.iter_lines(io.BytesIO(payload), limit))
    first = None if size + 1 > limit + 1 else b"a" * size + b"\n"
    assert got == [first, b"b\n", None]


def test_iter_lines_keeps_every_line_of_random_chunkings() -> None:
    import io

    rng = random.Random(7)
    lines = [b"x" * rng.randint(0, 3000) + b"\n" for _ in range(400)]
    old = reading.READ_CHUNK_BYTES
    try:
        for chunk in (1, 7, 1000, 4096):
            reading.READ_CHUNK_BYTES = chunk
            got = list(reading.iter_lines(io.BytesIO(b"".join(lines)), 2000))
            assert got == [line if len(line) <= 2001 else None for line in lines]
    finally:
        reading.READ_CHUNK_BYTES = old


# -- paths and symlinks -----------------------------------------------------------------------


def _invoke(*args: str) -> Any:
    return CliRunner().invoke(report, list(args), obj=None)


@pytest.mark.parametrize("run_id", ["../outside", "/etc", "..", "runs/../../x", "~"])
def test_run_ids_are_only_matched_never_used_as_paths(cwd: Path, run_id: str) -> None:
    record_run(cwd / "log", EventLog().start(CHAIN).end())
    outside = cwd / "outside"
    record_run(outside, EventLog().start(CHAIN).end(), "outside")
    result = _invoke("--events", str(cwd / "log"), "--run-id", run_id, "-f", "json", "-o", "-")
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.stderr.startswith("Error: No recorded run has the id")


def test_a_symlinked_run_directory_is_not_followed(cwd: Path) -> None:
    record_run(cwd / "log", EventLog().start(CHAIN).end(), "mine")
    elsewhere = record_run(cwd / "elsewhere", EventLog(t0=1.8e9).start(CHAIN).end(), "theirs")
    (cwd / "log" / "runs" / "theirs").symlink_to(elsewhere, target_is_directory=True)
    listed = _invoke("--events", str(cwd / "log"), "--list", "--json")
    assert [r["run_id"] for r in json.loads(listed.stdout)] == ["mine"]
    result = _invoke("--events", str(cwd / "log"), "--run-id", "theirs", "-f", "json", "-o", "-")
    assert result.exit_code == EXIT_BAD_INPUT
    latest = _invoke("--events", str(cwd / "log"), "-f", "json", "-o", "-", "-q")
    assert json.loads(latest.stdout)["pipeline"]["run_id"] == "mine"
    # pruning never deletes through the link
    assert runs.prune_runs(str(cwd / "log"), 1) == []
    assert (elsewhere / "run.json").exists()


def test_a_symlinked_events_file_is_not_read(cwd: Path) -> None:
    run = record_run(cwd / "log", EventLog().start(CHAIN).node("a").end())
    secret = cwd / "passwd"
    secret.write_text('{"kind": "warning", "t": 1700000000, "message": "root:x:0:0"}\n')
    (run / "events-evil-1.jsonl").symlink_to(secret)
    result = _invoke("--events", str(cwd / "log"), "-f", "json", "-o", "-", "-q")
    assert result.exit_code == 0
    assert "root:x:0:0" not in result.stdout
    assert any("symlinked events file" in w for w in json.loads(result.stdout)["warnings"])


def test_a_run_made_only_of_symlinked_events_is_refused(cwd: Path) -> None:
    run = record_run(cwd / "log", EventLog().start(CHAIN).end())
    (run / "events-host-1.jsonl").rename(cwd / "real.jsonl")
    (run / "events-host-1.jsonl").symlink_to(cwd / "real.jsonl")
    result = _invoke("--events", str(cwd / "log"), "-f", "json", "-o", "-")
    assert result.exit_code == EXIT_BAD_INPUT
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")


# -- output replaced only on success ----------------------------------------------------------


def test_a_reporter_failing_midway_keeps_the_previous_file(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_run(cwd / "log", EventLog().start(CHAIN).end())
    (cwd / "out.json").write_text("previous")
    from kedro_run_report.report import json_report

    def broken(*args: Any, **kwargs: Any) -> str:
        raise RuntimeError("reporter bug")

    monkeypatch.setattr(json_report, "render_json", broken)
    result = _invoke("--events", str(cwd / "log"), "-f", "json", "-o", "out.json")
    assert isinstance(result.exception, RuntimeError)
    assert (cwd / "out.json").read_text() == "previous"
    assert [p.name for p in cwd.iterdir() if p.name.endswith(".tmp")] == []


def test_a_write_failing_midway_keeps_the_previous_file(
    cwd: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    record_run(cwd / "log", EventLog().start(CHAIN).end())
    (cwd / "out.json").write_text("previous")
    real_open = open

    class HalfWriter:
        def __init__(self, handle: Any) -> None:
            self.handle = handle

        def __enter__(self) -> HalfWriter:
            return self

        def __exit__(self, *exc: Any) -> None:
            self.handle.close()

        def write(self, text: str) -> None:
            self.handle.write(text[: len(text) // 2])
            raise OSError(28, "No space left on device")

    def flaky_open(file: Any, mode: str = "r", *args: Any, **kwargs: Any) -> Any:
        handle = real_open(file, mode, *args, **kwargs)
        return HalfWriter(handle) if "w" in mode and str(file).endswith(".tmp") else handle

    monkeypatch.setattr("builtins.open", flaky_open)
    result = _invoke("--events", str(cwd / "log"), "-f", "json", "-o", "out.json")
    monkeypatch.undo()
    assert result.exit_code == EXIT_BAD_INPUT
    assert "No space left on device" in result.stderr
    assert (cwd / "out.json").read_text() == "previous"
    assert [p.name for p in cwd.iterdir() if p.name.endswith(".tmp")] == []
