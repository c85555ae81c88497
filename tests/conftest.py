"""Shared by every test folder: the QA plugin the project ships (``nosto_sandbox`` and friends)
and one Chromium for the whole session (Playwright's sync API allows one per thread)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, sync_playwright

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
