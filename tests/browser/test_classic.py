"""Classic storefronts in Chromium: the sandbox's server-rendered ``/classic/`` theme has DOM
tagging only, and the loader auto-loads it, resends its cart after an ajax add-to-cart and
fills its placements; pages without tagging send nothing."""

from __future__ import annotations

from typing import Any

import pytest

from tests.browser.conftest import Shop
from tests.tagging_html import PLATFORM_VISITOR, platform_hcid, platform_page


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
    assert resend["warnings"] == []
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


# ----- pages as Nosto's platform modules render them (tests/platform_pages) -----

SDK_CUSTOMER = {
    "email": "zoe.obrien@example.com",
    "first_name": "Zo'e",
    "last_name": "O'Brien & Co",
    "customer_reference": "5e1f0c0a9b2d4e7f8a6c3b1d2e4f6a8c",
    "newsletter": True,  # <span class="marketing_permission">1</span>
    "hcid": platform_hcid(PLATFORM_VISITOR),
    "type": "loggedin",
}
SHOPWARE_CUSTOMER = {
    **{k: v for k, v in SDK_CUSTOMER.items() if k != "hcid"},
    "customer_reference": "0b9c8f2e6d7a4c1e9f3b5a7d2c4e6f80",
}
SHOPWARE_RESTORE = "https://shop.example/nosto-restore-cart/8f14e45fceea167a5a36dedd4bea2543"
JACKET = {"name": "Women's Rain Jacket & Hood", "quantity": 2, "unit_price": 129.9,
          "price_currency_code": "EUR"}  # fmt: skip
BOTTLE = {"name": "Water Bottle", "quantity": 1, "unit_price": 9.0, "price_currency_code": "EUR"}
SKU_FIELDS = {
    "list_price": 159.0,
    "url": "https://shop.example/women/rain-jacket.html",
    "image_url": "https://shop.example/media/catalog/product/r/a/rain-jacket-blue.jpg",
}

