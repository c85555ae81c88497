"""DOM page tagging: the loader's plain data parsed into TaggingData and an auto-load body."""

from __future__ import annotations

from typing import Any

import pytest

from nosto_tagging.core.models import PAGE_TYPES
from nosto_tagging.core.protocol import UNDEFINED, Call, Unrepresentable
from nosto_tagging.core.request import build_body
from nosto_tagging.core.session import SessionState
from nosto_tagging.core.tagging import (
    MAX_DEPTH,
    MAX_NODES,
    TAGGING_CLASSES,
    PageTagging,
    carries_tagging,
    parse_page,
    visitor_checksum,
)
from tests.examples import CUSTOMER, SHIRT


def n(cls: str, text: str | None = None, *children: dict[str, Any], **attrs: str) -> dict[str, Any]:
    """One node of the loader's plain data."""
    node: dict[str, Any] = {"cls": cls, **attrs}
    if children:
        node["children"] = list(children)
    elif text is not None:
        node["text"] = text
    return node


def fields(cls: str, values: dict[str, Any]) -> dict[str, Any]:
    """A container element with one child span per field (lists repeat the span)."""
    children = []
    for name, value in values.items():
        for item in value if isinstance(value, list) else [value]:
            children.append(n(name, str(item)))
    return n(cls, None, *children)


CALL = Call("e1", 1_764_000_000_000, "https://shop.example/p", "", "api", "load", ())
LINE = {
    "product_id": SHIRT["product_id"],
    "sku_id": SHIRT["sku_id"],
    "name": SHIRT["name"],
    "quantity": "2",
    "unit_price": "123.45",
    "price_currency_code": "EUR",
}
PRODUCT = {
    "product_id": "181503",
    "name": "Men's Running Shirt",
    "url": "https://shop.example/product/181503",
    "image_url": "https://shop.example/181503.svg",
    "availability": "InStock",
    "price": "123.45",
    "list_price": "150.00",
    "price_currency_code": "EUR",
    "category": ["/Men", "/Men/Shirts"],
    "brand": "Stride",
    "tag1": "sporty",
}
BUYER = {
    "email": CUSTOMER["email"],
    "first_name": "Nosto",
    "last_name": "Test",
    "marketing_permission": "true",
}


def body_of(tagging: PageTagging, state: SessionState | None = None) -> dict[str, Any]:
    return build_body(tagging.page_view(state or SessionState()), CALL)


def order(*extra: dict[str, Any], number: str | None = "DS-1001") -> dict[str, Any]:
    children = [n("order_number", number)] if number is not None else []
    children += [
        n("payment_provider", "demo-pay"),
        n("order_status_code", "new"),
        fields("buyer", BUYER),
        n("purchased_items", None, fields("line_item", LINE), *extra),
    ]
    return n("nosto_purchase_order", None, *children)


# ----- one row per element kind: (plain data, TaggingData subset, body subset) -----

