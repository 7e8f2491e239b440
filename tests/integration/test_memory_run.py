"""Peak memory per node on a real ``kedro run``: a node that holds 400 MB is the hungriest.

What is recorded is how far a node raised its process's peak. Start-up can leave that peak
well above the memory in use when a node starts (by about 100 MB in some runs of this suite),
so the node holds much more than that: its raise is then at least its hold minus that gap.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.kedro_project import run_kedro
from helpers.kedro_runs import status_of

from kedro_run_report.analysis import memory_use
from kedro_run_report.diagram.render import DiagramResult
from kedro_run_report.report.run_report import RunReport
from kedro_run_report.report.views.page import build_view

pytestmark = pytest.mark.integration

MB = 1024 * 1024
RUNNERS = {
    "sequential": ([], {}),
    "parallel-fork": (["--runner", "ParallelRunner"], {"KEDRO_MP_CONTEXT": "fork"}),
}


@pytest.mark.parametrize("runner", list(RUNNERS))
def test_the_node_that_allocates_is_the_most_memory_hungry(project: Path, runner: str) -> None:
    args, env = RUNNERS[runner]
    result = run_kedro(project, "run", *args, ALLOCATE_NODE="model.train", ALLOCATE_MB="400", **env)
    assert result.returncode == 0, result.stderr + result.stdout

    status = status_of(project)
    use = memory_use(status)
    hungriest = use.hungriest()
    assert hungriest and hungriest[0].name == "model.train"
    assert 200 * MB <= hungriest[0].raised <= 800 * MB
    assert use.run_peak is not None and use.run_peak >= hungriest[0].peak
    # every other node raised its process's peak far less
    assert all(n.raised < 50 * MB for n in use.nodes.values() if n.name != "model.train")
    view = build_view(RunReport(status), DiagramResult(None, "n"), title=None, version="x")
    assert view.timing is not None and view.timing.hungriest[0].name == "model.train"
