"""The debug panel of ``?nostodebug=true`` in every engine, under docs/hosting.md's strict
policy with Trusted Types required: it lists a product read from DOM tagging, a placement and
a request with the warning the engine computed; without the flag, no chunk and no element."""

from __future__ import annotations

from tests.debug_page import PAGE

from .conftest import Shop
from .test_csp import NONCE, POLICY, TAG

# What the panel's shadow root shows, read the way QA automation would.
PANEL = (
    "() => { const host = document.querySelector('nosto-debug');"
    " const root = host && host.shadowRoot; if (!root) return null;"
    " const text = (s) => [...root.querySelectorAll(s)].map((e) => e.textContent);"
    " return { product: text('[data-part=tagging] [data-product=shirt-1]'),"
    " placement: text('[data-placement=productpage-nosto-1]'),"
    " warning: text('[data-part=requests] [data-code=mixed-currencies]'),"
    " radius: getComputedStyle(root.querySelector('.panel')).borderTopLeftRadius }; }"
)
READY = (
    "() => { const p = (" + PANEL + ")();"
    " return p && p.product.length && p.warning.length"
    " && p.placement.some((t) => t.includes('HTML campaign')) ? p : null; }"
)


def test_the_panel_lists_tagging_placement_and_warning_under_a_strict_policy(shop: Shop) -> None:
    url = shop.server.add(
        "/test/debug.html",
        PAGE,
        tag=TAG.format(nonce=NONCE, engine=""),
        nonce=NONCE,
        headers={"Content-Security-Policy": POLICY.format(nonce=NONCE, origin=shop.server.origin)},
    )
    tab = shop.tab
    tab.goto(url + "?nostodebug=true")

    panel = tab.wait_for(READY)
    assert "Debug Shirt" in panel["product"][0]
    assert "EUR, USD" in panel["warning"][0]
    assert panel["radius"] == "8px"  # its styles, in its shadow root, apply under the policy
    assert tab.evaluate("() => sessionStorage.getItem('nosto-tagging:debug')") == "1"
    assert tab.evaluate("() => window.__seen.errors") == []
    assert shop.our_console_errors() == []


def test_without_the_flag_nothing_is_fetched_and_nothing_added(shop: Shop) -> None:
    tab = shop.open(PAGE, path="/test/debug.html")
    shop.wait_for_engine()
    shop.wait_until_stored(1)

    assert [f for f in shop.server.forwarded if "debug.mjs" in f] == []
    assert tab.evaluate("() => document.querySelectorAll('nosto-debug').length") == 0
    assert tab.evaluate("() => sessionStorage.getItem('nosto-tagging:debug')") is None
