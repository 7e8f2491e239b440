"""The README's orchestrator examples are the code the integration tests run."""

from __future__ import annotations

from helpers.examples import DAGSTER_JOB, readme_block_containing


def test_the_readme_shows_the_dagster_job_verbatim() -> None:
    assert readme_block_containing("def kedro_job()") == DAGSTER_JOB.read_text()


def test_the_airflow_snippet_is_the_operator_method_the_test_calls() -> None:
    block = readme_block_containing('context["run_id"]')
    assert block.lstrip().startswith("def execute(self, context):")
    assert 'os.environ["KEDRO_RUN_REPORT_GROUP"] = context["run_id"]' in block
