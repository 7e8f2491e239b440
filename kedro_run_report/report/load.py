"""Finding recorded runs and reading them into RunStatus and RunReport objects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from kedro_run_report.analysis import (
    HistoryRow,
    compare,
    history_rows,
    pick_baseline,
    selection_records,
    unusual,
)
from kedro_run_report.analysis.usual_range import (
    MAX_RUNS,
    Measures,
    measures,
    measures_from_dict,
    measures_to_dict,
)
from kedro_run_report.errors import RunReportError, UnknownRunError
from kedro_run_report.model import RunStatus, aggregate_checked
from kedro_run_report.model.group import merge_group
from kedro_run_report.redact import PATTERNS, Redactor
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.settings import GROUP, log_location, project_secret_values
from kedro_run_report.store.locate import locate, log_root
from kedro_run_report.store.reading import iter_run_events
from kedro_run_report.store.run_cache import read_cached, write_cached
from kedro_run_report.store.runs import RunRecord, find_run, list_runs


def project_redactor(project_path: Path | None) -> Redactor:
    """Patterns plus the project's credential values, for logs that lack their redaction.

    Kedro-Viz's own hook writes error texts unredacted, and a log written before a
    credential was added to the project was redacted without it.
    """
    values = project_secret_values(project_path)
    return Redactor(values) if values else PATTERNS


def load_run_status(
    *, project_path: Path | None = None, events: str | None = None, run_id: str | None = None
) -> RunStatus:
    """The RunStatus of the latest (or ``run_id``) run of a project, or of an event log."""
    source, warnings = locate(project_path=project_path, events=events, run_id=run_id)
    redactor = project_redactor(project_path)
    return aggregate_checked(source.events, source.description, warnings, redactor)


def load_run_report(
    *,
    project_path: Path | None = None,
    events: str | None = None,
    run_id: str | None = None,
    compare_to: str | None = None,
) -> RunReport:
    """The run with its context: the comparison with an earlier run and the run history.

    The baseline is ``compare_to`` when given, else the latest earlier run of the same
    pipeline selection; what is unusual is judged against the earlier runs of that selection.
    A run read from a single file has no context.
    """
    source, warnings = locate(project_path=project_path, events=events, run_id=run_id)
    redactor = project_redactor(project_path)
    status = aggregate_checked(source.events, source.description, warnings, redactor)
    if source.root is None or source.record is None:
        return RunReport(status, log_root=source.root)
    current = source.record
    earlier = [
        r for r in list_runs(source.root) if (r.start, r.key) <= (current.start, current.key)
    ]

    def load(record: RunRecord) -> RunStatus:
        return status if record.key == current.key else read_record(record, redactor)

    baseline_status: RunStatus | None = None
    if compare_to is not None:
        baseline_status = load(find_run(source.root, compare_to))
    else:
        baseline = pick_baseline(earlier, current, load)
        baseline_status = baseline.status if baseline else None
    comparison = compare(status, baseline_status) if baseline_status is not None else None
    alike = selection_records(earlier, current, load, limit=MAX_RUNS)
    history = [m for m in (run_measures(record, load) for record in alike) if m is not None]
    judged = unusual(status, history)
    return RunReport(
        status, comparison, history_rows(earlier, load), log_root=source.root, unusual=judged
    )


MEASURES_FILE = "measures.json"


def run_measures(record: RunRecord, load: Callable[[RunRecord], RunStatus]) -> Measures | None:
    """What a run is judged by: from its cache when it has one, else from its events (and
    then cached, for a finished run); ``None`` for a run that cannot be read."""
    cached = measures_from_dict(read_cached(record, MEASURES_FILE))
    if cached is not None:
        return cached
    try:
        found = measures(load(record))
    except (RunReportError, OSError):
        return None  # a run pruned meanwhile, or a corrupt one
    write_cached(record, MEASURES_FILE, measures_to_dict(found))
    return found


def load_group_report(
    *, group: str, project_path: Path | None = None, events: str | None = None
) -> RunReport:
    """All the runs recorded with ``KEDRO_RUN_REPORT_GROUP=group``, merged into one."""
    root = log_root(events) if events is not None else log_location(project_path)
    records = [r for r in list_runs(root) if r.manifest.get("group") == group]
    if not records:
        raise UnknownRunError(
            f"No recorded run belongs to the group {group!r} in {root}. Runs join a group "
            f"when {GROUP.name} is set for `kedro run`."
        )
    redactor = project_redactor(project_path)
    merged = merge_group(group, [read_record(record, redactor) for record in records])
    return RunReport(merged, log_root=root)


def read_record(record: RunRecord, redactor: Redactor = PATTERNS) -> RunStatus:
    """The RunStatus of one recorded run."""
    warnings: list[str] = []
    events = iter_run_events(record.location, warnings)
    return aggregate_checked(events, record.location, warnings, redactor)


def list_history(
    *, project_path: Path | None = None, events: str | None = None
) -> list[HistoryRow]:
    """Every recorded run of a log, newest first, as history rows."""
    root = log_root(events) if events is not None else log_location(project_path)
    records = list_runs(root)
    if not records:
        # find_run raises the one-line "no runs recorded" error with its hint
        find_run(root)
    redactor = project_redactor(project_path)
    return history_rows(records, lambda record: read_record(record, redactor))
