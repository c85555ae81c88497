"""A page on another loopback origin cannot switch faults on: the real sandbox, a real second
server for the other site's page, and Chromium sending what a page can send."""

from __future__ import annotations

import http.server
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from nosto_tagging.testing import Sandbox, running_sandbox

pytestmark = pytest.mark.browser

OTHER_SITE = b"<!doctype html><meta charset=utf-8><title>another site</title><h1>a shop</h1>"

# What a page can send to /api/faults: fetch in no-cors mode (a simple request: its custom
# header and JSON content type are dropped), fetch with CORS (needs a preflight), and a
# text/plain form whose field spells out JSON. Each result says how the request ended.
ATTEMPTS = """async (target) => {
  const url = target + "/api/faults";
  const body = JSON.stringify({status: 503, count: null});
  const json = {"Content-Type": "application/json", "X-Nosto-Sandbox": "1"};
  const ended = async (run) => {
    try {
      const response = await run();
      return response.type === "opaque" ? "opaque" : String(response.status);
    } catch (error) {
      return error.name;
    }
  };
  const results = {};
  results.noCorsText = await ended(() => fetch(url, {method: "POST", mode: "no-cors",
    headers: {"Content-Type": "text/plain"}, body}));
  results.noCorsJson = await ended(() => fetch(url, {method: "POST", mode: "no-cors",
    headers: json, body}));
  results.corsJson = await ended(() => fetch(url, {method: "POST", headers: json, body}));
  const frame = document.createElement("iframe");
  frame.name = "sink";
  document.body.append(frame);
  const form = document.createElement("form");
  Object.assign(form, {method: "POST", action: url, enctype: "text/plain", target: "sink"});
  const field = document.createElement("input");
  Object.assign(field, {name: '{"status": 503, "count": null, "x": "', value: '"}'});
  form.append(field);
  document.body.append(form);
  await new Promise((resolve) => { frame.onload = resolve; form.submit(); });
  results.form = "loaded";
  return results;
}"""


class _OtherSite(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(OTHER_SITE)))
        self.end_headers()
        self.wfile.write(OTHER_SITE)

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def other_site() -> Iterator[str]:
    """``http://localhost:<port>/``: another origin (and site) than the sandbox's 127.0.0.1."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _OtherSite)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://localhost:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    directory: Path = tmp_path_factory.mktemp("cross-site")
    (directory / "bundle").mkdir()
    (directory / "bundle" / "nosto.js").write_text("")
    with running_sandbox(directory / "db.sqlite3", directory / "bundle") as running:
        yield running


def test_a_page_on_another_origin_cannot_switch_faults_on(
    sandbox: Sandbox, other_site: str, page: Page
) -> None:
    page.goto(other_site)
    assert page.evaluate("location.origin") != sandbox.origin

    results = page.evaluate(ATTEMPTS, sandbox.origin)

    # The simple requests reached the sandbox (their answers came back, unreadable); the CORS
    # one was stopped at its preflight, which the sandbox does not grant.
    assert results == {
        "noCorsText": "opaque",
        "noCorsJson": "opaque",
        "corsJson": "TypeError",
        "form": "loaded",
    }
    assert sandbox.faults() == []


def test_the_same_calls_from_the_sandboxs_own_page_do_add_a_fault(
    sandbox: Sandbox, page: Page
) -> None:
    page.goto(sandbox.url("/api/stats"))

    results = page.evaluate(ATTEMPTS, sandbox.origin)

    assert results["corsJson"] == "201"  # the one call that carries both headers
    assert [fault["status"] for fault in sandbox.faults()] == [503]
    sandbox.clear_faults()
