"""The Session API in every engine: Nosto's two examples exact on the wire, cart and customer
updates, a classic page's auto-load; no page error and no console error of ours."""

from __future__ import annotations

import re

from tests.browser.test_session_examples import CART_EXAMPLE, CUSTOMER, CUSTOMER_EXAMPLE, ITEMS

from .conftest import Shop


def test_both_examples_reach_the_collector_with_the_exact_items_and_customer(shop: Shop) -> None:
    tab = shop.open(f"<h1>Cart</h1><script>{CART_EXAMPLE}{CUSTOMER_EXAMPLE}</script>")
    cart_request, customer_request = shop.wait_until_stored(2)

    visitor = shop.visitor()
    assert re.fullmatch(r"[0-9a-f]{24}", visitor)
    url = tab.evaluate("() => location.href")
    for stored in (cart_request, customer_request):
        assert stored["account"] == "demo"
        assert stored["visitor"] == visitor
        assert stored["query"] == {"skipPageViews": "true"}
        assert stored["body"]["page_type"] == "cart"
        assert stored["body"]["url"] == url
    assert cart_request["event_id"] != customer_request["event_id"]
    assert cart_request["body"]["cart"] == ITEMS
    assert "customer" not in cart_request["body"]
    assert customer_request["body"]["cart"] == ITEMS
    assert customer_request["body"]["customer"] == CUSTOMER
    shop.sandbox.assert_no_invalid_payloads()
    assert shop.errors() == []
    assert shop.our_console_errors() == []


def test_cart_and_customer_updates_make_the_visitor_s_state(shop: Shop) -> None:
    tab = shop.open("")
    shop.wait_for_engine()
    tab.evaluate(
        "items => nostojs(api => api.defaultSession().setCart({items}).viewCart().update())",
        ITEMS,
    )
    tab.evaluate(
        "customer => nostojs(api => api.defaultSession().setCustomer(customer).viewCart()"
        ".update())",
        {k: v for k, v in CUSTOMER.items() if k != "type"},
    )
    shop.wait_until_stored(2)
    state = shop.sandbox.visitor(shop.visitor())
    assert [line["product_id"] for line in state["cart"]] == ["181503", "34552"]
    assert state["customer"]["email"] == CUSTOMER["email"]
    tab.evaluate("() => nostojs(api => api.defaultSession().setCart({}).viewCart().update())")
    shop.wait_until_stored(3)
    assert shop.sandbox.visitor(shop.visitor())["cart"] == []
    assert shop.errors() == [] and shop.our_console_errors() == []


def test_a_classic_product_page_auto_loads_once_and_fills_its_placement(shop: Shop) -> None:
    shop.tab.goto(shop.server.url("/classic/product/181503"))
    [request] = shop.wait_until_stored(1)
    assert request["body"]["page_type"] == "product"
    assert request["body"]["events"][0][:2] == ["vp", "181503"]
    assert "productpage-nosto-1" in request["body"]["elements"]
    shop.tab.wait_for(
        "() => document.getElementById('productpage-nosto-1').innerHTML.trim().length > 0"
    )
    shop.sandbox.assert_no_invalid_payloads()
    assert shop.errors() == [] and shop.our_console_errors() == []