KINDS = [
    pytest.param(
        [n("nosto_page_type", "front")],
        {"pageType": "front"},
        {"page_type": "front"},
        id="page-type",
    ),
    pytest.param(
        [
            n(
                "nosto_product",
                None,
                *fields("x", PRODUCT)["children"],
                n("alternate_image_url", "https://shop.example/b.svg"),
                n("custom_fields", None, n("material", "Cotton")),
                fields("nosto_sku", {"id": "181505", "name": "M", "price": "123.45"}),
            )
        ],
        {
            "products": [
                {
                    "product_id": "181503",
                    "name": "Men's Running Shirt",
                    "url": "https://shop.example/product/181503",
                    "image_url": "https://shop.example/181503.svg",
                    "availability": "InStock",
                    "price": 123.45,
                    "list_price": 150.0,
                    "price_currency_code": "EUR",
                    "categories": ["/Men", "/Men/Shirts"],
                    "brand": "Stride",
                    "tag1": ["sporty"],
                    "alternate_image_urls": ["https://shop.example/b.svg"],
                    "custom_fields": {"material": "Cotton"},
                    "skus": [{"id": "181505", "name": "M", "price": 123.45}],
                }
            ]
        },
        {"events": [["vp", "181503"]]},
        id="product-full",
    ),
    pytest.param(
        [n("nosto_product nosto_basic", None, n("product_id", "34552"))],
        {"products": [{"product_id": "34552"}]},
        {"events": [["vp", "34552"]]},
        id="product-basic",
    ),
    pytest.param(
        [fields("nosto_product", {"product_id": "181503", "selected_sku_id": "181505"})],
        {"products": [{"product_id": "181503", "selected_sku_id": "181505"}]},
        {"events": [["vp", "181503", None, None, "181505"]]},
        id="product-selected-sku",
    ),
    pytest.param(
        [fields("nosto_product", {"product_id": "1"}), fields("nosto_product", {"id": "2"})],
        {"products": [{"product_id": "1"}, {"product_id": "2"}]},
        {"events": [["vp", "1"], ["vp", "2"]]},
        id="two-products-old-id-class",
    ),
    pytest.param(
        [
            n(
                "nosto_cart",
                None,
                fields("line_item", LINE),
                n("restore_link", "https://shop.example/cart/restore/abc"),
                n("hcid", "f00d"),
            )
        ],
        {
            "cart": {"items": [SHIRT], "hcid": "f00d"},
            "restoreLink": "https://shop.example/cart/restore/abc",
        },
        {"cart": [SHIRT], "restore_link": "https://shop.example/cart/restore/abc"},
        id="cart",
    ),
    pytest.param(
        [n("nosto_cart", None, n("items", None, fields("line_item", LINE)))],
        {"cart": {"items": [SHIRT]}},
        {"cart": [SHIRT]},
        id="cart-lines-in-items-wrapper",
    ),
    pytest.param(
        [n("nosto_cart", "")],
        {"cart": {"items": []}},
        {"cart": []},
        id="empty-cart-is-an-empty-cart",
    ),
    pytest.param(
        [fields("nosto_customer", {**CUSTOMER, "marketing_permission": "true"})],
        {"customer": {**CUSTOMER, "type": "loggedin"}},
        {"customer": {**CUSTOMER, "type": "loggedin"}},
        id="customer",
    ),
    pytest.param(
        [fields("nosto_customer", {"email": CUSTOMER["email"]})],
        {"customer": {"email": CUSTOMER["email"], "newsletter": False, "type": "loggedin"}},
        {"customer": {"email": CUSTOMER["email"], "newsletter": False, "type": "loggedin"}},
        id="customer-marketing-permission-defaults-to-false",
    ),
    pytest.param(
        [n("nosto_customer", None, n("email", ""), n("first_name", ""))],
        {"customer": None},
        {},
        id="guest-customer-element-is-no-customer",
    ),
    pytest.param(
        [order()],
        {
            "order": {
                "info": {
                    "order_number": "DS-1001",
                    "email": CUSTOMER["email"],
                    "first_name": "Nosto",
                    "last_name": "Test",
                    "newsletter": True,
                },
                "items": [SHIRT],
                "payment_provider": "demo-pay",
                "order_status": "new",
            }
        },
        {"order": {"info": {"order_number": "DS-1001"}}},
        id="order",
    ),
    pytest.param(
        [n("nosto_category", "/Men"), n("nosto_category", "/Men/Shirts")],
        {"categories": ["/Men", "/Men/Shirts"]},
        {"categories": ["/Men", "/Men/Shirts"]},
        id="categories",
    ),
    pytest.param(
        [n("nosto_category_id", "123")],
        {"categoryIds": ["123"]},
        {"category_ids": ["123"]},
        id="category-id",
    ),
    pytest.param(
        [n("nosto_brand", "Stride")], {"brands": ["Stride"]}, {"brands": ["Stride"]}, id="brand"
    ),
    pytest.param(
        [n("nosto_search_term", "green shoes")],
        {"searchTerms": ["green shoes"]},
        {"search_terms": ["green shoes"]},
        id="search-term",
    ),
    pytest.param(
        [n("nosto_tag", "color: Red"), n("nosto_tag", "gender: Men")],
        {"tags": ["color: Red", "gender: Men"]},
        {"tags": ["color: Red", "gender: Men"]},
        id="tags",
    ),
    pytest.param(
        [n("nosto_variation", "USD")],
        {"variation": "USD"},
        {"current_variant_id": "USD"},
        id="variation",
    ),
    pytest.param(
        [
            n("nosto_element", "", id="frontpage-nosto-1"),
            n("nosto_element", "", id="frontpage-nosto-2"),
            n("nosto_element", "", id="frontpage-nosto-1"),
        ],
        {"elements": ["frontpage-nosto-1", "frontpage-nosto-2"]},
        {"elements": ["frontpage-nosto-1", "frontpage-nosto-2"]},
        id="placements",
    ),
]


