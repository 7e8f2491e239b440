"""Settings are defined once, in ``settings.py``, and the README's table lists exactly those."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from kedro_run_report import settings
from kedro_run_report.settings import SETTINGS, Setting

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "kedro_run_report"
SETTINGS_MODULE = PACKAGE / "settings.py"
SETTING_NAME = re.compile(r"KEDRO_RUN_REPORT_[A-Z_]+")


def configuration_table() -> dict[str, dict[str, str]]:
    """The rows of the table in the README's ``## Configuration`` section, by setting name."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Configuration\n(.*?)(?=^## )", text, re.S | re.M)
    assert match, "README.md has no '## Configuration' section followed by another '## '"
    rows = [line for line in match.group(1).splitlines() if line.startswith("|")]
    assert len(rows) > 2, "the Configuration section has no table"
    header = [cell.strip() for cell in rows[0].strip("|").split("|")]
    assert header == ["Setting", "Where", "Default", "What it does"]
    table: dict[str, dict[str, str]] = {}
    for row in rows[2:]:  # after the header and the |---| line
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        assert len(cells) == len(header), f"malformed row: {row}"
        name = cells[0].strip("`")
        assert name not in table, f"{name} is listed twice"
        table[name] = dict(zip(header, cells, strict=True))
    return table


@pytest.mark.parametrize("setting", SETTINGS, ids=[s.name for s in SETTINGS])
def test_readme_lists_every_setting_with_its_default_and_where(setting: Setting) -> None:
    row = configuration_table().get(setting.name)
    assert row is not None, f"{setting.name} is missing from the README's Configuration table"
    if setting.default is None:
        assert row["Default"].startswith("unset"), row
    else:
        assert row["Default"] == f"`{setting.default}`", row
    assert "environment" in row["Where"], row
    assert ("`settings.py`" in row["Where"]) == setting.project, row
    assert row["What it does"], row


def test_readme_lists_no_setting_the_module_does_not_define() -> None:
    defined = {setting.name for setting in SETTINGS}
    assert set(configuration_table()) - defined == set()


def test_settings_have_unique_names() -> None:
    names = [setting.name for setting in SETTINGS]
    assert len(names) == len(set(names))


def test_setting_names_are_spelled_only_in_settings_py() -> None:
    """A string that is a setting's name (``os.environ["KEDRO_RUN_REPORT_X"]``) is a second
    definition; read settings through :mod:`kedro_run_report.settings` instead."""
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path == SETTINGS_MODULE:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and SETTING_NAME.fullmatch(node.value.strip())
            ):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value!r}")
    assert found == []


def test_settings_py_defines_the_names() -> None:
    """The check above only means something if settings.py is where the names are."""
    tree = ast.parse(SETTINGS_MODULE.read_text(encoding="utf-8"))
    literals = {
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    assert {s.name for s in SETTINGS if SETTING_NAME.fullmatch(s.name)} <= literals


@pytest.fixture
def no_project(monkeypatch: pytest.MonkeyPatch) -> None:
    """No project ``settings.py`` to read from, whatever the test process has configured."""
    monkeypatch.setattr(settings, "_project_setting", lambda name: None)


@pytest.mark.usefixtures("no_project")
def test_get_prefers_the_environment_over_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(settings.SIZES.name, raising=False)
    assert settings.SIZES.get() == "all"
    monkeypatch.setenv(settings.SIZES.name, "off")
    assert settings.SIZES.get() == "off"
    assert settings.sizes_mode() == "off"


def test_get_prefers_the_environment_over_the_project(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "_project_setting", lambda name: "from-settings-py")
    monkeypatch.delenv(settings.LOG_DIR.name, raising=False)
    assert settings.LOG_DIR.get() == "from-settings-py"
    monkeypatch.setenv(settings.LOG_DIR.name, "from-env")
    assert settings.LOG_DIR.get() == "from-env"


def test_get_reads_the_project_only_for_project_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(settings, "_project_setting", lambda name: "from-settings-py")
    monkeypatch.delenv(settings.DOT_TIMEOUT.name, raising=False)
    assert not settings.DOT_TIMEOUT.project
    assert settings.DOT_TIMEOUT.get() == settings.DOT_TIMEOUT.default


@pytest.mark.usefixtures("no_project")
@pytest.mark.parametrize(
    ("value", "expected"),
    [(None, 30), ("7", 7), ("many", 30), ("2.5", 30), ("0", 1), ("-4", 1), ("", 30)],
)
def test_history_limit(monkeypatch: pytest.MonkeyPatch, value: str | None, expected: int) -> None:
    if value is None:
        monkeypatch.delenv(settings.HISTORY.name, raising=False)
    else:
        monkeypatch.setenv(settings.HISTORY.name, value)
    assert settings.HISTORY.default == "30"
    assert settings.history_limit() == expected
