"""What the hook records about a run before it starts: parameters and the planned pipeline.

The snapshot lets a report draw the pipeline later without importing the project.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kedro_run_report.ids import node_id
from kedro_run_report.model.run_status import SELECTION_KEYS
from kedro_run_report.record.command import command_options
from kedro_run_report.redact import PATTERNS, Redactor
from kedro_run_report.settings import run_group

# All the run_params keys reported as the run's filters.
FILTER_KEYS = (*SELECTION_KEYS, "only_missing_outputs", "load_versions")

_RUNNER_REPR = re.compile(r"<([\w.]+) object at 0x[0-9a-fA-F]+>")


def runner_name(runner: Any) -> str:
    """``"<kedro.runner.thread_runner.ThreadRunner object at 0x..>"`` -> ``"ThreadRunner"``."""
    text = str(runner)
    match = _RUNNER_REPR.fullmatch(text.strip())
    if match:
        return match.group(1).rsplit(".", 1)[-1]
    if text in ("None", ""):
        return "SequentialRunner"  # session.run() without a runner uses SequentialRunner
    return text


def run_filters(run_params: dict[str, Any]) -> dict[str, Any]:
    """The partial-run filters that were actually set, as plain JSON values."""
    filters: dict[str, Any] = {}
    for key in FILTER_KEYS:
        value = run_params.get(key)
        if not value:
            continue
        if isinstance(value, dict):
            filters[key] = {str(k): str(v) for k, v in value.items()}
        elif isinstance(value, (list, tuple, set, frozenset)):
            filters[key] = sorted(str(v) for v in value)
        elif isinstance(value, bool):
            filters[key] = value
        else:
            filters[key] = str(value)
    return filters


def pipeline_names(run_params: dict[str, Any]) -> list[str]:
    """The pipelines a run asked for: ``pipeline_names`` (a list, in later Kedro releases) or
    Kedro 1.0's single ``pipeline_name``; the default pipeline when neither is given."""
    names = run_params.get("pipeline_names")
    if not names and run_params.get("pipeline_name"):
        names = [run_params["pipeline_name"]]
    return [str(n) for n in names or ["__default__"]]


def run_meta(
    run_params: dict[str, Any], project: dict[str, Any], redactor: Redactor = PATTERNS
) -> dict[str, Any]:
    """Run metadata recorded in the ``run_start`` event; secrets in ``--params`` masked."""
    names = pipeline_names(run_params)
    runtime_params = run_params.get("runtime_params") or {}
    return {
        "project_name": project.get("project_name"),
        "package_name": project.get("package_name"),
        "project_path": str(run_params.get("project_path") or project.get("project_path") or ""),
        "kedro_version": str(run_params.get("kedro_version") or ""),
        "env": run_params.get("env") or "local",
        "runner": runner_name(run_params.get("runner")),
        "pipeline_names": names,
        "filters": run_filters(run_params),
        "runtime_param_names": sorted(str(k) for k in runtime_params),
        "runtime_params": redactor.value(runtime_params)
        if isinstance(runtime_params, dict)
        else {},
        "group": run_group(),
        "command": command_options(redactor),
    }


def function_name(node: Any) -> str | None:
    """The node function's dotted name, without calling anything."""
    func = getattr(node, "func", None)
    if func is None:
        return None
    name = getattr(func, "__qualname__", None) or getattr(func, "__name__", None)
    module = getattr(func, "__module__", None)
    if name is None:
        return type(func).__name__
    return f"{module}.{name}" if module else str(name)


def dataset_type(catalog: Any, name: str) -> str | None:
    """The short type of a catalog entry (``pandas.CSVDataset``) without materialising it."""
    if catalog is None:
        return None
    try:
        full = catalog.get_type(name)
    except Exception:
        return None
    if not full:
        return "MemoryDataset"  # not in the catalog: Kedro creates a MemoryDataset at run time
    full = str(full)
    parts = full.split(".")
    if parts[0] in ("kedro_datasets", "kedro") and len(parts) >= 3:
        # kedro_datasets.pandas.csv_dataset.CSVDataset -> pandas.CSVDataset
        return f"{parts[-3]}.{parts[-1]}" if parts[0] == "kedro_datasets" else parts[-1]
    return full


# Kedro warns once per dataset that a catch-all pattern creates it, when it resolves the name;
# asking a dataset's type resolves it too, and the user would see every warning twice.
_RESOLVER_LOGGER = "kedro.io.catalog_config_resolver"
_CATCH_ALL_WARNING = "Config from the dataset pattern"


class _DropCatchAllWarning(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith(_CATCH_ALL_WARNING)


@contextmanager
def _quiet_pattern_resolution() -> Iterator[None]:
    """Kedro's catch-all warnings left to Kedro's own resolution of each dataset."""
    resolver_logger = logging.getLogger(_RESOLVER_LOGGER)
    quiet = _DropCatchAllWarning()
    resolver_logger.addFilter(quiet)
    try:
        yield
    finally:
        resolver_logger.removeFilter(quiet)


def node_spec(node: Any) -> dict[str, Any]:
    """What the snapshot records of one node.

    Tuples, not lists: a structure of tuples and strings is one the garbage collector stops
    tracking, so a big snapshot held through the run does not slow the user's collections.
    """
    return {
        "id": node_id(str(node)),
        "name": node.name,
        "namespace": node.namespace,
        "tags": tuple(sorted(node.tags)),
        "inputs": tuple(node.inputs),
        "outputs": tuple(node.outputs),
        "function": function_name(node),
    }


def pipeline_snapshot(pipeline: Any, catalog: Any, full: Any = None) -> dict[str, Any]:
    """Every planned node (topological order) and the types of the datasets they touch.

    ``full`` is the registered pipeline a partial run selected from: its other nodes are
    recorded as ``unselected`` so that a report can show the selection in context.
    """
    nodes = tuple(node_spec(node) for node in pipeline.nodes)
    names: set[str] = set()
    for spec in nodes:
        names.update(spec["inputs"], spec["outputs"])
    datasets = {}
    with _quiet_pattern_resolution():
        for name in sorted(names):
            kind = dataset_type(catalog, name)
            if kind:
                datasets[name] = {"type": kind}
    snapshot: dict[str, Any] = {"nodes": nodes, "datasets": datasets}
    if full is not None:
        planned = {spec["name"] for spec in nodes}
        snapshot["unselected"] = tuple(node_spec(n) for n in full.nodes if n.name not in planned)
    return snapshot


def registered_pipeline(names: list[str]) -> Any:
    """The union of the project's registered pipelines ``names``, or ``None``."""
    try:
        from kedro.framework.project import pipelines

        selected = [pipelines[name] for name in names]
    except Exception:  # no project configured, or a pipeline that fails to load
        return None
    return sum(selected[1:], selected[0]) if selected else None
