"""The viewer and the demo shop in Debian's Chromium (settings: playwright.config.toml)."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator

import pytest
from playwright.sync_api import Page

from nosto_tagging.testing import Sandbox, running_sandbox
from tests.browser_settings import SETTINGS
from tests.checkout import BUNDLE_DIR, ROOT

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    db = tmp_path_factory.mktemp("pages") / "db.sqlite3"
    with running_sandbox(db, BUNDLE_DIR) as running:
        yield running


def post(sandbox: Sandbox, query: str, body: object) -> None:
    request = urllib.request.Request(
        sandbox.url(f"/ev1?{query}"),
        data=json.dumps(body).encode(),
        headers={"Content-Type": "text/plain"},
    )
    try:
        urllib.request.urlopen(request, timeout=10).close()
    except urllib.error.HTTPError as error:
        error.close()


def test_the_viewer_shows_requests_live_with_their_warnings(sandbox: Sandbox, page: Page) -> None:
    page.goto(sandbox.url("/events"))
    page.wait_for_selector(".live[data-state=live]")

    post(
        sandbox,
        "m=demo&c=viewer-visitor&eid=v1&skipPageViews=true",
        {
            "page_type": "cart",
            "url": "http://shop/cart",
            "cart": [
                {
                    "product_id": "181503",
                    "name": "Men's Running Shirt",
                    "quantity": 2,
                    "unit_price": 123.45,
                    "price_currency_code": "EUR",
                }
            ],
            "customer": {"email": "a@b.c", "customer_reference": "12345", "newsletter": True},
        },
    )
    post(sandbox, "m=demo&c=viewer-visitor&eid=v2", {"page_type": "nowhere"})

    card = page.locator(".card[data-visitor=viewer-visitor][data-page-type=cart]")
    card.wait_for()
    assert "update()" in card.locator(".action").inner_text()
    assert "skipPageViews=true" in card.locator(".flags").inner_text()
    assert "all digits" in card.locator(".warnings").inner_text()
    assert "Men's Running Shirt" in card.locator("table").inner_text()
    rejected = page.locator(".notice.rejected")
    rejected.wait_for()
    assert "page_type" in rejected.inner_text()
    panel = page.locator("#visitor-body")
    panel.get_by_text("a@b.c").wait_for()
    assert page.locator("#count-rejected").inner_text() != "0"
    page.screenshot(path=str(ROOT / "build" / "viewer.png"))


# Counts, across the pages of the tab, the bodies still unacknowledged as a page went away.
COUNT_UNACKED_AT_UNLOAD = """addEventListener('pagehide', () => {
  const unacked = Object.keys(localStorage).concat(Object.keys(sessionStorage))
    .filter(key => /^nosto-tagging:[^:]*:o:/.test(key)).length;
  const before = +(localStorage.getItem('test:unacked') || 0);
  localStorage.setItem('test:unacked', String(before + unacked));
});"""
NOTHING_WAITS = (
    "() => !Object.keys(localStorage).concat(Object.keys(sessionStorage))"
    ".some(key => /^nosto-tagging:[^:]*:[oj]:/.test(key))"
)


def test_the_demo_shop_works_and_tells_nosto_every_step(sandbox: Sandbox, page: Page) -> None:
    page.context.add_init_script(COUNT_UNACKED_AT_UNLOAD)
    page.goto(sandbox.url("/"))
    visitor = ""
    page.wait_for_function("() => document.cookie.includes('2c.cId=')")
    visitor = next(c["value"] for c in page.context.cookies() if c["name"] == "2c.cId")
    timeout = SETTINGS["timeouts"]["engine_ready_ms"] / 1000

    def wait(count: int, **filters: str) -> list[dict]:
        return sandbox.wait_for_requests(count, visitor=visitor, timeout_s=timeout, **filters)

    [front] = wait(1, page_type="front")
    assert front["query"] == {}  # load(): a page view
    assert set(front["body"]["elements"]) == {"frontpage-nosto-1", "frontpage-nosto-2"}
    page.locator("#frontpage-nosto-1 .recommendation").wait_for()

    page.click("nav.categories >> text=Men")
    [category] = wait(1, page_type="category")
    assert category["body"]["categories"] == ["/Men"]

    page.goto(sandbox.url("/product/181503"))
    [product] = wait(1, page_type="product")
    assert product["body"]["events"][0][:2] == ["vp", "181503"]
    page.click("#add-to-cart")
    [update] = wait(1, page_type="cart")
    assert update["query"] == {"skipPageViews": "true"}
    assert update["body"]["cart"][0]["product_id"] == "181503"

    page.click("#cart-link")
    page.click("button[aria-label='One more']")
    assert page.locator(".qty .n").inner_text() == "2"
    carts = wait(3, page_type="cart")
    assert carts[-1]["body"]["cart"][0]["quantity"] == 2

    page.goto(sandbox.url("/login"))
    page.fill("input[name=email]", "qa@example.com")
    page.fill("input[name=first_name]", "Quinn")
    page.fill("input[name=last_name]", "Assurance")
    page.click("#login-form button[type=submit]")
    page.get_by_text("Hello, Quinn").wait_for()
    stored = wait(2, page_type="other")  # the login page, then the account page
    assert stored[-1]["body"]["customer"]["email"] == "qa@example.com"
    assert stored[-1]["warnings"] == []

    page.click("#cart-link")
    page.click("#checkout")
    page.click("#place-order")
    page.locator("#order-number").wait_for()
    [order] = wait(1, page_type="order")
    assert order["body"]["order"]["info"]["email"] == "qa@example.com"
    assert order["body"]["cart"] == []

    page.goto(sandbox.url("/account"))
    page.click("#log-out")
    fronts = wait(2, page_type="front")
    assert fronts[-1]["body"]["customer"] == {}

    state = sandbox.visitor(visitor)
    assert (state["customer"], state["cart"], len(state["orders"])) == (None, [], 1)
    local = page.evaluate("() => JSON.stringify(localStorage)")
    assert "qa@example.com" not in local and "Quinn" not in local
    assert "qa@example.com" not in json.dumps(page.context.cookies())
    # Every body acknowledged, then: each step once, and an event id repeated on the wire only
    # where a page was left with a body unacknowledged (its attempt may have arrived).
    page.wait_for_function(NOTHING_WAITS, polling=100, timeout=60000)
    stored = sandbox.requests(visitor=visitor)
    assert [r["page_type"] for r in stored].count("order") == 1
    unacked = int(page.evaluate("localStorage.getItem('test:unacked') || 0"))
    assert sandbox.since_checkpoint()["duplicates"] <= unacked
    page.screenshot(path=str(ROOT / "build" / "shop.png"))
