"""``-o`` and the job summary into special files: written into, or refused; never renamed over."""

from __future__ import annotations

import errno
import os
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.event_log import CHAIN, EventLog, record_run

from kedro_run_report.cli import EXIT_BAD_INPUT, report
from kedro_run_report.errors import OutputError
from kedro_run_report.report.output import append_output, write_output
from kedro_run_report.store import files
from kedro_run_report.store.files import atomic_write_text

REPORT = "<html>the report</html>\n"
WAIT_SECONDS = 30  # a bound for helper threads, far above what any write here takes


def _mode(path: Path) -> int:
    return os.lstat(path).st_mode


@pytest.fixture
def char_device(tmp_path: Path) -> Path:
    """A character device that discards what it gets: a private /dev/null when we may make
    one (as root, where a rename over the system's node would do real harm), else /dev/null."""
    node = tmp_path / "null"
    try:
        os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    except (PermissionError, OSError):
        return Path("/dev/null")  # not root: the system's /dev cannot be renamed over
    return node


class FifoReader:
    """A thread that reads a FIFO until its writer closes it."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = b""
        self.opened = threading.Event()
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        # A FIFO's reader only counts once it has opened it; so wait for that.
        assert self.opened.wait(WAIT_SECONDS)

    def _read(self) -> None:
        fd = os.open(self.path, os.O_RDONLY | os.O_NONBLOCK)
        self.opened.set()
        os.set_blocking(fd, True)
        chunks = []
        with open(fd, "rb") as handle:
            # EOF comes only when a writer has come and gone; poll until then.
            while True:
                chunk = handle.read(65536)
                if chunk:
                    chunks.append(chunk)
                elif chunks:
                    break
                else:
                    threading.Event().wait(0.01)
        self.data = b"".join(chunks)

    def result(self) -> str:
        self.thread.join(WAIT_SECONDS)
        assert not self.thread.is_alive()
        return self.data.decode("utf-8")


@pytest.fixture
def fifo(tmp_path: Path) -> Path:
    path = tmp_path / "report.fifo"
    os.mkfifo(path)
    return path


@pytest.fixture
def pipe() -> Iterator[tuple[int, int]]:
    read_end, write_end = os.pipe()
    yield read_end, write_end
    for fd in (read_end, write_end):
        try:
            os.close(fd)
        except OSError:
            pass


WRITERS: list[Callable[[str, Path], str]] = [write_output, append_output]


@pytest.mark.parametrize("write", WRITERS)
def test_a_character_device_is_written_into(
    write: Callable[[str, Path], str], char_device: Path
) -> None:
    assert write(REPORT, char_device) == str(char_device)
    assert stat.S_ISCHR(_mode(char_device))


@pytest.mark.parametrize("write", WRITERS)
def test_a_symlink_to_a_character_device_stays_a_link(
    write: Callable[[str, Path], str], char_device: Path, tmp_path: Path
) -> None:
    link = tmp_path / "out.html"
    link.symlink_to(char_device)
    write(REPORT, link)
    assert link.is_symlink() and os.readlink(link) == str(char_device)
    assert stat.S_ISCHR(_mode(char_device))


@pytest.mark.parametrize("write", WRITERS)
def test_a_fifo_with_a_reader_receives_the_report(
    write: Callable[[str, Path], str], fifo: Path
) -> None:
    reader = FifoReader(fifo)
    write(REPORT, fifo)
    assert reader.result() == REPORT
    assert stat.S_ISFIFO(_mode(fifo))


@pytest.mark.parametrize("write", WRITERS)
def test_a_fifo_without_a_reader_is_refused_in_one_line(
    write: Callable[[str, Path], str], fifo: Path
) -> None:
    outcome: list[BaseException | str] = []

    def attempt() -> None:
        try:
            outcome.append(write(REPORT, fifo))
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            outcome.append(exc)

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(WAIT_SECONDS)
    if thread.is_alive():  # blocked opening the FIFO: let it go, then fail
        os.close(os.open(fifo, os.O_RDONLY | os.O_NONBLOCK))
        pytest.fail("writing to a FIFO with no reader blocked")
    assert isinstance(outcome[0], OutputError), outcome
    assert "no process is reading from it" in str(outcome[0])
    assert "\n" not in str(outcome[0])
    assert stat.S_ISFIFO(_mode(fifo))


def test_cli_refuses_a_fifo_without_a_reader(
    fifo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run = record_run(tmp_path / "log", EventLog().start(CHAIN).load("raw", "a").node("a").end())
    result = CliRunner().invoke(report, ["--events", str(run), "-f", "json", "-o", str(fifo)])
    assert result.exit_code == EXIT_BAD_INPUT
    assert "Error: Cannot write the report to" in result.stderr
    assert "Traceback" not in result.stderr and stat.S_ISFIFO(_mode(fifo))


@pytest.mark.parametrize("write", WRITERS)
def test_a_link_to_a_pipe_descriptor_writes_into_the_pipe(
    write: Callable[[str, Path], str], pipe: tuple[int, int], tmp_path: Path
) -> None:
    """Like ``-o /dev/stdout`` when stdout is a pipe (``kedro viz report -o ... | less``)."""
    read_end, write_end = pipe
    link = tmp_path / "stdout"
    link.symlink_to(f"/proc/self/fd/{write_end}")
    write(REPORT, link)
    os.close(write_end)
    with open(read_end, "rb", closefd=False) as handle:
        assert handle.read().decode("utf-8") == REPORT
    assert link.is_symlink()


def test_a_descriptor_link_to_a_regular_file_adds_to_that_open_file(tmp_path: Path) -> None:
    """Like ``-o /dev/stdout`` when stdout is redirected to a file: the report follows what is
    already there, in the same file, and the shell's descriptor still reaches it."""
    captured = tmp_path / "captured.txt"
    with open(captured, "w", encoding="utf-8") as stdout:
        stdout.write("before\n")
        stdout.flush()
        link = tmp_path / "stdout"
        link.symlink_to(f"/proc/self/fd/{stdout.fileno()}")
        write_output(REPORT, link)
        assert link.is_symlink()
        assert os.fstat(stdout.fileno()).st_ino == os.stat(captured).st_ino
    assert captured.read_text(encoding="utf-8") == "before\n" + REPORT


