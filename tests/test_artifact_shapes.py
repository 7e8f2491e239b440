"""``--events`` in every shape a CI artifact has, as a path, a zip archive or an fsspec URL.

A project after CI holds ``.viz/run-report`` (our log: a failed run "first", then a
successful run "second") and Kedro-Viz's ``.viz/kedro_pipeline_events.json`` (a third run,
failed at node c). Users may point ``--events`` at any level of that tree, or at a zip of
it as GitHub Actions hands it out, with or without its top folder.
"""

from __future__ import annotations

import json
import os
import stat
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path

import fsspec
import pytest
from click.testing import CliRunner
from helpers.event_log import CHAIN, T0, EventLog, record_run

from kedro_run_report.cli import EXIT_BAD_INPUT, report
from kedro_run_report.model import RunStatus, aggregate
from kedro_run_report.report.load import load_run_status
from kedro_run_report.store import archive
from kedro_run_report.store.viz_events import to_viz_events


def _failed_at(node: str, t0: float, run_id: str) -> EventLog:
    log = EventLog(t0, run_id=run_id).start(CHAIN).load("raw", "a").node("a")
    log.save("mid", "a").load("mid", "b")
    if node == "b":
        return log.node_fails("b").error()
    return log.node("b").save("out", "b").load("out", "c").node_fails("c").error()


def _succeeded(t0: float, run_id: str) -> EventLog:
    log = EventLog(t0, run_id=run_id).start(CHAIN).load("raw", "a").node("a").save("mid", "a")
    log.load("mid", "b").node("b").save("out", "b").load("out", "c").node("c")
    return log.save("final", "c").end()


def _outcome(status: RunStatus) -> tuple[str, list[str]]:
    """Which run was read: its status and its failed nodes."""
    failed = sorted(n.name for n in status.nodes.values() if n.status == "failed")
    return status.pipeline.status, failed


LATEST = ("success", [])  # the log's latest run, "second"
FIRST = ("failed", ["b"])  # the log's first run, read from its directory or its file
VIZ = ("failed", ["c"])  # Kedro-Viz's file


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A project root as CI leaves it (plus a data file a zipped project would carry)."""
    root = tmp_path / "project"
    log = root / ".viz" / "run-report"
    record_run(log, _failed_at("b", T0, "first"), run_id="first")
    record_run(log, _succeeded(T0 + 100, "second"), run_id="second")
    viz = aggregate(_failed_at("c", T0 + 200, "viz").events)
    (root / ".viz" / "kedro_pipeline_events.json").write_text(json.dumps(to_viz_events(viz)))
    (root / "pyproject.toml").write_text('[tool.kedro]\npackage_name = "p"\n')
    (root / "data").mkdir()
    (root / "data" / "orders.csv").write_text("id\n1\n")
    return root


SHAPES = {
    "project root": (lambda p: p, LATEST),
    ".viz directory": (lambda p: p / ".viz", LATEST),
    "log directory": (lambda p: p / ".viz" / "run-report", LATEST),
    "run directory": (lambda p: p / ".viz" / "run-report" / "runs" / "first", FIRST),
    "events file": (
        lambda p: p / ".viz" / "run-report" / "runs" / "first" / "events-host-1.jsonl",
        FIRST,
    ),
    "Kedro-Viz file": (lambda p: p / ".viz" / "kedro_pipeline_events.json", VIZ),
}


def zip_of(path: Path, target: Path, *, top: str | None = None) -> Path:
    """``path`` zipped as an artifact download: its contents, or under the folder ``top``."""
    prefix = f"{top}/" if top else ""
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zipped:
        if path.is_file():
            zipped.write(path, prefix + path.name)
        for file in sorted(path.rglob("*")) if path.is_dir() else []:
            if file.is_file():
                zipped.write(file, prefix + file.relative_to(path).as_posix())
    return target


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Archives unpack here (not in the system's temporary directory), each test afresh."""
    directory = tmp_path / "unpacked"
    directory.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(directory))
    monkeypatch.setattr(archive, "_UNPACKED", {})
    return directory


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(report, list(args), obj=None)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("packing", ["as is", "zip", "zip with its top folder"])
@pytest.mark.parametrize("shape", list(SHAPES))
def test_every_shape_reads_the_right_run(
    project: Path, tmp_path: Path, private_tmp: Path, shape: str, packing: str
) -> None:
    where, expected = SHAPES[shape]
    path = where(project)
    if packing != "as is":
        top = path.name if packing == "zip with its top folder" else None
        path = zip_of(path, tmp_path / "artifact.zip", top=top)
    assert _outcome(load_run_status(events=str(path))) == expected


