"""Recording beyond the seed scenarios: turning it off, several runs, kills, faults, Kedro-Viz."""

from __future__ import annotations

import json
import signal
import textwrap
from pathlib import Path

import pytest
from helpers.kedro_project import run_kedro, run_python
from helpers.kedro_runs import (
    node_statuses,
    start_kedro,
    status_of,
    viz_events,
    wait_for_node_start,
)
from helpers.kedro_versions import KEDRO_SESSION_IDS_ARE_WHOLE_SECONDS

from kedro_run_report.report.load import read_record
from kedro_run_report.store.runs import list_runs

pytestmark = pytest.mark.integration

LOG_ROOT = Path(".viz") / "run-report"


def _settings(project: Path, text: str) -> None:
    (project / "src" / "toyproj" / "settings.py").write_text(text)


@pytest.mark.parametrize("runner_env", [{}, {"KEDRO_MP_CONTEXT": "spawn"}], ids=["seq", "spawn"])
def test_disable_hooks_for_plugins_turns_recording_off(project: Path, runner_env: dict) -> None:
    _settings(project, 'DISABLE_HOOKS_FOR_PLUGINS = ("kedro-viz", "kedro-run-report")\n')
    args = ["--runner", "ParallelRunner"] if runner_env else []
    result = run_kedro(project, "run", *args, **runner_env)
    assert result.returncode == 0, result.stderr
    assert not (project / LOG_ROOT).exists()
    assert not (project / ".viz" / "kedro_pipeline_events.json").exists()


def test_two_session_runs_in_one_process_are_two_runs(project: Path) -> None:
    script = textwrap.dedent(
        """
        from pathlib import Path
        from kedro.framework.session import KedroSession
        from kedro.framework.startup import bootstrap_project

        bootstrap_project(Path.cwd())
        for _ in range(2):
            with KedroSession.create(project_path=Path.cwd()) as session:
                session.run()  # no runner given
        """
    )
    result = run_python(project, "-c", script)
    assert result.returncode == 0, result.stderr
    runs = list_runs(str(project / LOG_ROOT))
    assert len(runs) == 2
    assert runs[0].key != runs[1].key  # two run directories, whatever their ids
    if not KEDRO_SESSION_IDS_ARE_WHOLE_SECONDS:
        assert runs[0].run_id != runs[1].run_id
    for record in runs:
        status = read_record(record)  # by directory: on Kedro 1.0 both ids may be equal
        assert status.pipeline.status == "success"
        assert status.pipeline.runner == "SequentialRunner"
        assert set(node_statuses(status).values()) == {"success"}


