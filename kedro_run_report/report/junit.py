"""The run as JUnit XML, for GitLab's test reports, Jenkins and other CI test views.

One ``<testsuite>`` for the run, one ``<testcase>`` per node, plus cases for failed datasets
and for a run error that no node or dataset explains. Status mapping (as dbt-to-JUnit
converters do): a failed node is a ``<failure>``, an execution error (dataset, interruption,
the run itself) an ``<error>``, a node that did not run ``<skipped>``.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from kedro_run_report.formatting import shorten
from kedro_run_report.model import (
    FAILED,
    INTERRUPTED,
    LOADING,
    NOT_RUN,
    SAVING,
    SUCCESS,
    NodeRun,
    RunStatus,
)
from kedro_run_report.report.formats import Rendered
from kedro_run_report.report.summary import filter_value, problems, short_runner

if TYPE_CHECKING:
    from kedro_run_report.report.formats import RenderOptions
    from kedro_run_report.report.run_report import RunReport

SUITES_NAME = "kedro-run-report"
# GitLab refuses report files above 30 MB: tracebacks are cut to their last MAX_TEXT
# characters, and to SMALL_TEXT once TEXT_BUDGET characters have been spent on them
MAX_TEXT = 64_000
SMALL_TEXT = 1_000
TEXT_BUDGET = 10_000_000
MAX_MESSAGE = 2_000
# characters XML 1.0 cannot carry at all, not even escaped
_ILLEGAL_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_OPERATION_VERB = {LOADING: "load", SAVING: "save"}
NOT_RUN_REASON = {
    FAILED: "not run: upstream failure",
    INTERRUPTED: "not run: the run was interrupted",
    SUCCESS: "not run: skipped by the runner (e.g. --only-missing-outputs)",
}


def clean(text: str | None) -> str:
    """Text with the characters XML 1.0 forbids replaced by U+FFFD."""
    return _ILLEGAL_XML.sub("\ufffd", text or "")


def surefire_time(seconds: float) -> str:
    """Seconds with three decimals, the most the Surefire schema's ``time`` allows."""
    return f"{max(0.0, seconds):.3f}"


def _tail(text: str, limit: int) -> str:
    if len(text) <= limit:
        return clean(text)
    cut = len(text) - limit
    return clean(f"[… {cut:,} characters not shown]\n" + text[cut:])


def _head(text: str, limit: int = MAX_MESSAGE) -> str:
    return clean(shorten(text, limit))


def _properties(status: RunStatus) -> list[tuple[str, str]]:
    p = status.pipeline
    props = [
        ("run_id", p.run_id),
        ("pipelines", ", ".join(p.pipeline_names)),
        ("runner", short_runner(p.runner)),
        ("kedro_version", p.kedro_version or ""),
        ("env", p.env or ""),
        ("status", p.status),
    ]
    props += [(f"filter.{key}", filter_value(value)) for key, value in p.filters.items()]
    return props


def _classname(node: NodeRun) -> str:
    return f"kedro.{node.namespace}" if node.namespace else "kedro"


def _not_run_reason(status: RunStatus, node: NodeRun) -> str:
    # the node whose input load failed did not start, but it is not downstream of anything
    for ds in status.datasets.values():
        err = ds.error
        if ds.status == FAILED and err is not None and err.node == node.name:
            verb = "loading its input" if err.operation == LOADING else "saving its output"
            return f"not run: {verb} {ds.name} failed"
    word = status.pipeline.status
    return NOT_RUN_REASON.get(word, NOT_RUN_REASON[INTERRUPTED])


