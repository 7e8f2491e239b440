"""Specs of large Kedro projects in the shapes real ones take, for scale and legibility tests.

A spec is what :mod:`helpers.scenarios` uses: a list of ``(node name, namespace or None, input
dataset names, output dataset names, seconds)`` in an order where every input is a raw input
(produced by no node) or produced by an earlier node.

Names are built the way Kedro builds them for namespaced (modular) pipelines: a node of
namespace ``ns`` is named ``ns.<name>``, the datasets it produces ``ns.<dataset>``, its
parameters ``params:ns.<key>``; raw inputs shared across namespaces keep their plain names.

Every generator is deterministic (a seeded :class:`random.Random`), so two calls give the same
spec, and a report built from it is stable.

    spec = SHAPES["modular_fanout"](1000)   # 40 namespaces x 25 nodes + combine_results
    status = shape_run(spec, fail_at=len(spec) // 2)
"""

from __future__ import annotations

import math
import random
import string
from collections import Counter
from collections.abc import Callable

from helpers.scenarios import spec_events
from kedro_run_report.events import Event
from kedro_run_report.model import RunStatus, aggregate

Spec = list[tuple[str, str | None, list[str], list[str], float]]

SEED = 20240501

# (function name, the dataset it produces): a forecasting-style modular pipeline
TEMPLATE_STEPS = [
    ("load_source", "source"),
    ("validate_schema", "validated"),
    ("clean_columns", "clean"),
    ("drop_duplicates", "deduplicated"),
    ("fill_missing", "filled"),
    ("encode_categoricals", "encoded"),
    ("scale_numeric", "scaled"),
    ("build_features", "features"),
    ("aggregate_daily", "daily"),
    ("join_calendar", "with_calendar"),
    ("compute_lags", "lags"),
    ("rolling_means", "rolling"),
    ("detect_outliers", "outlier_flags"),
    ("filter_outliers", "filtered"),
    ("split_data", "splits"),
    ("train_model", "model"),
    ("predict", "predictions"),
    ("evaluate_model", "metrics"),
    ("compute_residuals", "residuals"),
    ("calibrate", "calibrated"),
    ("forecast", "forecast"),
    ("reconcile", "reconciled"),
    ("summarise", "summary"),
    ("export_metrics", "metrics_table"),
]
LAST_STEP = ("assemble_result", "result")
PARAM_KEYS = ["alpha", "window", "threshold", "model_options", "horizon", "features"]

VERBS = [  # (verb, participle)
    ("clean", "cleaned"),
    ("aggregate", "aggregated"),
    ("join", "joined"),
    ("filter", "filtered"),
    ("enrich", "enriched"),
    ("normalise", "normalised"),
    ("pivot", "pivoted"),
    ("score", "scored"),
    ("summarise", "summarised"),
    ("validate", "validated"),
    ("dedupe", "deduped"),
    ("resample", "resampled"),
    ("encode", "encoded"),
    ("impute", "imputed"),
]
TOPICS = [
    "orders",
    "customers",
    "products",
    "inventory",
    "marketing",
    "web_sessions",
    "stores",
    "payments",
    "returns",
    "suppliers",
]
ATTRS = [
    "daily",
    "weekly",
    "by_region",
    "by_channel",
    "features",
    "history",
    "snapshot",
    "totals",
    "latest",
    "lagged",
]
RAW_INPUTS = ["raw_events", "raw_customers", "raw_products", "raw_stores", "raw_calendar"]

# top-level namespace -> [(second level, [third level, ...]), ...]
NESTED_TREE: list[tuple[str, list[tuple[str, list[str]]]]] = [
    (
        "ingestion",
        [
            ("sources", [f"src_{i:02d}" for i in range(8)]),
            ("cleaning", ["orders", "customers", "products", "stores", "events"]),
        ],
    ),
    (
        "features",
        [
            ("customer", ["window_7", "window_30", "window_90"]),
            ("product", ["popularity", "pricing", "seasonality"]),
            ("store", ["footfall", "region"]),
        ],
    ),
    (
        "modelling",
        [
            ("training", ["baseline", "gbm", "linear", "ensemble"]),
            ("evaluation", ["backtest", "holdout"]),
        ],
    ),
    ("reporting", [("dashboards", ["sales", "operations"]), ("exports", ["finance"])]),
]


def _seconds(rng: random.Random) -> float:
    """A node's compute time: mostly short, now and then a slow one."""
    if rng.random() < 0.05:
        return round(5 + rng.random() * 55, 3)
    return round(0.02 + rng.random() * 1.5, 3)


