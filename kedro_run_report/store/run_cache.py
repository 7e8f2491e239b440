"""Small files derived from a finished run, kept in its directory so that later reports need
not read its events again (a history of 20 runs of 1,000 nodes is 20 event logs to fold).

Only for local logs and finished runs: a finished run's events no longer change. A cache file
is read like any file of the log (a regular file only, size-limited) and one that is missing,
too large or not a JSON object is simply not used; writing one that fails (a read-only log)
is not an error either: the caller computes from the events, as it would without a cache.
"""

from __future__ import annotations

import json
import os
import stat
from typing import Any

from kedro_run_report.errors import RunReportError
from kedro_run_report.store.files import atomic_write_text, is_url, join
from kedro_run_report.store.runs import RunRecord, open_regular

MAX_CACHE_BYTES = 16 * 1024 * 1024


def cacheable(record: RunRecord) -> bool:
    """Whether ``record`` is a finished run of a local log (its manifest has an outcome)."""
    return (
        record.problem is None
        and not is_url(record.location)
        and isinstance(record.manifest.get("outcome"), dict)
    )


def read_cached(record: RunRecord, name: str) -> dict[str, Any] | None:
    """The JSON object cached as ``name`` in the run's directory; ``None`` when unusable."""
    if not cacheable(record):
        return None
    try:
        with open_regular(join(record.location, name)) as handle:
            data = handle.read(MAX_CACHE_BYTES + 1)
        if len(data) > MAX_CACHE_BYTES:
            return None
        value = json.loads(data)
    except (OSError, ValueError, RunReportError):
        return None
    return value if isinstance(value, dict) else None


def write_cached(record: RunRecord, name: str, value: dict[str, Any]) -> None:
    """Cache ``value`` as ``name`` in a finished local run's directory, if it can be."""
    if not cacheable(record):
        return
    location = join(record.location, name)
    try:
        # never through a symlink or over anything but a regular file: a link planted in the
        # log must not make a report overwrite what it points to
        if os.path.lexists(location) and not stat.S_ISREG(os.lstat(location).st_mode):
            return
        text = json.dumps(value, separators=(",", ":"), allow_nan=False)
        atomic_write_text(location, text, durable=False)
    except (OSError, ValueError):
        pass  # a read-only log, a full disk: the next report computes it again