def test_a_regular_file_is_replaced_atomically(tmp_path: Path) -> None:
    target = tmp_path / "run-report.html"
    target.write_text("old report", encoding="utf-8")
    before = os.stat(target).st_ino
    write_output(REPORT, target)
    assert target.read_text(encoding="utf-8") == REPORT
    assert os.stat(target).st_ino != before  # a new file took the name: no reader saw a part


def test_a_new_path_is_created(tmp_path: Path) -> None:
    target = tmp_path / "new" / "run-report.html"
    assert write_output(REPORT, target) == str(target)
    assert target.read_text(encoding="utf-8") == REPORT


def test_a_symlink_to_a_regular_file_is_written_through(tmp_path: Path) -> None:
    real = tmp_path / "reports" / "run-report.html"
    real.parent.mkdir()
    real.write_text("old report", encoding="utf-8")
    link = tmp_path / "latest.html"
    link.symlink_to(real)
    write_output(REPORT, link)
    assert link.is_symlink() and link.resolve() == real
    assert real.read_text(encoding="utf-8") == REPORT


def test_a_dangling_symlink_creates_its_file(tmp_path: Path) -> None:
    real = tmp_path / "run-report.html"
    link = tmp_path / "latest.html"
    link.symlink_to(real)
    write_output(REPORT, link)
    assert link.is_symlink() and real.read_text(encoding="utf-8") == REPORT


def test_a_failed_write_through_a_symlink_keeps_the_old_target(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "reports" / "run-report.html"
    real.parent.mkdir()
    real.write_text("old report", encoding="utf-8")
    link = tmp_path / "latest.html"
    link.symlink_to(real)

    def full_disk(src: object, dst: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "replace", full_disk)
    with pytest.raises(OutputError, match="No space left on device"):
        write_output(REPORT, link)
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "old report"
    assert sorted(p.name for p in real.parent.iterdir()) == ["run-report.html"]


@pytest.mark.parametrize("write", WRITERS)
def test_a_socket_is_refused_in_one_line(write: Callable[[str, Path], str], tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(OutputError) as caught:
            write(REPORT, path)
    assert "\n" not in str(caught.value)
    assert stat.S_ISSOCK(_mode(path))


@pytest.mark.parametrize("write", WRITERS)
def test_a_directory_is_refused(write: Callable[[str, Path], str], tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="directory"):
        write(REPORT, tmp_path)
    assert tmp_path.is_dir()


def test_atomic_write_text_never_renames_over_a_special_file(fifo: Path) -> None:
    with pytest.raises(OSError, match="not a regular file"):
        atomic_write_text(str(fifo), REPORT)
    assert stat.S_ISFIFO(_mode(fifo))
    assert sorted(p.name for p in fifo.parent.iterdir()) == [fifo.name]


def test_append_output_writes_through_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "summary.md"
    real.write_text("step one\n", encoding="utf-8")
    link = tmp_path / "GITHUB_STEP_SUMMARY"
    link.symlink_to(real)
    append_output(REPORT, link)
    assert link.is_symlink()
    assert real.read_text(encoding="utf-8") == "step one\n" + REPORT