@pytest.mark.usefixtures("stub_layout")
def test_the_issue_command_on_a_downloaded_viz_directory(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    downloaded = tmp_path / "downloaded"
    (project / ".viz").rename(downloaded)  # `gh run download` puts .viz's contents here
    monkeypatch.chdir(tmp_path)
    code, out, err = invoke("--events", "downloaded", "-f", "html", "-o", "r.html", "-q")
    assert code == 0, err
    assert "Run execution completed successfully" in (tmp_path / "r.html").read_text()
    assert out == ""


def test_a_zipped_project_unpacks_only_the_log(
    project: Path, tmp_path: Path, private_tmp: Path
) -> None:
    artifact = zip_of(project, tmp_path / "project.zip", top="project")
    warnings: list[str] = []
    unpacked = Path(archive.unpack_log(str(artifact), warnings))
    names = sorted(p.relative_to(unpacked).as_posix() for p in unpacked.rglob("*") if p.is_file())
    assert names == [
        "project/.viz/kedro_pipeline_events.json",
        "project/.viz/run-report/runs/first/events-host-1.jsonl",
        "project/.viz/run-report/runs/first/run.json",
        "project/.viz/run-report/runs/second/events-host-1.jsonl",
        "project/.viz/run-report/runs/second/run.json",
    ]
    assert warnings == []
    # --serve reads the archive at every request: it is unpacked once
    assert archive.unpack_log(str(artifact), []) == str(unpacked)


def test_list_and_group_take_the_same_shapes(
    project: Path, tmp_path: Path, private_tmp: Path
) -> None:
    artifact = zip_of(project / ".viz", tmp_path / "viz.zip")
    for events in (str(project), str(project / ".viz"), str(artifact)):
        code, out, err = invoke("--events", events, "--list", "--json")
        assert code == 0, err
        assert [row["run_id"] for row in json.loads(out)] == ["second", "first"]
    code, out, err = invoke("--events", str(project / ".viz" / "run-report" / "runs" / "first"))
    assert code == 0, err  # a run directory is reported ...
    code, out, err = invoke(
        "--events", str(project / ".viz" / "run-report" / "runs" / "first"), "--list"
    )
    assert code == EXIT_BAD_INPUT  # ... but it is no log to list
    assert err.count("\n") == 1 and "holds one run, not an event log" in err


def test_an_fsspec_url_of_a_zip_and_of_a_viz_directory(project: Path, tmp_path: Path) -> None:
    memory = fsspec.filesystem("memory")
    base = f"/ci-artifacts-{os.getpid()}-{tmp_path.name}"
    try:
        memory.pipe(f"{base}/viz.zip", zip_of(project / ".viz", tmp_path / "a.zip").read_bytes())
        memory.put(str(project / ".viz"), f"{base}/job/.viz", recursive=True)
        zipped = load_run_status(events=f"memory://{base}/viz.zip")
        assert _outcome(zipped) == LATEST
        assert _outcome(load_run_status(events=f"memory://{base}/job")) == LATEST
        assert _outcome(load_run_status(events=f"memory://{base}/job/.viz")) == LATEST
        code, out, err = invoke("--events", f"memory://{base}/job/.viz", "--list", "--json")
        assert code == 0, err
        assert len(json.loads(out)) == 2
    finally:
        memory.rm(base, recursive=True)


def _one_line_error(*events: str) -> str:
    code, out, err = invoke("--events", *events, "-f", "json", "-o", "-")
    assert code == EXIT_BAD_INPUT, (out, err)
    assert out == "" and err.startswith("Error: ") and err.count("\n") == 1, err
    return err


def test_bad_shapes_say_what_was_looked_for(project: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (project / ".viz").rename(tmp_path / "moved")  # a project that never ran
    no_log = zip_of(project, tmp_path / "no-log.zip")
    for bad in (empty, project, project / "data", no_log):
        err = _one_line_error(str(bad))
        assert "without kedro-run-report events; looked for an event log (runs/)" in err
        assert ".viz/ directory" in err and "kedro_pipeline_events.json" in err


def test_links_below_the_named_directory_are_not_followed(project: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    (project / ".viz").rename(elsewhere)
    (project / ".viz").symlink_to(elsewhere)
    assert "without kedro-run-report events" in _one_line_error(str(project))
    assert _outcome(load_run_status(events=str(project / ".viz"))) == LATEST  # named: followed


def test_broken_archives_are_one_line(tmp_path: Path, private_tmp: Path) -> None:
    torn = tmp_path / "torn.zip"
    torn.write_bytes(b"PK\x03\x04" + os.urandom(200))
    assert "is not a readable zip archive" in _one_line_error(str(torn))
    notes = tmp_path / "notes.zip"
    with zipfile.ZipFile(notes, "w") as zipped:
        zipped.writestr("notes.txt", "hello")
    err = _one_line_error(str(notes))
    assert f"{notes} (notes.txt) is not an event log" in err
    assert [p.name for p in private_tmp.rglob("*.txt")] == ["notes.txt"]  # a lone file of any name


def _hostile_archive(run: Path, target: Path, members: dict[str, tuple[int, bytes]]) -> Path:
    """A zip of a good run directory plus ``members``: name -> (Unix mode, content)."""
    zip_of(run, target, top="run")
    with zipfile.ZipFile(target, "a") as zipped:
        for name, (mode, data) in members.items():
            info = zipfile.ZipInfo(name)
            info.create_system = 3  # Unix: the mode below is read
            info.external_attr = mode << 16
            zipped.writestr(info, data)
    return target


@pytest.fixture
def run_dir(project: Path) -> Path:
    return project / ".viz" / "run-report" / "runs" / "first"


def test_names_that_leave_the_archive_are_skipped(
    run_dir: Path, tmp_path: Path, private_tmp: Path
) -> None:
    regular = stat.S_IFREG | 0o644
    line = (run_dir / "events-host-1.jsonl").read_bytes().splitlines(keepends=True)[0]
    escapes = [
        "../events-escape.jsonl",
        "run/../../events-up.jsonl",
        f"{tmp_path}/events-absolute.jsonl",
        "C:/events-drive.jsonl",
        "run\\..\\..\\events-backslash.jsonl",
    ]
    artifact = _hostile_archive(
        run_dir, tmp_path / "slip.zip", dict.fromkeys(escapes, (regular, line))
    )
    status = load_run_status(events=str(artifact))
    assert _outcome(status) == FIRST
    assert any("Skipped 5 member(s) of slip.zip" in w for w in status.warnings)
    escaped = ("escape", "up", "absolute", "drive", "backslash")
    assert not [p for p in tmp_path.parent.rglob("events-*.jsonl") if p.stem[7:] in escaped]
    assert not (tmp_path / "events-absolute.jsonl").exists()


def test_symlinks_and_special_files_in_an_archive_are_not_unpacked(
    run_dir: Path, tmp_path: Path, private_tmp: Path
) -> None:
    members = {
        "run/events-link.jsonl": (stat.S_IFLNK | 0o777, b"/etc/passwd"),
        "run/events-fifo.jsonl": (stat.S_IFIFO | 0o644, b""),
    }
    artifact = _hostile_archive(run_dir, tmp_path / "links.zip", members)
    status = load_run_status(events=str(artifact))
    assert _outcome(status) == FIRST
    assert any("Skipped 2 member(s) of links.zip" in w for w in status.warnings)
    unpacked = [p for p in private_tmp.rglob("*") if not p.is_dir()]
    assert all(p.is_file() and not p.is_symlink() for p in unpacked)
    assert sorted(p.name for p in unpacked) == ["events-host-1.jsonl", "run.json"]


def test_a_zip_bomb_is_refused_within_the_bound(
    run_dir: Path, tmp_path: Path, private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_UNPACKED_BYTES", 1024 * 1024)
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zipped:
        zipped.writestr("run/events-big.jsonl", b"\n" * (8 * 1024 * 1024))
    assert bomb.stat().st_size < 64 * 1024  # 8 MiB in a few kilobytes
    assert "unpacks to more than 1 MiB" in _one_line_error(str(bomb))
    assert sum(p.stat().st_size for p in private_tmp.rglob("*") if p.is_file()) == 0


def test_too_many_members_are_refused_unread(
    tmp_path: Path, private_tmp: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(archive, "MAX_MEMBERS", 10)
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as zipped:
        for i in range(11):
            zipped.writestr(f"runs/r{i}/run.json", "{}")
    assert "has 11 members, more than the 10" in _one_line_error(str(many))


def test_an_archive_inside_an_archive_is_opened_once(
    project: Path, tmp_path: Path, private_tmp: Path
) -> None:
    inner = zip_of(project / ".viz", tmp_path / "inner.zip", top=".viz")
    outer = zip_of(inner, tmp_path / "outer.zip")
    assert _outcome(load_run_status(events=str(outer))) == LATEST
    third = zip_of(outer, tmp_path / "third.zip")
    assert "is not an event log" in _one_line_error(str(third))


@pytest.fixture(autouse=True)
def _no_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("KEDRO_RUN_REPORT_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    yield
