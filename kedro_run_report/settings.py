"""Every setting the plugin reads, with its default: defined here and nowhere else.

A setting is an environment variable; those marked ``project`` may also be set as an attribute
of the same name in the project's ``settings.py`` (the environment wins). The README's
Configuration table lists :data:`SETTINGS`, and a test keeps the two in step.
"""

from __future__ import annotations

import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Setting:
    """One environment variable (and, with ``project``, ``settings.py`` attribute)."""

    name: str
    default: str | None
    help: str
    project: bool = False  # also read from the project's settings.py

    def get(self) -> str | None:
        """The configured value: the environment, then ``settings.py``, then the default."""
        value = os.environ.get(self.name)
        if not value and self.project:
            value = _project_setting(self.name)
        return value or self.default


LOG_DIR = Setting(
    "KEDRO_RUN_REPORT_DIR",
    None,
    "Where the event log goes: a local path (relative to the project root) or an fsspec URL. "
    "Default: `<project>/.viz/run-report`.",
    project=True,
)
HISTORY = Setting(
    "KEDRO_RUN_REPORT_HISTORY", "30", "How many runs the event log keeps.", project=True
)
CREDENTIALS = Setting(
    "KEDRO_RUN_REPORT_CREDENTIALS",
    None,
    "The name of an entry of Kedro's `credentials.yml` to open a remote event log with.",
    project=True,
)
GROUP = Setting(
    "KEDRO_RUN_REPORT_GROUP",
    None,
    "Runs started with the same value form one run group (e.g. an orchestrator's run id).",
)
SIZES = Setting(
    "KEDRO_RUN_REPORT_SIZES",
    "all",
    "Dataset size probes: `all`, `local` (skip remote filesystems) or `off`.",
)
DOT = Setting(
    "KEDRO_RUN_REPORT_DOT",
    None,
    "The Graphviz layout program (a name on PATH or a path). Default: `dot`, else `graphviz-pure`.",
)
DOT_TIMEOUT = Setting(
    "KEDRO_RUN_REPORT_DOT_TIMEOUT", "60", "Seconds the layout program may take per diagram."
)
GITHUB_STEP_SUMMARY = Setting(
    "GITHUB_STEP_SUMMARY",
    None,
    "Set by GitHub Actions: the file `--github-summary` appends the Markdown summary to.",
)
NO_COLOR = Setting(
    "NO_COLOR", None, "When set, the run summary on the terminal has no colours (no-color.org)."
)
MLFLOW = Setting(
    "KEDRO_RUN_REPORT_MLFLOW",
    "1",
    "`0` stops logging the HTML report, the run-status JSON and the status and duration tags "
    "to the MLflow run that is active when a run ends (as kedro-mlflow arranges).",
    project=True,
)
#: Not for users: the main process publishes the active run to its workers through this.
ACTIVE_RUN = Setting(
    "KEDRO_RUN_REPORT_ACTIVE_RUN",
    None,
    "Internal: set by the plugin during a run so that worker processes join it.",
)

SETTINGS = (
    LOG_DIR,
    HISTORY,
    CREDENTIALS,
    GROUP,
    SIZES,
    DOT,
    DOT_TIMEOUT,
    GITHUB_STEP_SUMMARY,
    NO_COLOR,
    MLFLOW,
    ACTIVE_RUN,
)

#: The default location of the event log, relative to the project root.
DEFAULT_RELATIVE_DIR = Path(".viz") / "run-report"


def _project_setting(name: str) -> str | None:
    """A value from the project's ``settings.py``, if a project is configured."""
    try:
        from kedro.framework.project import settings

        value = settings.get(name)
    except Exception:  # settings not configured (outside a project): no setting
        return None
    return str(value) if value else None


def log_location(project_path: Path | str | None) -> str:
    """The event log root: ``KEDRO_RUN_REPORT_DIR``, else ``<project>/.viz/run-report``."""
    configured = LOG_DIR.get()
    base = Path(project_path) if project_path else Path.cwd()
    if configured:
        if configured.startswith("file://"):
            configured = configured[len("file://") :]
        if "://" in configured:
            return configured.rstrip("/")
        path = Path(configured).expanduser()
        return str(path if path.is_absolute() else base / path)
    return str(base / DEFAULT_RELATIVE_DIR)


def history_limit() -> int:
    """How many runs to keep (``KEDRO_RUN_REPORT_HISTORY``, at least 1)."""
    default = int(HISTORY.default or 30)
    raw = HISTORY.get()
    try:
        return max(1, int(raw)) if raw else default
    except ValueError:
        return default


def run_group() -> str | None:
    """The run group of this process's runs (``KEDRO_RUN_REPORT_GROUP``)."""
    return GROUP.get()


def credentials_name() -> str | None:
    """The name of the credentials entry for a remote log (``KEDRO_RUN_REPORT_CREDENTIALS``)."""
    return CREDENTIALS.get()


def sizes_mode() -> str:
    """Which dataset sizes to probe: ``all``, ``local`` or ``off``."""
    return (SIZES.get() or "all").lower()


def mlflow_enabled() -> bool:
    """Whether to log reports to an active MLflow run (``KEDRO_RUN_REPORT_MLFLOW``)."""
    return (MLFLOW.get() or "1").strip().lower() not in {"0", "false", "no", "off"}


def layout_timeout() -> float:
    """Seconds the layout program may take (``KEDRO_RUN_REPORT_DOT_TIMEOUT``)."""
    default = float(DOT_TIMEOUT.default or 60)
    try:
        return float(DOT_TIMEOUT.get() or default)
    except ValueError:
        return default


def _project_config_loader(project_path: Path) -> Any:
    """The project's own config loader (its settings.py class and arguments)."""
    from kedro.framework.project import settings

    return settings.CONFIG_LOADER_CLASS(
        conf_source=str(Path(project_path) / settings.CONF_SOURCE),
        env=os.environ.get("KEDRO_ENV"),
        **settings.CONFIG_LOADER_ARGS,
    )


def project_credentials(project_path: Path | None) -> dict[str, Any] | None:
    """The named credentials entry, read with the project's own config loader, if any."""
    if project_path is None:  # outside a project: no settings to read (importing them logs)
        return None
    name = credentials_name()
    if not name:
        return None
    try:
        entry = _project_config_loader(project_path)["credentials"].get(name)
    except Exception:  # no project configured, or no credentials: the defaults apply
        return None
    return dict(entry) if isinstance(entry, dict) else None


def project_secret_values(project_path: Path | None) -> set[str]:
    """Every value of the project's credentials configuration, to mask when reading logs."""
    if project_path is None:
        return set()
    from kedro_run_report.redact import secret_values

    try:
        with warnings.catch_warnings():  # the loader's deprecation notes are not ours to show
            warnings.simplefilter("ignore")
            credentials = _project_config_loader(project_path)["credentials"]
        return secret_values(dict(credentials))
    except Exception:  # no credentials, or a config that does not load: patterns still apply
        return set()
