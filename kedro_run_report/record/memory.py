"""The process's peak resident memory, read cheaply at a node's start and end.

``getrusage(RUSAGE_SELF).ru_maxrss`` is the most memory this process has held resident since
it started: one system call, no file to open, and it never goes down. The difference between
the reading at a node's end and at its start is how much that node raised the process's peak
(0 when it stayed under an earlier peak). Linux reports KiB, macOS bytes; the reading here is
always KiB. Where there is no ``resource`` module (Windows) there is no reading: ``None``.

Each process reads its own peak: under ParallelRunner a node's figure is its worker's, and
under ThreadRunner nodes running at the same time share one process, so a raise cannot be
attributed to one of them (the analysis marks such figures as shared).
"""

from __future__ import annotations

import sys
from collections.abc import Callable


def _reader() -> Callable[[], int | None]:
    """The cheapest reading this platform offers, in KiB; one that gives ``None`` if none."""
    try:
        import resource
    except ImportError:  # Windows: no getrusage
        return _no_reading
    getrusage = resource.getrusage
    # On Linux a thread's usage reports the peak of its memory map, which is the process's
    # (threads share it), at about half the cost of RUSAGE_SELF: that walks every thread of
    # the process to sum their CPU times, which this reading does not need.
    who = getattr(resource, "RUSAGE_THREAD", None) if sys.platform.startswith("linux") else None
    who = resource.RUSAGE_SELF if who is None else who
    if sys.platform == "darwin":  # bytes there, KiB everywhere else

        def darwin_kib() -> int | None:
            return getrusage(who).ru_maxrss // 1024

        return darwin_kib

    def kib() -> int | None:
        return getrusage(who).ru_maxrss

    return kib


def _no_reading() -> int | None:
    return None


#: The process's peak resident memory so far, in KiB, or ``None`` where it cannot be read.
peak_rss_kib: Callable[[], int | None] = _reader()
