"""The classic theme: server-rendered /classic/ pages whose DOM tagging core/tagging.py accepts."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from nosto_tagging.core.protocol import Call
from nosto_tagging.core.request import build_body
from nosto_tagging.core.session import SessionState
from nosto_tagging.core.tagging import PageTagging, parse_page, visitor_checksum
from tests.examples import SHIRT
from tests.tagging_html import read_tagging

AJAX = {"Accept": "application/json"}
BUYER = {"email": "buyer@example.com", "first_name": "Ada", "last_name": "Buyer"}


def tagging_of(html: str) -> PageTagging:
    """The page's tagging, read as the loader reads it and parsed by the engine's parser."""
    tagging = parse_page(read_tagging(html))
    assert tagging.problems == (), [str(p) for p in tagging.problems]
    return tagging


def body_of(tagging: PageTagging) -> dict[str, Any]:
    call = Call("e1", 1_764_000_000_000, "http://testserver/classic/", "", "api", "load", ())
    return build_body(tagging.page_view(SessionState()), call)


def add_shirts(client: TestClient, quantity: int = 2) -> Any:
    form = {"product_id": "181503", "sku_id": "181505", "quantity": str(quantity)}
    return client.post("/classic/cart/add", data=form, headers=AJAX)


@pytest.mark.parametrize(
    ("path", "page_type", "placements"),
    [
        ("/classic/", "front", ["frontpage-nosto-1", "frontpage-nosto-2"]),
        ("/classic/category/men/shirts", "category", ["categorypage-nosto-1"]),
        ("/classic/product/181503", "product", ["productpage-nosto-1", "productpage-nosto-2"]),
        ("/classic/search?q=shirt", "search", ["searchpage-nosto-1"]),
        ("/classic/cart", "cart", ["cartpage-nosto-1"]),
        ("/classic/login", "other", []),
    ],
)
def test_every_classic_page_carries_valid_tagging_and_its_placements(
    client: TestClient, path: str, page_type: str, placements: list[str]
) -> None:
    response = client.get(path)

    assert response.status_code == 200
    tagging = tagging_of(response.text)
    assert tagging.tagged
    assert tagging.page_type == page_type
    assert list(tagging.placements) == placements
    assert tagging.variation == "EUR"
    assert tagging.cart is not None and tagging.cart.items == []  # empty cart: empty nosto_cart
    assert "defaultSession" not in response.text  # DOM tagging only, no Session API


def test_the_product_page_tags_the_product_with_its_skus_and_sends_a_product_view(
    client: TestClient,
) -> None:
    tagging = tagging_of(client.get("/classic/product/181503").text)

    (product,) = tagging.products
    data = product.wire()
    assert data["product_id"] == "181503"
    assert data["price"] == 123.45 and data["price_currency_code"] == "EUR"
    assert data["categories"] == ["/Men", "/Men/Shirts"]
    assert data["brand"] == "Stride"
    assert [sku["id"] for sku in data["skus"]] == ["181504", "181505", "181506"]
    assert data["url"] == "http://testserver/classic/product/181503"
    assert body_of(tagging)["events"] == [["vp", "181503"]]


def test_category_and_search_pages_tag_the_category_and_the_term(client: TestClient) -> None:
    assert tagging_of(client.get("/classic/category/women/shoes").text).categories == (
        "/Women/Shoes",
    )
    searched = tagging_of(client.get("/classic/search?q=linen").text)
    assert searched.search_terms == ("linen",)
    assert tagging_of(client.get("/classic/search?q=").text).search_terms == ()


def test_ajax_add_to_cart_answers_the_new_cart_tagging_and_keeps_the_cart(
    client: TestClient,
) -> None:
    response = add_shirts(client)

    assert response.status_code == 200
    answer = response.json()
    assert answer["count"] == 2
    cart = parse_page(read_tagging(answer["tagging"])).cart
    assert cart is not None and [item.wire() for item in cart.items] == [SHIRT]

    add_shirts(client, 1)
    page = tagging_of(client.get("/classic/").text)
    assert [item.wire() for item in page.cart.items] == [{**SHIRT, "quantity": 3}]  # type: ignore[union-attr]
    assert body_of(page)["cart"] == [{**SHIRT, "quantity": 3}]
    assert page.restore_link == "http://testserver/classic/cart/restore?items=181503%3A181505%3A3"


def test_the_cart_pages_script_resends_the_cart_tagging_after_an_ajax_add(
    client: TestClient,
) -> None:
    html = client.get("/classic/product/181503").text
    assert 'class="add-to-cart"' in html
    assert "api.resendCartTagging()" in html
    assert 'id="cart-tagging"' in html


def test_the_restore_link_brings_the_cart_back(client: TestClient) -> None:
    add_shirts(client)
    link = tagging_of(client.get("/classic/cart").text).restore_link
    assert link is not None
    client.cookies.clear()
    assert tagging_of(client.get("/classic/cart").text).cart.items == []  # type: ignore[union-attr]

    restored = client.get(link.removeprefix("http://testserver"), follow_redirects=True)
    assert [item.wire() for item in tagging_of(restored.text).cart.items] == [SHIRT]  # type: ignore[union-attr]


def test_checkout_shows_the_order_confirmation_with_order_tagging(client: TestClient) -> None:
    add_shirts(client)

    response = client.post(
        "/classic/checkout", data={**BUYER, "newsletter": "on"}, follow_redirects=True
    )

    assert response.url.path.startswith("/classic/order/CL-")
    tagging = tagging_of(response.text)
    assert tagging.page_type == "order"
    assert tagging.placements == ("thankyou-nosto-1",)
    assert tagging.order is not None
    order = tagging.order.wire()
    assert order["info"] == {
        "order_number": response.url.path.rsplit("/", 1)[1],
        **BUYER,
        "newsletter": True,
    }
    assert order["items"] == [SHIRT]
    assert order["payment_provider"] == "classic-demo-pay"
    assert tagging.cart is not None and tagging.cart.items == []  # the cart is emptied
    assert body_of(tagging)["order"]["info"]["order_number"] == order["info"]["order_number"]


def test_a_logged_in_customer_is_tagged_on_every_page_until_log_out(client: TestClient) -> None:
    assert tagging_of(client.get("/classic/").text).customer is None
    client.post("/classic/login", data=BUYER)

    customer = tagging_of(client.get("/classic/category/men").text).customer
    assert customer is not None
    sent = customer.wire()
    assert {k: sent[k] for k in BUYER} == BUYER
    assert sent["newsletter"] is False  # marketing permission: false unless given
    assert sent["customer_reference"].startswith("cl-")

    client.post("/classic/logout")
    assert tagging_of(client.get("/classic/").text).customer is None


def test_the_currency_switch_changes_the_variation_and_prices(client: TestClient) -> None:
    client.get("/classic/currency/USD")
    tagging = tagging_of(client.get("/classic/product/181503").text)
    assert tagging.variation == "USD"
    assert tagging.products[0].wire()["price"] == 134.95


@pytest.mark.parametrize(
    "path", ["/classic/product/000", "/classic/category/nowhere", "/classic/order/CL-NONE"]
)
def test_unknown_pages_are_tagged_not_found(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 404
    assert tagging_of(response.text).page_type == "notfound"


def test_bad_add_to_cart_input_is_refused_with_a_clear_error(client: TestClient) -> None:
    response = client.post(
        "/classic/cart/add", data={"product_id": "181503", "sku_id": "nope"}, headers=AJAX
    )
    assert response.status_code == 400
    assert "sku_id" in response.json()["errors"][0]
    assert tagging_of(client.get("/classic/cart").text).cart.items == []  # type: ignore[union-attr]


def test_the_cart_tagging_is_signed_for_the_visitor_whose_cookie_came(client: TestClient) -> None:
    visitor = "5b1a481060b221115c4a251e"
    add_shirts(client)
    client.cookies.set("2c.cId", visitor)

    tagging = tagging_of(client.get("/classic/cart").text)

    assert tagging.cart is not None and tagging.cart.hcid == visitor_checksum(visitor)
    assert tagging.for_visitor(visitor).cart == tagging.cart
    assert tagging.for_visitor("0123456789abcdef01234567").cart is None  # a cached page


def test_listing_pages_offer_a_quick_ajax_add_of_each_products_first_sku(
    client: TestClient,
) -> None:
    html = client.get("/classic/category/men/shirts").text
    assert html.count('class="add-to-cart"') == html.count('class="card"') > 0
    assert 'name="sku_id" value="181504"' in html  # the running shirt's first SKU
