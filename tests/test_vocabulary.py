"""One vocabulary: every format spells and colours a status, and the accent, from one module."""

from __future__ import annotations

import re
import subprocess
import sys

from kedro_run_report import vocabulary
from kedro_run_report.model import NODE_STATUSES, NOT_SELECTED
from kedro_run_report.report.html import template_dir


def test_every_status_has_a_word_a_mark_and_long_hex_colours() -> None:
    for status in (*NODE_STATUSES, NOT_SELECTED):
        fill, stroke, mark = vocabulary.STATUS_STYLE[status]
        assert vocabulary.STATUS_WORD[status] and mark
        for colour in (fill, stroke):  # Graphviz rejects #RGB
            assert re.fullmatch(r"#[0-9A-F]{6}", colour), colour


def test_the_stylesheet_repeats_the_vocabulary_s_colours() -> None:
    css = (template_dir() / "report.css").read_text(encoding="utf-8")
    light = css[css.index(":root {") : css.index("}")]  # the first block: the light theme
    for prop, colour in (
        ("--accent", vocabulary.ACCENT),
        ("--text", vocabulary.TEXT),
        ("--muted", vocabulary.MUTED),
        ("--rows-drop", vocabulary.ROW_DROP_COLOUR),
    ):
        assert f"{prop}: {colour.lower()};" in light, prop


def test_the_template_spells_no_colour_of_the_vocabulary() -> None:
    template = (template_dir() / "report.html.j2").read_text(encoding="utf-8").upper()
    for name in ("ACCENT", "MUTED", "PARAM_STROKE"):
        assert getattr(vocabulary, name) not in template, name
    for _fill, stroke, _mark in vocabulary.STATUS_STYLE.values():
        assert stroke not in template


def test_the_markdown_reporter_does_not_import_graphviz() -> None:
    code = (
        "import sys, kedro_run_report.report.markdown, kedro_run_report.report.terminal\n"
        "print([m for m in ('graphviz', 'kedro_run_report.diagram.render') if m in sys.modules])"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "[]"
