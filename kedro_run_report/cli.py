"""``kedro viz report``: thin Click layer over the library.

Kedro merges only top-level command groups, and the first source that knows a name wins.
When kedro-viz is installed its ``viz`` group wins, so ``report`` is added to that group;
otherwise we provide a ``viz`` group of our own.
"""

from __future__ import annotations

import json
import webbrowser
from pathlib import Path
from typing import Any

import click

from kedro_run_report.analysis import HistoryRow
from kedro_run_report.errors import RunReportError
from kedro_run_report.history_table import history_table
from kedro_run_report.reader import list_history, load_run_report
from kedro_run_report.report import FORMATS, default_output, render, write_output

#: Exit code for bad input (no runs, unknown run id, corrupt log, unwritable output).
EXIT_BAD_INPUT = 2


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


@click.command(name="report")
@click.option(
    "-f",
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="html",
    show_default=True,
    help="Report format.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Where to write the report ('-' for stdout). Default: <project>/.viz/run-report.html.",
)
@click.option("--run-id", help="Report this recorded run instead of the latest one.")
@click.option(
    "--events",
    help="Read this event log instead of the project's: a log directory, a run directory, "
    "an events-*.jsonl file or a Kedro-Viz kedro_pipeline_events.json (path or fsspec URL).",
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
    "--list", "list_runs", is_flag=True, help="List the recorded runs instead of reporting one."
)
@click.option("--json", "as_json", is_flag=True, help="With --list: print the list as JSON.")
@click.pass_obj
def report(
    obj: Any,
    fmt: str,
    output: str | None,
    run_id: str | None,
    events: str | None,
    compare_to: str | None,
    no_datasets: bool,
    open_browser: bool,
    list_runs: bool,
    as_json: bool,
) -> None:
    """Write a report of the latest Kedro run (or another recorded run)."""
    try:
        project_path = _project_path(obj)
        if list_runs:
            _print_history(list_history(project_path=project_path, events=events), as_json)
            return
        run = load_run_report(
            project_path=project_path, events=events, run_id=run_id, compare_to=compare_to
        )
        rendered = render(run, fmt, show_datasets=not no_datasets)
        target = output if output is not None else default_output(project_path, fmt)
        where = write_output(rendered.text, target)
    except RunReportError as exc:
        click.echo(f"Error: {exc}", err=True)
        raise SystemExit(EXIT_BAD_INPUT) from None
    for notice in rendered.notices:
        click.echo(notice, err=True)
    if where != "-":
        click.echo(f"Run report ({fmt}) written to {where}", err=True)
        if open_browser:
            webbrowser.open(Path(where).as_uri())


def _print_history(rows: list[HistoryRow], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps([row.to_dict() for row in rows], indent=2))
    else:
        click.echo(history_table(rows), nl=False)


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
