"""``kedro viz report`` and the standalone ``kedro-run-report``: a thin Click layer.

Kedro merges only top-level command groups, and the first source that knows a name wins.
When kedro-viz is installed its ``viz`` group wins, so ``report`` is added to that group;
otherwise we provide a ``viz`` group of our own.
"""

from __future__ import annotations

import json
import logging
import sys
import webbrowser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from kedro_run_report.errors import RunReportError
from kedro_run_report.formatting import terminal_safe
from kedro_run_report.model import FAILED, INTERRUPTED
from kedro_run_report.report import (
    DEFAULT_FORMAT,
    FORMATS,
    append_output,
    plan_outputs,
    render,
    report_stream,
    stdout_for_reports_only,
    write_output,
)
from kedro_run_report.report.server import DEFAULT_PORT
from kedro_run_report.settings import GITHUB_STEP_SUMMARY, GROUP

if TYPE_CHECKING:
    from kedro_run_report.analysis import HistoryRow
    from kedro_run_report.report.run_report import RunReport

# Kedro imports every plugin's commands at each start (also for `kedro run`), so what only
# `report` needs is imported when it runs.

# Exit codes. 1 stays Python's own for a crash, so CI can tell a bug of ours from a verdict.
EXIT_BAD_INPUT = 2  # no runs, unknown run id, corrupt log, unwritable output, bad options
EXIT_RUN_FAILED = 3  # with --fail-on-error: the reported run failed
EXIT_RUN_INTERRUPTED = 4  # with --fail-on-error: the reported run was killed or is still running

EPILOG = (
    "Exit codes: 0 report written; 2 bad input; with --fail-on-error also 3 when the run "
    "failed and 4 when it was interrupted."
)


def _project_path(obj: Any) -> Path | None:
    """The project root: from Kedro's metadata when run inside a project, else searched."""
    path = getattr(obj, "project_path", None)
    if path:
        return Path(path)
    try:
        from kedro.utils import find_kedro_project

        found = find_kedro_project(Path.cwd())
    except Exception:
        return None
    return Path(found) if found else None


@click.command(name="report", epilog=EPILOG)
@click.option(
    "-f",
    "--format",
    "formats",
    type=click.Choice(FORMATS),  # the reporter table's names
    multiple=True,
    help=f"Report format; repeat for several (default: {DEFAULT_FORMAT}).",
)
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    help="Where to write ('-' for stdout): one per --format in the same order, or one "
    "directory for all. Default: <project>/.viz/run-report.<ext>.",
)
@click.option("--run-id", help="Report this recorded run instead of the latest one.")
@click.option(
    "--events",
    help="Read this event log instead of the project's: a log directory, a run directory, "
    "an events-*.jsonl file or a Kedro-Viz kedro_pipeline_events.json (path or fsspec URL).",
)
@click.option(
    "--group",
    metavar="GROUP_ID",
    help=f"Report every run recorded with {GROUP.name}=GROUP_ID as one run.",
)
@click.option(
    "--compare",
    "compare_to",
    metavar="RUN_ID",
    help="Compare with this recorded run instead of the previous run of the same pipelines.",
)
@click.option("--no-datasets", is_flag=True, help="Draw only the nodes in the diagram.")
@click.option("--open", "open_browser", is_flag=True, help="Open the HTML report in a browser.")
@click.option(
    "--github-summary",
    is_flag=True,
    help="Also append the Markdown summary to $GITHUB_STEP_SUMMARY (GitHub Actions).",
)
@click.option(
    "--fail-on-error",
    is_flag=True,
    help="Exit 3 if the reported run failed and 4 if it was interrupted (after writing).",
)
@click.option("-q", "--quiet", is_flag=True, help="Do not print the run summary.")
@click.option(
    "--list", "list_runs", is_flag=True, help="List the recorded runs instead of reporting one."
)
@click.option("--json", "as_json", is_flag=True, help="With --list: print the list as JSON.")
@click.option(
    "--serve",
    is_flag=True,
    help="Serve the report at / and the run status at /api/run-status on 127.0.0.1.",
)
@click.option(
    "--port", type=int, default=DEFAULT_PORT, show_default=True, help="Port for --serve (0: any)."
)
@click.option(
    "--otlp-endpoint",
    metavar="URL",
    help="Also send the run as a trace to this OpenTelemetry collector (OTLP/HTTP, e.g. "
    "http://localhost:4318); alone, writes no report file. Needs kedro-run-report[otel].",
)
@click.pass_obj
def report(obj: Any, **options: Any) -> None:
    """Write a report of the latest Kedro run (or another recorded run)."""
    _hush_kedro_logging_notice()
    try:
        with stdout_for_reports_only():  # pipes get the report alone, whatever Kedro logs
            code = _report(_project_path(obj), **options)
    except RunReportError as exc:
        _say(f"Error: {exc}")  # one line, whatever the run id or file name in it holds
        raise SystemExit(EXIT_BAD_INPUT) from None
    if code:
        raise SystemExit(code)


