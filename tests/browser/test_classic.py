"""Classic storefronts in Chromium: the sandbox's server-rendered ``/classic/`` theme has DOM
tagging only, and the loader auto-loads it, resends its cart after an ajax add-to-cart and
fills its placements; pages without tagging send nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Shop


def page_views(stored: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [r for r in stored if r["query"].get("skipPageViews") != "true"]


def open_classic(shop: Shop, path: str) -> list[dict[str, Any]]:
    """Open ``/classic<path>`` and return the requests of its auto-load (one)."""
    shop.page.goto(shop.sandbox.url(f"/classic{path}"))
    return shop.wait_until_stored(1)


@pytest.mark.parametrize(
    ("path", "page_type", "placement"),
    [
        ("/", "front", "frontpage-nosto-1"),
        ("/category/men", "category", "categorypage-nosto-1"),
        ("/product/181503", "product", "productpage-nosto-1"),
        ("/search?q=shirt", "search", "searchpage-nosto-1"),
        ("/cart", "cart", "cartpage-nosto-1"),
    ],
)
def test_each_page_type_auto_loads_once_and_fills_its_placements(
    shop: Shop, path: str, page_type: str, placement: str
) -> None:
    [request] = open_classic(shop, path)
    body = request["body"]
    assert body["page_type"] == page_type
    assert placement in body["elements"] and body["response_mode"] == "HTML"
    assert "skipPageViews" not in request["query"]
    shop.page.wait_for_function(
        f"document.getElementById('{placement}').innerHTML.trim().length > 0"
    )
    tagging = shop.page.evaluate("() => nostojs(api => api.pageTaggingAsync())")
    assert tagging["pageType"] == page_type
    if page_type == "product":
        assert body["events"][0][:2] == ["vp", "181503"]
        assert tagging["products"][0]["product_id"] == "181503"
    shop.sandbox.assert_no_invalid_payloads()
    assert [line for line in shop.console if "error" in line] == []


def test_an_ajax_add_to_cart_resends_only_the_cart(shop: Shop) -> None:
    open_classic(shop, "/product/181503")
    shop.page.click("#add-to-cart")
    stored = shop.wait_until_stored(2)
    resend = stored[1]
    assert resend["query"]["skipPageViews"] == "true" and resend["query"]["skipEvents"] == "true"
    assert [line["product_id"] for line in resend["body"]["cart"]] == ["181503"]
    assert "page_type" not in resend["body"] and "events" not in resend["body"]
    state = shop.sandbox.visitor(shop.visitor())
    assert [line["product_id"] for line in state["cart"]] == ["181503"]
    assert len(page_views(stored)) == 1


def test_an_order_confirmation_sends_the_order_with_its_buyer(shop: Shop) -> None:
    open_classic(shop, "/product/181503")
    shop.page.click("#add-to-cart")
    shop.wait_until_stored(2)
    shop.page.goto(shop.sandbox.url("/classic/cart"))
    shop.wait_until_stored(3)
    shop.page.fill("input[name=email]", "classic.buyer@example.com")
    shop.page.click("#place-order")
    stored = shop.wait_until_stored(4)
    order = stored[3]["body"]
    assert order["page_type"] == "order"
    assert order["order"]["info"]["email"] == "classic.buyer@example.com"
    assert [item["product_id"] for item in order["order"]["items"]] == ["181503"]
    outbox_areas = shop.page.evaluate(
        "() => [Object.keys(localStorage).join(' '), Object.keys(sessionStorage).join(' ')]"
    )
    assert "classic.buyer" not in " ".join(outbox_areas)  # keys only, never the data
    local = shop.page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
    assert "classic.buyer@example.com" not in local


def test_set_auto_load_false_and_session_calls_make_one_page_view(shop: Shop) -> None:
    shop.open(
        '<span class="nosto_page_type" style="display:none">product</span>'
        '<div class="nosto_product" style="display:none">'
        '<span class="product_id">181503</span></div>'
        '<div class="nosto_element" id="productpage-nosto-1"></div>'
        "<script>nostojs(api => { api.setAutoLoad(false);"
        " api.defaultSession().viewProduct('181503')"
        ".setPlacements(['productpage-nosto-1']).load(); });</script>"
    )
    [request] = shop.wait_until_stored(1)
    assert request["body"]["page_type"] == "product"
    shop.page.evaluate("() => nostojs(api => api.internal.ready())")
    assert len(page_views(shop.sandbox.requests(visitor=shop.visitor()))) == 1


def test_malformed_tagging_is_named_and_the_rest_still_goes_out(shop: Shop) -> None:
    shop.open(
        '<span class="nosto_page_type" style="display:none">product</span>'
        '<div class="nosto_product" style="display:none">'
        '<span class="product_id">181503</span><span class="price">12,50</span>'
        '<span class="price_currency_code">EUR</span></div>'
    )
    [request] = shop.wait_until_stored(1)
    assert request["body"]["events"][0][:2] == ["vp", "181503"]
    errors = [line for line in shop.console if "error" in line]
    assert len(errors) == 1, shop.console
    assert "nosto_product" in errors[0] and "price" in errors[0] and "12,50" not in errors[0]


@pytest.mark.parametrize(
    "body",
    [
        '<div class="nosto_element" id="frontpage-nosto-1"></div>',  # placements only
        "<p>No Nosto here.</p>",
    ],
    ids=["placements-only", "no-tagging"],
)
def test_a_page_without_tagging_sends_nothing_and_sets_no_cookie(shop: Shop, body: str) -> None:
    page = shop.open(body)
    shop.wait_for_engine()
    # The auto-load decision is made at DOM ready; let the engine apply whatever came of it.
    assert page.evaluate("() => nostojs(api => api.pageTaggingAsync())") == {}
    page.evaluate("() => nostojs(api => api.internal.ready())")
    assert page.evaluate("() => nostojs(api => api.internal.journal().length)") == 0
    assert "2c.cId" not in {c["name"] for c in shop.context.cookies()}
    assert shop.sandbox.since_checkpoint()["accepted"] == 0
