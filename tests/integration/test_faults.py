"""Faults during a real ``kedro run``: Ctrl-C, a full disk, a vanished or read-only log, and
two runs at once. The user's run always keeps its own outcome; the recorder warns once.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.kedro_project import run_kedro, run_python
from helpers.kedro_runs import (
    ALL_NODES,
    node_statuses,
    start_kedro,
    status_of,
    viz_events,
    viz_structured,
    wait_for_node_start,
    wait_until_sleeping,
)

from kedro_run_report.report.load import read_record
from kedro_run_report.store.runs import list_runs

pytestmark = pytest.mark.integration

LOG_ROOT = Path(".viz") / "run-report"
WARNING = "kedro-run-report could not record this run"
SUCCESS_LINE = "Pipeline execution completed successfully"


def test_ctrl_c_records_an_interrupted_run(project: Path) -> None:
    proc = start_kedro(project, SLEEP_NODE="model.train", SLEEP_SECONDS="60")
    try:
        wait_for_node_start(project / LOG_ROOT, "model.train", proc)
        wait_until_sleeping(project, proc)
        proc.send_signal(signal.SIGINT)
        output, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode != 0  # Kedro's own outcome of Ctrl-C ("Aborted!", exit 1)
    assert WARNING not in output

    status = status_of(project)
    assert status.pipeline.status == "interrupted"
    assert status.pipeline.end is not None
    assert status.pipeline.error is not None
    assert status.pipeline.error.type == "KeyboardInterrupt"
    assert status.pipeline.error.message == "Run interrupted (KeyboardInterrupt)"
    assert "time.sleep" in status.pipeline.error.traceback  # where Ctrl-C stopped the run
    assert node_statuses(status) == {
        "prep.clean": "success",
        "prep.enrich": "success",
        "model.train": "interrupted",
        "model.score": "not_run",
        "summarise": "not_run",
    }
    manifest = list_runs(str(project / LOG_ROOT))[-1].manifest
    assert manifest["outcome"]["status"] == "interrupted"

    # Kedro-Viz has no "interrupted": it shows a pipeline error that says so.
    events = viz_events(project)
    assert events[-1]["event"] == "on_pipeline_error"
    assert events[-1]["error"] == "Run interrupted (KeyboardInterrupt)"
    structured = viz_structured(project)
    assert structured.pipeline.status == "failed"
    assert {n.status for n in structured.nodes.values()} == {"success"}

    result = run_kedro(project, "viz", "report", "-f", "html", "-o", "r.html", "-q")
    assert result.returncode == 0, result.stderr
    html = (project / "r.html").read_text()
    assert "Run execution interrupted" in html and "KeyboardInterrupt" in html


def _patched_kedro(prelude: str) -> str:
    """A ``kedro run`` whose process first executes ``prelude`` (to inject faults)."""
    return textwrap.dedent(prelude) + textwrap.dedent(
        """
        import sys
        from kedro.framework.cli import main
        sys.argv = ["kedro", "run"]
        main()
        """
    )


FULL_DISK_AFTER_BYTES = textwrap.dedent(
    """
    import errno
    from kedro_run_report.store import writer as store

    room = [3000]  # the events files' disk has 3000 bytes left

    def write_to_full_disk(fd, data):
        if len(data) > room[0]:
            raise OSError(errno.ENOSPC, "No space left on device")
        room[0] -= len(data)
        store.os.write(fd, data)

    store._write_all = write_to_full_disk
    """
)


@pytest.fixture
def tiny_tmpfs(tmp_path: Path) -> Iterator[Path]:
    """A 64 KiB tmpfs with two pages left free (needs root and mount; skipped otherwise)."""
    mount_point = tmp_path / f"tmpfs-{uuid.uuid4().hex[:6]}"
    mount_point.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount_point)],
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        (mount_point / "filler").write_bytes(b"\0" * (56 * 1024))
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


@pytest.mark.parametrize("how", ["tmpfs", "injected"])
@pytest.mark.parametrize("fail_node", ["", "model.train"], ids=["success", "node-fails"])
def test_a_full_disk_keeps_the_runs_outcome(
    project: Path, request: pytest.FixtureRequest, how: str, fail_node: str
) -> None:
    env = {"FAIL_NODE": fail_node} if fail_node else {}
    if how == "tmpfs":
        log_dir = request.getfixturevalue("tiny_tmpfs")
        result = run_kedro(project, "run", KEDRO_RUN_REPORT_DIR=str(log_dir), **env)
    else:
        result = run_python(project, "-c", _patched_kedro(FULL_DISK_AFTER_BYTES), **env)
    output = result.stdout + result.stderr
    assert output.count(WARNING) == 1, output[-3000:]
    assert "No space left on device" in output
    if fail_node:
        assert result.returncode != 0 and "boom in model.train" in output
    else:
        assert result.returncode == 0 and SUCCESS_LINE in output
    # The compat file lives elsewhere and is whole: the main process kept the run in memory.
    structured = viz_structured(project)
    expected = "failed" if fail_node else "success"
    assert structured.pipeline.status == expected
    succeeded = {n for n, s in structured.nodes.items() if s.status == "success"}
    assert len(succeeded) == (2 if fail_node else len(ALL_NODES))


def test_a_run_directory_deleted_mid_run(project: Path) -> None:
    proc = start_kedro(project, SLEEP_NODE="model.train", SLEEP_SECONDS="3")
    try:
        run_dir = wait_for_node_start(project / LOG_ROOT, "model.train", proc)
        shutil.rmtree(run_dir)
        output, _ = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, output[-3000:]
    assert SUCCESS_LINE in output
    assert output.count(WARNING) == 1 and "was deleted during the run" in output
    assert not run_dir.exists()  # not recreated half-empty
    assert {n.status for n in viz_structured(project).nodes.values()} == {"success"}


@pytest.mark.parametrize("where", ["read-only", "missing"])
def test_read_only_or_missing_log_directory(project: Path, tmp_path: Path, where: str) -> None:
    if where == "missing":
        log_dir = tmp_path / "not" / "there" / "yet"
        result = run_kedro(project, "run", KEDRO_RUN_REPORT_DIR=str(log_dir))
        assert result.returncode == 0, result.stderr
        assert WARNING not in result.stdout + result.stderr
        assert len(list_runs(str(log_dir))) == 1  # created on demand
        return
    log_dir = tmp_path / "ro"
    log_dir.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "ro,size=64k", "tmpfs", str(log_dir)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a read-only tmpfs here (as root, chmod does not stop writes)")
    try:
        result = run_kedro(project, "run", KEDRO_RUN_REPORT_DIR=str(log_dir))
    finally:
        subprocess.run(["umount", "-l", str(log_dir)], check=False)
    output = result.stdout + result.stderr
    assert result.returncode == 0 and SUCCESS_LINE in output
    assert output.count(WARNING) == 1 and "Read-only file system" in output


def test_two_runs_at_once_stay_apart(ran_project: Path) -> None:
    first = start_kedro(
        ran_project, "--nodes", "prep.clean", SLEEP_NODE="prep.clean", SLEEP_SECONDS="2"
    )
    second = start_kedro(
        ran_project, "--pipeline", "model", SLEEP_NODE="model.train", SLEEP_SECONDS="2"
    )
    outputs = [proc.communicate(timeout=120)[0] for proc in (first, second)]
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert all(WARNING not in out for out in outputs)
    runs = list_runs(str(ran_project / LOG_ROOT))[-2:]
    assert len({r.key for r in runs}) == 2
    seen = {}
    for record in runs:
        streams = list(Path(record.location).glob("events-*.jsonl"))
        assert len(streams) == 1  # each run holds its own process's stream only
        # Read each directory itself: Kedro 1.0's session ids are whole seconds, so the two
        # runs may share a run id (their directories still differ), and an id finds the newest.
        status = read_record(record)
        assert status.pipeline.status == "success"
        assert not status.warnings
        seen[frozenset(n.name for n in status.nodes.values())] = node_statuses(status)
    assert set(seen) == {
        frozenset({"prep.clean"}),
        frozenset({"model.train", "model.score", "summarise"}),
    }
    # The compat file is whole JSON and describes exactly one of the two runs.
    events = viz_events(ran_project)
    assert events[-1]["event"] == "after_pipeline_run"
    ran = frozenset(e["node"] for e in events if e["event"] == "after_node_run")
    assert ran in seen
    json.dumps(events)
