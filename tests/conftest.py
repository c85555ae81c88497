"""Shared by every test folder: the QA plugin the project ships (``nosto_sandbox`` and friends)
and one Chromium for the whole session (Playwright's sync API allows one per thread)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser_settings import SETTINGS

pytest_plugins = ["nosto_tagging.testing"]


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, launched as ``playwright.config.toml`` says."""
    launch = SETTINGS["launch"]
    with sync_playwright() as playwright:
        yield playwright.chromium.launch(
            executable_path=launch["executable_path"],
            headless=launch["headless"],
            args=launch["args"],
        )


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh browser context with the project's settings, closed after the test."""
    context = browser.new_context(**SETTINGS["context"])
    context.set_default_timeout(SETTINGS["timeouts"]["default_ms"])
    yield context.new_page()
    context.close()
