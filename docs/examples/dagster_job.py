"""A Dagster job with one op per node of a Kedro project; each op runs its node in a Kedro session.

Run it from the project's root. All the ops of one Dagster run form one run group:

    dagster job execute -f dagster_job.py -j kedro_job
    kedro viz report --group <the Dagster run id>
"""

import os
from pathlib import Path

from dagster import In, Nothing, OpDefinition, OpExecutionContext, Out, job, op
from kedro.framework.project import pipelines
from kedro.framework.session import KedroSession
from kedro.framework.startup import bootstrap_project

PROJECT_PATH = Path.cwd()
bootstrap_project(PROJECT_PATH)  # every op process imports this file, and so configures Kedro
PIPELINE = pipelines["__default__"]


def node_op(node_name: str) -> OpDefinition:
    """An op that runs one Kedro node, recorded in the run group of the Dagster run."""

    @op(name=node_name.replace(".", "__"), ins={"after": In(Nothing)}, out=Out(Nothing))
    def run_node(context: OpExecutionContext) -> None:
        os.environ["KEDRO_RUN_REPORT_GROUP"] = context.run_id
        with KedroSession.create(project_path=PROJECT_PATH) as session:
            session.run(node_names=[node_name])

    return run_node


@job
def kedro_job() -> None:
    """The pipeline's nodes as ops, each starting when the nodes it depends on succeeded."""
    done = {}
    for node in PIPELINE.nodes:  # in dependency order
        node_run = node_op(node.name)
        parents = [done[parent.name] for parent in PIPELINE.node_dependencies[node]]
        done[node.name] = node_run(after=parents) if parents else node_run()