# The automatic request of each page, as a correct reader of its markup makes it (without url,
# referrer, event date and response mode).
PLATFORM_REQUESTS: dict[tuple[str, str], dict[str, Any]] = {
    ("sdk", "front"): {
        "page_type": "front",
        "elements": ["frontpage-nosto-1"],
        "cart": [],  # an empty nosto_cart: the cart is empty
        "customer": SDK_CUSTOMER,
        "current_variant_id": "EUR",
    },
    ("sdk", "product"): {
        "page_type": "product",
        "events": [["vp", "1407"]],
        "elements": ["productpage-nosto-1"],
        "cart": [],
        "current_variant_id": "EUR",
    },
    ("sdk", "cart"): {
        "page_type": "cart",
        "elements": ["cartpage-nosto-1"],
        "cart": [
            {"product_id": "1407", "sku_id": "1408", **JACKET},
            {"product_id": "88", "sku_id": "88", **BOTTLE},
        ],
        "customer": SDK_CUSTOMER,
        "current_variant_id": "EUR",
        "restore_link": "https://shop.example/nosto/frontend/cart/h/7ac66c0f148de9519b8bd264312c4d64/",
    },
    ("sdk", "category"): {
        "page_type": "category",
        "elements": ["categorypage-nosto-1"],
        "current_variant_id": "EUR",
        "categories": ["/Women/Jackets/Rain Jackets"],  # category_string; path is not sent
        "category_ids": ["27"],
        "parent_category_ids": ["14"],
    },
    ("sdk", "search"): {
        "page_type": "search",
        "elements": ["searchpage-nosto-1"],
        "current_variant_id": "EUR",
        "search_terms": ["women's rain & wind jacket"],
    },
    ("sdk", "order"): {
        "page_type": "order",
        "elements": ["thankyou-nosto-1"],
        "cart": [],
        "current_variant_id": "EUR",
        "order": {
            "info": {
                "order_number": "000000123",
                "email": "zoe.obrien@example.com",
                "first_name": "Zo'e",
                "last_name": "O'Brien & Co",
                "country": "FI",
                "phone": "+358 40 123 4567",
                "post_code": "00100",
            },  # an empty marketing_permission: no newsletter field
            "items": [
                {"product_id": "1407", "sku_id": "1408", **JACKET},
                {
                    "product_id": "-1",
                    "name": "Discount (SPRING10)",
                    "quantity": 1,
                    "unit_price": -17.89,
                    "price_currency_code": "EUR",
                },
                {
                    "product_id": "-1",
                    "name": "Shipping and handling",
                    "quantity": 1,
                    "unit_price": 5.0,
                    "price_currency_code": "EUR",
                },
            ],
            "external_order_ref": "000000123",
            "created_at": "2024-05-14 10:21:33",
            "order_status": "pending",
            "order_status_label": "Pending",
            "payment_provider": "checkmo",
        },
    },
    ("shopware", "front"): {
        "page_type": "front",
        "elements": ["frontpage-nosto-1"],
        "cart": [],
        "customer": SHOPWARE_CUSTOMER,
        "restore_link": SHOPWARE_RESTORE,
    },
    ("shopware", "product"): {
        "page_type": "product",
        "events": [["vp", "SW10001"]],
        "elements": ["productpage-nosto-1"],
        "cart": [],
        "restore_link": SHOPWARE_RESTORE,
    },
    ("shopware", "cart"): {
        "page_type": "cart",
        "elements": ["cartpage-nosto-1"],
        "cart": [
            {"product_id": "SW10001", "sku_id": "SW10001.2", **JACKET},
            {"product_id": "SW10088", "sku_id": "SW10088", **BOTTLE},
        ],
        "customer": SHOPWARE_CUSTOMER,
        "restore_link": SHOPWARE_RESTORE,
    },
    ("shopware", "category"): {
        "page_type": "category",
        "elements": ["categorypage-nosto-1"],
        "categories": ["/Home/Women/Jackets"],
    },
    ("shopware", "search"): {
        "page_type": "search",
        "elements": ["searchpage-nosto-1"],
        "search_terms": ["women's rain & wind jacket"],
    },
    ("shopware", "order"): {
        "page_type": "order",
        "elements": ["thankyou-nosto-1"],
        "cart": [],
        "restore_link": SHOPWARE_RESTORE,
        "order": {
            "info": {
                "order_number": "10042",
                "email": "zoe.obrien@example.com",
                "first_name": "Zo'e",
                "last_name": "O'Brien & Co",
                "newsletter": False,
            },
            "items": [{"product_id": "SW10001", "sku_id": "SW10001.2", **JACKET}],
            "order_status": "open",
            "payment_provider": "Invoice",
        },
    },
}
# The product of each product page, as pageTagging() shows it.
PLATFORM_PRODUCTS = {
    "sdk": {
        "product_id": "1407",
        "name": "Women's Rain Jacket & Hood",
        "url": "https://shop.example/women/rain-jacket.html",
        "image_url": "https://shop.example/media/catalog/product/r/a/rain-jacket.jpg",
        "thumb_url": "https://shop.example/media/catalog/product/cache/r/a/rain-jacket.jpg",
        "availability": "InStock",
        "price": 129.9,
        "list_price": 159,
        "price_currency_code": "EUR",
        "brand": "Nordwind",
        "description": "<p>Light &amp; waterproof, with a <strong>hood</strong>.</p>",
        "rating_value": 4.5,
        "review_count": 12,
        "variation_id": "EUR",
        "categories": ["/Women", "/Women/Jackets", "/Women/Jackets/Rain Jackets"],
        "category_ids": ["20", "14", "27"],
        "tag1": ["add-to-cart"],
        "tag2": ["new", "rain & wind"],
        "alternate_image_urls": [
            "https://shop.example/media/catalog/product/r/a/rain-jacket-back.jpg"
        ],
        "custom_fields": {"Composition": "100% polyester", "ecoLabel": "Bluesign"},
        "skus": [
            {
                "id": "1408",
                "name": "Women's Rain Jacket & Hood-S-Blue",
                "price": 129.9,
                **SKU_FIELDS,
                "availability": "InStock",
                "custom_fields": {"size": "S", "color": "Blue"},
            },
            {
                "id": "1409",
                "name": "Women's Rain Jacket & Hood-M-Blue",
                "price": 119.5,
                **SKU_FIELDS,
                "availability": "OutOfStock",
                "custom_fields": {"size": "M", "color": "Blue"},
            },
        ],
    },
    "shopware": {
        "product_id": "SW10001",
        "name": "Women's Rain Jacket & Hood",
        "url": "https://shop.example/Womens-Rain-Jacket/SW10001",
        "image_url": "https://shop.example/media/a1/b2/rain-jacket.jpg",
        "availability": "InStock",
        "price": 129.9,
        "list_price": 159,
        "price_currency_code": "EUR",
        "brand": "Nordwind",
        "description": "<p>Light &amp; waterproof.</p>",
        "rating_value": 4.5,
        "review_count": 12,
        "categories": ["/Home/Women", "/Home/Women/Jackets"],
        "tag1": ["add-to-cart", "new"],  # [add-to-cart, new]
        "tag2": ["rain"],
        "alternate_image_urls": ["https://shop.example/media/c3/d4/rain-jacket-back.jpg"],
        "custom_fields": {"Composition": "100% polyester", "ecoLabel": "Bluesign"},
        "skus": [
            {
                "id": "SW10001.2",
                "name": "Women's Rain Jacket & Hood S",
                "price": 129.9,
                "list_price": 159,
                "url": "https://shop.example/Womens-Rain-Jacket/SW10001.2",
                "image_url": "https://shop.example/media/a1/b2/rain-jacket.jpg",
                "availability": "InStock",
                "custom_fields": {"size": "S"},
            },
        ],
    },
}


@pytest.mark.parametrize(
    ("platform", "name"), list(PLATFORM_REQUESTS), ids=["-".join(k) for k in PLATFORM_REQUESTS]
)
def test_platform_rendered_pages_auto_load_what_their_markup_says(
    shop: Shop, platform: str, name: str
) -> None:
    # The visitor the page was rendered for: its hcid signs the cart and customer.
    shop.context.add_cookies(
        [{"name": "2c.cId", "value": PLATFORM_VISITOR, "url": shop.sandbox.origin}]
    )
    shop.open(platform_page(platform, name))

    [request] = shop.wait_until_stored(1)

    body = {k: v for k, v in request["body"].items() if k not in VARYING}
    assert body == PLATFORM_REQUESTS[platform, name]
    assert request["body"]["response_mode"] == "HTML"
    tagging = shop.page.evaluate("() => nostojs(api => api.pageTaggingAsync())")
    if name == "product":
        assert tagging["products"] == [PLATFORM_PRODUCTS[platform]]
    shop.sandbox.assert_no_invalid_payloads()
    shop.sandbox.assert_no_warnings(visitor=PLATFORM_VISITOR)
    assert shop.page_errors == []
    assert [line for line in shop.console if " warning: " in line or " error: " in line] == []


VARYING = ("url", "referrer", "event_date", "response_mode")
