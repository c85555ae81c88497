"""Campaign results: one per requested placement, JSON or HTML by response mode."""

from __future__ import annotations

from starlette.testclient import TestClient

from .conftest import CART, post


def test_json_modes_answer_json_results_with_products_from_the_catalog(
    client: TestClient,
) -> None:
    body = {
        "page_type": "product",
        "events": [["vp", "181503"]],
        "elements": ["productpage-nosto-1", "productpage-nosto-2"],
        "response_mode": "JSON_ORIGINAL",
    }
    recommendations = post(client, body, eid="1").json()["recommendations"]

    assert set(recommendations) == {"productpage-nosto-1", "productpage-nosto-2"}
    result = recommendations["productpage-nosto-1"]
    assert result["div_id"] == "productpage-nosto-1"
    assert result["result_type"] == "REAL"
    assert result["result_id"].startswith("sandbox-")
    assert result["title"]
    products = result["products"]
    assert len(products) == 4
    assert "181503" not in [p["product_id"] for p in products]  # not the viewed product
    assert products[0]["product_id"] == "181510"  # the same category first: /Men/Shirts
    assert products[0]["price_currency_code"] == "EUR"
    assert products[0]["url"] == "/product/181510"


def test_other_modes_answer_html_campaigns(client: TestClient) -> None:
    body = {"page_type": "front", "elements": ["frontpage-nosto-1"], "response_mode": "HTML"}
    html = post(client, body, eid="1").json()["recommendations"]["frontpage-nosto-1"]

    assert html.startswith('<div class="nosto-campaign" data-div-id="frontpage-nosto-1"')
    assert "/product/" in html


def test_prices_follow_the_variation(client: TestClient) -> None:
    body = {
        "current_variant_id": "USD",
        "elements": ["frontpage-nosto-1"],
        "response_mode": "JSON_ORIGINAL",
    }
    result = post(client, body, eid="1").json()["recommendations"]["frontpage-nosto-1"]

    assert {p["price_currency_code"] for p in result["products"]} == {"USD"}
    assert result["products"][0]["price_text"].startswith("$")


def test_cart_and_search_pages_get_related_products(client: TestClient) -> None:
    cart = post(
        client,
        {"cart": CART, "elements": ["cartpage-nosto-1"], "response_mode": "JSON_ORIGINAL"},
        eid="1",
    ).json()["recommendations"]["cartpage-nosto-1"]
    search = post(
        client,
        {
            "page_type": "search",
            "search_terms": ["boot"],
            "elements": ["searchpage-nosto-1"],
            "response_mode": "JSON_ORIGINAL",
        },
        eid="2",
    ).json()["recommendations"]["searchpage-nosto-1"]

    in_cart = {"181503", "34552"}
    assert not in_cart & {p["product_id"] for p in cart["products"]}
    assert all(p["categories"][0] == "/Men" for p in cart["products"])
    assert {"Men's Leather Boot", "Women's Ankle Boot"} <= {p["name"] for p in search["products"]}


def test_a_request_without_placements_gets_no_recommendations(client: TestClient) -> None:
    assert post(client, {"page_type": "cart"}, eid="1").json()["recommendations"] == {}
