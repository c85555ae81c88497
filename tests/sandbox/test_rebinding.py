"""DNS rebinding in Chromium: a page first served by an attacker's name, whose name then
resolves to 127.0.0.1, cannot read the sandbox.

Chromium resolves ``rebound.test`` to 127.0.0.1 (``--host-resolver-rules``); the page's document
is what the attacker's server sent before the switch (fulfilled by Playwright for that one URL);
every later request of the page goes over the network to the real sandbox.

Chromium's Private Network Access would stop this very page on its own (a page from a public
address reading a loopback one); browsers without it, and attacker pages served from a private
address, are not stopped, so this browser has it turned off: what is tested is the sandbox's
own defence.
"""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page, Route

from nosto_tagging.testing import Sandbox, running_sandbox
from tests.browser_settings import SETTINGS

pytestmark = pytest.mark.browser

REBOUND = "rebound.test"
EMAIL = "shopper@example.com"
ATTACKER_PAGE = "<!doctype html><title>a game</title><p>loading…</p>"
READ = """async () => {
  try {
    const response = await fetch("/api/requests");
    return [response.status, await response.text()];
  } catch (error) {
    return [0, error.name];
  }
}"""


@pytest.fixture(scope="module")
def rebinding_browser(browser: Browser) -> Iterator[Browser]:
    """Chromium whose DNS answers 127.0.0.1 for ``rebound.test`` (and nothing else outside),
    launched through the session browser's Playwright (one sync Playwright per thread)."""
    launch = SETTINGS["launch"]
    args = [arg for arg in launch["args"] if not arg.startswith("--host-resolver-rules=")]
    rules = f"MAP {REBOUND} 127.0.0.1, MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"
    no_private_network_access = (
        "--disable-features=LocalNetworkAccessChecks,"
        "PrivateNetworkAccessRespectPreflightResults,BlockInsecurePrivateNetworkRequests"
    )
    rebinding = browser.browser_type.launch(
        executable_path=launch["executable_path"],
        headless=launch["headless"],
        args=[*args, f"--host-resolver-rules={rules}", no_private_network_access],
    )
    yield rebinding
    rebinding.close()


def sandbox_at(directory: Path, allowed_hosts: list[str]) -> Iterator[Sandbox]:
    (directory / "bundle").mkdir()
    (directory / "bundle" / "nosto.js").write_text("")
    with running_sandbox(
        directory / "db.sqlite3", directory / "bundle", allowed_hosts=allowed_hosts
    ) as running:
        stored = urllib.request.Request(
            running.url("/ev1?m=shop&c=v1"),
            data=json.dumps({"page_type": "other", "customer": {"email": EMAIL}}).encode(),
            headers={"Content-Type": "text/plain"},
        )
        urllib.request.urlopen(stored, timeout=10).close()  # a customer's data to steal
        yield running


@pytest.fixture
def sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    yield from sandbox_at(tmp_path, [])


@pytest.fixture
def lenient_sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    yield from sandbox_at(tmp_path, [REBOUND])


@contextmanager
def attacker_page(browser: Browser, sandbox: Sandbox) -> Iterator[Page]:
    """A page at ``http://rebound.test:<the sandbox's port>/``, as the attacker served it."""
    context = browser.new_context(**SETTINGS["context"])
    context.set_default_timeout(SETTINGS["timeouts"]["default_ms"])
    page = context.new_page()
    url = f"http://{REBOUND}:{urlsplit(sandbox.origin).port}/"

    def served_before_the_switch(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=ATTACKER_PAGE)

    page.route(url, served_before_the_switch)  # only the document; its fetches go out for real
    page.goto(url)
    yield page
    context.close()


def test_a_rebound_page_cannot_read_the_sandbox(
    rebinding_browser: Browser, sandbox: Sandbox
) -> None:
    with attacker_page(rebinding_browser, sandbox) as page:
        status, text = page.evaluate(READ)

        assert status == 400
        assert f"Host '{REBOUND}:" in text and "is not one this sandbox serves" in text
        assert EMAIL not in text


def test_the_same_page_reads_it_when_that_name_is_allowed(
    rebinding_browser: Browser, lenient_sandbox: Sandbox
) -> None:
    with attacker_page(rebinding_browser, lenient_sandbox) as page:
        status, text = page.evaluate(READ)

        assert status == 200, text  # the rebinding works; only the host check stops it
        assert EMAIL in text
