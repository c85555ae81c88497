"""The two session examples end to end: a real page, the engine in a worker, the real collector."""

from __future__ import annotations

import re
import time
from typing import Any

from tests.examples import CUSTOMER as NOSTO_CUSTOMER
from tests.examples import SHIRT, SHOE

from .conftest import Shop

CART_EXAMPLE = """
nostojs(api => {
  api.defaultSession().setCart({ items: [
    { name: "Men's Running Shirt", price_currency_code: "EUR", product_id: "181503", quantity: 2,
      sku_id: "181505", unit_price: 123.45 },
    { name: "Men's Training Shoe", price_currency_code: "EUR", product_id: "34552", quantity: 1,
      sku_id: "39912", unit_price: 999.00 } ] })
   .viewCart().update()
});
"""
CUSTOMER_EXAMPLE = """
nostojs(api => {
  api.defaultSession().setCustomer({ customer_reference: "b369f1235cf4f08153c560.82515936",
    email: "devnull@nosto.com", first_name: "Nosto", last_name: "Test", newsletter: true })
   .viewCart().update()
});
"""
ITEMS = [SHIRT, SHOE]
CUSTOMER = dict(NOSTO_CUSTOMER, type="loggedin")


def stored_events(shop: Shop, eids: list[str], timeout_s: float = 30.0) -> list[dict[str, Any]]:
    """The stored requests of these event ids, in their order, once all of them are stored."""
    deadline = time.monotonic() + timeout_s
    while True:
        found = {r["event_id"]: r for r in shop.sandbox.requests(account="demo")}
        if all(eid in found for eid in eids) or time.monotonic() > deadline:
            return [found[eid] for eid in eids]
        shop.page.wait_for_timeout(50)


def test_both_examples_reach_the_collector_with_the_exact_items_and_customer(shop: Shop) -> None:
    page = shop.open(f"<h1>Cart</h1><script>{CART_EXAMPLE}{CUSTOMER_EXAMPLE}</script>")
    # The page's two requests found by their event ids, whatever visitor they name: each must
    # name the cookie's.
    eids = page.evaluate(
        "() => nostojs(api => api.internal.journal()"
        ".filter(entry => entry.method === 'update').map(entry => entry.eid))"
    )
    cart_request, customer_request = stored_events(shop, eids)

    visitor = shop.visitor()
    assert re.fullmatch(r"[0-9a-f]{24}", visitor)
    for stored in (cart_request, customer_request):
        assert stored["account"] == "demo"
        assert stored["visitor"] == visitor
        assert stored["query"] == {"skipPageViews": "true"}  # update() counts no page view
        assert stored["body"]["page_type"] == "cart"
        assert stored["body"]["url"] == page.url
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", stored["body"]["event_date"])
    assert cart_request["event_id"] != customer_request["event_id"]

    assert cart_request["body"]["cart"] == ITEMS
    assert "customer" not in cart_request["body"]
    # The session keeps its cart: the second action carries it along with the customer.
    assert customer_request["body"]["cart"] == ITEMS
    assert customer_request["body"]["customer"] == CUSTOMER
    assert shop.page_errors == []


def test_the_page_and_its_worker_make_no_request_outside_loopback(shop: Shop) -> None:
    shop.open(f"<script>{CART_EXAMPLE}</script>")
    shop.wait_until_stored(1)
    shop.wait_for_engine()
    assert any(url.endswith("/pyodide.asm.wasm") for url in shop.requests)
    assert any("/ev1?" in url for url in shop.requests)
    assert shop.outside_loopback() == []


def test_a_clean_page_load_logs_nothing_to_the_console(shop: Shop) -> None:
    page = shop.open("<p>quiet</p>")
    shop.wait_for_engine()
    response = page.evaluate("() => nostojs(api => api.defaultSession().viewFrontPage().load())")
    assert response["page_views"] == 1
    page.wait_for_timeout(300)
    # Nothing a console shows by default: the engine's one line on how it started is
    # console.debug (DevTools' "Verbose" level, hidden unless asked for).
    assert [line for line in shop.console if " debug: " not in line] == []
    assert [line for line in shop.console if " debug: " in line] == [
        line for line in shop.console if "nosto-tagging: engine " in line
    ]
    assert shop.page_errors == []


def test_update_resolves_with_the_action_response_built_from_the_answer(shop: Shop) -> None:
    page = shop.open("")
    shop.wait_for_engine()
    response = page.evaluate(
        "() => nostojs(api => api.defaultSession().setCart({}).viewCart().update())"
    )
    assert set(response) >= {"recommendations", "page_views", "geo_location", "affinities"}
    assert response["page_views"] == 0  # update() does not count a page view
    [stored] = shop.wait_until_stored(1)
    assert stored["body"]["cart"] == []  # {} resets: sent explicitly
