"""Browser tests: Debian's Chromium (settings from playwright.config.toml) against a real
``nosto-tagging serve`` on loopback, with its real collector and SQLite database.

Test pages are given as HTML strings and served at the sandbox's own origin by routing only the
page's main document; the bundle, the engine's runtime and ``/ev1`` are the real server's.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    Route,
)
from playwright.sync_api import Request as PwRequest
from playwright.sync_api import Worker as PwWorker

from nosto_tagging.testing import Sandbox
from tests.browser_settings import SETTINGS

# The page's own engine (a dedicated worker); tests of the shared engine name theirs.
LOADER_TAG = (
    '<script src="/bundle/nosto.js" data-account="demo" data-endpoint="/ev1"'
    ' data-engine="dedicated" async></script>'
)
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
STUB = (
    '<script>(function(){var name="nostojs";window[name]=window[name]||function(cb)'
    "{(window[name].q=window[name].q||[]).push(cb);};})();</script>"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/browser/" in str(item.path).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def sandbox(nosto_sandbox: Sandbox) -> Sandbox:
    """The QA plugin's sandbox (``nosto_tagging.testing``): one server, checkpointed per test."""
    return nosto_sandbox


@dataclass
class Shop:
    """One browser context on the sandbox, recording every request and console message."""

    sandbox: Sandbox
    context: BrowserContext
    page: Page
    requests: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    shared_workers: SharedWorkerConsole | None = None

    def open(self, body: str, *, path: str = "/test/page.html", tag: str | None = None) -> Page:
        """Serve ``body`` as a page at the sandbox origin, with the stub and our script tag."""
        self.serve(body, path=path, tag=tag)
        self.page.goto(f"{self.sandbox.origin}{path}")
        return self.page

    def serve(self, body: str, *, path: str = "/test/page.html", tag: str | None = None) -> None:
        """Answer ``path`` (no fragment) with ``body`` as :meth:`open` does, without going there."""
        if tag is None:
            tag = LOADER_TAG
        html = (
            f"<!doctype html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
            f"{STUB}{tag}</head><body>{body}</body></html>"
        )

        def fulfill(route: Route) -> None:
            route.fulfill(status=200, content_type="text/html", body=html)

        self.context.route(f"{self.sandbox.origin}{path}", fulfill)

    def visitor(self, timeout_s: float = 30.0) -> str:
        """The ``2c.cId`` cookie, waiting for the engine to have made it."""
        deadline = time.monotonic() + timeout_s
        while True:
            cookies = {c["name"]: c["value"] for c in self.context.cookies()}
            if "2c.cId" in cookies or time.monotonic() > deadline:
                return cookies["2c.cId"]
            self.page.wait_for_timeout(50)

    def wait_until_stored(self, count: int) -> list[dict[str, Any]]:
        """Wait for ``count`` requests of this browser's visitor at the collector."""
        stored = self.sandbox.wait_for_requests(count, visitor=self.visitor())
        # Playwright's sync API delivers events (console, requests) only while it is called.
        self.page.wait_for_timeout(50)
        return stored

    def wait_for_engine(self) -> None:
        """Wait until the engine in the worker has started and answered the loader."""
        self.page.evaluate(
            "timeout => new Promise((resolve, reject) => {"
            " setTimeout(() => reject(new Error('engine not ready')), timeout);"
            " nostojs(api => api.internal.ready().then(resolve)); })",
            SETTINGS["timeouts"]["engine_ready_ms"],
        )

    def shared_worker_console(self) -> list[str]:
        """The console lines of this context's SharedWorkers (the shared engine), each line
        ``"<type>: <text>"``; exceptions as ``"exception: ..."``. Playwright reports no
        SharedWorker: they are read through a browser-level DevTools session, which attaches to
        each worker once (``Runtime.enable`` replays what it logged before)."""
        if self.shared_workers is None:
            self.shared_workers = SharedWorkerConsole(self.context, self.page)
        return self.shared_workers.read(self.page)

    def outside_loopback(self) -> list[str]:
        outside = []
        for url in self.requests:
            parts = urlsplit(url)
            if parts.scheme in {"data", "blob"}:
                continue
            if parts.hostname not in LOOPBACK_HOSTS:
                outside.append(url)
        return outside


