"""Derived state per visitor: cart and customer after each request, page views, orders."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from .conftest import CART, post

CUSTOMER = {
    "email": "devnull@nosto.com",
    "first_name": "Nosto",
    "last_name": "Test",
    "customer_reference": "b369f1235cf4f08153c560.82515936",
    "newsletter": True,
}
ORDER = {
    "info": {"order_number": "DS-1", "email": "devnull@nosto.com"},
    "items": [dict(CART[0])],
    "payment_provider": "demo-pay",
}


def visitor(client: TestClient, c: str = "visitor-1", **params: str) -> Any:
    response = client.get(f"/api/visitors/{c}", params=params)
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("bodies", "cart_size"),
    [
        ([{"cart": CART}], 3),
        ([{"cart": CART}, {"page_type": "front"}], 3),  # absent: no change
        ([{"cart": CART}, {"cart": None}], 3),  # null: no change
        ([{"cart": CART}, {"cart": []}], 0),  # []: reset
        ([{"cart": CART}, {"cart": [CART[1]]}], 1),  # a list replaces the whole cart
    ],
)
def test_the_cart_follows_no_change_reset_and_replace(
    client: TestClient, bodies: list[dict[str, Any]], cart_size: int
) -> None:
    for number, body in enumerate(bodies):
        assert post(client, body, eid=str(number)).status_code == 200

    state = visitor(client)
    assert state["cart_size"] == cart_size
    assert len(state["cart"]) == (0 if cart_size == 0 else 1 if cart_size == 1 else 2)


def test_the_customer_follows_no_change_reset_and_replace(client: TestClient) -> None:
    post(client, {"customer": CUSTOMER}, eid="1")
    assert visitor(client)["customer"]["email"] == "devnull@nosto.com"
    post(client, {"page_type": "cart"}, eid="2")
    assert visitor(client)["customer"]["email"] == "devnull@nosto.com"
    post(client, {"customer": {}}, eid="3")
    assert visitor(client)["customer"] is None
    post(client, {"customer": CUSTOMER | {"email": "other@example.com"}}, eid="4")
    assert visitor(client)["customer"]["email"] == "other@example.com"


def test_page_views_count_loads_not_updates(client: TestClient) -> None:
    post(client, {"page_type": "front"}, eid="1")
    post(client, {"page_type": "cart"}, eid="2", skipPageViews="true")
    post(client, {"page_type": "product", "events": [["vp", "181503"]]}, eid="3")

    state = visitor(client)
    assert (state["page_views"], state["requests"]) == (2, 3)


def test_bodies_with_an_order_are_orders(client: TestClient) -> None:
    post(client, {"page_type": "order", "order": ORDER, "cart": []}, eid="1")

    [order] = visitor(client)["orders"]
    assert order["order_number"] == "DS-1"
    assert (order["items"], order["total"], order["currency"]) == (1, 246.9, "EUR")
    assert order["order"] == ORDER


def test_variation_and_duplicates_are_kept(client: TestClient) -> None:
    post(client, {"current_variant_id": "USD"}, eid="1")
    post(client, {"current_variant_id": "USD"}, eid="1")

    state = visitor(client)
    assert (state["variation"], state["duplicates"], state["requests"]) == ("USD", 1, 1)


def test_state_is_per_account_and_must_be_asked_for_by_account(client: TestClient) -> None:
    post(client, {"cart": CART}, eid="1", m="shop-a")
    post(client, {}, eid="2", m="shop-b")

    ambiguous = client.get("/api/visitors/visitor-1")
    assert ambiguous.status_code == 400
    assert "?account=" in ambiguous.json()["errors"][0]
    assert visitor(client, account="shop-a")["cart_size"] == 3
    assert visitor(client, account="shop-b")["cart_size"] == 0


def test_an_unknown_visitor_is_404_with_a_hint(client: TestClient) -> None:
    response = client.get("/api/visitors/nobody")

    assert response.status_code == 404
    assert "2c.cId" in response.json()["errors"][0]


def test_the_answer_is_computed_from_the_state_after_the_request(client: TestClient) -> None:
    post(client, {"cart": CART}, eid="1")
    answer = post(client, {"page_type": "front"}, eid="2").json()

    assert (answer["pv"], answer["cs"], answer["ct"]) == (2, 3, 1245.9)
