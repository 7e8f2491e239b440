"""Standard output is the document alone: every format piped through a real parser.

``kedro-run-report -f <format> -o -`` and ``--list --json`` run as subprocesses, inside a
real project (where importing Kedro's project module configures its logging, whose handler
writes to stdout, and announces it) and outside one, on a copied log. Whatever else is said
goes to stderr, and Kedro's announcement nowhere.
"""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers.kedro_project import kedro_env
from markdown_it import MarkdownIt

pytestmark = pytest.mark.integration

SCRIPT = Path(sys.executable).parent / "kedro-run-report"
KEDRO_LOGGING_LINE = "as logging configuration"


class _Document(HTMLParser):
    """Records what stands before the doctype and after ``</html>``: nothing may."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doctype: str | None = None
        self.closed = False
        self.stray: list[str] = []
        self.elements = 0

    def handle_decl(self, decl: str) -> None:
        if self.doctype is None and not self.stray:
            self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements += 1
        if self.doctype is None or self.closed:
            self.stray.append(f"<{tag}>")

    def handle_endtag(self, tag: str) -> None:
        if tag == "html":
            self.closed = True

    def handle_data(self, data: str) -> None:
        if data.strip() and (self.doctype is None or self.closed):
            self.stray.append(data.strip())


def _html(text: str) -> None:
    document = _Document()
    document.feed(text)
    document.close()
    assert document.doctype is not None and document.doctype.lower() == "doctype html"
    assert document.closed and document.elements > 10
    assert document.stray == []


def _json(text: str) -> None:
    assert json.loads(text)["pipeline"]["status"] == "success"


def _junit(text: str) -> None:
    root = ElementTree.fromstring(text.encode("utf-8"))  # an XML declaration must come first
    assert root.tag == "testsuites"
    assert len(root.findall("./testsuite/testcase")) == 5


def _markdown(text: str) -> None:
    tokens = MarkdownIt("commonmark").enable("table").parse(text)
    assert tokens[0].type == "heading_open"  # the summary's title comes first
    assert tokens[1].content == "Kedro run: Toy Project"
    assert all(KEDRO_LOGGING_LINE not in (token.content or "") for token in tokens)


PARSERS: dict[str, Callable[[str], None]] = {
    "html": _html,
    "json": _json,
    "junit": _junit,
    "markdown": _markdown,
    "email": _html,  # an HTML body for a message
}


def _listing(text: str) -> None:
    rows = json.loads(text)
    assert [row["status"] for row in rows] == ["success"]


def _run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(SCRIPT), *args],
        cwd=cwd,
        env=kedro_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )


COMMANDS = {
    **{fmt: (["-f", fmt, "-o", "-"], parse) for fmt, parse in PARSERS.items()},
    "list --json": (["--list", "--json"], _listing),
}


@pytest.mark.parametrize("command", list(COMMANDS))
def test_inside_a_project_stdout_is_the_document(ran_project: Path, command: str) -> None:
    args, parse = COMMANDS[command]
    result = _run(ran_project, *args)
    assert result.returncode == 0, result.stderr
    parse(result.stdout)
    assert KEDRO_LOGGING_LINE not in " ".join(result.stderr.split())  # nor on stderr


def test_inside_a_project_bad_input_is_one_line(ran_project: Path) -> None:
    result = _run(ran_project, "--run-id", "no-such-run", "-f", "json", "-o", "-")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: No recorded run has the id 'no-such-run'")
    assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("command", list(COMMANDS))
def test_outside_a_project_stdout_is_the_document(
    ran_project: Path, tmp_path: Path, command: str
) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    args, parse = COMMANDS[command]
    result = _run(elsewhere, "--events", str(ran_project / ".viz"), *args)
    assert result.returncode == 0, result.stderr
    parse(result.stdout)


def test_a_project_logging_config_that_writes_to_stdout(ran_project: Path) -> None:
    """A plain handler bound to sys.stdout when Kedro configures logging (as Kedro's default
    configuration is without rich) stays off the document."""
    (ran_project / "conf" / "logging.yml").write_text(
        "version: 1\n"
        "disable_existing_loggers: False\n"
        "handlers:\n"
        "  console: {class: logging.StreamHandler, stream: 'ext://sys.stdout'}\n"
        "loggers:\n"
        "  kedro: {level: INFO}\n"
        "root: {handlers: [console]}\n"
    )
    result = _run(ran_project, "-f", "json", "-o", "-")
    assert result.returncode == 0, result.stderr
    _json(result.stdout)
    assert KEDRO_LOGGING_LINE not in result.stderr