@pytest.mark.parametrize(("data", "tagging", "body"), KINDS)
def test_each_element_kind_reaches_tagging_data_and_the_request_body(
    data: list[dict[str, Any]], tagging: dict[str, Any], body: dict[str, Any]
) -> None:
    parsed = parse_page(data)

    assert parsed.problems == ()
    data_out = parsed.tagging_data()
    for key, expected in tagging.items():
        assert data_out[key] == expected, key
    sent = body_of(parsed)
    for key, expected in body.items():
        if key == "order":
            assert sent["order"]["info"]["order_number"] == expected["info"]["order_number"]
        else:
            assert sent[key] == expected, key
    assert "product" not in sent and "products" not in sent  # the wire has no product field


def test_tagging_data_has_every_key_of_nostos_tagging_data() -> None:
    assert set(parse_page([]).tagging_data()) == {
        "cart", "customer", "variation", "restoreLink", "products", "order", "searchTerms",
        "brands", "categories", "categoryIds", "parentCategoryIds", "tags", "customFields",
        "elements", "pageType", "affinitySignals", "sortOrder",
    }  # fmt: skip


def test_a_page_without_cart_tagging_sends_no_cart_and_keeps_the_sessions() -> None:
    tagging = parse_page([n("nosto_page_type", "front")])
    assert "cart" not in body_of(tagging)
    held = SessionState(cart=())
    assert body_of(tagging, held)["cart"] == []


def test_cart_tagging_replaces_the_sessions_cart_and_customer() -> None:
    tagging = parse_page(
        [
            n("nosto_cart", None, fields("line_item", LINE)),
            fields("nosto_customer", {"email": CUSTOMER["email"]}),
        ]
    )
    state = tagging.session_state(SessionState(cart=()), parts=("cart",))
    assert [item.wire() for item in state.cart or ()] == [SHIRT]
    assert state.customer is None  # only the parts asked for
    assert tagging.session_state(SessionState()).customer is not None


# ----- malformed tagging: one problem each, naming element and field, never the value -----

