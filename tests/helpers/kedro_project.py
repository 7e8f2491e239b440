"""Small generated Kedro projects for integration tests, and a helper to run kedro in them.

The pipeline (5 nodes, 2 namespaces)::

    raw_orders.csv -> prep.clean -> prep.clean_orders (memory) -> prep.enrich -> prep.enriched.pkl
    prep.enriched -> model.train -> model.model.pkl (versioned) -> model.score -> model.scores.csv
    model.scores + prep.enriched -> summarise -> summary (memory)

``FAIL_NODE=<node name>`` in the environment makes that node raise (with ``FAIL_MESSAGE``
if set); ``SLEEP_NODE=<node name>``
makes it sleep ``SLEEP_SECONDS`` (default 60) first, creating the file ``SLEEP_MARKER`` (if set)
as it starts to sleep.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

PACKAGE = "toyproj"

NODES_PY = """
import os
import time

import pandas as pd


def _maybe_fail(name):
    if os.environ.get("ALLOCATE_NODE") == name:  # hold ALLOCATE_MB while the node runs
        held = b"x" * (int(os.environ.get("ALLOCATE_MB", "100")) * 1024 * 1024)
        time.sleep(0.01)
        del held
    if os.environ.get("SLEEP_NODE") == name:
        if os.environ.get("SLEEP_MARKER"):  # tells a test that the node is in its sleep now
            open(os.environ["SLEEP_MARKER"], "w").close()
        time.sleep(float(os.environ.get("SLEEP_SECONDS", "60")))
    if os.environ.get("FAIL_NODE") == name:
        raise ValueError(os.environ.get("FAIL_MESSAGE") or f"boom in {name}")


def clean(raw):
    _maybe_fail("prep.clean")
    return raw.dropna()


def enrich(df, factor):
    _maybe_fail("prep.enrich")
    out = df.copy()
    out["value"] = out["amount"] * factor
    return out


def train(df):
    _maybe_fail("model.train")
    return {"mean": float(df["value"].mean())}


def score(model, ):
    _maybe_fail("model.score")
    return pd.DataFrame({"score": [model["mean"]] * 3})


def summarise(scores, df):
    _maybe_fail("summarise")
    return {"rows": len(df), "score": float(scores["score"].sum())}
"""

REGISTRY_PY = """
from kedro.pipeline import Pipeline, node, pipeline

from .nodes import clean, enrich, score, summarise, train


def register_pipelines():
    prep = pipeline(
        [
            node(clean, "raw_orders", "clean_orders", name="clean", tags=["prep"]),
            node(enrich, ["clean_orders", "params:factor"], "enriched", name="enrich",
                 tags=["prep"]),
        ],
        namespace="prep",
        inputs={"raw_orders"},
        parameters={"params:factor"},
    )
    model = pipeline(
        [
            node(train, "prep.enriched", "model", name="train", tags=["model"]),
            node(score, "model", "scores", name="score", tags=["model"]),
        ],
        namespace="model",
        inputs={"prep.enriched"},
    )
    report = pipeline(
        [node(summarise, ["model.scores", "prep.enriched"], "summary", name="summarise")]
    )
    default = prep + model + report
    return {"__default__": default, "prep": prep, "model": model + report}
"""

CATALOG_YML = """
raw_orders:
  type: pandas.CSVDataset
  filepath: data/01_raw/orders.csv

prep.enriched:
  type: pickle.PickleDataset
  filepath: data/02_intermediate/enriched.pkl

model.model:
  type: pickle.PickleDataset
  filepath: data/06_models/model.pkl
  versioned: true

model.scores:
  type: pandas.CSVDataset
  filepath: data/07_model_output/scores.csv
"""

ORDERS_CSV = "order_id,amount\n" + "".join(f"{i},{i * 1.5}\n" for i in range(1, 41))


def make_project(root: Path, settings_extra: str = "") -> Path:
    """Write the toy project under ``root`` and return its path."""
    src = root / "src" / PACKAGE
    src.mkdir(parents=True)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""
            [tool.kedro]
            package_name = "{PACKAGE}"
            project_name = "Toy Project"
            kedro_init_version = "1.0.0"
            """
        )
    )
    (src / "__init__.py").write_text("")
    (src / "nodes.py").write_text(NODES_PY)
    (src / "pipeline_registry.py").write_text(REGISTRY_PY)
    (src / "settings.py").write_text(settings_extra)
    conf = root / "conf" / "base"
    conf.mkdir(parents=True)
    (root / "conf" / "local").mkdir()
    (conf / "catalog.yml").write_text(CATALOG_YML)
    (conf / "parameters.yml").write_text("factor: 2.0\n")
    raw = root / "data" / "01_raw"
    raw.mkdir(parents=True)
    (raw / "orders.csv").write_text(ORDERS_CSV)
    return root


def kedro_env(**extra: str) -> dict[str, str]:
    """The environment for a kedro subprocess: no telemetry, no colour, no inherited run."""
    env = dict(os.environ)
    env.update(
        KEDRO_DISABLE_TELEMETRY="1",
        DO_NOT_TRACK="1",
        NO_COLOR="1",
        COLUMNS="200",
        PYTHONUNBUFFERED="1",
    )
    for key in (
        "KEDRO_RUN_REPORT_ACTIVE_RUN",
        "KEDRO_RUN_REPORT_DIR",
        "FAIL_NODE",
        "FAIL_MESSAGE",
        "SLEEP_NODE",
        "SLEEP_MARKER",
    ):
        env.pop(key, None)
    env.update(extra)
    return env


def run_kedro(
    project: Path, *args: str, timeout: float = 180, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run ``kedro <args>`` in ``project`` with this interpreter."""
    return run_python(project, "-m", "kedro", *args, timeout=timeout, **env)


def run_python(
    project: Path, *args: str, timeout: float = 180, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run this interpreter with ``args`` in ``project``, with the kedro environment."""
    return subprocess.run(
        [sys.executable, *args],
        cwd=project,
        env=kedro_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )
