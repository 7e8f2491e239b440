"""Finding recorded runs and reading them into RunStatus and RunReport objects."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from kedro_run_report.analysis import HistoryRow, compare, history_rows, pick_baseline
from kedro_run_report.errors import EventLogError, UnknownRunError
from kedro_run_report.events import Event, EventKind
from kedro_run_report.group import merge_group
from kedro_run_report.location import log_location
from kedro_run_report.model import Aggregator, RunStatus
from kedro_run_report.run_report import RunReport
from kedro_run_report.store import (
    MANIFEST,
    RUNS_DIR,
    RunRecord,
    event_files,
    filesystem,
    find_run,
    iter_file_events,
    iter_run_events,
    list_runs,
    open_file,
)
from kedro_run_report.vizcompat import from_viz_events, looks_like_viz_events

#: A Kedro-Viz events file is read whole (parsed JSON costs several times its size in
#: memory); refuse anything absurdly large for one. Ten thousand failed nodes with long
#: tracebacks stay well under this.
MAX_VIZ_FILE_BYTES = 64 * 1024 * 1024


@dataclass
class Source:
    """Where a run's events come from; ``root`` and ``record`` when it is part of a log."""

    events: Iterable[Event]
    description: str
    root: str | None = None
    record: RunRecord | None = None


def locate(
    *, project_path: Path | None = None, events: str | None = None, run_id: str | None = None
) -> tuple[Source, list[str]]:
    """The source of the latest (or ``run_id``) run, and the list its read warnings go to."""
    warnings: list[str] = []
    if events is None:
        return _from_log(log_location(project_path), run_id, warnings), warnings
    return _from_path(events, run_id, warnings), warnings


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
            "when KEDRO_RUN_REPORT_GROUP is set for `kedro run`."
        )
    merged = merge_group(group, [read_record(record) for record in records])
    return RunReport(merged, log_root=root)


def read_record(record: RunRecord) -> RunStatus:
    """The RunStatus of one recorded run."""
    warnings: list[str] = []
    return aggregate_checked(iter_run_events(record.location, warnings), record.location, warnings)


def aggregate_checked(stream: Iterable[Event], source: str, warnings: list[str]) -> RunStatus:
    """Aggregate, refusing a log in which no run started (empty or foreign)."""
    aggregator = Aggregator()
    started = False
    for event in stream:
        if event.get("kind") == EventKind.RUN_START.value:
            started = True
        aggregator.add(event)
    if not started:
        detail = f" ({warnings[0]})" if warnings else ""
        raise EventLogError(
            f"{source} holds no kedro-run-report run{detail}. Point --events at a run "
            "directory, an events-*.jsonl file or a Kedro-Viz kedro_pipeline_events.json."
        )
    status = aggregator.result()
    status.warnings.extend(warnings)
    return status


def _from_log(root: str, run_id: str | None, warnings: list[str]) -> Source:
    record = find_run(root, run_id)
    return Source(iter_run_events(record.location, warnings), record.location, root, record)


def _from_path(path: str, run_id: str | None, warnings: list[str]) -> Source:
    """Events from a log root, a run directory, one stream, or a Kedro-Viz events file."""
    fs, inner = filesystem(path)
    if not fs.exists(inner):
        raise EventLogError(f"{path} does not exist.")
    if fs.isdir(inner):
        if fs.exists(f"{inner.rstrip('/')}/{RUNS_DIR}"):
            return _from_log(path, run_id, warnings)
        if fs.exists(f"{inner.rstrip('/')}/{MANIFEST}") or event_files(path):
            return Source(iter_run_events(path, warnings), path)
        raise EventLogError(f"{path} is a directory without kedro-run-report events.")
    size = fs.size(inner)
    if not size:
        raise EventLogError(f"{path} is empty.")
    with open_file(path, "r", encoding="utf-8", errors="replace") as handle:
        head = handle.read(64).lstrip()
    if head.startswith("["):
        return Source(iter(_viz_events(path, size, warnings)), path)
    if head.startswith("{"):
        return Source(iter_file_events(path, warnings), path)
    raise EventLogError(f"{path} is not an event log (neither JSON Lines nor a JSON list).")


def _viz_events(path: str, size: int, warnings: list[str]) -> list[Event]:
    """Our events from a Kedro-Viz ``kedro_pipeline_events.json``."""
    if size > MAX_VIZ_FILE_BYTES:
        raise EventLogError(f"{path} is too large for a Kedro-Viz events file ({size} bytes).")
    try:
        with open_file(path, "r", encoding="utf-8") as handle:
            data = json.load(handle)
    except (ValueError, RecursionError, UnicodeDecodeError):
        raise EventLogError(f"{path} is not valid JSON (truncated or corrupt?).") from None
    if not looks_like_viz_events(data):
        raise EventLogError(f"{path} is a JSON list but not Kedro-Viz run events.")
    return from_viz_events(data, warnings)


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
