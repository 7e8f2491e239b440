"""Where reports go: default paths, pairing formats with ``-o``, and writing them safely.

Every format goes through here: ``-`` means stdout, a file is written atomically (a temporary
file, then a rename) so a failure never leaves half a report or destroys the previous one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from kedro_run_report.errors import OutputError
from kedro_run_report.report.formats import DEFAULT_FORMAT, reporter
from kedro_run_report.store.files import atomic_write_text


def default_output(project_path: Path | None, fmt: str) -> Path:
    """Where a report goes when no ``-o`` is given: ``<project>/.viz/<file>``."""
    base = project_path if project_path is not None else Path.cwd()
    return base / ".viz" / reporter(fmt).filename


def plan_outputs(
    formats: Sequence[str], outputs: Sequence[str], project_path: Path | None
) -> list[tuple[str, str]]:
    """Pair each format with its output: the defaults, one directory, or one ``-o`` each."""
    formats = list(dict.fromkeys(formats)) or [DEFAULT_FORMAT]
    if not outputs:
        return [(fmt, str(default_output(project_path, fmt))) for fmt in formats]
    if len(outputs) == 1 and _is_directory(outputs[0]):
        return [(fmt, str(Path(outputs[0]) / reporter(fmt).filename)) for fmt in formats]
    if len(outputs) != len(formats):
        raise OutputError(
            f"{len(formats)} format(s) but {len(outputs)} output(s): give one -o per --format, "
            "in the same order, or a single -o with a directory."
        )
    if list(outputs).count("-") > 1:
        raise OutputError("Only one report can go to standard output ('-o -').")
    return list(zip(formats, outputs, strict=True))


def _is_directory(output: str) -> bool:
    return output != "-" and (output.endswith(("/", os.sep)) or Path(output).is_dir())


def write_output(text: str, output: str | Path) -> str:
    """Write ``text`` to a path (atomically) or to stdout for ``-``; return where it went."""
    if str(output) == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return "-"
    target = Path(output).expanduser()
    if target.is_dir():
        raise OutputError(f"Cannot write the report to {target}: it is a directory.")
    try:
        atomic_write_text(str(target), text)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise OutputError(f"Cannot write the report to {target}: {reason}.") from None
    return os.path.abspath(target)


def append_output(text: str, output: str | Path) -> str:
    """Append ``text`` to a file (a GitHub job summary collects several steps)."""
    target = Path(output).expanduser()
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        raise OutputError(f"Cannot append the summary to {target}: {reason}.") from None
    return os.path.abspath(target)
