"""The seed scenarios (a spaceflights-like run that succeeds, fails in a node, misses an
input, ...) built with :class:`helpers.event_log.EventLog`, aggregated with the real model.

Timestamps are deterministic (a fixed epoch plus a scripted clock), so reports built from
these are byte-for-byte stable and can be compared with golden files.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from helpers.event_log import EventLog
from kedro_run_report.events import Event
from kedro_run_report.ids import node_id
from kedro_run_report.model import RunStatus, aggregate

T0 = 1_714_564_800.0  # 2024-05-01 12:00:00 UTC
HOST = "ci-runner-7"
PID = 4242
RUN_ID = "2024-05-01T12.00.00.000Z"

# A spaceflights-like pipeline: (name, namespace, inputs, outputs, compute seconds)
SPACEFLIGHTS: list[tuple[str, str | None, list[str], list[str], float]] = [
    (
        "data_processing.preprocess_companies_node",
        "data_processing",
        ["companies"],
        ["preprocessed_companies"],
        0.42,
    ),
    (
        "data_processing.preprocess_shuttles_node",
        "data_processing",
        ["shuttles"],
        ["preprocessed_shuttles"],
        1.87,
    ),
    (
        "data_processing.create_model_input_table_node",
        "data_processing",
        ["preprocessed_shuttles", "preprocessed_companies", "reviews"],
        ["model_input_table"],
        3.2,
    ),
    (
        "data_science.split_data_node",
        "data_science",
        ["model_input_table", "params:model_options"],
        ["X_train", "X_test", "y_train", "y_test"],
        0.35,
    ),
    ("data_science.train_model_node", "data_science", ["X_train", "y_train"], ["regressor"], 62.4),
    (
        "data_science.evaluate_model_node",
        "data_science",
        ["regressor", "X_test", "y_test"],
        ["metrics"],
        0.85,
    ),
    (
        "reporting.plot_passengers_node",
        "reporting",
        ["preprocessed_shuttles"],
        ["shuttle_passenger_capacity_plot"],
        1.1,
    ),
]

DATASET_TYPES = {
    "companies": "kedro_datasets.pandas.csv_dataset.CSVDataset",
    "shuttles": "kedro_datasets.pandas.excel_dataset.ExcelDataset",
    "reviews": "kedro_datasets.pandas.csv_dataset.CSVDataset",
    "preprocessed_companies": "kedro_datasets.pandas.parquet_dataset.ParquetDataset",
    "preprocessed_shuttles": "kedro_datasets.pandas.parquet_dataset.ParquetDataset",
    "model_input_table": "kedro_datasets.pandas.parquet_dataset.ParquetDataset",
    "regressor": "kedro_datasets.pickle.pickle_dataset.PickleDataset",
    "metrics": "kedro_datasets.json.json_dataset.JSONDataset",
    "shuttle_passenger_capacity_plot": "kedro_datasets.plotly.json_dataset.JSONDataset",
}
# memory datasets are recorded with their class too
MEMORY = "kedro.io.memory_dataset.MemoryDataset"

SIZES = {  # bytes, rows
    "companies": (1_842_311, 77_096),
    "shuttles": (4_281_007, 77_096),
    "reviews": (2_937_550, 77_096),
    "preprocessed_companies": (1_120_440, 77_096),
    "preprocessed_shuttles": (2_004_118, 77_096),
    "model_input_table": (3_855_202, 6_027),
    "regressor": (1_310, None),
    "metrics": (96, None),
    "shuttle_passenger_capacity_plot": (14_502, None),
}


def new_log(t0: float = T0) -> EventLog:
    """An empty log of the spaceflights project's process, its clock at ``t0``."""
    return EventLog(t0, pid=PID, host=HOST, run_id=RUN_ID, digits=6)


def _node_id(name: str, inputs: list[str], outputs: list[str]) -> str:
    func = name.rsplit(".", 1)[-1].removesuffix("_node")
    return node_id(f"{name}: {func}({inputs}) -> {outputs}")


