"""Fingerprints: what the hook records of a run's code, parameters, environment and raw inputs,
and how the model reads it back (tolerantly, with secrets kept out)."""

from __future__ import annotations

import importlib.metadata
import json
import os
import subprocess
from pathlib import Path
from typing import Any

import pytest
from helpers.event_log import CHAIN, EventLog
from kedro.io import DataCatalog, MemoryDataset
from kedro.pipeline import node, pipeline
from kedro_datasets.pandas import CSVDataset

from kedro_run_report import events
from kedro_run_report.analysis import compare
from kedro_run_report.model import aggregate
from kedro_run_report.record import fingerprint as fp
from kedro_run_report.record.hook import RunReportHook
from kedro_run_report.redact import PATTERNS, Redactor
from kedro_run_report.report.formats import REPORTERS, RenderOptions
from kedro_run_report.report.load import load_run_status
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.settings import ACTIVE_RUN

GIT = ["git", "-c", "user.name=T", "-c", "user.email=t@example.invalid"]


def _git(where: Path, *args: str) -> None:
    subprocess.run([*GIT, *args], cwd=where, check=True, capture_output=True)


# -- code -----------------------------------------------------------------------------------


def test_git_state_reads_the_commit_and_whether_the_tree_is_dirty(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("one")
    _git(tmp_path, "init", "-q")
    assert fp.git_state(str(tmp_path)) == {"commit": None, "dirty": True}  # nothing committed
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-q", "-m", "one")
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=tmp_path, capture_output=True, text=True, check=True
    ).stdout.strip()
    assert fp.git_state(str(tmp_path)) == {"commit": head, "dirty": False}
    (tmp_path / "a.txt").write_text("two")
    assert fp.git_state(str(tmp_path)) == {"commit": head, "dirty": True}


def test_git_state_is_none_outside_a_checkout(tmp_path: Path) -> None:
    outside = tmp_path / "plain"
    outside.mkdir()
    env_ceiling = os.environ.get("GIT_CEILING_DIRECTORIES")
    os.environ["GIT_CEILING_DIRECTORIES"] = str(tmp_path)
    try:
        assert fp.git_state(str(outside)) is None
    finally:
        if env_ceiling is None:
            del os.environ["GIT_CEILING_DIRECTORIES"]
        else:
            os.environ["GIT_CEILING_DIRECTORIES"] = env_ceiling
    assert fp.git_state(str(tmp_path / "missing")) is None
    assert fp.git_state(None) is None


# -- parameters -----------------------------------------------------------------------------


def test_parameters_are_redacted_and_digested_per_key() -> None:
    facts = fp.param_facts(
        {"alpha": 0.5, "db": {"password": "hunter22", "host": "h"}, "api_token": "t0k3n-value"},
        Redactor(["s3cr3t-credential"]),
    )
    keys = facts["keys"]
    assert set(keys) == {"alpha", "db.password", "db.host", "api_token"}
    assert keys["alpha"]["value"] == "0.5" and keys["db.host"]["value"] == '"h"'
    assert keys["db.password"]["value"] == "***" and keys["api_token"]["value"] == "***"
    text = json.dumps(facts)
    assert "hunter22" not in text and "t0k3n-value" not in text
    # a change of any value changes its digest and the overall digest, secrets included
    again = fp.param_facts(
        {"alpha": 0.5, "db": {"password": "hunter23", "host": "h"}, "api_token": "t0k3n-value"},
        PATTERNS,
    )
    assert again["keys"]["db.password"]["digest"] != keys["db.password"]["digest"]
    assert again["keys"]["alpha"]["digest"] == keys["alpha"]["digest"]
    assert again["digest"] != facts["digest"]


def test_a_known_credential_in_a_plain_parameter_is_masked() -> None:
    facts = fp.param_facts(
        {"url": "https://x/?q=s3cr3t-credential"}, Redactor(["s3cr3t-credential"])
    )
    assert "s3cr3t-credential" not in json.dumps(facts)


def test_hostile_parameters_are_bounded_and_never_raise() -> None:
    class Odd:
        def __repr__(self) -> str:
            return "<odd>"

    deep: dict[str, Any] = {}
    cursor = deep
    for _ in range(100):
        cursor["d"] = {}
        cursor = cursor["d"]
    params = {
        1: "int key",
        (2, 3): "tuple key",
        None: Odd(),
        "huge": "x" * 1_000_000,
        "deep": deep,
        "many": {f"k{i}": i for i in range(5000)},
        "list": list(range(100_000)),
    }
    facts = fp.param_facts(params, PATTERNS)
    assert facts["truncated"] is True
    assert len(facts["keys"]) == fp.MAX_PARAM_KEYS
    assert facts["keys"]["1"]["value"] == '"int key"'
    assert len(facts["keys"]["huge"]["value"]) == fp.MAX_SHOWN_CHARS
    assert len(json.dumps(facts)) < 200_000
    # the model reads it back, bounded, and a report renders it
    log = EventLog().start(CHAIN)
    log._append(events.fingerprint(log.t, code=None, params=facts, environment=None, inputs=None))
    status = aggregate(log.end().events)
    assert status.fingerprint is not None and len(status.fingerprint.params) == 1000


