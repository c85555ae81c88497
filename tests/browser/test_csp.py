"""The bundle under a merchant's strict Content-Security-Policy: nonces with 'strict-dynamic',
WebAssembly allowed, no 'unsafe-eval' and no 'unsafe-inline'; and with Trusted Types required,
where every DOM write goes through the one policy the docs tell merchants to allow."""

from __future__ import annotations

import pytest
from playwright.sync_api import Route

from tests.browser.conftest import Shop

NONCE = "t3st-n0nce"
STRICT = (
    "script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; worker-src {origin} blob:; "
    "connect-src {origin}; object-src 'none'; base-uri 'none'"
)
TRUSTED_TYPES = "; require-trusted-types-for 'script'; trusted-types nosto-tagging"
PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
    "<script nonce='{nonce}'>(function(){{var n='nostojs';window[n]=window[n]||function(cb)"
    "{{(window[n].q=window[n].q||[]).push(cb);}};}})();</script>"
    "<script nonce='{nonce}' src='/bundle/nosto.js' data-account='demo' data-endpoint='/ev1'"
    "{engine} async></script></head><body><div class='nosto_element' id='frontpage-nosto-1'></div>"
    "<script nonce='{nonce}'>nostojs(api => api.defaultSession().enableCampaignInjection()"
    ".setResponseMode('HTML').viewFrontPage().setPlacements(['frontpage-nosto-1']).load()"
    ".then(r => window.answered = r))</script></body></html>"
)


@pytest.mark.parametrize(
    "engine",
    [" data-engine='dedicated'", " data-engine='shared'", ""],
    ids=["dedicated", "shared", "default"],
)
@pytest.mark.parametrize(
    "policy", [STRICT, STRICT + TRUSTED_TYPES], ids=["nonces", "trusted-types"]
)
def test_the_engine_runs_and_fills_placements_under_a_strict_policy(
    shop: Shop, policy: str, engine: str
) -> None:
    origin = shop.sandbox.origin
    header = policy.format(nonce=NONCE, origin=origin)
    violations: list[str] = []
    shop.page.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )

    def fulfill(route: Route) -> None:
        route.fulfill(
            status=200,
            content_type="text/html",
            body=PAGE.format(nonce=NONCE, engine=engine),
            headers={"Content-Security-Policy": header},
        )

    shop.context.route(f"{origin}/test/csp.html", fulfill)
    page = shop.page
    page.goto(f"{origin}/test/csp.html")
    page.wait_for_function("() => window.answered !== undefined")
    assert page.evaluate("() => window.answered.page_views") == 1
    page.wait_for_function(
        "() => document.getElementById('frontpage-nosto-1').innerHTML.trim().length > 0"
    )
    assert shop.page_errors == []
    assert [line for line in shop.console if " error: " in line] == [], shop.console
    assert violations == []
    assert shop.outside_loopback() == []
    assert [line for line in shop.console if "runs its own engine" in line] == []


# What docs/hosting.md documented for the page's own engine alone: the shared engine's worker
# script (of the page's origin) is not allowed.
BLOB_ONLY = STRICT.replace("worker-src {origin} blob:", "worker-src blob:")
VIEW = "p => nostojs(api => api.defaultSession().viewProduct(p).setPlacements([]).update())"


def test_a_policy_allowing_only_blob_workers_costs_one_violation_per_tab(shop: Shop) -> None:
    origin = shop.sandbox.origin
    violations: list[str] = []
    shop.context.on(
        "console", lambda m: violations.append(m.text) if "Content Security" in m.text else None
    )
    page = shop.page

    def fulfill(route: Route) -> None:
        route.fulfill(
            status=200,
            content_type="text/html",
            body=PAGE.format(nonce=NONCE, engine=""),
            headers={"Content-Security-Policy": BLOB_ONLY.format(nonce=NONCE, origin=origin)},
        )

    shop.context.route(f"{origin}/test/blob-only*", fulfill)
    for n in range(3):
        page.goto(f"{origin}/test/blob-only{n}.html")
        shop.wait_until_stored(n + 1)  # each page's own engine ran and sent its page view
    # The first page learns the worker script is refused; the tab's next pages do not ask again.
    assert len(violations) == 1 and "worker-src" in violations[0], violations
    assert len([line for line in shop.console if "runs its own engine" in line]) == 1
    assert [u for u in shop.requests if "nosto-worker.js" in u] == []
    assert shop.page_errors == []
