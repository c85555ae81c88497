"""A merchant's strict Content-Security-Policy in every engine: nonces with 'strict-dynamic',
WebAssembly allowed, no 'unsafe-eval' nor 'unsafe-inline', and Trusted Types required (enforced
where the engine has them), with the dedicated and the shared engine (docs/hosting.md)."""

from __future__ import annotations

import pytest

from .conftest import Shop

NONCE = "t3st-n0nce"
POLICY = (
    "script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; worker-src {origin} blob:; "
    "connect-src {origin}; object-src 'none'; base-uri 'none'; "
    "require-trusted-types-for 'script'; trusted-types nosto-tagging"
)
TAG = (
    "<script nonce='{nonce}' src='/bundle/nosto.test.js' data-account='demo' data-endpoint='/ev1'"
    "{engine} async></script>"
)
BODY = (
    "<div class='nosto_element' id='frontpage-nosto-1'></div>"
    "<script nonce='{nonce}'>nostojs(api => api.defaultSession().enableCampaignInjection()"
    ".setResponseMode('HTML').viewFrontPage().setPlacements(['frontpage-nosto-1']).load()"
    ".then(r => window.answered = r))</script>"
)
# Whether the engine enforces Trusted Types (the policy's last two directives).
TRUSTED_TYPES = {"chromium": True, "firefox": True, "webkit": True}


@pytest.mark.parametrize("engine_attr", ["", " data-engine='shared'"], ids=["dedicated", "shared"])
def test_the_engine_runs_and_fills_placements_under_a_strict_policy(
    shop: Shop, engine_attr: str
) -> None:
    tab = shop.open(
        BODY.format(nonce=NONCE),
        path="/test/csp.html",
        tag=TAG.format(nonce=NONCE, engine=engine_attr),
        nonce=NONCE,
        headers={"Content-Security-Policy": POLICY.format(nonce=NONCE, origin=shop.server.origin)},
    )
    tab.wait_for("() => window.answered !== undefined")
    [request] = shop.wait_until_stored(1)
    assert request["body"]["elements"] == ["frontpage-nosto-1"]
    tab.wait_for("() => document.getElementById('frontpage-nosto-1').innerHTML.trim().length > 0")
    # Violations as the page saw them (securitypolicyviolation events, in every engine).
    assert tab.evaluate("() => window.__seen.errors") == []
    assert [line for line in shop.console() if "runs its own engine" in line] == []
    # Pyodide's own test for a classic worker, importScripts("data:...") in a try, is a Trusted
    # Types sink in the dedicated worker (which has the page's policy): Firefox reports it as an
    # error; it blocks nothing the engine needs. The shared worker has no policy of the page's.
    expected = 0
    errors = shop.errors()
    assert len(errors) == expected and all("require-trusted-types-for" in e for e in errors), errors
    assert shop.our_console_errors() == []

    enforced = tab.evaluate(
        "() => { try { document.createElement('div').innerHTML = '<b>x</b>'; return false; }"
        " catch (error) { return error instanceof TypeError; } }"
    )
    assert enforced is TRUSTED_TYPES[shop.engine.name]
