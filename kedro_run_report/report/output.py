"""Where reports go: default paths, pairing formats with ``-o``, and writing them safely.

Every format goes through here: ``-`` means stdout, a file is written atomically (a temporary
file, then a rename) so a failure never leaves half a report or destroys the previous one.
A symlink is written through to its file. A character device, a FIFO or a descriptor link
(``/dev/stdout``, ``/proc/self/fd/N``) is opened and written into, never renamed over; other
special files are refused.

Standard output carries the report and nothing else, so that it can be piped into a parser:
while a command runs inside :func:`stdout_for_reports_only`, whatever else is printed to
``sys.stdout`` (Kedro's logging when the project is configured, a library's print) goes to
standard error, and reports reach the real standard output through :func:`report_stream`.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from kedro_run_report.errors import OutputError
from kedro_run_report.report.formats import DEFAULT_FORMAT, reporter
from kedro_run_report.store.files import atomic_write_text

# The standard outputs replaced by stdout_for_reports_only(), outermost (the real one) first.
_report_stream: list[TextIO] = []


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


@contextmanager
def stdout_for_reports_only() -> Iterator[None]:
    """Send everything printed to ``sys.stdout`` to standard error, except the reports.

    Kedro configures logging when ``kedro.framework.project`` is first imported, with a
    handler that writes to ``sys.stdout`` (looked up when it writes, or when it is
    configured); inside this block both find standard error.
    """
    _report_stream.append(sys.stdout)
    sys.stdout = sys.stderr
    try:
        yield
    finally:
        sys.stdout = _report_stream.pop()


def report_stream() -> TextIO:
    """Where a report written to ``-`` goes: the real standard output."""
    return _report_stream[0] if _report_stream else sys.stdout


def write_output(text: str, output: str | Path) -> str:
    """Write ``text`` to a path (atomically) or to stdout for ``-``; return where it went."""
    if str(output) == "-":
        stream = report_stream()
        stream.write(text)
        stream.flush()
        return "-"
    target = Path(output).expanduser()
    try:
        mode = _existing_mode(target)
        if mode is not None and stat.S_ISDIR(mode):
            raise IsADirectoryError(errno.EISDIR, "it is a directory")
        if mode is None or (stat.S_ISREG(mode) and not _through_descriptor(target)):
            atomic_write_text(str(target), text)
        else:
            # A stream (or the file behind a descriptor): add to it, as a process writing to
            # its stdout would; truncating or replacing it would take what others wrote there.
            _write_into(target, text, mode)
    except OSError as exc:
        raise OutputError(f"Cannot write the report to {target}: {_reason(exc)}.") from None
    return os.path.abspath(target)


def append_output(text: str, output: str | Path) -> str:
    """Append ``text`` to a file (a GitHub job summary collects several steps)."""
    target = Path(output).expanduser()
    try:
        _write_into(target, text, _existing_mode(target))
    except OSError as exc:
        raise OutputError(f"Cannot append the summary to {target}: {_reason(exc)}.") from None
    return os.path.abspath(target)


def _reason(exc: OSError) -> str:
    return exc.strerror or exc.__class__.__name__


def _existing_mode(target: Path) -> int | None:
    """The mode of what ``target`` names, symlinks followed; None if nothing is there yet."""
    try:
        return os.stat(target).st_mode
    except FileNotFoundError:
        return None


# Where the kernel keeps a process's descriptors as symlinks (``/dev/fd`` and ``/proc/self/fd``
# lead here): writing to one of these must reach the open file, not a new one beside it.
_DESCRIPTOR_DIR = re.compile(r"/proc/\d+(?:/task/\d+)?/fd")
_MAX_LINKS = 40  # as many hops as the kernel follows


def _through_descriptor(target: Path) -> bool:
    """Whether ``target`` reaches its file through a descriptor link such as ``/dev/stdout``."""
    path = os.path.abspath(target)
    for _ in range(_MAX_LINKS):
        if not os.path.islink(path):
            return False
        if _DESCRIPTOR_DIR.fullmatch(os.path.realpath(os.path.dirname(path))):
            return True
        path = os.path.join(os.path.dirname(path), os.readlink(path))
    return False


def _write_into(target: Path, text: str, mode: int | None) -> None:
    """Open ``target`` (a file, device or FIFO) and append ``text``; never rename anything."""
    if mode is not None and stat.S_ISDIR(mode):
        raise IsADirectoryError(errno.EISDIR, "it is a directory")
    if mode is not None and not (stat.S_ISREG(mode) or stat.S_ISCHR(mode) or stat.S_ISFIFO(mode)):
        raise OSError(errno.EINVAL, "it is neither a file, a character device nor a FIFO")
    data = text.encode("utf-8")
    # O_NONBLOCK: opening a FIFO that no process reads fails at once (ENXIO) instead of
    # waiting forever; the writes below block as usual.
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK | os.O_CLOEXEC
    try:
        fd = os.open(target, flags, 0o666)
    except OSError as exc:
        if exc.errno == errno.ENXIO:
            raise OSError(errno.ENXIO, "no process is reading from it") from None
        raise
    os.set_blocking(fd, True)
    with open(fd, "wb") as handle:
        handle.write(data)
