"""``kedro viz report`` inside a real project, with and without kedro-viz installed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers.kedro_project import run_kedro

pytestmark = pytest.mark.integration


@pytest.fixture
def no_kedro_viz(tmp_path: Path) -> dict[str, str]:
    """Environment in which ``import kedro_viz`` fails, as if it were not installed."""
    shadow = tmp_path / "shadow" / "kedro_viz"
    shadow.mkdir(parents=True)
    (shadow / "__init__.py").write_text('raise ImportError("kedro-viz is not installed here")\n')
    return {"PYTHONPATH": str(shadow.parent)}


def test_with_kedro_viz_its_commands_keep_working(ran_project: Path) -> None:
    listing = run_kedro(ran_project, "viz", "--help")
    assert listing.returncode == 0, listing.stderr
    for command in ("run", "build", "deploy", "report"):
        assert f"  {command} " in listing.stdout
    for command in ("run", "build", "deploy"):
        result = run_kedro(ran_project, "viz", command, "--help")
        assert result.returncode == 0, result.stderr
        assert "--include-hooks" in result.stdout or "--platform" in result.stdout

    result = run_kedro(ran_project, "viz", "report", "-f", "json", "-o", "status.json")
    assert result.returncode == 0, result.stderr
    data = json.loads((ran_project / "status.json").read_text())
    assert data["pipeline"]["status"] == "success"
    assert "written to" in result.stderr


def test_without_kedro_viz_we_provide_the_viz_group(
    ran_project: Path, no_kedro_viz: dict[str, str]
) -> None:
    listing = run_kedro(ran_project, "viz", "--help", **no_kedro_viz)
    assert listing.returncode == 0, listing.stderr
    assert "  report " in listing.stdout and "  build " not in listing.stdout
    result = run_kedro(ran_project, "viz", "report", "-f", "json", "-o", "s.json", **no_kedro_viz)
    assert result.returncode == 0, result.stderr
    assert json.loads((ran_project / "s.json").read_text())["pipeline"]["status"] == "success"


def test_a_file_kedro_viz_wrote_itself_is_reported(project: Path) -> None:
    (project / "src" / "toyproj" / "settings.py").write_text("")  # Kedro-Viz's hooks on
    assert run_kedro(project, "run", FAIL_NODE="model.score").returncode != 0
    result = run_kedro(
        project,
        "viz",
        "report",
        "--events",
        ".viz/kedro_pipeline_events.json",
        "-f",
        "json",
        "-o",
        "from-viz.json",
    )
    assert result.returncode == 0, result.stderr
    data = json.loads((project / "from-viz.json").read_text())
    assert data["pipeline"]["status"] == "failed"
    statuses = {n["name"]: n["status"] for n in data["nodes"].values()}
    assert statuses["model.score"] == "failed"
    assert statuses["model.train"] == "success"


def test_bad_input_inside_a_project_is_one_line(project: Path) -> None:
    result = run_kedro(project, "viz", "report", "-f", "json")
    assert result.returncode == 2
    assert "No runs recorded" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_a_second_real_run_is_compared_with_the_first(project: Path) -> None:
    assert run_kedro(project, "run").returncode == 0
    assert run_kedro(project, "run", "--runner", "ThreadRunner").returncode == 0
    result = run_kedro(project, "viz", "report", "-f", "json", "-f", "html", "-o", "out/", "-q")
    assert result.returncode == 0, result.stderr
    data = json.loads((project / "out" / "run-status.json").read_text())
    runs = [row["run_id"] for row in data["history"]]
    assert len(runs) == 2 and runs[0] == data["pipeline"]["run_id"]
    comparison = data["comparison"]
    assert comparison["previous_run_id"] == runs[1]
    assert comparison["current_run_id"] == runs[0]
    path = data["analysis"]["critical_path"]["node_ids"]
    names = [data["nodes"][i]["name"] for i in path]
    assert names[-1] == "summarise" and set(names) <= {n["name"] for n in data["nodes"].values()}
    shares = data["analysis"]["time_breakdown"]
    assert shares["wall"] > 0
    html = (project / "out" / "run-report.html").read_text()
    assert "Compared with earlier runs" in html and "Since the previous run" in html
    assert "1 earlier run of this pipeline selection" in html
    assert "Timeline" in html and "Where the time went" in html
