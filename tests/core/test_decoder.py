"""The request decoder the sandbox's viewer and the page's debug panel share."""

from __future__ import annotations

from nosto_tagging.core.decoder import decode_request, describe_event, inspect_request


def test_a_request_is_decoded_into_sections_people_read() -> None:
    body = {
        "url": "http://shop.test/p/1",
        "page_type": "product",
        "events": [["vp", "shirt-1", "ref", "frontpage-1", "sku-2"]],
        "current_variant_id": "EUR",
        "elements": ["productpage-1", "productpage-2"],
        "cart": [
            {"name": "Shirt", "product_id": "shirt-1", "quantity": 2, "unit_price": 12.5,
             "price_currency_code": "EUR"},
        ],
        "customer": {},
    }  # fmt: skip
    related = {"title": "Related", "products": [{}, {}]}
    response = {"pv": 1, "cs": 2, "ct": 25, "visit": "abcdef0123456789",
                "recommendations": {"productpage-1": related}}  # fmt: skip
    sections = {section["title"]: section for section in decode_request(body, response)}
    assert list(sections) == [
        "url",
        "events",
        "context",
        "placements",
        "cart",
        "customer",
        "answer",
    ]
    assert sections["events"]["list"] == [
        "view product shirt-1 (sku sku-2) · ref ref from frontpage-1"
    ]
    assert sections["placements"]["pairs"] == [
        ["productpage-1", "Related · 2 products"],
        ["productpage-2", "no result"],
    ]
    assert sections["cart"]["rows"] == [["Shirt", "shirt-1", "-", "2", "12.50 EUR", "25.00 EUR"]]
    assert sections["cart"]["foot"][-1] == "25.00 EUR"
    assert sections["customer"]["note"].startswith("customer: {}")
    assert sections["answer"]["text"].startswith("answered pv 1 · cart 2 items, 25")


def test_an_order_lists_its_lines_and_buyer() -> None:
    line = {"product_id": "1", "quantity": 1, "unit_price": 5, "price_currency_code": "EUR"}
    order = {"info": {"order_number": "A1", "email": "a@b.test"}, "payment_provider": "card",
             "items": [line]}  # fmt: skip
    [section] = decode_request({"order": order})
    assert section["title"] == "order A1"
    assert section["text"] == "a@b.test · card"
    assert section["rows"][0][1] == "1"


def test_odd_events_are_shown_as_they_are() -> None:
    assert describe_event(["zz"]) == "zz"
    assert describe_event({"x": 1}) == '{"x": 1}'


def test_inspection_gives_the_rules_warnings_or_the_fields_the_models_refuse() -> None:
    cart = [
        {"product_id": "1", "name": "A", "unit_price": 1, "price_currency_code": "EUR"},
        {"product_id": "2", "name": "B", "unit_price": 1, "price_currency_code": "SEK"},
    ]
    found = inspect_request({"page_type": "cart", "url": "http://shop.test/", "cart": cart})
    assert [w["code"] for w in found["warnings"]] == ["mixed-currencies"]
    refused = inspect_request({"page_type": "cart", "cart": [{"quantity": "many"}]})
    assert {w["code"] for w in refused["warnings"]} == {"invalid"}
    assert any(w["field"].startswith("cart.0") for w in refused["warnings"])
    assert inspect_request([1])["warnings"][0]["field"] == "body"