def pipeline_snapshot(
    spec: list[tuple[str, str | None, list[str], list[str], float]],
    types: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The ``pipeline`` field of a run_start event for a node spec list."""
    types = DATASET_TYPES if types is None else types
    names = {d for _, _, ins, outs, _ in spec for d in ins + outs}
    return {
        "nodes": [
            {
                "name": name,
                "id": _node_id(name, ins, outs),
                "namespace": ns,
                "tags": [],
                "inputs": ins,
                "outputs": outs,
                "function": name.rsplit(".", 1)[-1],
            }
            for name, ns, ins, outs, _ in spec
        ],
        "datasets": {
            d: {"type": types.get(d, MEMORY)} for d in sorted(names) if not d.startswith("params:")
        },
    }


def start_run(
    log: EventLog,
    spec: list[Any],
    *,
    filters: dict[str, Any] | None = None,
    types: dict[str, str] | None = None,
    run_id: str = RUN_ID,
    runner: str = "kedro.runner.sequential_runner.SequentialRunner",
    unselected: list[Any] | None = None,
    tags: dict[str, list[str]] | None = None,
) -> None:
    """Record the run_start event."""
    meta = {
        "project_name": "Spaceflights",
        "package_name": "spaceflights",
        "project_path": "/home/kedro/spaceflights",
        "kedro_version": "1.7.0",
        "env": "local",
        "runner": runner,
        "pipeline_names": ["__default__"],
        "filters": filters or {},
    }
    snapshot = pipeline_snapshot(spec, types)
    if unselected is not None:
        snapshot["unselected"] = pipeline_snapshot(unselected, types)["nodes"]
    for node in snapshot["nodes"] + snapshot.get("unselected", []):
        node["tags"] = (tags or {}).get(node["name"], [])
    log.run_start(meta, snapshot, run_id)


# How much each node raises its process's peak resident memory (KiB), from a first peak of
# START_MAXRSS_KIB: two hungry nodes, the rest too small to raise it.
START_MAXRSS_KIB = 180_000
MEMORY_RAISES_KIB = {
    "data_processing.create_model_input_table_node": 96_000,
    "data_science.train_model_node": 412_000,
    "data_processing.preprocess_shuttles_node": 20_000,
}


def run_node(
    log: EventLog,
    name: str,
    ins: list[str],
    outs: list[str],
    seconds: float,
    *,
    error: dict[str, Any] | None = None,
    sizes: dict[str, Any] | None = None,
) -> None:
    """Record one node: input loads, the function, output saves (or its error)."""
    sizes = SIZES if sizes is None else sizes
    ident = _node_id(name, ins, outs)
    for d in ins:
        size, rows = sizes.get(d, (None, None))
        log.tick(0.01).load_start(d, name)
        log.tick(0.05 if size and size > 1_000_000 else 0.002)
        log.load_end(d, name, size=size, rows=rows)
    peak = next(
        (e["maxrss_kib"] for e in reversed(log.events) if "maxrss_kib" in e), START_MAXRSS_KIB
    )
    log.tick(0.001).node_start(name, ident, maxrss_kib=peak)
    peak += MEMORY_RAISES_KIB.get(name, 0)
    if error is not None:
        log.tick(seconds).node_error(name, error, ident, maxrss_kib=peak)
        return
    log.tick(seconds).node_end(name, ident, maxrss_kib=peak)
    for d in outs:
        size, rows = sizes.get(d, (None, None))
        log.tick(0.001).save_start(d, name)
        log.tick(0.04 if size and size > 1_000_000 else 0.003)
        log.save_end(d, name, size=size, rows=rows)


TRAIN_ERROR = {
    "type": "ValueError",
    "message": "Input X contains NaN.\nLinearRegression does not accept missing values",
    "traceback": (
        "Traceback (most recent call last):\n"
        '  File "kedro/runner/task.py", line 88, in _run_node_sequential\n'
        "    outputs = node.run(inputs)\n"
        '  File "src/spaceflights/pipelines/data_science/nodes.py", line 41, in train_model\n'
        "    regressor.fit(X_train, y_train)\n"
        "ValueError: Input X contains NaN.\n"
        "LinearRegression does not accept missing values\n"
    ),
}

LOAD_ERROR = {
    "type": "DatasetError",
    "message": (
        "Failed while loading data from dataset CSVDataset(filepath=data/01_raw/companies.csv, "
        "load_args={}, protocol=file, save_args={'index': False}).\n"
        "[Errno 2] No such file or directory: 'data/01_raw/companies.csv'"
    ),
    "traceback": (
        "Traceback (most recent call last):\n"
        '  File "kedro/io/core.py", line 271, in load\n'
        "    return self._load()\n"
        "FileNotFoundError: [Errno 2] No such file or directory: 'data/01_raw/companies.csv'\n"
        "\nThe above exception was the direct cause of the following exception:\n\n"
        "kedro.io.core.DatasetError: Failed while loading data from dataset CSVDataset("
        "filepath=data/01_raw/companies.csv).\n"
    ),
}


def success_events() -> list[Event]:
    """Every node runs and succeeds."""
    log = new_log()
    start_run(log, SPACEFLIGHTS)
    for name, _, ins, outs, seconds in SPACEFLIGHTS:
        run_node(log, name, ins, outs, seconds)
    log.tick(0.02).end()
    return log.events


def node_failure_events() -> list[Event]:
    """train_model_node raises: upstream succeeded, downstream never runs."""
    log = new_log()
    start_run(log, SPACEFLIGHTS)
    for name, _, ins, outs, seconds in SPACEFLIGHTS:
        if name.endswith("train_model_node"):
            run_node(log, name, ins, outs, 2.5, error=TRAIN_ERROR)
            break
        run_node(log, name, ins, outs, seconds)
    log.tick(0.01).run_error(TRAIN_ERROR)
    return log.events


def missing_input_events() -> list[Event]:
    """companies.csv is missing: its load fails before the first node starts."""
    log = new_log()
    start_run(log, SPACEFLIGHTS)
    first = SPACEFLIGHTS[0][0]
    log.tick(0.01).load_start("companies", first)
    log.tick(0.003).run_error(LOAD_ERROR)
    return log.events


def success() -> RunStatus:
    """The success scenario, aggregated."""
    return aggregate(success_events())


def node_failure() -> RunStatus:
    """The node-failure scenario, aggregated."""
    return aggregate(node_failure_events())


def missing_input() -> RunStatus:
    """The missing-input scenario, aggregated."""
    return aggregate(missing_input_events())


SCENARIOS = {"success": success, "node_failure": node_failure, "missing_input": missing_input}


def synthetic_spec(
    n_nodes: int, *, width: int = 8, namespaces: int = 4
) -> list[tuple[str, str | None, list[str], list[str], float]]:
    """A layered DAG of ``n_nodes`` nodes in nested namespaces, for scale tests."""
    spec: list[tuple[str, str | None, list[str], list[str], float]] = []
    layers = max(1, -(-n_nodes // width))

    def namespace_of(layer: int, col: int) -> str:
        stage = layer * namespaces // layers  # contiguous bands of layers, like real stages
        return f"stage_{stage}.{'left' if col < width // 2 else 'right'}"

    for i in range(n_nodes):
        layer, col = divmod(i, width)
        stage = layer * namespaces // layers  # contiguous bands of layers, like real stages
        ns = namespace_of(layer, col)
        # outputs live in their producer's namespace, as with Kedro's namespaced pipelines
        ins = (
            [f"raw_{col}"]
            if layer == 0
            else [
                f"{namespace_of(layer - 1, c)}.ds_{layer - 1}_{c}" for c in (col, (col + 1) % width)
            ]
        )
        if i % 5 == 0:
            ins.append(f"params:stage_{stage}.p{col % 3}")
        spec.append(
            (
                f"{ns}.node_{layer}_{col}",
                ns,
                ins,
                [f"{ns}.ds_{layer}_{col}"],
                0.05 + (i * 7919 % 1000) / 400,
            )
        )
    return spec


def synthetic(n_nodes: int, *, fail_at: int | None = None) -> RunStatus:
    """A synthetic run of ``n_nodes`` nodes; with ``fail_at`` that node fails."""
    return aggregate(synthetic_events(n_nodes, fail_at=fail_at))


def synthetic_events(n_nodes: int, *, fail_at: int | None = None) -> list[Event]:
    """The events of :func:`synthetic`, e.g. to write as a recorded run."""
    spec = synthetic_spec(n_nodes)
    sizes = {
        out: (10_000 + i * 37, 100 + i) for i, (_, _, _, outs, _) in enumerate(spec) for out in outs
    }
    return spec_events(spec, sizes=sizes, types={}, fail_at=fail_at)


def spec_events(
    spec: list[tuple[str, str | None, list[str], list[str], float]],
    *,
    sizes: dict[str, Any],
    types: dict[str, str],
    fail_at: int | None = None,
) -> list[Event]:
    """A sequential run of ``spec``, node after node; with ``fail_at`` the node of that index
    fails and the run stops there."""
    log = new_log()
    start_run(log, spec, types=types)
    for i, (name, _, ins, outs, seconds) in enumerate(spec):
        if i == fail_at:
            run_node(log, name, ins, outs, seconds, error=TRAIN_ERROR, sizes=sizes)
            log.tick(0.01).run_error(TRAIN_ERROR)
            return log.events
        run_node(log, name, ins, outs, seconds, sizes=sizes)
    log.tick(0.01).end()
    return log.events


NASTY = 'x<script>alert(1)</script> "q" & \\N \\ a\nb &amp;'


def nasty() -> RunStatus:
    """A failed run whose names and error are full of markup, quotes and backslashes."""
    spec = [
        (f"ns<b>.{NASTY}", "ns<b>", ["in&put"], [f"out{NASTY}"], 0.5),
        ("ns<b>.after", "ns<b>", [f"out{NASTY}"], ["final"], 0.5),
    ]
    log = new_log()
    start_run(log, spec, types={})
    name, _, ins, outs, seconds = spec[0]
    error = {"type": "ValueError", "message": '</script><!-- & "', "traceback": "tb </pre>"}
    run_node(log, name, ins, outs, seconds, error=error, sizes={})
    log.tick(0.01).run_error(error)
    return aggregate(log.events)


# -- the timeline, comparison and partial-run sections --------------------------------------

TAGS = {name: ["prep"] for name, *_ in SPACEFLIGHTS if name.startswith("data_processing.")}
TAGS.update({name: ["ml"] for name, *_ in SPACEFLIGHTS if name.startswith("data_science.")})
THREAD_PLAN = {  # node -> (thread, start offset in seconds); threads overlap in time
    "data_processing.preprocess_companies_node": ("ThreadPoolExecutor-0_0", 0.05),
    "data_processing.preprocess_shuttles_node": ("ThreadPoolExecutor-0_1", 0.05),
    "data_processing.create_model_input_table_node": ("ThreadPoolExecutor-0_0", 2.2),
    "data_science.split_data_node": ("ThreadPoolExecutor-0_0", 5.7),
    "data_science.train_model_node": ("ThreadPoolExecutor-0_1", 6.3),
    "reporting.plot_passengers_node": ("ThreadPoolExecutor-0_0", 6.3),
    "data_science.evaluate_model_node": ("ThreadPoolExecutor-0_1", 68.9),
}


def _timed_node(
    name: str, ins: list[str], outs: list[str], seconds: float, thread: str, at: float
) -> list[tuple[float, Callable[[EventLog], object]]]:
    """One node's events at absolute offsets: loads, the function on ``thread``, saves.

    Each is an offset and the builder call that records it, to be played in time order."""
    ident = _node_id(name, ins, outs)
    out: list[tuple[float, Callable[[EventLog], object]]] = []
    step = functools.partial
    t = at
    for d in ins:
        size, rows = SIZES.get(d, (None, None))
        out.append((t, step(EventLog.load_start, dataset=d, node=name)))
        t += 0.05 if size and size > 1_000_000 else 0.002
        out.append((t, step(EventLog.load_end, dataset=d, node=name, size=size, rows=rows)))
    out.append((t + 0.001, step(EventLog.node_start, name=name, ident=ident, thread=thread)))
    t += 0.001 + seconds
    out.append((t, step(EventLog.node_end, name=name, ident=ident)))
    for d in outs:
        size, rows = SIZES.get(d, (None, None))
        out.append((t + 0.001, step(EventLog.save_start, dataset=d, node=name)))
        t += 0.041
        out.append((t, step(EventLog.save_end, dataset=d, node=name, size=size, rows=rows)))
    return out


def threaded_events() -> list[Event]:
    """The success pipeline on a ThreadRunner with two workers whose nodes overlap."""
    log = new_log()
    runner = "kedro.runner.thread_runner.ThreadRunner"
    start_run(log, SPACEFLIGHTS, runner=runner, run_id=RUN_ID, tags=TAGS)
    timed = []
    for name, _, ins, outs, seconds in SPACEFLIGHTS:
        thread, at = THREAD_PLAN[name]
        timed += _timed_node(name, ins, outs, seconds, thread, at)
    for t, record in sorted(timed, key=lambda e: e[0]):
        record(log.tick(round(T0 + t - log.t, 6)))
    log.tick(0.02).end()
    return log.events


def threaded() -> RunStatus:
    """Two overlapping thread lanes."""
    return aggregate(threaded_events())


def compared() -> Any:
    """A successful run compared with a failed earlier one, with a slower node, dropped rows
    and a history of five runs (a RunReport)."""
    from kedro_run_report.analysis import HistoryRow, compare
    from kedro_run_report.report.run_report import RunReport

    log = new_log(T0 + 3600)
    start_run(log, SPACEFLIGHTS, run_id="2024-05-01T13.00.00.000Z", tags=TAGS)
    sizes = dict(SIZES, model_input_table=(2_655_118, 4_120))
    for name, _, ins, outs, seconds in SPACEFLIGHTS:
        slower = 4.1 if name.endswith("preprocess_shuttles_node") else seconds
        run_node(log, name, ins, outs, slower, sizes=sizes)
    log.tick(0.02).end()
    current = aggregate(log.events)
    comparison = compare(current, node_failure())  # the run before failed in training
    history = [
        HistoryRow(
            run_id=f"2024-04-{day:02d}T12.00.00.000Z",
            key=f"k{day}",
            status=status,
            duration=duration,
            start=f"2024-04-{day:02d}T12:00:00+00:00",
        )
        for day, status, duration in (
            (27, "success", 70.2),
            (28, "success", 72.9),
            (29, "failed", 9.4),
            (30, "success", 71.1),
        )
    ]
    history.insert(
        0,
        HistoryRow(
            run_id=current.pipeline.run_id,
            key="k-now",
            status="success",
            duration=current.pipeline.duration,
            start="2024-05-01T13:00:00+00:00",
        ),
    )
    history.sort(key=lambda r: r.start or "", reverse=True)
    return RunReport(current, comparison, history)


def compared_no_baseline() -> Any:
    """History exists but no earlier run of the same selection (a RunReport)."""
    from kedro_run_report.analysis import HistoryRow
    from kedro_run_report.report.run_report import RunReport

    status = success()
    row = HistoryRow(run_id=status.pipeline.run_id, key="k1", status="success", duration=71.0)
    return RunReport(status, None, [row])


def partial(*, record_unselected: bool = True) -> RunStatus:
    """``--tags prep``: the data_processing nodes ran; the others were not selected."""
    chosen = [n for n in SPACEFLIGHTS if n[0].startswith("data_processing.")]
    others = [n for n in SPACEFLIGHTS if not n[0].startswith("data_processing.")]
    log = new_log()
    start_run(
        log,
        chosen,
        filters={"tags": ["prep"]},
        unselected=others if record_unselected else None,
        tags=TAGS,
    )
    for name, _, ins, outs, seconds in chosen:
        run_node(log, name, ins, outs, seconds)
    log.tick(0.02).end()
    return aggregate(log.events)