@pytest.fixture
def shop(browser: Browser, sandbox: Sandbox) -> Iterator[Shop]:
    with shop_on(browser, sandbox) as opened:
        yield opened


@contextmanager
def shop_on(browser: Browser, sandbox: Sandbox) -> Iterator[Shop]:
    """A fresh browser context on ``sandbox`` that records requests and console messages."""
    context = browser.new_context(**SETTINGS["context"])
    context.set_default_timeout(SETTINGS["timeouts"]["default_ms"])
    page = context.new_page()
    shop = Shop(sandbox, context, page)
    context.on("request", lambda request: shop.requests.append(request.url))
    page.on("request", lambda request: _record(shop, request))
    # Every page of the context (tabs opened later too); workers report through their page.
    context.on("console", lambda message: _console(shop, "page", message))
    page.on("pageerror", lambda error: shop.page_errors.append(str(error)))
    page.on("worker", lambda worker: _watch_worker(shop, worker))
    yield shop
    context.close()


def _record(shop: Shop, request: PwRequest) -> None:
    if request.url not in shop.requests:
        shop.requests.append(request.url)


def _console(shop: Shop, where: str, message: ConsoleMessage) -> None:
    shop.console.append(f"{where} {message.type}: {message.text}")


def _watch_worker(shop: Shop, worker: PwWorker) -> None:
    shop.requests.append(worker.url)
    worker.on("console", lambda message: _console(shop, "worker", message))


class SharedWorkerConsole:
    """Console lines of one browser context's SharedWorkers, through the browser's DevTools
    (attached unflattened: each worker's messages arrive as events of this session)."""

    def __init__(self, context: BrowserContext, page: Page) -> None:
        browser = context.browser
        assert browser is not None, "a context of a launched browser"
        info = context.new_cdp_session(page).send("Target.getTargetInfo")["targetInfo"]
        self.context_id = info["browserContextId"]
        self.cdp = browser.new_browser_cdp_session()
        self.lines: list[str] = []
        self.sessions: dict[str, str] = {}  # target id: session id
        self.answered: set[int] = set()
        self.sent = 0
        self.cdp.on("Target.receivedMessageFromTarget", self._message)

    def read(self, page: Page) -> list[str]:
        """Attach to workers not seen yet; every line they logged so far."""
        waiting = []
        for target in self.cdp.send("Target.getTargets")["targetInfos"]:
            ours = target.get("browserContextId") == self.context_id
            if target["type"] != "shared_worker" or not ours:
                continue
            session = self.sessions.get(target["targetId"])
            if session is None:
                session = self.cdp.send(
                    "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
                )["sessionId"]
                self.sessions[target["targetId"]] = session
                self._send(session, "Runtime.enable")
            # Answered after every message logged before it: then the lines are all here.
            waiting.append(self._send(session, "Runtime.evaluate", {"expression": "1"}))
        deadline = time.monotonic() + 10
        while not self.answered.issuperset(waiting):
            assert time.monotonic() < deadline, "a shared worker did not answer DevTools"
            page.wait_for_timeout(20)  # Playwright delivers the events while it waits
        return list(self.lines)

    def _send(self, session: str, method: str, params: dict[str, Any] | None = None) -> int:
        self.sent += 1
        message = json.dumps({"id": self.sent, "method": method, "params": params or {}})
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})
        return self.sent

    def _message(self, event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        if "id" in message:
            self.answered.add(message["id"])
        elif message.get("method") == "Runtime.consoleAPICalled":
            params = message["params"]
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            self.lines.append(f"{params['type']}: {text}")
        elif message.get("method") == "Runtime.exceptionThrown":
            details = message["params"]["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            self.lines.append(f"exception: {text}")