MALFORMED = [
    pytest.param(
        [fields("nosto_product", {**PRODUCT, "price": "12,50"})],
        ["nosto_product[0] price is not a number"],
        "12,50",
        {"events": [["vp", "181503"]]},
        id="price-with-decimal-comma",
    ),
    pytest.param(
        [
            fields("nosto_product", {"name": "Shirt", "price": "1.00"}),
            n("nosto_page_type", "product"),
        ],
        ["nosto_product[0] product_id is missing; the product was left out"],
        None,
        {"page_type": "product"},
        id="missing-product-id",
    ),
    pytest.param(
        [fields("nosto_product", {**PRODUCT, "price_currency_code": "EUX"})],
        ["nosto_product[0] price_currency_code is not a three-letter ISO 4217"],
        "EUX",
        {"events": [["vp", "181503"]]},
        id="unknown-currency-on-product",
    ),
    pytest.param(
        [
            n("nosto_cart", None, fields("line_item", {**LINE, "price_currency_code": "EUX"})),
            n("nosto_page_type", "cart"),
        ],
        ["nosto_cart[0] line_item[0] price_currency_code is not a three-letter ISO 4217"],
        "EUX",
        {"page_type": "cart"},
        id="unknown-currency-in-cart-leaves-the-cart-out",
    ),
    pytest.param(
        [
            n(
                "nosto_cart",
                None,
                fields("line_item", LINE),
                fields("line_item", {**LINE, "unit_price": "12,50"}),
            ),
            n("nosto_page_type", "cart"),
        ],
        ["nosto_cart[0] line_item[1] unit_price is not a number (write it with a dot"],
        "12,50",
        {"page_type": "cart"},
        id="one-bad-cart-line-leaves-the-whole-cart-out",
    ),
    pytest.param(
        [
            n(
                "nosto_cart",
                None,
                fields("line_item", {k: v for k, v in LINE.items() if k != "name"}),
            ),
        ],
        ["nosto_cart[0] line_item[0] name is missing"],
        None,
        {},
        id="cart-line-without-name",
    ),
    pytest.param(
        [fields("nosto_customer", {"email": "nosto at example", "customer_reference": "c-1"})],
        ["nosto_customer[0] email is not an email address; the field was left out"],
        "nosto at example",
        {"customer": {"customer_reference": "c-1", "newsletter": False}},
        id="customer-email-invalid",
    ),
    pytest.param(
        [fields("nosto_customer", {"email": CUSTOMER["email"], "marketing_permission": "maybe"})],
        ["nosto_customer[0] marketing_permission is not true or false"],
        "maybe",
        {"customer": {"email": CUSTOMER["email"], "type": "loggedin"}},
        id="customer-marketing-permission-invalid",
    ),
    pytest.param(
        [n("nosto_page_type", "Product"), fields("nosto_product", {"product_id": "1"})],
        ["nosto_page_type[0] is not a page type"],
        "Product",
        {"events": [["vp", "1"]]},
        id="page-type-unknown",
    ),
    pytest.param(
        [order(number=None), n("nosto_page_type", "order")],
        ["nosto_purchase_order[0] order_number is missing; the order was left out"],
        None,
        {"page_type": "order"},
        id="order-without-number",
    ),
    pytest.param(
        [order(fields("line_item", {**LINE, "quantity": "two"}))],
        ["nosto_purchase_order[0] purchased_items line_item[1] quantity is not a whole number"],
        "two",
        {"order": {"info": {"order_number": "DS-1001"}}},
        id="order-line-bad-quantity-leaves-the-line-out",
    ),
    pytest.param(
        [n("nosto_category", ""), n("nosto_category", "/Men")],
        ["nosto_category[0] is empty"],
        None,
        {"categories": ["/Men"]},
        id="empty-category",
    ),
    pytest.param(
        [n("nosto_element", ""), n("nosto_element", "", id="p-1"), n("nosto_tag", "a")],
        ["nosto_element[0] id is missing"],
        None,
        {"elements": ["p-1"]},
        id="placement-without-id",
    ),
    pytest.param(
        [n("nosto_cart", ""), n("nosto_cart", None, fields("line_item", LINE))],
        ["nosto_cart[1] is a second cart element; it was ignored"],
        None,
        {"cart": []},
        id="second-cart",
    ),
    pytest.param(
        [n("nosto_tag", "a"), "not a node", {"text": "no class"}],
        ["page tagging data holds a node that is not"],
        None,
        {"tags": ["a"]},
        id="node-of-wrong-shape",
    ),
]


@pytest.mark.parametrize(("data", "expected", "secret", "still_sent"), MALFORMED)
def test_malformed_tagging_names_element_and_field_and_the_rest_goes_out(
    data: list[Any], expected: list[str], secret: str | None, still_sent: dict[str, Any]
) -> None:
    parsed = parse_page(data)

    messages = [str(problem) for problem in parsed.problems]
    assert len(messages) == len(expected), messages
    for message, start in zip(messages, expected, strict=True):
        assert start in message
    if secret is not None:
        assert not any(secret in message for message in messages)
    sent = body_of(parsed)
    for key, value in still_sent.items():
        if key == "order":
            assert sent["order"]["info"]["order_number"] == value["info"]["order_number"]
            assert len(sent["order"]["items"]) == 1
        elif key == "customer":
            assert sent["customer"] == value
        else:
            assert sent[key] == value, key
    if not any(key in still_sent for key in ("cart",)):
        assert "cart" not in sent