def test_malformed_fingerprint_events_are_read_as_unknown_parts() -> None:
    log = EventLog().start(CHAIN)
    for bad in (
        {"code": "yes", "params": [1], "environment": 7, "inputs": "x"},
        {"code": {"commit": "$(rm -rf /)", "dirty": "no"}, "params": {"keys": {"k": 5}}},
        {"inputs": {"raw": {"size": -1, "mtime": "soon"}}, "environment": {"packages": [1]}},
    ):
        log._append({"kind": "fingerprint", "t": log.t, **bad})
        status = aggregate(log.events)
        assert status.fingerprint is not None
        assert status.fingerprint.commit is None
        json.dumps(status.to_dict())
    assert status.fingerprint.inputs == {"raw": fp_input(None, None)}


def fp_input(size: int | None, mtime: float | None) -> Any:
    from kedro_run_report.model.fingerprint import InputFact

    return InputFact(size, mtime)


def test_secrets_in_a_hand_edited_log_are_redacted_on_reading() -> None:
    facts = fp.param_facts({"url": "postgresql://u:pa55word@db/x"}, PATTERNS)
    facts["keys"]["url"]["value"] = "postgresql://u:pa55word@db/x"  # written unredacted
    log = EventLog().start(CHAIN)
    log._append(events.fingerprint(log.t, code=None, params=facts, environment=None, inputs=None))
    status = aggregate(log.end().events)
    assert "pa55word" not in json.dumps(status.to_dict())


# -- environment ----------------------------------------------------------------------------


def test_installed_packages_match_importlib_metadata() -> None:
    packages = fp.installed_packages()
    assert packages["kedro"] == importlib.metadata.version("kedro")
    assert packages["kedro-run-report"] == importlib.metadata.version("kedro-run-report")
    env = fp.environment()
    assert env["kedro"] == importlib.metadata.version("kedro")
    assert env["digest"] == fp.short_digest(json.dumps(packages, sort_keys=True))


# -- raw inputs -----------------------------------------------------------------------------


def _identity(x: Any) -> Any:
    return x


def test_raw_inputs_get_size_and_mtime_and_a_missing_file_is_left_out(tmp_path: Path) -> None:
    (tmp_path / "raw.csv").write_text("a\n1\n2\n")
    os.utime(tmp_path / "raw.csv", (1_700_000_000, 1_700_000_000))
    catalog = DataCatalog(
        datasets={
            "raw": CSVDataset(filepath=str(tmp_path / "raw.csv")),
            "gone": CSVDataset(filepath=str(tmp_path / "gone.csv")),
            "mem": MemoryDataset(1),
        }
    )
    pipe = pipeline(
        [
            node(_identity, "raw", "mid", name="a"),
            node(lambda x, y, z, p: x, ["mid", "gone", "mem", "params:k"], "out", name="b"),
        ]
    )
    assert fp.raw_inputs(pipe) == ["gone", "mem", "raw"]
    datasets = fp.raw_input_datasets(pipe, catalog)
    assert sorted(datasets) == ["gone", "raw"]  # "mem" is not file-backed; "gone" has no file
    assert fp.inputs(datasets, "all") == {"raw": {"size": 6, "mtime": 1_700_000_000.0}}
    assert fp.inputs(datasets, "off") == {}


# -- the hook -------------------------------------------------------------------------------


def test_the_hook_records_one_fingerprint_and_a_manifest_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KEDRO_RUN_REPORT_DIR", str(tmp_path / "log"))
    monkeypatch.delenv(ACTIVE_RUN.name, raising=False)
    (tmp_path / "raw.csv").write_text("a\n1\n2\n")
    catalog = DataCatalog(
        datasets={
            "raw": CSVDataset(filepath=str(tmp_path / "raw.csv")),
            "parameters": MemoryDataset({"k": 3, "password": "hunter22"}),
        }
    )
    pipe = pipeline([node(_identity, "raw", "out", name="a")])
    hook = RunReportHook()
    hook.after_catalog_created(catalog)
    hook.before_pipeline_run({"run_id": "r1", "project_path": str(tmp_path)}, pipe, catalog)
    hook.after_pipeline_run()
    status = load_run_status(events=str(tmp_path / "log"))
    found = status.fingerprint
    assert found is not None
    assert found.code_known is False  # tmp_path is no git checkout
    assert {k: f.shown for k, f in found.params.items()} == {"k": "3", "password": "***"}
    assert found.inputs is not None and found.inputs["raw"].size == 6
    assert found.kedro == importlib.metadata.version("kedro")
    (manifest,) = (tmp_path / "log").glob("runs/*/run.json")
    summary = json.loads(manifest.read_text())["fingerprint"]
    assert summary["params"] == found.params_digest and summary["inputs"]
    assert "hunter22" not in "".join(p.read_text() for p in (tmp_path / "log").rglob("*.*"))


def test_reports_show_the_causes(tmp_path: Path) -> None:
    def run(run_id: str, k: int) -> Any:
        log = EventLog(run_id=run_id).start(CHAIN).fingerprint(params={"k": k})
        return aggregate(log.end().events)

    current, previous = run("r2", 2), run("r1", 1)
    report = RunReport(current, compare(current, previous))
    options = RenderOptions()
    line = "parameters changed: k 1 -> 2"
    for fmt, expected in (
        ("json", line),
        ("markdown", "parameters changed: k 1 -&gt; 2"),
        ("email", "parameters changed: k 1 -&gt; 2"),
        ("html", "parameters changed: k 1 -&gt; 2"),
    ):
        text = REPORTERS[fmt].render(report, options).text
        assert expected in text, fmt
    from kedro_run_report.report.summary import what_changed
    from kedro_run_report.report.terminal import render_terminal

    text = render_terminal(current, color=False, changed=what_changed(report.comparison))
    assert "What changed since run r1:" in text and line in text
