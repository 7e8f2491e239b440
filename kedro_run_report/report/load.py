"""Finding recorded runs and reading them into RunStatus and RunReport objects."""

from __future__ import annotations

from pathlib import Path

from kedro_run_report.analysis import HistoryRow, compare, history_rows, pick_baseline
from kedro_run_report.errors import UnknownRunError
from kedro_run_report.model import RunStatus, aggregate_checked
from kedro_run_report.model.group import merge_group
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.settings import GROUP, log_location
from kedro_run_report.store.locate import locate
from kedro_run_report.store.reading import iter_run_events
from kedro_run_report.store.runs import RunRecord, find_run, list_runs


def load_run_status(
    *, project_path: Path | None = None, events: str | None = None, run_id: str | None = None
) -> RunStatus:
    """The RunStatus of the latest (or ``run_id``) run of a project, or of an event log."""
    source, warnings = locate(project_path=project_path, events=events, run_id=run_id)
    return aggregate_checked(source.events, source.description, warnings)


def load_run_report(
    *,
    project_path: Path | None = None,
    events: str | None = None,
    run_id: str | None = None,
    compare_to: str | None = None,
) -> RunReport:
    """The run with its context: the comparison with an earlier run and the run history.

    The baseline is ``compare_to`` when given, else the latest earlier run of the same
    pipeline selection. A run read from a single file has no context.
    """
    source, warnings = locate(project_path=project_path, events=events, run_id=run_id)
    status = aggregate_checked(source.events, source.description, warnings)
    if source.root is None or source.record is None:
        return RunReport(status, log_root=source.root)
    current = source.record
    earlier = [
        r for r in list_runs(source.root) if (r.start, r.key) <= (current.start, current.key)
    ]

    def load(record: RunRecord) -> RunStatus:
        return status if record.key == current.key else read_record(record)

    baseline_status: RunStatus | None = None
    if compare_to is not None:
        baseline_status = load(find_run(source.root, compare_to))
    else:
        baseline = pick_baseline(earlier, current, load)
        baseline_status = baseline.status if baseline else None
    comparison = compare(status, baseline_status) if baseline_status is not None else None
    return RunReport(status, comparison, history_rows(earlier, load), log_root=source.root)


def load_group_report(
    *, group: str, project_path: Path | None = None, events: str | None = None
) -> RunReport:
    """All the runs recorded with ``KEDRO_RUN_REPORT_GROUP=group``, merged into one."""
    root = events if events is not None else log_location(project_path)
    records = [r for r in list_runs(root) if r.manifest.get("group") == group]
    if not records:
        raise UnknownRunError(
            f"No recorded run belongs to the group {group!r} in {root}. Runs join a group "
            f"when {GROUP.name} is set for `kedro run`."
        )
    merged = merge_group(group, [read_record(record) for record in records])
    return RunReport(merged, log_root=root)


def read_record(record: RunRecord) -> RunStatus:
    """The RunStatus of one recorded run."""
    warnings: list[str] = []
    return aggregate_checked(iter_run_events(record.location, warnings), record.location, warnings)


def list_history(
    *, project_path: Path | None = None, events: str | None = None
) -> list[HistoryRow]:
    """Every recorded run of a log, newest first, as history rows."""
    root = events if events is not None else log_location(project_path)
    records = list_runs(root)
    if not records:
        # find_run raises the one-line "no runs recorded" error with its hint
        find_run(root)
    return history_rows(records, read_record)
