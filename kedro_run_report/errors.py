"""The exceptions the library raises; the CLI turns each into a one-line message."""

from __future__ import annotations


class RunReportError(Exception):
    """Base class: a problem the user can act on, shown without a traceback."""


class NoRunsError(RunReportError):
    """No run has been recorded where we looked."""


class UnknownRunError(RunReportError):
    """The requested run id is not among the recorded runs."""


class EventLogError(RunReportError):
    """An event log is empty, corrupt or not ours."""


class OutputError(RunReportError):
    """The report could not be written where the user asked."""
