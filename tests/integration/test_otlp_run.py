"""A real ParallelRunner run as a trace: written by ``kedro viz report -f otlp`` and sent to a
stand-in collector with ``--otlp-endpoint``, read back with the official messages."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers.kedro_project import run_kedro
from helpers.kedro_runs import status_of
from helpers.otlp import attrs, decode, nanos, otlp_receiver
from opentelemetry.proto.trace.v1.trace_pb2 import Status


@pytest.mark.integration
def test_a_parallel_run_with_a_failure_as_a_trace(project: Path) -> None:
    ran = run_kedro(
        project,
        "run",
        "--runner",
        "ParallelRunner",
        FAIL_NODE="model.score",
        KEDRO_MP_CONTEXT="fork",
    )
    assert ran.returncode != 0
    with otlp_receiver() as receiver:
        done = run_kedro(
            project, "viz", "report", "-q", "-f", "otlp", "-o", "trace.json",
            "--otlp-endpoint", receiver.url,
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
    written = decode((project / "trace.json").read_text(encoding="utf-8"))
    assert receiver.messages() == [written]

    status = status_of(project)
    spans = list(written.resource_spans[0].scope_spans[0].spans)
    by_id = {s.span_id: s for s in spans}
    (root,) = [s for s in spans if not s.parent_span_id]
    assert attrs(root)["kedro.run.id"] == status.pipeline.run_id
    assert root.status.code == Status.STATUS_CODE_ERROR
    nodes = {s.name: s for s in spans if s.parent_span_id == root.span_id}
    ran_nodes = {n.name: n for n in status.nodes.values() if n.start is not None}
    assert (
        set(nodes) == set(ran_nodes) == {"prep.clean", "prep.enrich", "model.train", "model.score"}
    )
    for name, span in nodes.items():
        node = ran_nodes[name]
        assert (span.start_time_unix_nano, span.end_time_unix_nano) == (
            nanos(node.start or 0),
            nanos(node.end or 0),
        )
        # ParallelRunner: each node ran in a worker process, not the main one
        assert attrs(span)["process.pid"] != attrs(root)["process.pid"]
    score = nodes["model.score"]
    assert score.status.code == Status.STATUS_CODE_ERROR
    assert "boom in model.score" in attrs(score.events[0])["exception.message"]
    operations = [s for s in spans if s.name.startswith(("load ", "save "))]
    assert len(operations) == len(status.operations) > 0
    for op in operations:
        parent = by_id[op.parent_span_id]
        assert parent.name == attrs(op)["kedro.node.name"]
        assert parent.start_time_unix_nano <= op.start_time_unix_nano
        assert op.end_time_unix_nano <= parent.end_time_unix_nano
    for span in spans:
        assert root.start_time_unix_nano <= span.start_time_unix_nano
        assert span.end_time_unix_nano <= root.end_time_unix_nano
