"""The README's Airflow snippets, run without Airflow.

Airflow itself is too heavy for the test suite. What the snippet adds to kedro-airflow's
generated operator is plain Python: its ``execute`` is taken from the README as printed and
called, in a process per task as Airflow's workers would, with the context entry it reads and
a run id in Airflow's own format (colons and a plus sign). The report command of the last task
then runs as printed, with Airflow's template filled in.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest
from helpers.examples import PERSISTED_INTERMEDIATE, readme_block_containing
from helpers.kedro_project import PACKAGE, run_kedro, run_python

pytestmark = pytest.mark.integration

AIRFLOW_RUN_ID = "scheduled__2026-12-01T00:00:00+00:00"

# The parts of kedro-airflow's generated KedroOperator the snippet relies on.
TASK = """
import os
import sys

from kedro.framework.project import configure_project
from kedro.framework.session import KedroSession


class KedroOperator:
    def __init__(self, package_name, pipeline_name, node_name, project_path, env):
        self.package_name = package_name
        self.pipeline_name = pipeline_name
        self.node_name = node_name
        self.project_path = project_path
        self.env = env

{execute}

operator = KedroOperator("{package}", "__default__", sys.argv[1], os.getcwd(), "local")
operator.execute({{"run_id": sys.argv[2]}})
"""


def test_the_airflow_operator_snippet_records_one_group(project: Path) -> None:
    with (project / "conf" / "base" / "catalog.yml").open("a") as catalog:
        catalog.write(PERSISTED_INTERMEDIATE)
    execute = readme_block_containing('context["run_id"]')
    script = project / "airflow_task.py"
    script.write_text(
        TASK.format(execute=textwrap.indent(textwrap.dedent(execute), "    "), package=PACKAGE)
    )
    env = {"PYTHONPATH": str(project / "src")}  # kedro-airflow installs the project's package
    for node in ("prep.clean", "prep.enrich", "model.train"):
        task = run_python(project, str(script), node, AIRFLOW_RUN_ID, **env)
        assert task.returncode == 0, task.stderr

    # The last task's command, with Airflow's {{ run_id }} filled in.
    out = project / "reports" / AIRFLOW_RUN_ID
    report = run_kedro(
        project,
        "viz",
        "report",
        "--group",
        AIRFLOW_RUN_ID,
        "-f",
        "html",
        "-f",
        "junit",
        "-f",
        "json",
        "-o",
        f"{out}/",
        "-q",
    )
    assert report.returncode == 0, report.stderr
    assert sorted(p.suffix for p in out.iterdir()) == [".html", ".json", ".xml"]
    data = json.loads(next(out.glob("*.json")).read_text())
    assert data["pipeline"]["run_id"] == AIRFLOW_RUN_ID
    assert {n["name"]: n["status"] for n in data["nodes"].values()} == {
        "prep.clean": "success",
        "prep.enrich": "success",
        "model.train": "success",
        "model.score": "not_run",
        "summarise": "not_run",
    }
    assert data["pipeline"]["status"] == "incomplete"
    assert len({part["pid"] for part in data["parts"]}) == 3
