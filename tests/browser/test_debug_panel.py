"""The debug panel of ``?nostodebug=true`` in Chromium, against the real sandbox: what it lists
(the engine, DOM tagging, placements, requests with the warnings the engine computed), the flag's
life in the tab's session, and nothing at all without it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Route

from tests.browser.conftest import LOADER_TAG, STUB, Shop
from tests.checkout import ROOT
from tests.debug_page import PAGE

PANEL = "nosto-debug"  # Playwright's CSS locators read open shadow roots
FLAG = "() => sessionStorage.getItem('nosto-tagging:debug')"


def serve(
    shop: Shop, body: str = PAGE, path: str = "/test/debug.html", tag: str = LOADER_TAG
) -> str:
    """Serve ``body`` at ``path``, whatever its query; returns its URL."""
    url = f"{shop.sandbox.origin}{path}"
    html = (
        "<!doctype html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
        f"{STUB}{tag}</head><body>{body}</body></html>"
    )

    def fulfill(route: Route) -> None:
        route.fulfill(status=200, content_type="text/html", body=html)

    # A pattern, not a Python predicate: the browser matches it while Python waits elsewhere.
    shop.context.route(re.compile(re.escape(url) + r"(\?.*)?$"), fulfill)
    return url


def debug_chunks(shop: Shop) -> list[str]:
    return [url for url in shop.requests if url.endswith("/debug.mjs")]


def test_the_panel_lists_the_tagging_a_placement_and_a_request_with_its_warning(
    shop: Shop,
) -> None:
    url = serve(shop)
    page = shop.page
    page.goto(f"{url}?nostodebug=true")

    page.locator(f"{PANEL} [data-part=tagging] [data-product=shirt-1]").wait_for()
    assert "Debug Shirt" in page.locator(f"{PANEL} [data-product=shirt-1]").inner_text()
    warning = page.locator(f"{PANEL} [data-part=requests] [data-code=mixed-currencies]")
    warning.wait_for(state="attached")
    assert "EUR, USD" in warning.text_content()
    placement = page.locator(f"{PANEL} [data-placement=productpage-nosto-1]")
    page.wait_for_function(
        "() => document.querySelector('nosto-debug').shadowRoot"
        ".querySelector('[data-placement]').textContent.includes('HTML campaign')"
    )
    engine = page.locator(f"{PANEL} [data-part=engine]").inner_text()
    assert "dedicated" in engine and "after the page started loading" in engine
    session = page.locator(f"{PANEL} [data-part=session]").inner_text()
    assert "a x1" in session and "b x1" in session
    # Open, styles in the shadow root only: the page has no <style> or sheet of ours.
    assert page.evaluate("() => document.querySelector('nosto-debug').shadowRoot !== null")
    assert page.evaluate("() => document.styleSheets.length") == 0

    # A request opened in the panel stays open while later ones arrive.
    first = page.locator(f"{PANEL} [data-part=requests] [data-eid]").first
    eid = first.get_attribute("data-eid")
    first.locator("summary").click()
    page.evaluate("() => nostojs(api => api.defaultSession().viewCart().update().then(() => 0))")
    page.wait_for_function(
        "() => document.querySelector('nosto-debug').shadowRoot"
        ".querySelectorAll('[data-eid]').length >= 2"
    )
    opened = page.locator(f"{PANEL} [data-eid='{eid}'] > details")
    assert opened.get_attribute("open") is not None
    assert "mixed-currencies" in (opened.inner_html() or "")

    # Hovering a placement in the panel outlines it on the page.
    placement.hover()
    box = page.evaluate(
        "() => { const root = document.querySelector('nosto-debug').shadowRoot;"
        " const o = root.querySelector('.outline');"
        " const p = document.getElementById('productpage-nosto-1').getBoundingClientRect();"
        " const r = o.getBoundingClientRect();"
        " return [o.hidden, Math.round(r.top - p.top), Math.round(r.width - p.width)]; }"
    )
    assert box == [False, 0, 0]
    assert shop.page_errors == []


def test_the_flag_lasts_for_the_tab_until_turned_off_and_closing_removes_everything(
    shop: Shop,
) -> None:
    url = serve(shop)
    page = shop.page
    page.goto(f"{url}?nostodebug=true")
    page.locator(f"{PANEL} [data-code=mixed-currencies]").wait_for(state="attached")
    assert page.evaluate(FLAG) == "1"
    # The panel stores nothing but its flag: every other key is the loader's, of the account.
    keys = page.evaluate(
        "() => [localStorage, sessionStorage].flatMap((s) => Object.keys(s))"
        ".filter((k) => !k.startsWith('nosto-tagging:demo:'))"
    )
    assert keys == ["nosto-tagging:debug"]

    page.goto(f"{url}")  # no parameter: the tab's flag holds
    page.locator(f"{PANEL} [data-part=engine]").wait_for(state="attached")
    assert page.evaluate("() => nostojs(api => api.internal.debug(false))") is False
    assert page.locator(PANEL).count() == 0
    assert page.evaluate(FLAG) is None

    assert page.evaluate("() => nostojs(api => api.internal.debug(true))") is True
    page.locator(f"{PANEL} .close").click()  # closing is turning it off: nothing left
    assert page.locator(PANEL).count() == 0
    assert page.evaluate(FLAG) is None

    page.goto(f"{url}?nostodebug=true")
    page.locator(PANEL).wait_for(state="attached")
    page.goto(f"{url}?nostodebug=false")
    shop.wait_for_engine()
    assert page.locator(PANEL).count() == 0
    assert page.evaluate(FLAG) is None


def test_without_the_flag_no_chunk_is_fetched_and_no_element_added(shop: Shop) -> None:
    shop.page.goto(serve(shop))
    shop.wait_for_engine()
    shop.wait_until_stored(1)  # the page view went out: the start is over

    assert debug_chunks(shop) == []
    assert page_elements_added(shop) == []
    assert shop.page.evaluate(FLAG) is None


def page_elements_added(shop: Shop) -> list[str]:
    """Elements outside the page's own markup (the tagging's, the placement, the campaign)."""
    names: list[str] = shop.page.evaluate(
        "() => [...document.querySelectorAll('*')].map((e) => e.localName)"
        ".filter((n) => n.includes('-'))"
    )
    return names


CSP_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
    "<script nonce='{nonce}'>(function(){{var n='nostojs';window[n]=window[n]||function(cb)"
    "{{(window[n].q=window[n].q||[]).push(cb);}};}})();</script>"
    "<script nonce='{nonce}' src='/bundle/nosto.js' data-account='demo' data-endpoint='/ev1'"
    "{engine} async></script></head><body>{tagging}</body></html>"
)
# docs/hosting.md's strict policy with Trusted Types required, and styles from the origin only.
STRICT = (
    "script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; worker-src {origin} blob:; "
    "connect-src {origin}; object-src 'none'; base-uri 'none'; "
    "require-trusted-types-for 'script'; trusted-types nosto-tagging; style-src {origin}"
)
VIOLATIONS = (
    "window.violations = [];"
    "document.addEventListener('securitypolicyviolation',"
    " (e) => window.violations.push(e.violatedDirective + ' ' + e.blockedURI), true);"
)


@pytest.mark.parametrize("engine", ["", " data-engine='shared'"], ids=["dedicated", "shared"])
def test_the_panel_works_under_strict_csp_and_trusted_types(shop: Shop, engine: str) -> None:
    origin = shop.sandbox.origin
    nonce = "d3bug-n0nce"
    # The tagging without style attributes: the policy refuses inline styles.
    tagging = re.sub(r" style='[^']*'", "", PAGE)
    body = CSP_PAGE.format(nonce=nonce, engine=engine, tagging=tagging)
    header = STRICT.format(nonce=nonce, origin=origin)

    def fulfill(route: Route) -> None:
        route.fulfill(
            status=200,
            content_type="text/html",
            body=body,
            headers={"Content-Security-Policy": header},
        )

    url = f"{origin}/test/debug-csp.html"
    shop.context.route(re.compile(re.escape(url) + r"(\?.*)?$"), fulfill)
    shop.context.add_init_script(VIOLATIONS)
    page = shop.page
    page.goto(f"{url}?nostodebug=true")

    page.locator(f"{PANEL} [data-product=shirt-1]").wait_for()
    page.locator(f"{PANEL} [data-code=mixed-currencies]").wait_for(state="attached")
    styled = page.evaluate(
        "() => getComputedStyle(document.querySelector('nosto-debug').shadowRoot"
        ".querySelector('.panel')).borderTopLeftRadius"
    )
    assert styled == "8px"  # the panel's own styles apply, inside its shadow root
    if engine:
        assert "shared" in page.locator(f"{PANEL} [data-part=engine]").inner_text()
    assert page.evaluate("() => window.violations") == []
    assert shop.page_errors == []
    assert shop.outside_loopback() == []


def test_the_panel_on_the_classic_demo_shop(shop: Shop) -> None:
    """The classic theme's product page (DOM tagging only) after an add-to-cart; the README's
    screenshot is this page (build/debug-panel.png)."""
    page = shop.page
    page.set_viewport_size({"width": 1280, "height": 860})
    page.goto(shop.sandbox.url("/classic/product/181503?nostodebug=true"))
    page.locator(f"{PANEL} [data-product='181503']").wait_for()
    page.locator("form.add-to-cart button").first.click()
    page.wait_for_function(
        "() => document.querySelector('nosto-debug').shadowRoot"
        ".querySelectorAll('[data-eid]').length >= 2"
    )
    filled = page.locator(f"{PANEL} [data-placement]")
    page.wait_for_function(
        "() => [...document.querySelector('nosto-debug').shadowRoot"
        ".querySelectorAll('[data-placement]')]"
        ".every((e) => e.textContent.includes('HTML campaign'))"
    )
    assert filled.count() == 2
    assert "181503" in page.locator(f"{PANEL} [data-part=session]").inner_text()
    page.wait_for_function(
        "() => [...document.querySelector('nosto-debug').shadowRoot"
        ".querySelectorAll('[data-eid] summary')]"
        ".every((e) => / · \\d+ warnings?$/.test(e.textContent))"
    )
    # The page view and the cart resend (an update, no page type) break no rule.
    assert page.locator(f"{PANEL} [data-part=requests] [data-code]").count() == 0
    page.locator(f"{PANEL} [data-eid] summary").first.click()
    filled.first.hover()
    page.screenshot(path=str(ROOT / "build" / "debug-panel.png"))
    assert shop.page_errors == []


def test_a_cart_signed_for_another_visitor_is_explained_as_a_cached_page(shop: Shop) -> None:
    signed = PAGE.replace(
        "</div><div class='nosto_element'",
        "<span class='hcid'>" + "0" * 64 + "</span></div><div class='nosto_element'",
        1,
    )
    assert signed != PAGE
    url = serve(shop, signed, "/test/cached.html")
    shop.page.goto(f"{url}?nostodebug=true")

    problems = shop.page.locator(f"{PANEL} [data-part=tagging] .problems")
    problems.wait_for()
    text = problems.inner_text()
    assert "nosto_cart hcid" in text and "full-page cache" in text
    assert "no nosto_cart" in shop.page.locator(f"{PANEL} [data-part=tagging]").inner_text()


def test_the_panel_says_whether_the_shared_engine_was_started_or_joined(shop: Shop) -> None:
    shared = LOADER_TAG.replace('data-engine="dedicated"', 'data-engine="shared"')
    assert shared != LOADER_TAG
    url = serve(shop, PAGE, "/test/shared.html", shared) + "?nostodebug=true"
    first = shop.page
    first.goto(url)
    engine = f"{PANEL} [data-part=engine]"
    first.locator(engine).get_by_text("started it for this page").wait_for()
    second = shop.context.new_page()
    second.goto(url)
    second.locator(engine).get_by_text("joined a running engine").wait_for()
    assert "shared" in second.locator(engine).inner_text()