def test_data_beyond_the_bounds_is_reported_once_and_cut() -> None:
    many = [n("nosto_tag", str(i)) for i in range(MAX_NODES + 5)]
    parsed = parse_page(many)
    assert len(parsed.tags) == MAX_NODES
    assert [str(p) for p in parsed.problems] == [
        f"page tagging: page tagging data has more than {MAX_NODES} elements; the rest were ignored"
    ]

    deep: dict[str, Any] = n("leaf", "x")
    for _ in range(MAX_DEPTH + 2):
        deep = n("wrap", None, deep)
    parsed = parse_page([n("nosto_product", None, n("product_id", "1"), deep)])
    assert [product.product_id for product in parsed.products] == ["1"]
    assert any(f"nests deeper than {MAX_DEPTH}" in str(p) for p in parsed.problems)

    assert "is not a list" in str(parse_page({"cls": "nosto_tag"}).problems[0])


# ----- the auto-load rule -----


@pytest.mark.parametrize("cls", TAGGING_CLASSES)
def test_each_tagging_class_alone_makes_a_page_tagged(cls: str) -> None:
    assert carries_tagging([n(cls, "x")])
    assert parse_page([n(cls, "x")]).tagged


@pytest.mark.parametrize(
    "data",
    [
        pytest.param([], id="nothing"),
        pytest.param([n("nosto_element", "", id="frontpage-nosto-1")], id="placements-only"),
        pytest.param([n("nosto_brand", "Stride")], id="brand-only"),
        pytest.param("not a list", id="not-a-list"),
    ],
)
def test_placements_alone_do_not_make_a_page_tagged(data: Any) -> None:
    assert not carries_tagging(data)
    assert not parse_page(data).tagged


def test_a_malformed_tagging_element_still_makes_the_page_tagged() -> None:
    parsed = parse_page([fields("nosto_product", {"price": "12,50"})])
    assert parsed.tagged and parsed.products == ()


# ----- setTaggingProvider: values the loader read on the page, over the elements' -----


def provider(name: str, value: Any, priority: float | None = None) -> dict[str, Any]:
    entry: dict[str, Any] = {"name": name, "value": value}
    if priority is not None:
        entry["priority"] = priority
    return entry


DOM = [
    n("nosto_page_type", "category"),
    n("nosto_category", "/Men"),
    n("nosto_cart", None, fields("line_item", LINE)),
]


@pytest.mark.parametrize(
    ("providers", "expected"),
    [
        pytest.param([provider("pageType", "search")], {"page_type": "search"}, id="page-type"),
        pytest.param(
            [provider("categories", "/Women")], {"categories": ["/Women"]}, id="lone-string"
        ),
        pytest.param(
            [provider("products", ["1", {"product_id": 2, "selected_sku_id": "2-b"}])],
            {"events": [["vp", "1"], ["vp", "2", None, None, "2-b"]]},
            id="products-become-product-views",
        ),
        pytest.param([provider("cart", {"items": []})], {"cart": []}, id="cart-replaces-elements"),
        pytest.param(
            [provider("customer", {"email": CUSTOMER["email"]})],
            {"customer": {"email": CUSTOMER["email"], "newsletter": False, "type": "loggedin"}},
            id="customer",
        ),
        pytest.param(
            [provider("pageType", "cart", 2), provider("pageType", "front", 1)],
            {"page_type": "cart"},
            id="higher-priority-wins",
        ),
        pytest.param(
            [provider("pageType", "cart"), provider("pageType", "front")],
            {"page_type": "front"},
            id="equal-priority-later-wins",
        ),
        pytest.param(
            [provider("pageType", None), provider("variation", UNDEFINED)],
            {"page_type": "category"},
            id="null-and-undefined-provide-nothing",
        ),
        pytest.param(
            [provider("elements", ["p-1"]), provider("sortOrder", "price")],
            {"elements": ["p-1"], "sort_order": "price"},
            id="elements-and-sort-order",
        ),
    ],
)
def test_providers_override_the_elements(
    providers: list[dict[str, Any]], expected: dict[str, Any]
) -> None:
    parsed = parse_page(DOM, providers)

    assert parsed.problems == ()
    sent = body_of(parsed)
    for key, value in expected.items():
        assert sent[key] == value, key
    assert sent["categories"] == expected.get("categories", ["/Men"])


