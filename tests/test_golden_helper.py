"""The golden-file check itself: a missing or different golden fails and leaves ``.actual``."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import golden
from helpers.golden import check_golden


@pytest.fixture
def golden_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(golden, "GOLDEN_DIR", tmp_path)
    monkeypatch.delenv(golden.UPDATE_VARIABLE, raising=False)
    return tmp_path


def test_a_missing_golden_fails_and_is_not_written(golden_dir: Path) -> None:
    with pytest.raises(pytest.fail.Exception, match="missing"):
        check_golden("new.md", "text\n")
    assert not (golden_dir / "new.md").exists()
    assert (golden_dir / "new.md.actual").read_text() == "text\n"


def test_a_different_output_fails_with_a_diff(golden_dir: Path) -> None:
    (golden_dir / "g.md").write_text("one\ntwo\n")
    with pytest.raises(pytest.fail.Exception) as failure:
        check_golden("g.md", "one\nTWO\n")
    assert "-two\n+TWO" in str(failure.value)
    assert (golden_dir / "g.md").read_text() == "one\ntwo\n"  # the golden is left alone
    assert (golden_dir / "g.md.actual").read_text() == "one\nTWO\n"


def test_a_match_passes_and_clears_a_stale_actual(golden_dir: Path) -> None:
    (golden_dir / "g.md").write_bytes(b"a\r\nb\n")  # compared byte for byte, "\r" kept
    (golden_dir / "g.md.actual").write_text("old")
    check_golden("g.md", "a\r\nb\n")
    assert not (golden_dir / "g.md.actual").exists()
    with pytest.raises(pytest.fail.Exception):
        check_golden("g.md", "a\nb\n")


def test_update_goldens_writes_them(golden_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(golden.UPDATE_VARIABLE, "1")
    (golden_dir / "g.md.actual").write_text("old")
    check_golden("g.md", "new\n")
    check_golden("other.md", "x")
    assert (golden_dir / "g.md").read_text() == "new\n" and (golden_dir / "other.md").exists()
    assert not (golden_dir / "g.md.actual").exists()