def test_sigkill_keeps_every_event_before_the_kill(project: Path) -> None:
    proc = start_kedro(project, SLEEP_NODE="model.train")
    try:
        wait_for_node_start(project / LOG_ROOT, "model.train", proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    status = status_of(project)
    assert status.pipeline.status == "interrupted"
    assert status.pipeline.end is None
    assert node_statuses(status) == {
        "prep.clean": "success",
        "prep.enrich": "success",
        "model.train": "interrupted",
        "model.score": "not_run",
        "summarise": "not_run",
    }
    report = run_kedro(project, "viz", "report", "-f", "html", "-o", "killed.html", "-q")
    assert report.returncode == 0, report.stderr
    assert "Run execution interrupted" in (project / "killed.html").read_text()


@pytest.mark.parametrize(
    "location",
    ["a-file-not-a-directory", "/proc/kedro-run-report-cannot-write-here"],
    ids=["file", "unwritable"],
)
def test_unusable_log_location_warns_once_and_run_succeeds(project: Path, location: str) -> None:
    (project / "a-file-not-a-directory").write_text("I am a file")
    result = run_kedro(project, "run", KEDRO_RUN_REPORT_DIR=location)
    assert result.returncode == 0, result.stderr
    output = result.stdout + result.stderr
    assert output.count("kedro-run-report could not record this run") == 1
    assert "Pipeline execution completed successfully" in output


FAULTS = [
    "kedro_run_report.store.writer.EventWriter.write",
    "kedro_run_report.store.writer.EventWriter.__init__",
    "kedro_run_report.record.run.create_run",
    "kedro_run_report.record.run.pipeline_snapshot",
    "kedro_run_report.record.hook.error_info",
    "kedro_run_report.record.sizes.SizeProbe.measure",
    "kedro_run_report.record.run.write_viz_events_file",
    "kedro_run_report.record.recorder.Recorder.node_id",
    "kedro_run_report.record.run.update_manifest",
    "kedro_run_report.record.hook.prune_runs",
]

# For every hook method, a fault inside it: one of its own collaborators raises, or
# ("emit:<kind>") writing the one event that only this method writes raises.
HOOK_FAULTS = {
    "after_context_created": "kedro_run_report.record.hook.viz_run_hook_registered",
    "after_catalog_created": "kedro_run_report.record.hook.secret_values",
    "before_pipeline_run": "kedro_run_report.record.run.run_meta",
    "after_pipeline_run": "emit:run_end",
    "on_pipeline_error": "emit:run_error",
    "before_node_run": "emit:node_start",
    "after_node_run": "emit:node_end",
    "on_node_error": "emit:node_error",
    "before_dataset_loaded": "emit:load_start",
    "after_dataset_loaded": "emit:load_end",
    "before_dataset_saved": "emit:save_start",
    "after_dataset_saved": "emit:save_end",
}


def test_every_hook_method_has_a_fault() -> None:
    from kedro_run_report.record.hook import RunReportHook

    methods = {name for name, f in vars(RunReportHook).items() if hasattr(f, "kedro_impl")}
    assert methods == set(HOOK_FAULTS)


def _fault_script(target: str) -> str:
    if target.startswith("emit:"):
        kind = target.split(":", 1)[1]
        # Every event reaches the stream through write_line, the hook's own as formatted lines.
        inject = f"""
        from kedro_run_report.store import writer
        real_write_line = writer.EventWriter.write_line
        def write_line(self, line, *, flush=False):
            if line.startswith({'{"kind":"' + kind + '",'!r}):
                raise RuntimeError("injected fault")
            return real_write_line(self, line, flush=flush)
        writer.EventWriter.write_line = write_line
        """
    else:
        module, _, attribute = target.rpartition(".")
        inject = f"""
        import importlib
        name, attribute = {module!r}, {attribute!r}
        try:
            owner = importlib.import_module(name)
        except ImportError:
            module_name, _, cls = name.rpartition(".")
            owner = getattr(importlib.import_module(module_name), cls)
        def broken(*args, **kwargs):
            raise RuntimeError("injected fault")
        setattr(owner, attribute, broken)
        """
    return textwrap.dedent(inject) + textwrap.dedent(
        """
        import sys
        from kedro.framework.cli import main
        sys.argv = ["kedro", "run"]
        main()
        """
    )


@pytest.mark.parametrize("target", [*FAULTS, *HOOK_FAULTS.values()])
@pytest.mark.parametrize("fail_node", ["", "model.train"], ids=["success", "node-fails"])
def test_faults_in_the_recorder_never_change_the_runs_outcome(
    project: Path, target: str, fail_node: str
) -> None:
    script = _fault_script(target)
    env = {"FAIL_NODE": fail_node} if fail_node else {}
    result = run_python(project, "-c", script, **env)
    output = result.stdout + result.stderr
    if fail_node:
        assert result.returncode != 0
        assert "boom in model.train" in output
    else:
        assert result.returncode == 0, output
        assert "Pipeline execution completed successfully" in output
    assert "injected fault" not in output or "could not record this run" in output
    assert output.count("could not record this run") <= 1
    # The hook-method faults fire whenever that method runs: then exactly one warning.
    fires = target in HOOK_FAULTS.values() and not (
        (target in ("emit:run_error", "emit:node_error") and not fail_node)
        or (target == "emit:run_end" and fail_node)
    )
    if fires:
        assert output.count("could not record this run (RuntimeError: injected fault)") == 1


def test_kedro_viz_hook_keeps_its_own_file(project: Path) -> None:
    _settings(project, "")  # Kedro-Viz's hooks active
    result = run_kedro(project, "run")
    assert result.returncode == 0, result.stderr
    events = viz_events(project)
    # Kedro-Viz writes one event per load; ours writes one per dataset.
    loads = [e for e in events if e["event"] == "after_dataset_loaded"]
    assert sum(1 for e in loads if e["dataset"] == "prep.enriched") == 2
    assert status_of(project).pipeline.status == "success"  # we still record the run

    # Kedro-Viz skips partial runs: then the file is ours.
    result = run_kedro(project, "run", "--tags", "prep")
    assert result.returncode == 0, result.stderr
    nodes = {e["node"] for e in viz_events(project) if e["event"] == "after_node_run"}
    assert nodes == {"prep.clean", "prep.enrich"}


def test_viz_events_file_is_replaced_whole(project: Path) -> None:
    result = run_kedro(project, "run")
    assert result.returncode == 0
    first = viz_events(project)
    result = run_kedro(project, "run", FAIL_NODE="prep.clean")
    assert result.returncode != 0
    second = viz_events(project)
    assert first[-1]["event"] == "after_pipeline_run"
    assert second[-1]["event"] == "on_pipeline_error"
    assert not list((project / ".viz").glob("*.tmp"))
    json.dumps(second)  # plain JSON, no custom types


@pytest.mark.parametrize("how", ["env-relative", "env-absolute", "env-file-url", "setting"])
def test_log_location_is_configurable(project: Path, tmp_path: Path, how: str) -> None:
    elsewhere = tmp_path / "elsewhere"
    env: dict[str, str] = {}
    if how == "env-relative":
        env["KEDRO_RUN_REPORT_DIR"] = "logs/runs-here"
        expected = project / "logs" / "runs-here"
    elif how == "env-absolute":
        env["KEDRO_RUN_REPORT_DIR"] = str(elsewhere)
        expected = elsewhere
    elif how == "env-file-url":
        env["KEDRO_RUN_REPORT_DIR"] = elsewhere.as_uri()
        expected = elsewhere
    else:
        _settings(
            project,
            f'DISABLE_HOOKS_FOR_PLUGINS = ("kedro-viz",)\nKEDRO_RUN_REPORT_DIR = "{elsewhere}"\n',
        )
        expected = elsewhere
    result = run_kedro(project, "run", **env)
    assert result.returncode == 0, result.stderr
    assert len(list_runs(str(expected))) == 1
    assert not (project / LOG_ROOT).exists()
    report = run_kedro(project, "viz", "report", "-f", "json", "-o", "s.json", **env)
    assert report.returncode == 0, report.stderr
    assert json.loads((project / "s.json").read_text())["pipeline"]["status"] == "success"


def test_history_is_pruned_to_the_configured_number(project: Path) -> None:
    for _ in range(3):
        assert (
            run_kedro(project, "run", "--tags", "prep", KEDRO_RUN_REPORT_HISTORY="2").returncode
            == 0
        )
    assert len(list_runs(str(project / LOG_ROOT))) == 2