class _Suite:
    """Adds test cases with names unique in the suite (GitLab drops duplicates) and counts."""

    def __init__(self, suite: ET.Element) -> None:
        self.suite = suite
        self.names: set[str] = set()
        self.counts = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
        self.text_used = 0

    def case(self, classname: str, name: str, seconds: float = 0.0) -> ET.Element:
        unique, n = name, 1
        while unique in self.names:
            n += 1
            unique = f"{name} [{n}]"
        self.names.add(unique)
        self.counts["tests"] += 1
        attrs = {"classname": clean(classname), "name": clean(unique)}
        return ET.SubElement(self.suite, "testcase", attrs, time=surefire_time(seconds))

    def outcome(
        self, case: ET.Element, tag: str, message: str, kind: str | None = None, text: str = ""
    ) -> None:
        self.counts[{"failure": "failures", "error": "errors", "skipped": "skipped"}[tag]] += 1
        element = ET.SubElement(case, tag, message=_head(message))
        if kind:
            element.set("type", _head(kind))
        if text:
            limit = MAX_TEXT if self.text_used < TEXT_BUDGET else SMALL_TEXT
            element.text = _tail(text, limit)
            self.text_used += len(element.text)


def render_junit(status: RunStatus) -> str:
    """The run as a JUnit XML document (Jenkins/Surefire schema), as text."""
    p = status.pipeline
    project = p.project_name or p.package_name or "unnamed project"
    suite_name = f"{SUITES_NAME}: {project} ({', '.join(p.pipeline_names) or '__default__'})"
    root = ET.Element("testsuites", name=SUITES_NAME)
    suite = ET.SubElement(root, "testsuite", name=clean(suite_name))
    for key in ("tests", "failures", "errors", "skipped"):
        suite.set(key, "0")  # placeholders keep the attribute order; counted below
    suite.set("time", surefire_time(p.duration))
    if p.start is not None:
        # the schema's ISO 8601 form has no offset: local time of a UTC clock
        start = datetime.fromtimestamp(p.start, tz=timezone.utc).replace(tzinfo=None)
        suite.set("timestamp", start.isoformat(timespec="seconds"))
    if p.host:
        suite.set("hostname", clean(p.host))
    properties = ET.SubElement(suite, "properties")
    for name, value in _properties(status):
        ET.SubElement(properties, "property", name=clean(name), value=clean(value))

    out = _Suite(suite)
    found = problems(status)
    by_node = {pr.name: pr for pr in found if pr.kind == "node"}
    for node in status.nodes.values():
        case = out.case(_classname(node), node.name, node.total_duration)
        if node.status == FAILED:
            pr = by_node[node.name]
            out.outcome(case, "failure", pr.message, pr.error_type, pr.traceback or pr.message)
        elif node.status == INTERRUPTED:
            text = "The node started and did not finish: the run was interrupted."
            out.outcome(case, "error", "interrupted", "Interrupted", text)
        elif node.status == NOT_RUN:
            out.outcome(case, "skipped", _not_run_reason(status, node))
    for pr in found:
        if pr.kind == "dataset":
            ds = status.dataset_by_name(pr.name)
            operation = ds.error.operation if ds is not None and ds.error else None
            verb = _OPERATION_VERB.get(operation or "", "dataset")
            case = out.case("kedro.datasets", f"{verb} {pr.name}")
            out.outcome(case, "error", pr.message, pr.error_type, pr.traceback or pr.message)
        elif pr.kind == "pipeline":
            case = out.case("kedro", "pipeline", p.duration)
            out.outcome(case, "error", pr.message, pr.error_type, pr.traceback or pr.message)
    if p.status not in (SUCCESS, FAILED):
        case = out.case("kedro", "pipeline", p.duration)
        text = "The run stopped without reporting an end: it was killed or interrupted."
        out.outcome(case, "error", "Run execution interrupted", "Interrupted", text)

    for key, count in out.counts.items():
        suite.set(key, str(count))
    for key in ("tests", "failures", "errors"):
        root.set(key, str(out.counts[key]))  # the schema allows no "skipped" on <testsuites>
    root.set("time", surefire_time(p.duration))
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, "unicode") + "\n"


def junit_reporter(report: RunReport, options: RenderOptions) -> Rendered:
    """The ``junit`` format of the reporter table."""
    return Rendered(render_junit(report.status))
