"""Warnings: Nosto's rules that a valid request can still break."""

from __future__ import annotations

from typing import Any

import pytest
from starlette.testclient import TestClient

from nosto_tagging.core.models import EventRequest
from nosto_tagging.core.rules import check_request, guessable_reason

from .conftest import CART, post

ORDER_LINE = {"product_id": "1", "name": "Shirt", "unit_price": 5, "price_currency_code": "EUR"}


@pytest.mark.parametrize(
    ("reference", "reason"),
    [
        ("12345", "all digits"),
        ("devnull@nosto.com", "email"),
        ("abc-123", "shorter than 16"),
        ("aaaaaaaaaaaaaaaaaaaa", "too few characters"),
        ("b369f1235cf4f08153c560.82515936", None),
    ],
)
def test_guessable_customer_references_are_named(reference: str, reason: str | None) -> None:
    found = guessable_reason(reference)

    assert (found is None) if reason is None else (reason in (found or ""))


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"url": "u", "elements": ["frontpage-nosto-1"]}, "missing-page-type"),
        ({"page_type": "product", "url": "u"}, "product-view-without-product"),
        ({"page_type": "search", "url": "u"}, "search-without-terms"),
        ({"page_type": "category", "categories": ["Shirts"], "url": "u"}, "category-not-a-path"),
        ({"page_type": "order", "url": "u"}, "order-page-without-order"),
        ({"page_type": "cart"}, "missing-url"),
        (
            {
                "page_type": "cart",
                "url": "u",
                "customer": {"email": "a@b.c", "newsletter": True, "customer_reference": "42"},
            },
            "guessable-customer-reference",
        ),
        (
            {"page_type": "cart", "url": "u", "customer": {"first_name": "A"}},
            "customer-without-email",
        ),
        (
            {
                "page_type": "order",
                "url": "u",
                "order": {
                    "info": {"order_number": "1", "email": "a@b.c"},
                    "items": [{"product_id": "1", "name": "Shirt", "price_currency_code": "EUR"}],
                },
            },
            "missing-price",
        ),
        (
            {
                "page_type": "cart",
                "url": "u",
                "cart": [CART[0], CART[1] | {"price_currency_code": "USD"}],
            },
            "mixed-currencies",
        ),
        (
            {
                "page_type": "order",
                "url": "u",
                "order": {
                    "info": {"order_number": "1", "email": "a@b.c"},
                    "items": [ORDER_LINE, ORDER_LINE | {"product_id": "-1", "unit_price": -5.5}],
                },
            },
            "negative-order-total",
        ),
        ({"page_type": "front", "url": "u", "elements": ["a", "a"]}, "duplicate-placement"),
        ({"page_type": "front", "url": "u", "response_mode": "XML"}, "unknown-response-mode"),
    ],
)
def test_each_rule_is_reported_with_its_code(body: dict[str, Any], code: str) -> None:
    assert code in codes(body)


def codes(body: dict[str, Any]) -> list[str]:
    """The rules ``body`` breaks, read as the collector reads it: validated first."""
    return [finding.code for finding in check_request(EventRequest.model_validate(body))]


@pytest.mark.parametrize(
    "body",
    [
        # Every RenderMode of nosto.d.ts is one, SIMPLE included.
        {"page_type": "front", "url": "u", "response_mode": "SIMPLE"},
        # A lowercase currency is valid (the model upper-cases it): not a missing currency.
        {
            "page_type": "order",
            "url": "u",
            "order": {
                "info": {"order_number": "1", "email": "a@b.c"},
                "items": [
                    {
                        "product_id": "1",
                        "name": "Shirt",
                        "unit_price": 5,
                        "price_currency_code": "eur",
                    }
                ],
            },
        },
        # A discount line (product id -1, a negative price) in an order that still costs.
        {
            "page_type": "order",
            "url": "u",
            "order": {
                "info": {"order_number": "1", "email": "a@b.c"},
                "items": [
                    ORDER_LINE | {"quantity": 2},
                    ORDER_LINE | {"product_id": "-1", "name": "Discount", "unit_price": -9.99},
                ],
            },
        },
        # Lines in eur and EUR are one currency.
        {
            "page_type": "cart",
            "url": "u",
            "cart": [CART[0] | {"price_currency_code": "eur"}, CART[1]],
        },
    ],
)
def test_what_the_models_accept_is_not_warned_about(body: dict[str, Any]) -> None:
    assert codes(body) == []


@pytest.mark.parametrize(
    "body",
    [
        # resendCartTagging: "only the cart information... no placements, no events".
        {"url": "u", "cart": CART, "restore_link": "https://shop.example/cart/restore"},
        # A session's customer sync, as Nosto's client sends it: no page_type, no placements.
        {"url": "u", "customer": {"email": "a@b.c", "newsletter": False}, "events": []},
        # An attribution: events, no page view.
        {"url": "u", "events": [["vp", "181503", "result-1", "frontpage-nosto-1"]]},
    ],
)
def test_an_update_without_page_type_is_not_warned_about(body: dict[str, Any]) -> None:
    assert codes(body) == []


def test_a_clean_request_has_no_warnings() -> None:
    body = {
        "page_type": "product",
        "events": [["vp", "181503"]],
        "url": "http://127.0.0.1/product/181503",
        "response_mode": "JSON_ORIGINAL",
        "cart": CART,
    }
    assert codes(body) == []


def test_warnings_are_stored_with_the_request(client: TestClient) -> None:
    body = {
        "page_type": "cart",
        "url": "u",
        "customer": {"email": "a@b.c", "newsletter": True, "customer_reference": "1001"},
    }
    post(client, body, eid="1")

    [stored] = client.get("/api/requests").json()
    [warning] = stored["warnings"]
    assert warning["code"] == "guessable-customer-reference"
    assert warning["field"] == "customer.customer_reference"
    assert "HMAC" in warning["message"]
    assert "nosto_tagging.customer_reference(customer_id, secret)" in warning["message"]
    assert "nosto-tagging customer-reference ID" in warning["message"]
