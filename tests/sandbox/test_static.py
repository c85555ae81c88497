"""The bundle's static files (content types, revalidation) and the demo storefront."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from nosto_tagging.sandbox import build_app

ADD_BOTH_TO_CART = """nostojs(api => {
  api.defaultSession().setCart({ items: [
    { name: "Men's Running Shirt", price_currency_code: "EUR", product_id: "181503", quantity: 2, sku_id: "181505", unit_price: 123.45 },
    { name: "Men's Training Shoe", price_currency_code: "EUR", product_id: "34552", quantity: 1, sku_id: "39912", unit_price: 999.00 } ] })
   .viewCart().update()
});"""  # noqa: E501

LOG_IN_AS_NOSTO_TEST = """nostojs(api => {
  api.defaultSession().setCustomer({ customer_reference: "b369f1235cf4f08153c560.82515936",
    email: "devnull@nosto.com", first_name: "Nosto", last_name: "Test", newsletter: true })
   .viewCart().update()
});"""

STUB = (
    '<script>(function(){var name="nostojs";window[name]=window[name]||function(cb)'
    "{(window[name].q=window[name].q||[]).push(cb);};})();</script>"
)
BUNDLE_TAG = (
    '<script src="/bundle/nosto.js" data-account="demo" data-endpoint="/ev1" async></script>'
)


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("nosto.js", "text/javascript"),
        ("loader.mjs", "text/javascript"),
        ("pyodide.asm.wasm", "application/wasm"),
        ("engine-0.1.0-py3-none-any.whl", "application/octet-stream"),
        ("pyodide-lock.json", "application/json"),
    ],
)
def test_bundle_files_have_the_content_types_browsers_need(
    client: TestClient, name: str, content_type: str
) -> None:
    response = client.get(f"/bundle/{name}")

    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == content_type
    assert response.headers["cache-control"] == "no-cache"


def test_bundle_files_revalidate_with_their_etag(client: TestClient) -> None:
    first = client.get("/bundle/nosto.js")
    again = client.get("/bundle/nosto.js", headers={"If-None-Match": first.headers["etag"]})

    assert again.status_code == 304
    assert again.headers["cache-control"] == "no-cache"


def test_missing_bundle_file_is_404(client: TestClient) -> None:
    assert client.get("/bundle/nope.js").status_code == 404


def test_front_page_is_the_demo_with_the_stub_and_the_bundle_script(client: TestClient) -> None:
    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert STUB in page
    assert BUNDLE_TAG in page
    assert page.index(STUB) < page.index(BUNDLE_TAG)
    assert 'href="/api/requests"' in page
    assert 'href="/events"' in page


def test_demo_buttons_run_the_session_api_examples_verbatim(client: TestClient) -> None:
    page = client.get("/").text

    assert ADD_BOTH_TO_CART in page
    assert LOG_IN_AS_NOSTO_TEST in page
    assert ">Add both to cart</button>" in page
    assert ">Log in as Nosto Test</button>" in page


def test_demo_page_loads_nothing_from_outside_the_sandbox(client: TestClient) -> None:
    page = "".join(
        client.get(path).text
        for path in ("/", "/demo/demo.css", "/demo/shop.js", "/events", "/viewer/viewer.js")
    )

    assert "http://" not in page
    assert "https://" not in page
    assert "//" + "cdn" not in page


def test_demo_files_are_served_under_demo(client: TestClient) -> None:
    response = client.get("/demo/demo.css")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/css")


def test_build_app_names_a_missing_bundle_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="nosto-tagging build"):
        build_app(tmp_path / "db.sqlite3", tmp_path / "no-bundle")
