"""Golden files: rendered output compared byte for byte with ``tests/golden/<name>``.

:func:`check_golden` fails when the output differs from its golden, and when the golden is
missing; either way it writes what was rendered beside the golden as ``<name>.actual``
(gitignored) so that it can be reviewed, and the failure shows the start of a diff.

To create or update goldens after an intended change, run the golden tests with
``UPDATE_GOLDENS=1``, e.g.

    UPDATE_GOLDENS=1 python -m pytest -q tests -k golden

then review ``git diff tests/golden/`` line by line before committing it. With
``UPDATE_GOLDENS=1`` the goldens are (re)written and the tests pass; stale ``.actual`` files
of those goldens are removed.

Goldens hold nothing volatile: the scenarios have scripted clocks, and what still varies
(versions, inlined CSS and JavaScript) is scrubbed by the test before it calls this (see
:func:`scrub_html`).
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

import kedro_run_report

GOLDEN_DIR = Path(__file__).resolve().parents[1] / "golden"
UPDATE_VARIABLE = "UPDATE_GOLDENS"
DIFF_LINES = 40  # of the diff shown in a failure; the .actual file has everything


def updating() -> bool:
    """Whether goldens are being (re)written (``UPDATE_GOLDENS=1``)."""
    return os.environ.get(UPDATE_VARIABLE) == "1"


def _read(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as file:  # keep "\r" as it was written
        return file.read()


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as file:
        file.write(text)


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with the golden ``tests/golden/<name>`` (see the module docstring)."""
    path = GOLDEN_DIR / name
    actual = path.with_name(path.name + ".actual")
    if updating():
        _write(path, text)
        actual.unlink(missing_ok=True)
        return
    if not path.exists():
        _write(actual, text)
        pytest.fail(
            f"golden {name} is missing; the output was written to {actual.name} for review. "
            f"Create the golden with {UPDATE_VARIABLE}=1 (see tests/helpers/golden.py).",
            pytrace=False,
        )
    expected = _read(path)
    if text == expected:
        actual.unlink(missing_ok=True)
        return
    _write(actual, text)
    diff = list(
        difflib.unified_diff(
            expected.splitlines(keepends=True),
            text.splitlines(keepends=True),
            f"golden/{name}",
            f"golden/{actual.name}",
            n=1,
        )
    )
    shown = "".join(line if line.endswith("\n") else line + "\n" for line in diff[:DIFF_LINES])
    more = f"... {len(diff) - DIFF_LINES} more diff lines\n" if len(diff) > DIFF_LINES else ""
    pytest.fail(
        f"{name} differs from its golden (output written to {actual.name}; if the change is "
        f"intended, update with {UPDATE_VARIABLE}=1, see tests/helpers/golden.py):\n"
        f"{shown}{more}",
        pytrace=False,
    )


def scrub_html(html: str) -> str:
    """The HTML report without what changes for reasons the goldens don't track: the inline
    CSS and JavaScript and their CSP hashes (our own files, covered by the browser tests)
    and the kedro-run-report version."""
    html = re.sub(r"<style>.*?</style>", "<style>/* CSS */</style>", html, flags=re.S)
    html = re.sub(r"<script>.*?</script>", "<script>/* JS */</script>", html, flags=re.S)
    html = re.sub(r"sha256-[A-Za-z0-9+/=]+", "sha256-HASH", html)
    return html.replace(kedro_run_report.__version__, "VERSION")