@pytest.mark.parametrize(
    ("providers", "expected"),
    [
        pytest.param(
            [provider("cart", {"items": [{**SHIRT, "unit_price": "12,50"}]})],
            'setTaggingProvider("cart") items[0].unit_price is not a number',
            id="invalid-cart-keeps-the-elements-cart",
        ),
        pytest.param(
            [provider("pageType", "home")],
            'setTaggingProvider("pageType") is not a page type',
            id="unknown-page-type",
        ),
        pytest.param(
            [{"name": "cart", "error": True}],
            'setTaggingProvider("cart") threw when called; the page\'s elements were used',
            id="provider-function-threw",
        ),
        pytest.param(
            [provider("colour", "red")],
            'setTaggingProvider("colour") is not a TaggingData field',
            id="unknown-name",
        ),
        pytest.param(
            [provider("products", [Unrepresentable("function")])],
            'setTaggingProvider("products") holds something that is not data',
            id="not-data",
        ),
    ],
)
def test_invalid_provider_values_are_reported_and_the_elements_stay(
    providers: list[dict[str, Any]], expected: str
) -> None:
    parsed = parse_page(DOM, providers)

    assert [expected in str(problem) for problem in parsed.problems] == [True]
    assert "12,50" not in str(parsed.problems[0])
    sent = body_of(parsed)
    assert sent["page_type"] == "category" and sent["cart"] == [SHIRT]


def test_a_provider_of_page_tagging_makes_a_page_tagged_placements_do_not() -> None:
    assert parse_page([], [provider("pageType", "front")]).tagged
    assert not parse_page([], [provider("elements", ["frontpage-nosto-1"])]).tagged
    assert not parse_page([], [provider("pageType", None)]).tagged


def test_a_load_is_answered_in_html_and_injected_into_the_placements() -> None:
    tagging = parse_page([n("nosto_page_type", "front"), n("nosto_element", "", id="p-1")])

    action = tagging.load_action(SessionState())

    assert action.state.campaign_injection
    body = build_body(action, CALL)
    assert body["response_mode"] == "HTML"
    assert body["elements"] == ["p-1"] and body["page_type"] == "front"


VISITOR = "5b1a481060b221115c4a251e"


@pytest.mark.parametrize(
    ("visitor", "kept"),
    [
        pytest.param(VISITOR, True, id="signed-for-this-visitor"),
        pytest.param("0123456789abcdef01234567", False, id="signed-for-another-visitor"),
        pytest.param(None, False, id="signed-but-no-visitor-yet"),
    ],
)
def test_cart_and_customer_signed_for_another_visitor_are_left_out(
    visitor: str | None, kept: bool
) -> None:
    hcid = visitor_checksum(VISITOR)
    tagging = parse_page(
        [
            n("nosto_cart", None, fields("line_item", LINE), n("hcid", hcid.upper())),
            fields("nosto_customer", {"email": CUSTOMER["email"], "hcid": hcid}),
            n("nosto_page_type", "cart"),
        ]
    ).for_visitor(visitor)

    assert (tagging.cart is not None) is kept
    assert (tagging.customer is not None) is kept
    assert [str(p).split(" is ")[0] for p in tagging.problems] == (
        [] if kept else ["page tagging: nosto_cart hcid", "page tagging: nosto_customer hcid"]
    )
    assert not any(hcid in str(p) for p in tagging.problems)
    assert tagging.page_type == "cart"


def test_tagging_without_hcid_is_anyones() -> None:
    tagging = parse_page([n("nosto_cart", None, fields("line_item", LINE))])
    assert tagging.for_visitor(None) is tagging


# ----- the shapes platform modules render (PHP SDK, Shopware 6) -----

SDK_CATEGORY = n(
    "nosto_category",
    None,
    n("id", "27"),
    n("parent_id", "14"),
    n("title", "Rain Jackets"),
    n("url", "https://shop.example/women/jackets/rain-jackets.html"),
    n("path", "1/2/20/14/27"),
    n("category_string", "/Women/Jackets/Rain Jackets"),
    n("available", "1"),
)


