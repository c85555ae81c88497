"""The engine matrix: the same scenarios in Chromium, Firefox and WebKit (drivers in
``browsers/``), against a real ``nosto-tagging serve`` on loopback, with test pages from a real
loopback server (pages.py).

Each browser starts once per session and gives every test a context of its own (and the
test's pages an origin of their own). ``Chromium`` is the session's Playwright Chromium.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from browsers.drivers import Chromium, Context, Engine, Firefox, Tab, WebKit
from playwright.sync_api import Browser

from nosto_tagging.testing import Sandbox
from tests.browser_settings import SETTINGS

from .pages import PageServer

ENGINES = ["chromium", "firefox", "webkit"]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/engines/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session", params=ENGINES)
def engine(request: pytest.FixtureRequest) -> Iterator[Engine]:
    """One browser of the matrix, started once for the session's tests in it."""
    if request.param == "chromium":
        browser: Browser = request.getfixturevalue("browser")
        yield Chromium(browser, SETTINGS)
        return
    if os.environ.get("NOSTO_SKIP_ENGINES") == "1":
        pytest.skip("NOSTO_SKIP_ENGINES=1: Firefox and WebKit left out (scripts/setup.sh)")
    started: Engine = Firefox() if request.param == "firefox" else WebKit()
    yield started
    started.close()


@dataclass
class Shop:
    """One test's browser context, its pages' server and the sandbox behind it."""

    engine: Engine
    sandbox: Sandbox
    server: PageServer
    context: Context
    tabs: list[Tab] = field(default_factory=list)

    @property
    def tab(self) -> Tab:
        """The first tab."""
        return self.tabs[0]

    def new_tab(self) -> Tab:
        self.tabs.append(self.context.tab())
        return self.tabs[-1]

    def open(
        self, body: str, path: str = "/test/page.html", tab: Tab | None = None, **page: Any
    ) -> Tab:
        """Serve ``body`` as a test page at ``path`` (see ``PageServer.add``) and open it."""
        tab = tab or self.tab
        tab.goto(self.server.add(path, body, **page))
        return tab

    def visitor(self, tab: Tab | None = None) -> str:
        """The ``2c.cId`` cookie, once the engine made it."""
        return str(
            (tab or self.tab).wait_for("() => document.cookie.match(/2c\\.cId=(\\w+)/)?.[1]")
        )

    def wait_until_stored(self, count: int, tab: Tab | None = None) -> list[dict[str, Any]]:
        """Wait for ``count`` requests of this browser's visitor at the collector."""
        return self.sandbox.wait_for_requests(count, timeout_s=60, visitor=self.visitor(tab))

    def wait_for_engine(self, tab: Tab | None = None) -> Any:
        """Wait until the page's engine answered; its id (``api.internal.engine()``)."""
        return (tab or self.tab).evaluate(
            "() => nostojs(api => api.internal.ready().then(() => api.internal.engine()))"
        )

    def errors(self) -> list[str]:
        """Page errors of every tab so far."""
        for tab in self.tabs:
            tab.collect()
        return [error for tab in self.tabs for error in tab.errors]

    def console(self) -> list[str]:
        for tab in self.tabs:
            tab.collect()
        return [line for tab in self.tabs for line in tab.console]

    def our_console_errors(self) -> list[str]:
        """Console errors and warnings that are ours (``nosto-tagging:`` lines)."""
        return [
            line
            for line in self.console()
            if line.split(":", 1)[0] in {"error", "warn", "warning"} and "nosto-tagging" in line
        ]


@pytest.fixture
def shop(engine: Engine, nosto_sandbox: Sandbox) -> Iterator[Shop]:
    server = PageServer(nosto_sandbox.origin)
    context = engine.context()
    shop = Shop(engine, nosto_sandbox, server, context)
    try:
        shop.new_tab()
        yield shop
    finally:
        context.close()
        server.close()
