"""Redaction of every ``name: value`` form, of a project's credential values at read time,
and before a long message is cut (issue 13, item 6)."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from helpers.event_log import CHAIN, EventLog, record_run

from kedro_run_report.cli import report
from kedro_run_report.model import aggregate
from kedro_run_report.record.error_info import MAX_ERROR_CHARS, error_info
from kedro_run_report.redact import MASK, PATTERNS, Redactor, digests
from kedro_run_report.report.load import list_history, load_run_report, load_run_status
from kedro_run_report.settings import project_secret_values

SECRET = "s3cret-Value-77"  # noqa: S105 - a test value
CRED_VALUE = "PLANTED-credential-9x"  # noqa: S105 - a test value
CREDENTIALS_YML = f"db:\n  con: {CRED_VALUE}\n  port: 5432\n"

# -- item 6a: separators, quotes and case --------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("password: s3cret", "password: ***"),
        ("FATAL: PASSWORD: s3cret for user bob", "FATAL: PASSWORD: *** for user bob"),
        ('Password => "x y"', 'Password => "***"'),
        ("password => s3cret", "password => ***"),
        ("api_key='x'", "api_key='***'"),
        ('api_key="x"', 'api_key="***"'),
        ("token = x", "token = ***"),
        ("Token:abc", "Token:***"),
        ("{password: s3cret, user: bob}", "{password: ***, user: bob}"),
        ("{'Secret' => 'a b', 'n' => 1}", "{'Secret' => '***', 'n' => 1}"),
        ('"db_password" : "hunter22"', '"db_password" : "***"'),
        ("password='unclosed", "password=***"),
        # a name that is not secret consumes nothing: the pair after it is still found
        ("DatabaseError:password=abc==", "DatabaseError:password=***"),
        ("user=bob:password=x", "user=bob:password=***"),
        ("s3://key:wJalr@bucket/x", "s3://key:***@bucket/x"),
        ("?key=ABC123&page=2", "?key=***&page=2"),
    ],
)
def test_every_separator_quote_and_case_is_masked(text: str, expected: str) -> None:
    assert PATTERNS.text(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "key: value",
        "duplicate key: id",
        "Missing key: 'filepath'",
        "KeyError: 'thing'",
        "author: ann, monkey: 3, keyboard: us",
        "passwords: many",
        "if token == expected:",
        "password:\n  File 'x.py', line 3",
        "https://example.com/a:b/c",
        "time 12:30:45, ratio 1:2",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert PATTERNS.text(text) == text


def test_the_hook_masks_a_colon_password_in_a_driver_error() -> None:
    error = ConnectionError(f'connection to "db" failed: FATAL: password: {SECRET} rejected')
    info = error_info(error)
    assert SECRET not in info["message"] and SECRET not in info["traceback"]
    assert "password: ***" in info["message"]


def test_the_reader_masks_a_colon_password_in_an_old_log() -> None:
    log = EventLog().start(CHAIN).node_fails("a", message=f"Password => '{SECRET}'")
    log.error(message=f"PASSWORD: {SECRET}")
    assert SECRET not in json.dumps(aggregate(log.events).to_dict())


@pytest.mark.parametrize(
    "text",
    [
        "password:" * 200_000,
        "password: '" * 200_000,
        "token=x " * 200_000,
        "KeyError:" * 200_000,
        "a:" * 500_000,
        "password: '" + "a" * 1_000_000,
        ("x" * 70 + "=") * 20_000 + "password",
    ],
    ids=["names", "open-quotes", "pairs", "non-secret", "short", "unclosed", "long-names"],
)
def test_pair_masking_stays_linear_on_megabytes(text: str) -> None:
    # A quadratic pattern would take minutes here; linear takes well under a second.
    out = PATTERNS.text(text)
    assert len(out) <= len(text) + len(text) // 2


# -- item 6c: redact, then cut ---------------------------------------------------------------


@pytest.mark.parametrize("hashed", [False, True], ids=["values", "digests"])
def test_a_secret_spanning_the_cut_leaves_no_prefix(hashed: bool) -> None:
    redactor = (
        Redactor(hashed=digests([CRED_VALUE], "salt"), salt="salt")
        if hashed
        else Redactor([CRED_VALUE])
    )
    half = MAX_ERROR_CHARS // 2
    # the secret starts 8 characters before the middle cut and ends after it
    message = "x " * ((half - 9) // 2) + "x " + CRED_VALUE + " " + "y " * MAX_ERROR_CHARS
    assert message.index(CRED_VALUE) < half < message.index(CRED_VALUE) + len(CRED_VALUE)
    info = error_info(ValueError(message), redactor)
    for field in ("message", "traceback"):
        assert CRED_VALUE[:6] not in info[field], field
        assert "characters cut" in info[field]
        assert len(info[field]) < MAX_ERROR_CHARS + 100


# -- item 6b: the project's credential values, at read time -----------------------------------


def _project(tmp_path: Path) -> Path:
    conf = tmp_path / "conf"
    (conf / "base").mkdir(parents=True)
    (conf / "local").mkdir()
    (conf / "base" / "credentials.yml").write_text(CREDENTIALS_YML)
    return tmp_path


def _kedro_viz_file(project: Path) -> Path:
    """A Kedro-Viz events file as Kedro-Viz's own hook writes it: nothing redacted."""
    path = project / ".viz" / "kedro_pipeline_events.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    leak = f"could not open data/{CRED_VALUE}.csv"
    events = [
        {"event": "before_pipeline_run", "timestamp": "2024-05-01T12:00:00"},
        {"event": "on_node_error", "node": "a", "node_id": "n1", "error": leak,
         "traceback": f"Traceback...\nDatasetError: {leak}\n",
         "timestamp": "2024-05-01T12:00:01"},
        {"event": "on_pipeline_error", "error": leak, "traceback": leak,
         "timestamp": "2024-05-01T12:00:02"},
    ]  # fmt: skip
    path.write_text(json.dumps(events))
    return path


