"""Planted secrets never reach the event log, the Kedro-Viz file or any report format.

Each run plants secrets where they really turn up: a credentials.yml value inside a
dataset's description (its file path) that fails to load, a credentials value and a
password URL and query string in a node's error message, and secret-named runtime
parameters. SequentialRunner and a spawned ParallelRunner (whose workers only get digests
of the credentials) are both checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.kedro_project import run_kedro

pytestmark = pytest.mark.integration

CRED_TOKEN = "PLANTED-cred-token-2a"  # noqa: S105 - a test value
CRED_DB_PASSWORD = "PLANTED-cred-dbpw-1b"  # noqa: S105 - a test value
URL_PASSWORD = "PLANTED-url-pw-3c"  # noqa: S105 - a test value
QUERY_PASSWORD = "PLANTED-query-pw-4d"  # noqa: S105 - a test value
QUERY_TOKEN = "PLANTED-query-token-5e"  # noqa: S105 - a test value
PARAM_PASSWORD = "PLANTED-param-pw-6f"  # noqa: S105 - a test value
PARAM_TOKEN = "PLANTED-param-token-7g"  # noqa: S105 - a test value

CREDENTIALS_YML = f"""
db_creds:
  con: postgresql://scott:{CRED_DB_PASSWORD}@db.example/prod
api_creds:
  token: {CRED_TOKEN}
"""
NODE_MESSAGE = (
    f"cannot reach the API with token {CRED_TOKEN} via "
    f"postgresql://scott:{URL_PASSWORD}@db.example/prod "
    f"(https://api.example/v1?password={QUERY_PASSWORD}&token={QUERY_TOKEN}&page=2)"
)
RUNTIME_PARAMS = f"db.password={PARAM_PASSWORD},api_token={PARAM_TOKEN}"

SCENARIOS = {
    # raw_orders points at a missing file whose name holds a credential: a DatasetError
    # quoting the dataset's description (file path included).
    "dataset-error": ({}, True),
    "node-error": ({"FAIL_NODE": "model.train", "FAIL_MESSAGE": NODE_MESSAGE}, False),
}
RUNNERS = {
    "sequential": ([], {}),
    "parallel-spawn": (["--runner", "ParallelRunner"], {"KEDRO_MP_CONTEXT": "spawn"}),
}
FORMATS = ["html", "json", "junit", "markdown", "email", "otlp"]
#: Secret placements per run: credentials (2 values), URL password, query password and
#: token, runtime parameters (2).
PLANTED = [
    CRED_TOKEN,
    CRED_DB_PASSWORD,
    URL_PASSWORD,
    QUERY_PASSWORD,
    QUERY_TOKEN,
    PARAM_PASSWORD,
    PARAM_TOKEN,
]


def _plant(project: Path, missing_input: bool) -> None:
    (project / "conf" / "local" / "credentials.yml").write_text(CREDENTIALS_YML)
    if missing_input:
        catalog = project / "conf" / "base" / "catalog.yml"
        catalog.write_text(
            catalog.read_text().replace(
                "filepath: data/01_raw/orders.csv",
                f"filepath: data/01_raw/orders-{CRED_TOKEN}.csv",
            )
        )


def _everything_written(project: Path, outdir: Path, terminal: str) -> dict[str, str]:
    """Every place a secret could leak to, by name."""
    places = {f"report {p.name}": p.read_text() for p in outdir.iterdir()}
    places["terminal summary"] = terminal
    places["kedro_pipeline_events.json"] = (
        project / ".viz" / "kedro_pipeline_events.json"
    ).read_text()
    for path in (project / ".viz" / "run-report").rglob("*"):
        if path.is_file():
            places[f"log {path.name}"] = path.read_text()
    return places


@pytest.mark.parametrize("runner", list(RUNNERS))
@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_no_secret_reaches_any_output(project: Path, runner: str, scenario: str) -> None:
    env, missing_input = SCENARIOS[scenario]
    args, runner_env = RUNNERS[runner]
    _plant(project, missing_input)
    result = run_kedro(project, "run", *args, "--params", RUNTIME_PARAMS, **env, **runner_env)
    assert result.returncode != 0
    run_output = result.stdout + result.stderr
    assert "could not record this run" not in run_output

    outdir = project / "reports"
    outdir.mkdir()
    fmt_args = [arg for fmt in FORMATS for arg in ("-f", fmt)]
    report = run_kedro(project, "viz", "report", *fmt_args, "-o", f"{outdir}/")
    assert report.returncode == 0, report.stderr
    places = _everything_written(project, outdir, report.stdout + report.stderr)
    assert len(places) >= len(FORMATS) + 4

    leaks = [
        (secret, where) for secret in PLANTED for where, text in places.items() if secret in text
    ]
    assert leaks == []
    # ... and the errors are still there, masked rather than dropped.
    status_json = places["report run-status.json"]
    assert "***" in status_json
    assert '"password": "***"' in status_json and '"api_token": "***"' in status_json
    if scenario == "node-error":
        assert "cannot reach the API with token ***" in status_json
        assert "postgresql://scott:***@db.example/prod" in status_json
    else:
        assert "orders-***.csv" in status_json
