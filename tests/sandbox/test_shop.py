"""The demo storefront's server side: its page routes, catalog and product pictures."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from nosto_tagging.locations import sandbox_web_dir

SESSION_CALLS = (
    "viewFrontPage()",
    "viewCategory(",
    "viewProduct(",
    "viewProductSku(",
    "viewSearch(",
    "viewCart()",
    "addOrder(",
    "setCart(",
    "setCustomer(",
    "setCustomer({})",
    "setVariation(",
    "setPlacements(",
    ".load()",
    ".update()",
)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/category/men/shirts",
        "/product/181503",
        "/search?q=shirt",
        "/cart",
        "/login",
        "/account",
        "/checkout",
        "/order/DS-1",
    ],
)
def test_every_shop_route_is_the_single_page_app(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 200
    assert '<script src="/demo/shop.js"></script>' in response.text


def test_the_catalog_has_about_twenty_products_priced_in_eur_and_usd() -> None:
    catalog = json.loads((sandbox_web_dir() / "demo" / "catalog.json").read_text())
    products = catalog["products"]

    assert 18 <= len(products) <= 24
    assert catalog["currencies"] == ["EUR", "USD"]
    for product in products:
        assert set(product["prices"]) == {"EUR", "USD"}, product["product_id"]
        assert product["skus"], product["product_id"]
        assert product["categories"][1].startswith(product["categories"][0] + "/")
    ids = {p["product_id"]: p for p in products}
    assert ids["181503"]["prices"]["EUR"] == 123.45  # the examples' products
    assert ids["34552"]["prices"]["EUR"] == 999.0


def test_product_pictures_are_drawn_from_the_catalog(client: TestClient) -> None:
    picture = client.get("/demo/images/181503.svg")

    assert picture.status_code == 200
    assert picture.headers["content-type"] == "image/svg+xml"
    assert "Men&#x27;s Running Shirt" in picture.text
    assert client.get("/demo/images/nope.svg").status_code == 404


def test_the_shop_calls_the_session_api_as_documented(client: TestClient) -> None:
    script = client.get("/demo/shop.js").text

    missing = [call for call in SESSION_CALLS if call not in script]
    assert missing == []


def test_the_shop_keeps_the_customer_out_of_local_storage_and_cookies(client: TestClient) -> None:
    script = client.get("/demo/shop.js").text

    assert "document.cookie" not in script
    assert "sessionStorage.setItem(CUSTOMER_KEY" in script
    assert "localStorage.setItem(CUSTOMER_KEY" not in script