def test_project_secret_values_reads_every_credential(tmp_path: Path) -> None:
    assert project_secret_values(_project(tmp_path)) == {CRED_VALUE, "5432"}
    assert project_secret_values(None) == set()
    assert project_secret_values(tmp_path / "nowhere") == set()


def test_a_kedro_viz_file_in_a_project_is_masked_with_its_credentials(tmp_path: Path) -> None:
    project = _project(tmp_path)
    viz = str(_kedro_viz_file(project))
    status = load_run_status(project_path=project, events=viz)
    assert status.pipeline.status == "failed"
    assert CRED_VALUE not in json.dumps(status.to_dict())
    assert MASK in status.pipeline.error.message  # type: ignore[union-attr]
    report_ = load_run_report(project_path=project, events=viz)
    assert CRED_VALUE not in json.dumps(report_.status.to_dict())


def test_our_own_older_log_is_masked_with_credentials_added_since(tmp_path: Path) -> None:
    project = _project(tmp_path)
    root = project / ".viz" / "run-report"
    old = EventLog().start(CHAIN).node_fails("a", message=f"no access with {CRED_VALUE}")
    record_run(root, old.error(message=f"no access with {CRED_VALUE}"), "run-1")
    new = EventLog(t0=1_700_000_100.0).start(CHAIN).warning(f"retry with {CRED_VALUE}")
    record_run(root, new.node("a").end(), "run-2")
    run = load_run_report(project_path=project)
    assert CRED_VALUE not in json.dumps(run.status.to_dict())
    assert any(MASK in w for w in run.status.warnings)
    assert CRED_VALUE not in repr(run.history) + repr(run.comparison)
    old_run = load_run_report(project_path=project, run_id="run-1")
    assert CRED_VALUE not in json.dumps(old_run.status.to_dict())
    assert CRED_VALUE not in repr(list_history(project_path=project))


@pytest.mark.parametrize("fmt", ["json", "markdown", "junit", "html", "email"])
def test_no_format_shows_a_credential_from_a_kedro_viz_file(
    tmp_path: Path, fmt: str, stub_layout: object
) -> None:
    project = _project(tmp_path)
    viz = str(_kedro_viz_file(project))
    result = CliRunner().invoke(
        report,
        ["--events", viz, "-f", fmt, "-o", "-"],
        obj=SimpleNamespace(project_path=str(project)),
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.strip()
    assert CRED_VALUE not in result.stdout and CRED_VALUE not in result.stderr