def _report(
    project_path: Path | None,
    *,
    formats: tuple[str, ...],
    outputs: tuple[str, ...],
    run_id: str | None,
    events: str | None,
    group: str | None,
    compare_to: str | None,
    no_datasets: bool,
    open_browser: bool,
    github_summary: bool,
    fail_on_error: bool,
    quiet: bool,
    list_runs: bool,
    as_json: bool,
    serve: bool,
    port: int,
    otlp_endpoint: str | None,
) -> int:
    """Do what the options ask; return the exit code."""
    from kedro_run_report.diagram.layout_cache import cache_dir
    from kedro_run_report.report.load import list_history, load_group_report, load_run_report
    from kedro_run_report.settings import project_credentials
    from kedro_run_report.store.files import use_storage_options

    use_storage_options(project_credentials(project_path))  # a remote log's named credentials

    def load() -> RunReport:
        if group is not None:
            return load_group_report(group=group, project_path=project_path, events=events)
        return load_run_report(
            project_path=project_path, events=events, run_id=run_id, compare_to=compare_to
        )

    if list_runs:
        _print_history(list_history(project_path=project_path, events=events), as_json)
        return 0
    if serve:
        from kedro_run_report.report.server import serve as serve_forever

        load()  # fail now, with one line, if there is nothing to serve
        serve_forever(load, port=port, show_datasets=not no_datasets, ready=_announce)
        _say("Stopped.")
        return 0
    exporter = None
    if otlp_endpoint is not None:
        from kedro_run_report.report.otlp_http import OtlpExporter

        exporter = OtlpExporter(otlp_endpoint)  # a missing extra or bad URL: before any work
    only_sending = exporter is not None and not formats and not outputs
    plan = [] if only_sending else plan_outputs(formats, outputs, project_path)
    run = load()
    written = []
    for fmt, target in plan:
        rendered = render(
            run, fmt, show_datasets=not no_datasets, layout_cache=cache_dir(run.log_root)
        )
        for notice in rendered.notices:
            _say(notice)
        where = write_output(rendered.text, target)
        written.append((fmt, where))
        if where != "-":
            _say(f"Run report ({fmt}) written to {where}")
    if exporter is not None:
        spans = exporter.send(run.status)
        _say(f"Run trace ({spans} spans) sent to {exporter.shown_url}")
    if github_summary:
        _append_github_summary(run)
    if not quiet:
        from kedro_run_report.report.summary import what_changed
        from kedro_run_report.report.terminal import print_summary

        print_summary(run.status, unusual=run.unusual, changed=what_changed(run.comparison))
    if open_browser:
        for fmt, where in written:
            if fmt == "html" and where != "-":
                webbrowser.open(Path(where).as_uri())
    return _verdict(run.status.pipeline.status) if fail_on_error else 0


class _LoggingNotice(logging.Filter):
    """Drops Kedro's "Using '...' as logging configuration" notice."""

    def filter(self, record: logging.LogRecord) -> bool:
        return "as logging configuration" not in str(record.msg)


def _hush_kedro_logging_notice() -> None:
    """Keep Kedro's logging notice out of the standalone command's output.

    Reading the project's settings imports ``kedro.framework.project``, which configures
    logging and announces the configuration it used: noise for a report command, and a
    second line beside a one-line error. Under ``kedro viz report`` Kedro has imported it
    (and said so) before this command starts: nothing to do.
    """
    if "kedro.framework.project" in sys.modules:
        return
    logger = logging.getLogger("kedro.framework.project")
    if not any(isinstance(f, _LoggingNotice) for f in logger.filters):
        logger.addFilter(_LoggingNotice())  # logging's dictConfig keeps a logger's filters


def _verdict(status: str) -> int:
    return {FAILED: EXIT_RUN_FAILED, INTERRUPTED: EXIT_RUN_INTERRUPTED}.get(status, 0)


def _append_github_summary(run: Any) -> None:
    target = GITHUB_STEP_SUMMARY.get()
    if not target:
        _say(f"{GITHUB_STEP_SUMMARY.name} is not set; no job summary written.")
        return
    where = append_output(render(run, "markdown").text, target)
    _say(f"Job summary appended to {where}")


def _say(message: str) -> None:
    """Print one line to standard error, its control characters shown as escapes."""
    # Run ids, names and paths from the log or the command line are shown, never acted on
    # by the terminal (escape sequences, bidi overrides), on a terminal or piped.
    click.echo(terminal_safe(message), err=True)


def _announce(url: str) -> None:
    _say(f"Serving the run report at {url} (run status: {url}api/run-status)")
    _say("Press Ctrl-C to stop.")


def _print_history(rows: list[HistoryRow], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([row.to_dict() for row in rows], indent=2), file=report_stream())
    else:
        from kedro_run_report.report.history_table import history_table

        click.echo(history_table(rows), nl=False, file=report_stream())


def main() -> None:
    """The standalone ``kedro-run-report`` command, for event logs outside a Kedro project."""
    report.main(prog_name="kedro-run-report")


@click.group(name="viz")
def viz() -> None:
    """Visualise Kedro runs (kedro-run-report)."""


@click.group(name="kedro-run-report")
def commands() -> None:
    """Commands of kedro-run-report."""


def _attach_report_command() -> None:
    """Put ``report`` under Kedro-Viz's ``viz`` group if it exists, else under our own."""
    try:
        from kedro_viz.launchers.cli.main import viz as viz_group
    except Exception:  # kedro-viz absent or broken: our own group
        viz_group = None
    if viz_group is None:
        viz.add_command(report)
        commands.add_command(viz)
        return
    lazy = getattr(viz_group, "lazy_subcommands", None)
    if isinstance(lazy, dict):
        lazy["report"] = f"{__name__}.report"
    else:
        viz_group.add_command(report)


_attach_report_command()
