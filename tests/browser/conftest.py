"""Headless Chromium for the browser tests (the system's Chromium; nothing is downloaded)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")  # Debian's package location
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
OUTPUT = Path(__file__).resolve().parents[2] / "test-output"


def _unavailable(reason: str) -> None:
    # in CI a missing browser is a broken setup, not a reason to pass quietly
    if os.environ.get("CI") == "true":
        pytest.fail(f"browser tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One Chromium for the whole session."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is not installed (set CHROMIUM to another path)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield instance
        instance.close()


@pytest.fixture
def output_dir() -> Path:
    """Where reports and screenshots go (gitignored)."""
    (OUTPUT / "screenshots").mkdir(parents=True, exist_ok=True)
    return OUTPUT
