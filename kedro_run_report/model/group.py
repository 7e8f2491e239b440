"""A run group: several ``kedro run`` processes (e.g. one per orchestrator task) as one run.

Each part is aggregated on its own; :func:`merge_group` then folds the parts into one
RunStatus: every node with the status of the process that ran it last (a retry decides), every
attempt listed, the datasets merged, and a group status: failed if a node or dataset ended
failed, incomplete while a part is still running or part of the pipeline never ran, else
success.
"""

from __future__ import annotations

import copy

from kedro_run_report.model.run_status import (
    FAILED,
    INCOMPLETE,
    INTERRUPTED,
    NOT_RUN,
    SUCCESS,
    Attempt,
    DatasetRun,
    NodeRun,
    PipelineRun,
    RunStatus,
)


def merge_group(group_id: str, parts: list[RunStatus]) -> RunStatus:
    """One RunStatus for all the runs of a group (pure: the parts are not modified)."""
    ordered = sorted(parts, key=lambda p: (p.pipeline.start or 0.0, p.pipeline.run_id))
    nodes: dict[str, NodeRun] = {}
    unselected: dict[str, NodeRun] = {}
    for part in ordered:
        for ident, node in part.unselected.items():
            unselected.setdefault(ident, node)
        for ident, node in part.nodes.items():
            _fold_node(nodes, ident, node, part.pipeline)
    for ident in nodes:
        unselected.pop(ident, None)
    # Nodes of the pipeline no part planned: not run yet, as far as the group knows.
    missing = {i: _as_not_run(n) for i, n in unselected.items()}
    datasets: dict[str, DatasetRun] = {}
    for part in ordered:
        for ident, dataset in part.datasets.items():
            _fold_dataset(datasets, ident, dataset)
    pipeline = _group_pipeline(group_id, ordered, nodes, datasets, bool(missing))
    warnings = [w for part in ordered for w in part.warnings]
    merged = RunStatus(
        pipeline, {**nodes, **missing}, datasets, warnings, {}, [p.pipeline for p in ordered]
    )
    merged.operations = [op for part in ordered for op in part.operations]
    merged.operations_dropped = sum(part.operations_dropped for part in ordered)
    return merged


def _fold_node(nodes: dict[str, NodeRun], ident: str, node: NodeRun, run: PipelineRun) -> None:
    attempt = Attempt(run.run_id, node.status, node.start, node.end, node.host, node.pid)
    current = nodes.get(ident)
    if current is None:
        current = nodes[ident] = copy.copy(node)
        current.attempts = []
    if node.status != NOT_RUN:
        current.attempts.append(attempt)
        if _decides(node, current):
            attempts = current.attempts
            current = nodes[ident] = copy.copy(node)
            current.attempts = attempts


def _decides(candidate: NodeRun, current: NodeRun) -> bool:
    """The attempt that started last decides; one that never started decides nothing."""
    if candidate.start is None:
        return False
    return current.start is None or current.status == NOT_RUN or candidate.start >= current.start


def _as_not_run(node: NodeRun) -> NodeRun:
    fresh = copy.copy(node)
    fresh.status = NOT_RUN
    return fresh


def _fold_dataset(datasets: dict[str, DatasetRun], ident: str, dataset: DatasetRun) -> None:
    current = datasets.get(ident)
    if current is None:
        datasets[ident] = copy.copy(dataset)
        return
    current.loads += dataset.loads
    current.saves += dataset.saves
    current.load_duration += dataset.load_duration
    current.save_duration += dataset.save_duration
    current.bytes_read += dataset.bytes_read
    current.bytes_written += dataset.bytes_written
    if dataset.size is not None:
        current.size, current.in_memory = dataset.size, dataset.in_memory
    if dataset.rows is not None:
        current.rows = dataset.rows
    current.type = current.type or dataset.type
    if dataset.status == FAILED:
        current.status, current.error = FAILED, dataset.error
    elif dataset.status == SUCCESS and current.status != FAILED:
        current.status = SUCCESS
    elif dataset.status == SUCCESS and dataset.saves:
        current.status, current.error = SUCCESS, None  # a retry wrote it after all


def _group_pipeline(
    group_id: str,
    parts: list[RunStatus],
    nodes: dict[str, NodeRun],
    datasets: dict[str, DatasetRun],
    missing: bool,
) -> PipelineRun:
    first = parts[0].pipeline if parts else PipelineRun()
    pipeline = copy.copy(first)
    pipeline.run_id = group_id
    pipeline.group = group_id
    pipeline.filters = {}
    starts = [p.pipeline.start for p in parts if p.pipeline.start is not None]
    ends = [p.pipeline.end for p in parts]
    lasts = [p.pipeline.last_event for p in parts if p.pipeline.last_event is not None]
    pipeline.start = min(starts) if starts else None
    pipeline.last_event = max(lasts) if lasts else None
    running = any(end is None for end in ends)
    pipeline.end = None if running or not ends else max(e for e in ends if e is not None)
    failed_parts = [p.pipeline for p in parts if p.pipeline.status == FAILED]
    if any(n.status == FAILED for n in nodes.values()) or any(
        d.status == FAILED for d in datasets.values()
    ):
        pipeline.status = FAILED
        pipeline.error = next((p.error for p in reversed(failed_parts) if p.error), None)
    elif running or missing or any(n.status in (INTERRUPTED, NOT_RUN) for n in nodes.values()):
        pipeline.status = INCOMPLETE
        pipeline.error = None
    else:
        pipeline.status = SUCCESS
        pipeline.error = None
    return pipeline
