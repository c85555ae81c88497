"""Privacy on a real page: consent signals, what Web Storage and cookies may hold, and a page
that cannot send storing nothing."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser

from nosto_tagging.testing import Sandbox
from tests.browser.conftest import Shop
from tests.browser_settings import SETTINGS

LOAD_FRONT = "<script>nostojs(api => api.defaultSession().viewFrontPage().load())</script>"
GPC = "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"


def visitor_cookies(shop: Shop) -> list[str]:
    return [c["value"] for c in shop.context.cookies() if c["name"] == "2c.cId"]


def visitors_sent(shop: Shop) -> list[str]:
    """The ``c`` (visitor id) of each request to the collector, as the browser sent it."""
    shop.page.wait_for_timeout(50)  # Playwright's sync API delivers events while it is called
    sent = [parse_qs(urlsplit(url).query) for url in shop.requests if "/ev1?" in url]
    return [query.get("c", [""])[0] for query in sent]


def test_global_privacy_control_counts_as_do_not_track_and_the_page_cannot_undo_it(
    shop: Shop,
) -> None:
    shop.context.add_init_script(GPC)
    page = shop.open(
        "<script>nostojs(api => { api.visit.setDoNotTrack(false);"
        " api.defaultSession().viewFrontPage().load(); })</script>"
    )
    shop.sandbox.wait_for_requests(1, page_type="front")
    assert visitors_sent(shop) == [""] and visitor_cookies(shop) == []
    assert page.evaluate("() => nostojs(api => api.visit.isDoNotTrack())") is True


def test_the_browsers_own_do_not_track_setting_is_honoured(
    browser: Browser, sandbox: Sandbox, tmp_path: Path
) -> None:
    # Chromium's "Send a Do Not Track request" setting, as the shopper's profile keeps it.
    profile = tmp_path / "profile"
    (profile / "Default").mkdir(parents=True)
    (profile / "Default" / "Preferences").write_text(json.dumps({"enable_do_not_track": True}))
    launch = SETTINGS["launch"]
    context = browser.browser_type.launch_persistent_context(
        profile,
        executable_path=launch["executable_path"],
        headless=launch["headless"],
        args=launch["args"],
        **SETTINGS["context"],
    )
    try:
        shop = Shop(sandbox, context, context.new_page())
        context.on("request", lambda request: shop.requests.append(request.url))
        page = shop.open(LOAD_FRONT)
        assert page.evaluate("navigator.doNotTrack") == "1"
        sandbox.wait_for_requests(1, page_type="front")
        assert visitors_sent(shop) == [""] and visitor_cookies(shop) == []
        assert page.evaluate("() => nostojs(api => api.visit.isDoNotTrack())") is True
    finally:
        context.close()


def test_an_api_opt_out_lasts_for_the_browser_session_until_it_is_ended(shop: Shop) -> None:
    page = shop.open("<script>nostojs(api => api.visit.setDoNotTrack(true))</script>")
    shop.wait_for_engine()
    page = shop.open(LOAD_FRONT, path="/test/next.html")  # another page of the site
    shop.sandbox.wait_for_requests(1, page_type="front")
    assert visitors_sent(shop) == [""] and visitor_cookies(shop) == []
    assert page.evaluate("() => nostojs(api => api.visit.isDoNotTrack())") is True
    page.evaluate("() => nostojs(api => api.visit.setDoNotTrack(false))")
    page = shop.open(LOAD_FRONT, path="/test/third.html")
    shop.sandbox.wait_for_requests(2, page_type="front")
    # the second page's request went without a visitor id (and may go again as a beacon when
    # that page is left: at-least-once), the third page's with the cookie it made
    assert set(visitors_sent(shop)) == {"", visitor_cookies(shop)[0]}


def test_the_visitor_cookie_lives_at_most_400_days(shop: Shop) -> None:
    shop.open(LOAD_FRONT)
    shop.visitor()
    [cookie] = [c for c in shop.context.cookies() if c["name"] == "2c.cId"]
    page_now = shop.page.evaluate("() => Date.now() / 1000")
    assert 399 * 86400 < cookie["expires"] - page_now <= 400 * 86400


def test_local_storage_never_holds_a_url_query_or_an_email_shaped_value(shop: Shop) -> None:
    page = shop.open(
        "<script>nostojs(api => { api.defaultSession()"
        ".setCart({items: [{product_id: '1', name: 'x', unit_price: 1, price_currency_code: 'EUR',"
        " note: 'ann@example.com'}]}).viewCart().update(); });</script>",
        path="/test/reset.html?token=s3cret-token",
    )
    shop.wait_until_stored(1)
    local = page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
    assert "s3cret-token" not in local and "ann@example.com" not in local
    journal = page.evaluate("() => nostojs(api => api.internal.journal())")
    assert journal[0]["private"] is True  # the email-shaped value made the call customer data


def test_without_an_account_nothing_is_stored_and_no_cookie_is_set(shop: Shop) -> None:
    page = shop.open(LOAD_FRONT, tag='<script src="/bundle/nosto.js"></script>')
    page.wait_for_function("() => window.nostojs && window.nostojs.nostoTagging")
    stored = page.evaluate(
        "() => [Object.keys(localStorage), Object.keys(sessionStorage)].flat()"
        ".filter(k => k.startsWith('nosto-tagging:'))"
    )
    assert stored == [] and visitor_cookies(shop) == []
    assert page.evaluate("() => nostojs(api => api.internal.journal().length)") == 2


def test_heartbeats_of_pages_gone_for_an_hour_are_purged_once_the_engine_runs(
    shop: Shop,
) -> None:
    page = shop.open("")
    stale = {"t": 0, "gone": True, "held": 0}
    page.evaluate(
        "stale => localStorage.setItem('nosto-tagging:demo:p:long-gone', stale)", json.dumps(stale)
    )
    page = shop.open("", path="/test/again.html")
    shop.wait_for_engine()
    keys = page.evaluate("() => Object.keys(localStorage)")
    assert "nosto-tagging:demo:p:long-gone" not in keys


def test_listener_names_that_are_object_members_never_throw(shop: Shop) -> None:
    page = shop.open("")
    shop.wait_for_engine()  # update() resolves empty if the engine is not running in 5 s
    result = page.evaluate(
        "() => nostojs(api => { const names = ['__proto__', 'constructor', 'toString',"
        " 'hasOwnProperty']; const got = [];"
        " names.forEach(n => { api.listen(n, () => got.push(n)); api.unlisten(n, () => 0); });"
        " api.listen('prerequest', () => got.push('prerequest'));"
        " return api.defaultSession().viewFrontPage().update().then(() => got); })"
    )
    assert result == ["prerequest"]
    assert shop.page_errors == []


# Where each entry of a page lies, by the page's URL and referrer: a public call and body
# (setCart, then its cart update), a private call and body (setCustomer, then an update that
# carries the customer), with Nosto down so that every body waits in the outbox.
CART_THEN_CUSTOMER = (
    "<script>nostojs(api => { const s = api.defaultSession();"
    " s.setCart({items: [{product_id: '1', name: 'x', unit_price: 1, quantity: 1,"
    " price_currency_code: 'EUR'}]}).viewCart().update();"
    " s.setCustomer({email: 'ann@example.com', first_name: 'Ann'}).viewFrontPage().update(); })"
    "</script>"
)
WHERE_ENTRIES_LIE = """() => {
  const areas = {};
  for (const [name, area] of [["local", localStorage], ["session", sessionStorage]]) {
    for (const key of Object.keys(area).filter(k => k.startsWith("nosto-tagging:demo:"))) {
      const entry = JSON.parse(area.getItem(key));
      const label = entry.method ? "call " + entry.seq + " " + entry.method
        : "body " + (entry.private ? "private" : "public");
      (areas[label] = areas[label] || new Set()).add(name);
    }
  }
  return Object.fromEntries(Object.entries(areas).map(([k, v]) => [k, [...v].sort()]));
}"""
BODIES_WAITING = (  # two bodies, whichever areas hold them
    "() => new Set([localStorage, sessionStorage].flatMap(a => Object.keys(a))"
    ".filter(k => k.startsWith('nosto-tagging:demo:o:'))).size >= 2"
)


@pytest.mark.parametrize(
    ("url", "referrer"),
    [
        ("/test/cart.html", ""),
        ("/test/cart.html?utm_source=mail", ""),
        ("/test/cart.html#reviews", ""),
        ("/test/cart.html", "/test/from.html?gclid=abc"),
    ],
    ids=["plain", "url-query", "url-fragment", "referrer-query"],
)
def test_private_entries_lie_in_session_storage_only_whatever_the_url(
    shop: Shop, sandbox: Sandbox, url: str, referrer: str
) -> None:
    sandbox.set_fault(status=503, count=None)
    shop.serve(CART_THEN_CUSTOMER, path=url.split("#")[0])
    if referrer:
        shop.open(f"<a id='go' href='{url}'>cart</a>", path=referrer)
        shop.page.click("#go")
    else:
        shop.page.goto(sandbox.origin + url)
    page = shop.page
    page.wait_for_function(BODIES_WAITING)
    public = ["local"] if url == "/test/cart.html" and not referrer else ["local", "session"]
    assert page.evaluate(WHERE_ENTRIES_LIE) == {
        "call 1 setCart": public,
        "call 2 viewCart": public,
        "call 3 update": public,
        "body public": public,
        "call 4 setCustomer": ["session"],
        "call 5 viewFrontPage": public,
        "call 6 update": public,
        "body private": ["session"],
    }
    local = page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
    assert "ann@example.com" not in local and "Ann" not in local
    assert "utm_source" not in local and "gclid" not in local and "#reviews" not in local
