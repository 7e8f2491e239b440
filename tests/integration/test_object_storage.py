"""Event logs on object storage and run groups, against a real S3 server on 127.0.0.1.

moto's standalone server speaks the S3 protocol; s3fs is the client, as a user would have it.
Several `kedro run --nodes ...` processes (an orchestrator's tasks) run in parallel under one
KEDRO_RUN_REPORT_GROUP, one of them is killed, and the group report shows each node's status.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.kedro_project import kedro_env, run_kedro
from helpers.kedro_runs import start_kedro
from helpers.s3_server import moto_server

pytestmark = pytest.mark.integration

BUCKET = "kedro-runs"


@pytest.fixture(scope="module")
def s3() -> Iterator[dict[str, str]]:
    """A moto S3 server on loopback, with one bucket; yields the client environment."""
    with moto_server(BUCKET) as env:
        yield env


def _objects(env: dict[str, str], prefix: str) -> list[str]:
    code = (
        "import fsspec, sys\n"
        f"print('\\n'.join(fsspec.filesystem('s3').find({f'{BUCKET}/{prefix}'!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=kedro_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.split()


def test_parallel_tasks_of_one_group_on_s3(ran_project: Path, s3: dict[str, str]) -> None:
    log = f"s3://{BUCKET}/toy-logs"
    env = {**s3, "KEDRO_RUN_REPORT_DIR": log, "KEDRO_RUN_REPORT_GROUP": "airflow__run_42"}
    tasks = [
        start_kedro(ran_project, "--nodes", "prep.clean,prep.enrich", **env),
        start_kedro(ran_project, "--nodes", "model.train", **env),
        start_kedro(ran_project, "--nodes", "model.score", FAIL_NODE="model.score", **env),
        start_kedro(ran_project, "--nodes", "summarise", SLEEP_NODE="summarise", **env),
    ]
    sleeper = tasks[-1]
    try:
        for task in tasks[:3]:
            task.wait(timeout=180)
        assert [t.returncode for t in tasks[:3]] == [0, 0, 1], [t.stdout.read() for t in tasks[:3]]
        # Kill the sleeping task once its node start has reached the bucket (batches are
        # pushed when 5 s old), as an orchestrator's timeout or a lost machine would.
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            streams = [o for o in _objects(env, "toy-logs/runs") if o.endswith(".jsonl")]
            if len(streams) >= 4 and _sleeper_started(env, streams):
                break
            time.sleep(1)
        else:
            pytest.fail("the sleeping task's start never reached the bucket")
        sleeper.send_signal(signal.SIGKILL)
        sleeper.wait(timeout=30)
    finally:
        for task in tasks:
            if task.poll() is None:
                task.kill()

    # Every flush is a new object: no stream file was ever appended to or overwritten.
    objects = _objects(env, "toy-logs/runs")
    assert all(o.rsplit("/", 1)[-1].startswith(("events-", "run.json")) for o in objects)

    result = run_kedro(
        ran_project,
        "viz",
        "report",
        "--group",
        "airflow__run_42",
        "-f",
        "json",
        "-o",
        "group.json",
        "-q",
        **env,
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((ran_project / "group.json").read_text())
    statuses = {n["name"]: n["status"] for n in data["nodes"].values()}
    assert statuses == {
        "prep.clean": "success",
        "prep.enrich": "success",
        "model.train": "success",
        "model.score": "failed",
        "summarise": "interrupted",
    }
    assert data["pipeline"]["status"] == "failed"
    assert data["pipeline"]["run_id"] == "airflow__run_42"
    assert len(data["parts"]) == 4
    workers = {n["worker"]["pid"] for n in data["nodes"].values() if n["worker"]}
    assert len(workers) == 4  # one process per task

    # The standalone command reads the same group straight from the bucket.
    standalone = subprocess.run(
        [
            str(Path(sys.executable).parent / "kedro-run-report"),
            "--events",
            log,
            "--group",
            "airflow__run_42",
            "-o",
            "-",
            "-f",
            "json",
            "-q",
        ],
        cwd=ran_project.parent,
        env=kedro_env(**s3),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert standalone.returncode == 0, standalone.stderr
    assert json.loads(standalone.stdout)["pipeline"]["status"] == "failed"


def _sleeper_started(env: dict[str, str], streams: list[str]) -> bool:
    code = (
        "import fsspec, sys\n"
        "for path in sys.argv[1:]:\n"
        "    text = fsspec.open('s3://' + path, 'r').open().read()\n"
        '    if \'"node_start"\' in text and \'"node":"summarise"\' in text:\n'
        "        print('yes')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *streams],
        env=kedro_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return "yes" in done.stdout


def test_a_local_group_needs_no_object_storage(ran_project: Path) -> None:
    env = {"KEDRO_RUN_REPORT_GROUP": "local-group"}
    assert run_kedro(ran_project, "run", "--nodes", "model.train", **env).returncode == 0
    assert run_kedro(ran_project, "run", "--nodes", "model.score", **env).returncode == 0
    result = run_kedro(
        ran_project, "viz", "report", "--group", "local-group", "-f", "json", "-o", "g.json", "-q"
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((ran_project / "g.json").read_text())
    statuses = {n["name"]: n["status"] for n in data["nodes"].values()}
    assert statuses["model.train"] == statuses["model.score"] == "success"
    assert statuses["prep.clean"] == "not_run"  # part of the pipeline no task ran
    assert data["pipeline"]["status"] == "incomplete"
    missing = run_kedro(ran_project, "viz", "report", "--group", "nope", "-f", "json")
    assert (
        missing.returncode == 2 and "No recorded run belongs to the group 'nope'" in missing.stderr
    )


def test_a_named_credentials_entry_opens_the_log(project: Path, s3: dict[str, str]) -> None:
    """No AWS variables at all: the key comes from the project's credentials.yml entry."""
    (project / "conf" / "local" / "credentials.yml").write_text(
        "run_log_storage:\n"
        f"  key: {s3['AWS_ACCESS_KEY_ID']}\n"
        f"  secret: {s3['AWS_SECRET_ACCESS_KEY']}\n"
        "  client_kwargs:\n"
        f"    endpoint_url: {s3['AWS_ENDPOINT_URL']}\n"
        "    region_name: us-east-1\n"
    )
    env = {
        "KEDRO_RUN_REPORT_DIR": f"s3://{BUCKET}/with-credentials",
        "KEDRO_RUN_REPORT_CREDENTIALS": "run_log_storage",
    }
    result = run_kedro(project, "run", **env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "could not record" not in result.stdout + result.stderr
    assert [o for o in _objects(s3, "with-credentials/runs") if o.endswith(".jsonl")]
    report = run_kedro(project, "viz", "report", "-f", "json", "-o", "s.json", "-q", **env)
    assert report.returncode == 0, report.stderr
    assert json.loads((project / "s.json").read_text())["pipeline"]["status"] == "success"


def test_a_zipped_ci_artifact_on_s3_is_reported(
    ran_project: Path, tmp_path: Path, s3: dict[str, str]
) -> None:
    """The .viz folder zipped as GitHub Actions hands it out, kept in a bucket."""
    import boto3

    artifact = tmp_path / "artifact.zip"
    with zipfile.ZipFile(artifact, "w", zipfile.ZIP_DEFLATED) as zipped:
        for file in sorted((ran_project / ".viz").rglob("*")):
            if file.is_file():
                zipped.write(file, file.relative_to(ran_project / ".viz").as_posix())
    client = boto3.client(
        "s3",
        endpoint_url=s3["AWS_ENDPOINT_URL"],
        region_name="us-east-1",
        aws_access_key_id=s3["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=s3["AWS_SECRET_ACCESS_KEY"],
    )
    client.put_object(Bucket=BUCKET, Key="ci/1234/artifact.zip", Body=artifact.read_bytes())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "kedro-run-report"),
            "--events",
            f"s3://{BUCKET}/ci/1234/artifact.zip",
            "-f",
            "json",
            "-o",
            "-",
            "-q",
        ],
        cwd=elsewhere,
        env=kedro_env(**s3),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    statuses = {n["name"]: n["status"] for n in json.loads(result.stdout)["nodes"].values()}
    assert statuses == dict.fromkeys(
        ["prep.clean", "prep.enrich", "model.train", "model.score", "summarise"], "success"
    )
