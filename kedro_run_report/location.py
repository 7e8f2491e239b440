"""Where event logs live: an environment variable, a project setting, or the default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

#: Both the environment variable and the ``settings.py`` attribute that set the location.
LOCATION_VARIABLE = "KEDRO_RUN_REPORT_DIR"
#: The default location, relative to the project root.
DEFAULT_RELATIVE_DIR = Path(".viz") / "run-report"
#: How many runs the log keeps per location before pruning the oldest.
HISTORY_VARIABLE = "KEDRO_RUN_REPORT_HISTORY"
DEFAULT_HISTORY = 30


def is_url(location: str) -> bool:
    """Whether a location is an fsspec URL (``s3://...``) rather than a local path."""
    return "://" in location and not location.startswith("file://")


def _project_setting(name: str) -> str | None:
    """A value from the project's ``settings.py``, if a project is configured."""
    try:
        from kedro.framework.project import settings

        value = settings.get(name)
    except Exception:  # settings not configured (outside a project): no setting
        return None
    return str(value) if value else None


def log_location(project_path: Path | str | None) -> str:
    """The event log root: env var, then setting, then ``<project>/.viz/run-report``."""
    configured = os.environ.get(LOCATION_VARIABLE) or _project_setting(LOCATION_VARIABLE)
    base = Path(project_path) if project_path else Path.cwd()
    if configured:
        if configured.startswith("file://"):
            configured = configured[len("file://") :]
        if is_url(configured):
            return configured.rstrip("/")
        path = Path(configured).expanduser()
        return str(path if path.is_absolute() else base / path)
    return str(base / DEFAULT_RELATIVE_DIR)


def history_limit() -> int:
    """How many runs to keep (``KEDRO_RUN_REPORT_HISTORY``, default 30, at least 1)."""
    raw = os.environ.get(HISTORY_VARIABLE) or _project_setting(HISTORY_VARIABLE)
    try:
        return max(1, int(raw)) if raw else DEFAULT_HISTORY
    except ValueError:
        return DEFAULT_HISTORY


#: Runs started with the same value form one run group (e.g. an orchestrator's run id).
GROUP_VARIABLE = "KEDRO_RUN_REPORT_GROUP"


def run_group() -> str | None:
    """The run group of this process's runs, from ``KEDRO_RUN_REPORT_GROUP``."""
    return os.environ.get(GROUP_VARIABLE) or None


#: The name of an entry of Kedro's credentials to open a remote event log with.
CREDENTIALS_VARIABLE = "KEDRO_RUN_REPORT_CREDENTIALS"


def credentials_name() -> str | None:
    """``KEDRO_RUN_REPORT_CREDENTIALS`` (environment or setting): a credentials entry's name."""
    return os.environ.get(CREDENTIALS_VARIABLE) or _project_setting(CREDENTIALS_VARIABLE)


def project_credentials(project_path: Path | None) -> dict[str, Any] | None:
    """The named credentials entry, read with the project's own config loader, if any."""
    if project_path is None:  # outside a project: no settings to read (importing them logs)
        return None
    name = credentials_name()
    if not name:
        return None
    try:
        from kedro.framework.project import settings

        loader = settings.CONFIG_LOADER_CLASS(
            conf_source=str(Path(project_path) / settings.CONF_SOURCE),
            env=os.environ.get("KEDRO_ENV"),
            **settings.CONFIG_LOADER_ARGS,
        )
        entry = loader["credentials"].get(name)
    except Exception:  # no project configured, or no credentials: the defaults apply
        return None
    return dict(entry) if isinstance(entry, dict) else None