def _small_dag(size: int, rng: random.Random) -> list[list[int]]:
    """For each of ``size`` steps, the earlier steps it reads: mostly a chain, a few branches
    (a step reads the one before its predecessor) and joins (a step also reads an older one).
    Every step's output but the last is read by a later step."""
    reads: list[list[int]] = [[]]
    for i in range(1, size):
        parent = i - 2 if i >= 2 and rng.random() < 0.2 else i - 1
        step = [parent]
        if i >= 3 and rng.random() < 0.2:
            other = rng.randint(max(0, i - 5), i - 2)
            if other != parent:
                step.append(other)
        reads.append(step)
    read = {j for step in reads for j in step}
    for k in range(size - 1):
        if k not in read:  # a dangling branch joins back two steps later
            reads[min(k + 2, size - 1)].append(k)
    return reads


def _template_steps(template_nodes: int) -> list[tuple[str, str]]:
    """``template_nodes`` (function, output) names, unique, the last one producing result."""
    steps = []
    for i in range(template_nodes - 1):
        func, out = TEMPLATE_STEPS[i % len(TEMPLATE_STEPS)]
        turn = i // len(TEMPLATE_STEPS)
        steps.append((func, out) if turn == 0 else (f"{func}_{turn + 1}", f"{out}_{turn + 1}"))
    return [*steps, LAST_STEP]


def modular_fanout(namespaces: int = 40, template_nodes: int = 25) -> Spec:
    """One template pipeline reused under ``namespaces`` namespaces (``region_07``), each copy
    reading the shared ``raw_input`` and its own parameters and ending in ``<ns>.result``; one
    final ``combine_results`` (no namespace) reads every result.

    ``namespaces * template_nodes + 1`` nodes."""
    if namespaces < 1 or template_nodes < 1:
        raise ValueError("modular_fanout needs at least one namespace of one node")
    rng = random.Random(SEED)
    steps = _template_steps(template_nodes)
    reads = _small_dag(template_nodes, rng)  # the same template in every namespace
    params = {0: "source_options"}
    for i in range(1, template_nodes):
        if rng.random() < 0.15:
            params[i] = PARAM_KEYS[i % len(PARAM_KEYS)]
    digits = max(2, len(str(namespaces - 1)))
    spec: Spec = []
    results = []
    for r in range(namespaces):
        ns = f"region_{r:0{digits}d}"
        for i, (func, out) in enumerate(steps):
            ins = [f"{ns}.{steps[j][1]}" for j in reads[i]]
            if i == 0:
                ins.insert(0, "raw_input")
            if i in params:
                ins.append(f"params:{ns}.{params[i]}")
            spec.append((f"{ns}.{func}", ns, ins, [f"{ns}.{out}"], _seconds(rng)))
        results.append(f"{ns}.result")
    spec.append(("combine_results", None, results, ["combined_results"], _seconds(rng)))
    return spec


def _stage_name(i: int) -> str:
    """stage_a, stage_b, ..., stage_z, stage_ba, ..."""
    letters = string.ascii_lowercase
    name = letters[i % 26]
    while i >= 26:
        i = i // 26
        name = letters[i % 26] + name
    return f"stage_{name}"


