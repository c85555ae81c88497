"""The engine reading a page's DOM tagging: auto-load, load(), loadRecommendations() and the
tagging resends (the loader passes ``[nodes, providers, extra?]``, read by ``core.tagging``)."""

from __future__ import annotations

from dataclasses import replace
from itertools import count
from typing import Any

from nosto_tagging.core.engine import Built, Engine, EngineConfig, Log, ObjectData, Output, Settled
from nosto_tagging.core.protocol import Call
from tests.core.test_tagging import CUSTOMER, LINE, SHIRT, fields, n

VISITOR = "5b1a481060b221115c4a251e"
PAGE = [
    n("nosto_page_type", "product"),
    fields("nosto_product", {"product_id": "181503"}),
    n("nosto_cart", None, fields("line_item", LINE), n("restore_link", "https://s.test/r")),
    n("nosto_element", "", id="productpage-nosto-1"),
]
_eids = count()


def call(method: str, *args: Any) -> Call:
    return Call(f"e{next(_eids)}", 1_764_000_000_000, "https://s.test/p", "", "api", method, args)


def engine() -> Engine:
    return Engine(EngineConfig("demo", "https://c.test/ev1", VISITOR))


def built(outputs: list[Output]) -> list[Built]:
    return [o for o in outputs if isinstance(o, Built)]


def test_the_auto_load_sends_one_page_view_with_the_tagging_and_its_placements() -> None:
    outputs = engine().apply(call("load", PAGE, [], "auto"))
    [request] = built(outputs)
    body = request.request.body
    assert body["page_type"] == "product" and body["events"] == [["vp", "181503"]]
    assert body["cart"] == [SHIRT] and body["elements"] == ["productpage-nosto-1"]
    assert body["response_mode"] == "HTML" and request.inject
    assert "skipPageViews" not in request.request.url
    assert request.private  # the cart's restore link is a token
    tagging = [o for o in outputs if isinstance(o, ObjectData) and o.target == "tagging"]
    assert tagging[0].data["pageType"] == "product"


def test_no_auto_load_after_set_auto_load_false_nor_on_a_page_of_placements_only() -> None:
    page = engine()
    page.apply(call("setAutoLoad", False))
    outputs = page.apply(call("load", PAGE, [], "auto"))
    assert not built(outputs) and any(isinstance(o, Settled) for o in outputs)
    assert built(page.apply(call("load", PAGE, [])))  # api.load() itself still sends
    placements_only = [n("nosto_element", "", id="x")]
    assert not built(engine().apply(call("load", placements_only, [], "auto")))


def test_load_recommendations_asks_for_the_given_placements() -> None:
    [request] = built(engine().apply(call("loadRecommendations", PAGE, [], ["other-1"])))
    assert request.request.body["elements"] == ["other-1"]


def test_resend_cart_tagging_sends_only_the_cart_and_a_missing_part_is_said() -> None:
    page = engine()
    [request] = built(page.apply(call("resendCartTagging", PAGE, [])))
    assert request.request.body.keys() == {"url", "event_date", "cart", "restore_link"}
    assert "skipPageViews=true" in request.request.url
    assert "skipEvents=true" in request.request.url
    outputs = page.apply(call("resendCustomerTagging", PAGE, []))
    assert not built(outputs)
    assert [o.level for o in outputs if isinstance(o, Log)] == ["warn"]
    assert any(isinstance(o, Settled) for o in outputs)


def test_customer_tagging_is_private_and_malformed_tagging_is_named_without_its_value() -> None:
    page = [
        *PAGE,
        fields("nosto_customer", {"email": CUSTOMER["email"]}),
        fields("nosto_product", {"price": "12,50"}),
    ]
    outputs = engine().apply(call("load", page, [], "auto"))
    [request] = built(outputs)
    assert request.private and request.request.body["customer"]["email"] == CUSTOMER["email"]
    messages = [o.message for o in outputs if isinstance(o, Log)]
    assert messages and all("12,50" not in m and CUSTOMER["email"] not in m for m in messages)


def test_a_recommendation_request_can_include_the_pages_tagging() -> None:
    page = engine()
    page.apply(call("load", PAGE, [], "auto"))
    included = page.apply(call("createRecommendationRequest", {"includeTagging": True}))
    builder = next(o.target for o in included if isinstance(o, ObjectData))
    [request] = built(page.apply(replace(call("load"), target=builder)))
    body = request.request.body
    assert body["page_type"] == "product" and body["events"] == [["vp", "181503"]]
    assert body["cart"] == [SHIRT]
    plain = page.apply(call("createRecommendationRequest"))
    builder = next(o.target for o in plain if isinstance(o, ObjectData))
    [request] = built(page.apply(replace(call("load"), target=builder)))
    assert "page_type" not in request.request.body and "events" not in request.request.body