def test_the_sdks_category_object_gives_path_id_and_parent_id() -> None:
    parsed = parse_page([n("nosto_page_type", "category"), SDK_CATEGORY])

    assert parsed.problems == ()
    data = parsed.tagging_data()
    assert data["categories"] == ["/Women/Jackets/Rain Jackets"]
    assert data["categoryIds"] == ["27"] and data["parentCategoryIds"] == ["14"]
    body = body_of(parsed)
    assert body["categories"] == ["/Women/Jackets/Rain Jackets"]
    assert body["category_ids"] == ["27"] and body["parent_category_ids"] == ["14"]
    sent = str(body)
    assert "1/2/20/14/27" not in sent and "rain-jackets.html" not in sent  # path, url: not sent


def test_a_flat_category_beside_the_sdks_object_still_counts() -> None:
    parsed = parse_page([n("nosto_category", "/Sale"), SDK_CATEGORY])

    assert parsed.problems == ()
    assert parsed.categories == ("/Sale", "/Women/Jackets/Rain Jackets")
    assert parsed.category_ids == ("27",)


def test_an_sdk_category_with_fields_it_does_not_send_is_still_read() -> None:
    extra = n("custom_fields", None, n("season", "autumn"))
    category = {**SDK_CATEGORY, "children": [*SDK_CATEGORY["children"], extra]}

    parsed = parse_page([n("nosto_tag", "a"), category])

    assert parsed.problems == ()
    assert parsed.categories == ("/Women/Jackets/Rain Jackets",) and parsed.tags == ("a",)
    assert "autumn" not in str(body_of(parsed))


def test_an_sdk_category_without_its_path_is_named_and_its_ids_still_go_out() -> None:
    without = n("nosto_category", None, n("id", "27"), n("parent_id", "14"), n("title", "Rain"))

    parsed = parse_page([without])

    assert [str(p) for p in parsed.problems] == [
        "page tagging: nosto_category[0] category_string is missing; "
        "the category was sent without its path"
    ]
    body = body_of(parsed)
    assert "categories" not in body
    assert body["category_ids"] == ["27"] and body["parent_category_ids"] == ["14"]


def test_the_sdks_nested_product_lists_and_skus_are_read() -> None:
    product = n(
        "nosto_product",
        None,
        n("product_id", "1407"),
        n("categories", None, n("category", "/Women"), n("category", "/Women/Jackets")),
        n("category_ids", None, n("category_id", "20"), n("category_id", "14")),
        n("tags1", None, n("tag", "add-to-cart")),
        n("tags2", None, n("tag", "new"), n("tag", "rain & wind")),
        n("alternate_image_urls", None, n("alternate_image_url", "https://shop.example/b.jpg")),
        n("skus", None, fields("nosto_sku", {"id": "1408", "price": "129.9"})),
        n(
            "variations",
            None,
            n("variation", None, n("variation_id", "USD"), n("name", "in USD"), n("price", "139")),
        ),
    )

    parsed = parse_page([product])

    assert parsed.problems == ()
    [read] = parsed.tagging_data()["products"]
    assert read == {
        "product_id": "1407",
        "categories": ["/Women", "/Women/Jackets"],
        "category_ids": ["20", "14"],
        "tag1": ["add-to-cart"],
        "tag2": ["new", "rain & wind"],
        "alternate_image_urls": ["https://shop.example/b.jpg"],
        "skus": [{"id": "1408", "price": 129.9}],
    }  # the variation's own fields are not the product's


def test_shopwares_bracketed_tags_are_several_tags() -> None:
    product = fields(
        "nosto_product", {"product_id": "SW1", "tag1": "[add-to-cart, new]", "tag2": "rain"}
    )

    [read] = parse_page([product]).tagging_data()["products"]

    assert read["tag1"] == ["add-to-cart", "new"] and read["tag2"] == ["rain"]