def wide_dag(nodes: int = 1000, layer_width: int = 30, namespaces: int = 6) -> Spec:
    """Layers of about ``layer_width`` nodes, each node reading one to three outputs of earlier
    layers (mostly the one before), the layers grouped into ``namespaces`` namespaces
    (``stage_a``, ``stage_b``, ...) in contiguous bands; the first layer reads raw inputs.

    Exactly ``nodes`` nodes."""
    if nodes < 1 or layer_width < 1 or namespaces < 1:
        raise ValueError("wide_dag needs at least one node, one column and one namespace")
    rng = random.Random(SEED + 1)
    widths: list[int] = []
    while sum(widths) < nodes:
        low, high = max(1, round(layer_width * 0.7)), max(1, round(layer_width * 1.3))
        widths.append(min(rng.randint(low, high), nodes - sum(widths)))
    bands = min(namespaces, len(widths))
    spec: Spec = []
    layers: list[list[str]] = []  # the outputs of each layer
    index = 0
    for layer, width in enumerate(widths):
        ns = _stage_name(layer * bands // len(widths))
        outputs = []
        for _ in range(width):
            verb, participle = VERBS[index % len(VERBS)]
            topic = TOPICS[rng.randrange(len(TOPICS))]
            if layer == 0:
                ins = rng.sample(RAW_INPUTS, rng.randint(1, 2))
            else:
                ins = [rng.choice(layers[-1])]
                for _ in range(rng.choices((0, 1, 2), weights=(4, 4, 2))[0]):
                    source = layers[-1] if rng.random() < 0.75 else rng.choice(layers)
                    pick = rng.choice(source)
                    if pick not in ins:
                        ins.append(pick)
            if rng.random() < 0.1:
                ins.append(f"params:{ns}.{PARAM_KEYS[index % len(PARAM_KEYS)]}")
            out = f"{ns}.{topic}_{participle}_{index}"
            spec.append((f"{ns}.{verb}_{topic}_{index}", ns, ins, [out], _seconds(rng)))
            outputs.append(out)
            index += 1
        layers.append(outputs)
    return spec


def _share(total: int, weights: list[float], minimum: int) -> list[int]:
    """``total`` split in proportion to ``weights``, each at least ``minimum``, summing exactly."""
    spare = total - minimum * len(weights)
    if spare < 0:
        raise ValueError(f"{total} is too few to give {len(weights)} parts {minimum} each")
    raw = [spare * w / sum(weights) for w in weights]
    parts = [math.floor(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: parts[i] - raw[i])
    for i in by_remainder[: spare - sum(parts)]:
        parts[i] += 1
    return [p + minimum for p in parts]


def nested(nodes: int = 1000) -> Spec:
    """Namespaces three levels deep (``ingestion.sources.src_03``,
    ``features.customer.window_7``, ...) of uneven sizes. Each second-level namespace has a
    node of its own joining its children's last outputs, each top-level one a node joining its
    second levels; a stage reads the previous stage's joined output.

    Exactly ``nodes`` nodes (at least 90)."""
    rng = random.Random(SEED + 2)
    leaves = [(top, mid, leaf) for top, mids in NESTED_TREE for mid, ls in mids for leaf in ls]
    own = sum(1 + len(mids) for _, mids in NESTED_TREE)  # the joining nodes
    weights = [rng.lognormvariate(0, 0.8) for _ in leaves]
    sizes = iter(_share(nodes - own, weights, 2))
    spec: Spec = []
    stage_input: list[str] | None = None  # the previous stage's output
    for top, mids in NESTED_TREE:
        mid_tables: list[str] = []
        for mid, names in mids:
            # a stage reads the one before; the first reads raw inputs, then its own tables
            upstream = stage_input or mid_tables[-1:] or None
            mid_ns = f"{top}.{mid}"
            lasts = []
            for leaf in names:
                ns = f"{mid_ns}.{leaf}"
                size = next(sizes)
                steps = _small_dag(size, rng)
                offset = rng.randrange(len(TEMPLATE_STEPS))
                named = [TEMPLATE_STEPS[(offset + i) % len(TEMPLATE_STEPS)] for i in range(size)]
                named = [
                    (f"{f}_{i}", f"{o}_{i}") if i >= len(TEMPLATE_STEPS) else (f, o)
                    for i, (f, o) in enumerate(named)
                ]
                for i, (func, out) in enumerate(named):
                    ins = [f"{ns}.{named[j][1]}" for j in steps[i]]
                    if i == 0:
                        ins = [*(upstream or [f"raw_{leaf}"]), f"params:{ns}.options", *ins]
                    spec.append((f"{ns}.{func}", ns, ins, [f"{ns}.{out}"], _seconds(rng)))
                lasts.append(f"{ns}.{named[-1][1]}")
            table = f"{mid_ns}.{mid}_table"
            spec.append((f"{mid_ns}.join_{mid}", mid_ns, lasts, [table], _seconds(rng)))
            mid_tables.append(table)
        output = f"{top}.{top}_output"
        spec.append((f"{top}.combine_{top}", top, mid_tables, [output], _seconds(rng)))
        stage_input = [output]
    return spec


def flat(nodes: int = 1000) -> Spec:
    """No namespaces: a few independent branches (orders, customers, ...), each a layered DAG
    of function-like node names ending in one ``finalise_<topic>`` node, merged by
    ``merge_branches`` and ``build_report``.

    Exactly ``nodes`` nodes (at least 12)."""
    rng = random.Random(SEED + 3)
    branches = max(2, min(len(TOPICS), nodes // 200))
    sizes = _share(nodes - 2, [1.0 + rng.random() for _ in range(branches)], 3)
    spec: Spec = []
    used: Counter[str] = Counter()

    def unique(name: str) -> str:
        used[name] += 1
        return name if used[name] == 1 else f"{name}_{used[name]}"

    finals = []
    for topic, size in zip(TOPICS[:branches], sizes, strict=True):
        layers: list[list[str]] = []
        left = size - 1  # the finalise node
        while left:
            width = min(left, rng.randint(2, 8))
            outputs = []
            for _ in range(width):
                verb, participle = rng.choice(VERBS)
                attr = rng.choice(ATTRS)
                if not layers:
                    ins = [f"raw_{topic}"]
                else:
                    ins = [rng.choice(layers[-1])]
                    if rng.random() < 0.35:
                        pick = rng.choice(rng.choice(layers))
                        if pick not in ins:
                            ins.append(pick)
                if rng.random() < 0.08:
                    ins.append(f"params:{attr}_options")
                out = unique(f"{topic}_{attr}_{participle}")
                name = unique(f"{verb}_{topic}_{attr}")
                spec.append((name, None, ins, [out], _seconds(rng)))
                outputs.append(out)
            layers.append(outputs)
            left -= width
        final = f"{topic}_final"
        spec.append((f"finalise_{topic}", None, layers[-1], [final], _seconds(rng)))
        finals.append(final)
    spec.append(("merge_branches", None, finals, ["merged_table"], _seconds(rng)))
    spec.append(("build_report", None, ["merged_table", "params:report"], ["report"], 0.4))
    return spec


MODULAR_DIMS = {1000: (40, 25), 5000: (100, 50), 10000: (100, 100)}


def modular_dims(nodes: int) -> tuple[int, int]:
    """(namespaces, template nodes) of a modular fan-out of about ``nodes`` nodes."""
    if nodes in MODULAR_DIMS:
        return MODULAR_DIMS[nodes]
    namespaces = max(1, min(100, round(math.sqrt(nodes * 1.6))))
    return namespaces, max(1, (nodes - 1) // namespaces)


SHAPES: dict[str, Callable[[int], Spec]] = {
    "modular_fanout": lambda n: modular_fanout(*modular_dims(n)),
    "wide_dag": lambda n: wide_dag(n),
    "nested": lambda n: nested(n),
    "flat": lambda n: flat(n),
}


# -- reading a spec -----------------------------------------------------------------------------


def produced(spec: Spec) -> dict[str, int]:
    """Dataset -> the index of the node producing it."""
    return {out: i for i, (_, _, _, outs, _) in enumerate(spec) for out in outs}


def raw_inputs(spec: Spec) -> list[str]:
    """The datasets read but produced by no node (parameters left out), sorted."""
    made = produced(spec)
    return sorted(
        {
            d
            for _, _, ins, _, _ in spec
            for d in ins
            if d not in made and not d.startswith("params:")
        }
    )


def namespace_sizes(spec: Spec, depth: int | None = None) -> Counter[str]:
    """Namespace -> how many nodes are in it or below it; with ``depth``, only the namespaces
    of at most that many levels (``depth=1``: the top-level ones)."""
    counts: Counter[str] = Counter()
    for _, ns, _, _, _ in spec:
        if ns is None:
            continue
        parts = ns.split(".")
        for level in range(1, len(parts) + 1):
            if depth is None or level <= depth:
                counts[".".join(parts[:level])] += 1
    return counts


# -- runs -----------------------------------------------------------------------------------------


def _sizes(spec: Spec) -> dict[str, tuple[int, int]]:
    """Bytes and rows of every dataset: large raw inputs, shrinking outputs."""
    sizes = {
        d: (50_000_000 + k * 1_000_003, 1_000_000 + k * 17) for k, d in enumerate(raw_inputs(spec))
    }
    for i, (_, _, _, outs, _) in enumerate(spec):
        for out in outs:
            sizes[out] = (10_000 + i * 37, 100 + i)
    return sizes


def _types(spec: Spec) -> dict[str, str]:
    """Raw inputs are CSV files, outputs nobody reads are Parquet files, the rest in memory."""
    read = {d for _, _, ins, _, _ in spec for d in ins}
    types = dict.fromkeys(raw_inputs(spec), "kedro_datasets.pandas.csv_dataset.CSVDataset")
    for _, _, _, outs, _ in spec:
        for out in outs:
            if out not in read:
                types[out] = "kedro_datasets.pandas.parquet_dataset.ParquetDataset"
    return types


def shape_events(spec: Spec, fail_at: int | None = None) -> list[Event]:
    """The events of a run of ``spec``; with ``fail_at`` the node of that index fails and the
    run stops there (as :func:`helpers.scenarios.synthetic_events`)."""
    return spec_events(spec, sizes=_sizes(spec), types=_types(spec), fail_at=fail_at)


def shape_run(spec: Spec, fail_at: int | None = None) -> RunStatus:
    """:func:`shape_events` aggregated."""
    return aggregate(shape_events(spec, fail_at=fail_at))
