"""How to resume a failed or interrupted run: the ``kedro run`` command that finishes it.

The nodes to start from are found as Kedro's runner finds its own suggestion
(``kedro.runner.runner._find_nodes_to_resume_from``), from the recorded pipeline instead of a
live catalog:

1. the unfinished nodes are the planned nodes that did not succeed (failed, interrupted, not
   run, or whose output failed to save);
2. from those of them that read something no other unfinished node produces, walk back over
   inputs that cannot be reloaded (in-memory datasets; parameters always can) to the nodes
   that produce them, and on from those, breadth first;
3. everything downstream of what was found runs again too (``--from-nodes`` runs a node's
   descendants);
4. the command names only the first nodes of that set: those with no parent inside it, the
   smallest ``--from-nodes`` that selects it.

Unlike Kedro's message this works for every runner and for a run group, and it gives the
whole command: the run's own pipelines, environment, runner, parameters and other options.
"""

from __future__ import annotations

import shlex
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kedro_run_report.ids import is_parameter, strip_transcoding
from kedro_run_report.model import (
    FAILED,
    INCOMPLETE,
    INTERRUPTED,
    SAVING,
    SUCCESS,
    NodeRun,
    PipelineRun,
    RunStatus,
)
from kedro_run_report.redact import MASK

# Datasets whose data lives only in the process that ran the pipeline (``_EPHEMERAL`` in Kedro).
EPHEMERAL_TYPES = frozenset({"MemoryDataset", "SharedMemoryDataset", "CachedDataset"})
UNFINISHED_RUNS = (FAILED, INTERRUPTED, INCOMPLETE)
DEFAULT_PIPELINE = "__default__"
DEFAULT_ENV = "local"
DEFAULT_RUNNER = "SequentialRunner"

# Recorded run filters and the ``kedro run`` option that sets each, in the order Kedro lists
# them; ``from_nodes`` is the one the resume command replaces.
FILTER_OPTIONS = (
    ("from_inputs", "--from-inputs"),
    ("to_outputs", "--to-outputs"),
    ("to_nodes", "--to-nodes"),
    ("node_names", "--nodes"),
    ("tags", "--tags"),
    ("namespaces", "--namespaces"),
)


@dataclass(frozen=True)
class Resume:
    """The command that resumes a run, and what it will run again."""

    argv: list[str]  # ["kedro", "run", ...]
    from_nodes: list[str] = field(default_factory=list)  # node names; empty: run it all again
    unfinished: list[str] = field(default_factory=list)  # node ids that did not finish
    rerun: list[str] = field(default_factory=list)  # node ids the command runs, pipeline order
    notes: list[str] = field(default_factory=list)  # what the user must check before running it

    @property
    def command(self) -> str:
        """The command as one line for a POSIX shell, every value quoted as it needs."""
        return shlex.join(self.argv)

    @property
    def rerun_finished(self) -> int:
        """Nodes that had succeeded but run again, because a node needs their in-memory output."""
        return len(set(self.rerun) - set(self.unfinished))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "command": self.command,
            "argv": list(self.argv),
            "from_nodes": list(self.from_nodes),
            "unfinished": list(self.unfinished),
            "rerun": list(self.rerun),
            "notes": list(self.notes),
        }


def resume(status: RunStatus) -> Resume | None:
    """The command that resumes ``status``, or ``None`` when there is nothing to resume."""
    if status.pipeline.status not in UNFINISHED_RUNS:
        return None
    nodes = list(status.nodes.values())
    done = finished_nodes(status)
    unfinished = [n for n in nodes if n.id not in done]
    if not unfinished:
        return None

    def reloadable(name: str) -> bool:
        return can_reload(name, dataset_type(status, name))

    if done:
        start = nodes_to_resume_from(nodes, unfinished, reloadable)
    else:
        start = []  # nothing finished: Kedro's advice too is to repeat the command
    rerun = _downstream(nodes, start) if start else nodes
    argv, notes = resume_argv(status.pipeline, sorted(n.name for n in start))
    return Resume(
        argv=argv,
        from_nodes=sorted(n.name for n in start),
        unfinished=[n.id for n in unfinished],
        rerun=[n.id for n in rerun],
        notes=notes,
    )


def finished_nodes(status: RunStatus) -> set[str]:
    """Ids of the nodes that succeeded and saved every output."""
    unsaved = {
        ds.error.node
        for ds in status.datasets.values()
        if ds.status != SUCCESS and ds.error is not None and ds.error.operation == SAVING
    }
    return {n.id for n in status.nodes.values() if n.status == SUCCESS and n.name not in unsaved}


def dataset_type(status: RunStatus, name: str) -> str | None:
    """The recorded type of dataset ``name``, or ``None`` when the log does not say."""
    dataset = status.dataset_by_name(name)
    return dataset.type if dataset is not None else None


def can_reload(name: str, kind: str | None) -> bool:
    """Whether a new run can load dataset ``name`` of type ``kind`` without its producer.

    Parameters always can (Kedro 0.19.6+ reads them again, kedro #3002). An in-memory dataset
    cannot; nor can a dataset of unknown type, since Kedro too treats a dataset it does not
    know as one it creates in memory.
    """
    if is_parameter(name):
        return True
    if not kind:
        return False
    return kind.rsplit(".", 1)[-1] not in EPHEMERAL_TYPES