def test_an_orders_discount_line_keeps_its_negative_price() -> None:
    discount = {"product_id": "-1", "name": "Discount", "quantity": "1", "unit_price": "-17.89",
                "price_currency_code": "EUR"}  # fmt: skip

    parsed = parse_page([order(fields("line_item", discount))])

    assert parsed.problems == ()
    items = body_of(parsed)["order"]["items"]
    assert [(item["product_id"], item["unit_price"]) for item in items] == [
        (SHIRT["product_id"], 123.45),
        ("-1", -17.89),
    ]


def test_a_cart_line_of_a_negative_price_still_leaves_the_cart_out() -> None:
    parsed = parse_page([n("nosto_cart", None, fields("line_item", {**LINE, "unit_price": "-1"}))])

    assert parsed.cart is None
    assert [str(p) for p in parsed.problems] == [
        "page tagging: nosto_cart[0] line_item[0] unit_price should be greater than or equal "
        "to 0; the cart was left out of the request (a partial cart would be wrong)"
    ]


@pytest.mark.parametrize(
    "calls",
    [
        [("session", "addOrder"), ("action", "load")],
        [("session", "viewOther"), ("action", "setOrder"), ("action", "load")],
    ],
    ids=["addOrder", "setOrder"],
)
def test_add_order_and_set_order_send_a_discount_line(calls: list[tuple[str, str]]) -> None:
    from tests.core.test_api_table import ORDER, body_of

    discount = {"product_id": "-1", "name": "Discount", "quantity": 1, "unit_price": -17.89,
                "price_currency_code": "EUR"}  # fmt: skip
    given = {**ORDER, "items": [*ORDER["items"], discount]}

    body, _, _ = body_of([(*call, given) if "Order" in call[1] else call for call in calls])

    assert body["order"]["items"][-1] == discount


def test_an_sdk_product_without_skus_has_empty_wrappers_that_are_nothing() -> None:
    from tests.tagging_html import platform_page, read_tagging

    parsed = parse_page(read_tagging(platform_page("sdk", "plain_product")))

    assert parsed.problems == ()
    [product] = parsed.tagging_data()["products"]
    assert product["categories"] == ["/Gear"] and product["price"] == 9
    assert not {"skus", "custom_fields", "variation_id"} & set(product)


@pytest.mark.parametrize(
    ("data", "providers", "expected"),
    [
        pytest.param(
            [n("nosto_page_type", "home")],
            None,
            "nosto_page_type[0] is not a page type (KNOWN); the page was sent without a page type",
            id="element",
        ),
        pytest.param(
            [n("nosto_page_type", "front")],
            [provider("pageType", "home")],
            'setTaggingProvider("pageType") is not a page type (KNOWN); it was ignored',
            id="provider",
        ),
    ],
)
def test_an_unknown_page_type_is_named_with_the_known_ones_and_what_was_sent_instead(
    data: list[Any], providers: list[dict[str, Any]] | None, expected: str
) -> None:
    parsed = parse_page(data, providers)

    known = ", ".join(PAGE_TYPES)
    assert [str(p) for p in parsed.problems] == [
        "page tagging: " + expected.replace("KNOWN", known)
    ]
    assert parsed.page_type == (None if providers is None else "front")


@pytest.mark.parametrize(
    ("given", "permission"),
    [({"newsletter": True}, True), ({"marketing_permission": True}, True), ({}, False)],
    ids=["newsletter", "marketing_permission", "neither"],
)
def test_a_customer_from_an_element_or_a_provider_has_the_permission_it_was_given(
    given: dict[str, bool], permission: bool
) -> None:
    person = {"email": CUSTOMER["email"]}
    element = fields("nosto_customer", {**person, **{k: str(v).lower() for k, v in given.items()}})
    from_element = parse_page([element]).customer
    from_provider = parse_page([], [provider("customer", {**person, **given})]).customer

    assert from_provider is not None and from_provider.marketing_permission is permission
    assert from_provider.wire()["newsletter"] is permission
    if "newsletter" not in given:  # the element's field is marketing_permission
        assert from_element is not None and from_element.marketing_permission is permission
        assert from_element.wire()["newsletter"] is permission
