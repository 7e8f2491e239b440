"""Headless Chromium for the browser tests (the system's Chromium; nothing is downloaded)."""

from __future__ import annotations

import os
import time
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


class Watched:
    """A page with its console messages, page errors, dialogs and requests recorded.

    ``timeout_ms``/``load_timeout_ms``: playwright's defaults for actions and for navigation
    (a report of 10,000 nodes takes seconds to open); ``load_seconds``: how long it took."""

    def __init__(
        self,
        browser: Any,
        *,
        js: bool = True,
        scheme: str = "light",
        viewport: dict[str, int] | None = None,
        timeout_ms: float | None = None,
        load_timeout_ms: float | None = None,
    ) -> None:
        self.context = browser.new_context(
            java_script_enabled=js,
            color_scheme=scheme,
            viewport=viewport or {"width": 1360, "height": 900},
        )
        if timeout_ms is not None:
            self.context.set_default_timeout(timeout_ms)
        if load_timeout_ms is not None:
            self.context.set_default_navigation_timeout(load_timeout_ms)
        self.page = self.context.new_page()
        self.problems: list[str] = []
        self.requests: list[str] = []
        self.load_seconds = 0.0
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.problems.append(f"pageerror: {exc}"))
        self.page.on(
            "dialog", lambda d: (self.problems.append(f"dialog: {d.message}"), d.dismiss())
        )
        self.page.on("request", lambda r: self.requests.append(r.url))

    def _console(self, message: Any) -> None:
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def open(self, url: str) -> Any:
        started = time.perf_counter()
        self.page.goto(url)
        self.page.wait_for_load_state("load")
        self.load_seconds = time.perf_counter() - started
        return self.page

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def watched(browser: Any) -> Iterator[Any]:
    """Make watched pages (``watched(js=False)``, ...); closed after the test."""
    pages: list[Watched] = []

    def make(**kwargs: Any) -> Watched:
        pages.append(Watched(browser, **kwargs))
        return pages[-1]

    yield make
    for page in pages:
        page.close()
