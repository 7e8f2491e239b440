"""Errors as the event log records them: type, message and traceback, redacted and bounded."""

from __future__ import annotations

import traceback

from kedro_run_report.events import Error
from kedro_run_report.redact import PATTERNS, Redactor

#: Error messages and tracebacks are cut to this many characters (head and tail kept), so
#: that an exception quoting a whole data frame cannot make an event line huge.
MAX_ERROR_CHARS = 100_000


def error_info(error: BaseException, redactor: Redactor = PATTERNS) -> Error:
    """Type, message and full traceback (with chained causes, e.g. a worker's) of an error."""
    kind = type(error)
    name = (
        kind.__qualname__
        if kind.__module__ == "builtins"
        else f"{kind.__module__}.{kind.__qualname__}"
    )
    tb = "".join(traceback.format_exception(kind, error, error.__traceback__))
    # Redact before cutting: a secret spanning the cut would otherwise keep its first half.
    return {
        "type": name,
        "message": cut(redactor.text(str(error))),
        "traceback": cut(redactor.text(tb)),
    }


def cut(text: str, limit: int = MAX_ERROR_CHARS) -> str:
    """``text`` with its middle cut out when it is over ``limit`` characters."""
    if len(text) <= limit:
        return text
    half = limit // 2
    return f"{text[:half]}\n[... {len(text) - limit} characters cut ...]\n{text[-half:]}"