def nodes_to_resume_from(
    nodes: list[NodeRun], unfinished: Iterable[NodeRun], reloadable: Callable[[str], bool]
) -> list[NodeRun]:
    """The fewest nodes whose ``--from-nodes`` runs every unfinished node with its inputs.

    ``nodes`` is the run's pipeline in topological order; the result keeps that order.
    """
    producers = _producers(nodes)
    todo = {n.id: n for n in unfinished}
    made_inside = {strip_transcoding(out) for n in todo.values() for out in n.outputs}
    queue = deque(
        n
        for n in todo.values()
        if any(strip_transcoding(name) not in made_inside for name in n.inputs)
    )
    visited = {n.id for n in queue}
    while queue:
        current = queue.popleft()
        todo[current.id] = current
        for name in current.inputs:
            if reloadable(name):
                continue
            for parent in producers.get(strip_transcoding(name), ()):
                if parent.id not in visited:
                    visited.add(parent.id)
                    queue.append(parent)
    selected = {n.id for n in _downstream(nodes, todo.values())}
    return _first_nodes(nodes, selected, producers)


def _producers(nodes: Iterable[NodeRun]) -> dict[str, list[NodeRun]]:
    found: dict[str, list[NodeRun]] = {}
    for node in nodes:
        for name in node.outputs:
            found.setdefault(strip_transcoding(name), []).append(node)
    return found


def _downstream(nodes: list[NodeRun], start: Iterable[NodeRun]) -> list[NodeRun]:
    """``start`` and every node that depends on them, in pipeline order (``from_nodes``)."""
    selected = {n.id for n in start}
    made = {strip_transcoding(out) for n in nodes if n.id in selected for out in n.outputs}
    out = []
    for node in nodes:  # topological order: a node's parents come first
        if node.id not in selected and any(strip_transcoding(i) in made for i in node.inputs):
            selected.add(node.id)
            made.update(strip_transcoding(o) for o in node.outputs)
        if node.id in selected:
            out.append(node)
    return out


def _first_nodes(
    nodes: list[NodeRun], selected: set[str], producers: Mapping[str, list[NodeRun]]
) -> list[NodeRun]:
    """The nodes of ``selected`` with no parent in ``selected`` (Kedro's first node group)."""
    return [
        node
        for node in nodes
        if node.id in selected
        and not any(
            parent.id in selected and parent.id != node.id
            for name in node.inputs
            for parent in producers.get(strip_transcoding(name), ())
        )
    ]


def resume_argv(pipeline: PipelineRun, from_nodes: list[str]) -> tuple[list[str], list[str]]:
    """``kedro run`` with the run's own options and ``--from-nodes``; and notes on it."""
    argv = ["kedro", "run"]
    notes: list[str] = []
    names = [n for n in pipeline.pipeline_names if n]
    if len(names) == 1 and names != [DEFAULT_PIPELINE]:
        argv += ["--pipeline", names[0]]  # every Kedro 1.x has it; 1.0 has no --pipelines
    elif len(names) > 1:
        argv += ["--pipelines", ",".join(names)]
    if pipeline.env and pipeline.env != DEFAULT_ENV:
        argv += ["--env", pipeline.env]
    command = pipeline.command
    runner = str(command.get("runner") or _short_runner(pipeline.runner) or "")
    if runner and runner != DEFAULT_RUNNER:
        argv += ["--runner", runner]
    runner_params = command.get("runner_params")
    if isinstance(runner_params, Mapping) and runner_params:
        argv += ["--runner-params", _dotlist(runner_params, "--runner-params", notes)]
    if command.get("is_async"):
        argv.append("--async")
    if command.get("conf_source"):
        argv += ["--conf-source", str(command["conf_source"])]
    filters = pipeline.filters
    for key, option in FILTER_OPTIONS:
        value = filters.get(key)
        if value:
            argv += [option, _joined(value)]
    # Nothing finished: the run's own --from-nodes, if it had one, starts it again.
    start = from_nodes or filters.get("from_nodes")
    if start:
        argv += ["--from-nodes", _joined(start)]
    versions = filters.get("load_versions")
    if isinstance(versions, dict) and versions:
        argv += ["--load-versions", ",".join(f"{k}:{v}" for k, v in versions.items())]
    if filters.get("only_missing_outputs"):
        argv.append("--only-missing-outputs")
    if pipeline.runtime_params:
        argv += ["--params", _dotlist(pipeline.runtime_params, "--params", notes)]
    return argv, notes


def _short_runner(runner: str | None) -> str | None:
    if not runner or runner == "None":
        return None
    return runner.strip().rsplit(".", 1)[-1]


def _joined(value: Any) -> str:
    if isinstance(value, (list, tuple, set)):
        return ",".join(str(v) for v in value)
    return str(value)


def _dotlist(values: Mapping[str, Any], option: str, notes: list[str]) -> str:
    """``key=value`` pairs as Kedro's ``--params`` reads them; a note for what cannot be."""
    flat = dict(_flatten(values))
    masked = sorted(k for k, v in flat.items() if MASK in str(v))
    if masked:
        notes.append(
            f"Masked in the record: put the value of {', '.join(masked)} back into {option}."
        )
    commas = sorted(k for k, v in flat.items() if "," in _value_text(v))
    if commas:
        notes.append(f"Kedro splits {option} at commas: check the value of {', '.join(commas)}.")
    return ",".join(f"{k}={_value_text(v)}" for k, v in flat.items())


def _value_text(value: Any) -> str:
    """A value as Kedro parses it back (OmegaConf's dot-list syntax: ``null``, ``true``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        return "[" + ",".join(_value_text(v) for v in value) + "]"
    return str(value)


def _flatten(params: Mapping[str, Any], prefix: str = "") -> Iterable[tuple[str, Any]]:
    """Nested ``--params`` back into Kedro's dotted keys: ``{"a": {"b": 1}}`` -> ``a.b=1``."""
    for key, value in params.items():
        name = f"{prefix}{key}"
        if isinstance(value, Mapping) and value:
            yield from _flatten(value, f"{name}.")
        else:
            yield name, value
