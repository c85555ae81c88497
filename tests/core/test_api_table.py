"""One row per nostojs method: the calls, the resulting session state and the resulting request.

Rows are written the way a theme calls the API: ``("session", "setVariation", "GBP")`` is
``api.defaultSession().setVariation("GBP")``; ``("action", "setPlacements", [...])`` is a call on
the action the previous ``view*`` created, and ``PERFORM`` ends the row with ``.load()``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from nosto_tagging.core.api import BUILDER, ENGINE
from nosto_tagging.core.engine import Built, Engine, EngineConfig, Log, ObjectData, Settled
from nosto_tagging.core.protocol import UNDEFINED, Call
from tests.examples import CUSTOMER, SHIRT, SHOE

URL = "http://shop.test/p"
VISITOR = "0123456789abcdef01234567"
ORDER = {
    "info": {"order_number": "1001", "email": "devnull@nosto.com", "first_name": "Nosto"},
    "items": [SHIRT],
    "payment_provider": "invoice",
}
COMMON = {"response_mode": "JSON_ORIGINAL", "url": URL}


class Driver:
    def __init__(self) -> None:
        self.engine = Engine(EngineConfig("demo", "http://127.0.0.1/ev1", VISITOR))
        self.n = 0
        self.outputs: list[Any] = []
        self.last: dict[str, str] = {}

    def call(self, target: str, method: str, *args: Any) -> str:
        self.n += 1
        eid = f"e{self.n}"
        resolved = f"{target}:{self.last[target]}" if target in self.last else target
        self.outputs += self.engine.apply(Call(eid, 0.0, URL, "", resolved, method, args))
        if target in ("session", "api") and method.startswith(("view", "add", "report")):
            self.last["action"] = eid
        if method == "createRecommendationRequest":
            self.last["builder"] = eid
        if method == "recordAttribution" and target != "attribution":
            self.last["attribution"] = eid
        return eid

    def requests(self) -> list[Built]:
        return [o for o in self.outputs if isinstance(o, Built)]

    def errors(self) -> list[str]:
        return [o.message for o in self.outputs if isinstance(o, Log)]


def body_of(calls: list[tuple[Any, ...]]) -> tuple[dict[str, Any], dict[str, list[str]], Driver]:
    driver = Driver()
    for target, method, *args in calls:
        driver.call(target, method, *args)
    assert driver.errors() == []
    [built] = driver.requests()
    body = dict(built.request.body)
    body.pop("event_date")
    return body, parse_qs(urlsplit(built.request.url).query), driver


PERFORM = ("action", "load")
SESSION_ROWS = [
    (
        "setCart",
        [("session", "setCart", {"items": [SHOE]}), ("session", "viewCart"), PERFORM],
        {"page_type": "cart", "cart": [SHOE]},
    ),
    (
        "setCustomer",
        [("session", "setCustomer", CUSTOMER), ("session", "viewOther"), PERFORM],
        {"page_type": "other", "customer": dict(CUSTOMER, type="loggedin")},
    ),
    (
        "setVariation",
        [("session", "setVariation", "GBP"), ("session", "viewFrontPage"), PERFORM],
        {"page_type": "front", "current_variant_id": "GBP"},
    ),
    (
        "setVariation-empty-means-none",
        [
            ("session", "setVariation", "GBP"),
            ("session", "setVariation", ""),
            ("session", "viewFrontPage"),
            PERFORM,
        ],
        {"page_type": "front"},
    ),
    (
        "setRestoreLink",
        [
            ("session", "setRestoreLink", "https://shop.test/cart/restore/1"),
            ("session", "viewCart"),
            PERFORM,
        ],
        {"page_type": "cart", "restore_link": "https://shop.test/cart/restore/1"},
    ),
    (
        "setResponseMode",
        [("session", "setResponseMode", "HTML"), ("session", "viewFrontPage"), PERFORM],
        {"page_type": "front", "response_mode": "HTML"},
    ),
    (
        "enableCampaignInjection",
        [("session", "enableCampaignInjection"), ("session", "viewFrontPage"), PERFORM],
        {"page_type": "front"},
    ),
    (
        "disableCampaignInjection",
        [("session", "disableCampaignInjection"), ("session", "viewFrontPage"), PERFORM],
        {"page_type": "front"},
    ),
    ("viewFrontPage", [("session", "viewFrontPage"), PERFORM], {"page_type": "front"}),
    ("viewCart", [("session", "viewCart"), PERFORM], {"page_type": "cart"}),
    ("viewNotFound", [("session", "viewNotFound"), PERFORM], {"page_type": "notfound"}),
    (
        "viewProduct-id",
        [("session", "viewProduct", "181503"), PERFORM],
        {"page_type": "product", "events": [["vp", "181503"]]},
    ),
    (
        "viewProduct-object-with-sku",
        [
            ("session", "viewProduct", {"product_id": "181503", "selected_sku_id": "181505"}),
            PERFORM,
        ],
        {"page_type": "product", "events": [["vp", "181503", None, None, "181505"]]},
    ),
    (
        "viewProductSku",
        [("session", "viewProductSku", "181503", "181505"), PERFORM],
        {"page_type": "product", "events": [["vp", "181503", None, None, "181505"]]},
    ),
    (
        "viewCategory",
        [("session", "viewCategory", "/Men", "/Men/Shirts"), PERFORM],
        {"page_type": "category", "categories": ["/Men", "/Men/Shirts"]},
    ),
    (
        "viewTag",
        [("session", "viewTag", "summer"), PERFORM],
        {"page_type": "category", "tags": ["summer"]},
    ),
    (
        "viewCustomField",
        [("session", "viewCustomField", {"material": ["cotton"]}), PERFORM],
        {"page_type": "category", "custom_fields": {"material": ["cotton"]}},
    ),
    (
        "viewSearch",
        [("session", "viewSearch", "black shoes"), PERFORM],
        {"page_type": "search", "search_terms": ["black shoes"]},
    ),
    ("viewOther", [("session", "viewOther"), PERFORM], {"page_type": "other"}),
    (
        "addOrder",
        [("session", "addOrder", ORDER), PERFORM],
        {"page_type": "order", "order": {**ORDER, "items": [SHIRT]}},
    ),
    (
        "reportAddToCart",
        [("session", "reportAddToCart", "181503", "frontpage-nosto-1"), ("action", "update")],
        {"events": [["cp", "181503", "frontpage-nosto-1"]]},
    ),
]
ACTION_ROWS = [
    (
        "setRef",
        [("session", "viewProduct", "181503"), ("action", "setRef", "181503", "res-1"), PERFORM],
        {"page_type": "product", "events": [["vp", "181503", "res-1"]]},
    ),
    (
        "setProduct",
        [("session", "viewOther"), ("action", "setProduct", "34552"), PERFORM],
        {"page_type": "other", "events": [["vp", "34552"]]},
    ),
    (
        "setProducts",
        [("session", "viewOther"), ("action", "setProducts", ["1", {"product_id": "2"}]), PERFORM],
        {"page_type": "other", "events": [["vp", "1"], ["vp", "2"]]},
    ),
    (
        "setCart",
        [("session", "viewCart"), ("action", "setCart", {"items": [SHIRT]}), PERFORM],
        {"page_type": "cart", "cart": [SHIRT]},
    ),
    (
        "setCart-null-clears",
        [
            ("session", "setCart", {"items": [SHIRT]}),
            ("session", "viewCart"),
            ("action", "setCart", None),
            PERFORM,
        ],
        {"page_type": "cart", "cart": []},
    ),
    (
        "setCart-undefined-leaves-it-out",
        [
            ("session", "setCart", {"items": [SHIRT]}),
            ("session", "viewCart"),
            ("action", "setCart", UNDEFINED),
            PERFORM,
        ],
        {"page_type": "cart"},
    ),
    (
        "setCustomer-null-clears",
        [
            ("session", "setCustomer", CUSTOMER),
            ("session", "viewCart"),
            ("action", "setCustomer", None),
            PERFORM,
        ],
        {"page_type": "cart", "customer": {}},
    ),
    (
        "setOrder",
        [("session", "viewOther"), ("action", "setOrder", ORDER), PERFORM],
        {"page_type": "other", "order": ORDER},
    ),
    (
        "setSearchTerms",
        [("session", "viewOther"), ("action", "setSearchTerms", ["a", "b"]), PERFORM],
        {"page_type": "other", "search_terms": ["a", "b"]},
    ),
    (
        "setBrands",
        [("session", "viewOther"), ("action", "setBrands", ["Acme"]), PERFORM],
        {"page_type": "other", "brands": ["Acme"]},
    ),
    (
        "setCategories",
        [("session", "viewOther"), ("action", "setCategories", ["/Men"]), PERFORM],
        {"page_type": "other", "categories": ["/Men"]},
    ),
    (
        "setCategoryIds",
        [("session", "viewCategory", "/Men"), ("action", "setCategoryIds", ["12"]), PERFORM],
        {"page_type": "category", "categories": ["/Men"], "category_ids": ["12"]},
    ),
    (
        "setParentCategoryIds",
        [("session", "viewOther"), ("action", "setParentCategoryIds", ["1"]), PERFORM],
        {"page_type": "other", "parent_category_ids": ["1"]},
    ),
    (
        "setTags",
        [("session", "viewOther"), ("action", "setTags", ["new"]), PERFORM],
        {"page_type": "other", "tags": ["new"]},
    ),
    (
        "setCustomFields",
        [("session", "viewOther"), ("action", "setCustomFields", {"fit": ["slim"]}), PERFORM],
        {"page_type": "other", "custom_fields": {"fit": ["slim"]}},
    ),
    (
        "setVariation",
        [("session", "viewOther"), ("action", "setVariation", "USD"), PERFORM],
        {"page_type": "other", "current_variant_id": "USD"},
    ),
    (
        "setPlacements",
        [("session", "viewFrontPage"), ("action", "setPlacements", ["a", "b"]), PERFORM],
        {"page_type": "front", "elements": ["a", "b"]},
    ),
    (
        "setRestoreLink",
        [("session", "viewCart"), ("action", "setRestoreLink", "https://r.test/1"), PERFORM],
        {"page_type": "cart", "restore_link": "https://r.test/1"},
    ),
    (
        "setPageType",
        [("session", "viewOther"), ("action", "setPageType", "checkout"), PERFORM],
        {"page_type": "checkout"},
    ),
    (
        "addAffinity-merges",
        [
            ("session", "viewOther"),
            ("action", "addAffinity", {"brand": ["A"], "color": ["red"]}),
            ("action", "addAffinity", {"color": ["blue"]}),
            PERFORM,
        ],
        {"page_type": "other", "affinity_signals": {"brand": ["A"], "color": ["blue"]}},
    ),
    (
        "addAffinity-clear",
        [
            ("session", "viewOther"),
            ("action", "addAffinity", {"brand": ["A"]}),
            ("action", "addAffinity", {"color": ["red"]}, {"clear": True}),
            PERFORM,
        ],
        {"page_type": "other", "affinity_signals": {"color": ["red"]}},
    ),
]


NEW_REQUEST = ("api", "createRecommendationRequest")
SEND = ("builder", "load")
BUILDER_ROWS = [
    ("setPageType", [NEW_REQUEST, ("builder", "setPageType", "product"), SEND],
     {"page_type": "product"}),
    ("setSortOrder", [NEW_REQUEST, ("builder", "setSortOrder", "price"), SEND],
     {"sort_order": "price"}),
    ("setAffinitySignals-replaces",
     [NEW_REQUEST, ("builder", "setAffinitySignals", {"brand": ["A"]}),
      ("builder", "setAffinitySignals", {"color": ["red"]}), SEND],
     {"affinity_signals": {"color": ["red"]}}),
    ("addEvent", [NEW_REQUEST, ("builder", "addEvent", "vp", "181503"), SEND],
     {"events": [["vp", "181503"]]}),
    ("setCustomer", [NEW_REQUEST, ("builder", "setCustomer", CUSTOMER), SEND],
     {"customer": dict(CUSTOMER, type="loggedin")}),
    ("addCustomer", [NEW_REQUEST, ("builder", "addCustomer", CUSTOMER), SEND],
     {"customer": dict(CUSTOMER, type="loggedin")}),
    ("addElements-typed-array-adds",
     [NEW_REQUEST, ("builder", "addElements", ["bestseller-home"]),
      ("builder", "addElements", ["new-home", "top-home"]), SEND],
     {"elements": ["bestseller-home", "new-home", "top-home"]}),
    ("addElements-bare-string", [NEW_REQUEST, ("builder", "addElements", "front-1"), SEND],
     {"elements": ["front-1"]}),
    ("setElements-replaces",
     [NEW_REQUEST, ("builder", "addElements", ["a"]), ("builder", "setElements", ["b"]), SEND],
     {"elements": ["b"]}),
    ("setCartContent", [NEW_REQUEST, ("builder", "setCartContent", {"items": [SHOE]}), SEND],
     {"cart": [SHOE]}),
    ("setRestoreLink", [NEW_REQUEST, ("builder", "setRestoreLink", "https://r.test/1"), SEND],
     {"restore_link": "https://r.test/1"}),
    ("setProducts", [NEW_REQUEST, ("builder", "setProducts", ["1", {"product_id": "2"}]), SEND],
     {"events": [["vp", "1"], ["vp", "2"]]}),
    ("setProducts-with-ref", [NEW_REQUEST, ("builder", "setProducts", ["1"], "rec-9"), SEND],
     {"events": [["vp", "1", "rec-9"]]}),
    ("setRefs", [NEW_REQUEST, ("builder", "setProducts", ["1", "2"]),
                 ("builder", "setRefs", {"2": "rec-2"}), SEND],
     {"events": [["vp", "1"], ["vp", "2", "rec-2"]]}),
    ("addCurrentBrands-adds",
     [NEW_REQUEST, ("builder", "addCurrentBrands", ["A"]),
      ("builder", "addCurrentBrands", ["B"]), SEND], {"brands": ["A", "B"]}),
    ("setCurrentBrands-replaces",
     [NEW_REQUEST, ("builder", "addCurrentBrands", ["A"]),
      ("builder", "setCurrentBrands", ["B"]), SEND], {"brands": ["B"]}),
    ("addCurrentCategories-adds",
     [NEW_REQUEST, ("builder", "addCurrentCategories", ["/a"]),
      ("builder", "addCurrentCategories", ["/b"]), SEND], {"categories": ["/a", "/b"]}),
    ("setCurrentCategories-replaces",
     [NEW_REQUEST, ("builder", "addCurrentCategories", ["/a"]),
      ("builder", "setCurrentCategories", ["/b"]), SEND], {"categories": ["/b"]}),
    ("addCurrentCategoryIds",
     [NEW_REQUEST, ("builder", "addCurrentCategoryIds", ["1"]),
      ("builder", "addCurrentCategoryIds", "2"), SEND], {"category_ids": ["1", "2"]}),
    ("addCurrentParentCategoryIds",
     [NEW_REQUEST, ("builder", "addCurrentParentCategoryIds", ["9"]), SEND],
     {"parent_category_ids": ["9"]}),
    ("addCurrentTags-adds",
     [NEW_REQUEST, ("builder", "addCurrentTags", ["new"]),
      ("builder", "addCurrentTags", ["sale"]), SEND], {"tags": ["new", "sale"]}),
    ("setCurrentTags-replaces",
     [NEW_REQUEST, ("builder", "addCurrentTags", ["new"]),
      ("builder", "setCurrentTags", ["sale"]), SEND], {"tags": ["sale"]}),
    ("addCurrentCustomFields-merges",
     [NEW_REQUEST, ("builder", "addCurrentCustomFields", {"fit": ["slim"]}),
      ("builder", "addCurrentCustomFields", {"material": "cotton"}), SEND],
     {"custom_fields": {"fit": ["slim"], "material": ["cotton"]}}),
    ("addCurrentVariation", [NEW_REQUEST, ("builder", "addCurrentVariation", "EUR"), SEND],
     {"current_variant_id": "EUR"}),
    ("setResponseMode", [NEW_REQUEST, ("builder", "setResponseMode", "HTML"), SEND],
     {"response_mode": "HTML"}),
    ("disableCampaignInjection",
     [NEW_REQUEST, ("builder", "disableCampaignInjection"), SEND], {}),
    ("addOrderData", [NEW_REQUEST, ("builder", "addOrderData", ORDER), SEND],
     {"order": {**ORDER, "items": [SHIRT]}}),
    ("send", [NEW_REQUEST, ("builder", "setPageType", "cart"), ("builder", "send", {})],
     {"page_type": "cart"}),
    ("loadRecommendations",
     [NEW_REQUEST, ("builder", "setPageType", "cart"), ("builder", "loadRecommendations")],
     {"page_type": "cart"}),
]  # fmt: skip


def test_every_engine_member_of_the_builder_has_a_row() -> None:
    named = {name.split("-")[0] for name, _, _ in BUILDER_ROWS}
    assert named | {"load"} == {row.name for row in BUILDER if row.side is ENGINE}


@pytest.mark.parametrize(
    ("calls", "expected"), [pytest.param(c, e, id=n) for n, c, e in BUILDER_ROWS]
)
def test_each_request_builder_member_shapes_the_request(
    calls: list[tuple[Any, ...]], expected: dict[str, Any]
) -> None:
    body, _, _ = body_of(calls)
    assert body == {**COMMON, **expected}


def test_unsupported_builder_members_warn_and_change_nothing() -> None:
    driver = Driver()
    driver.call(*NEW_REQUEST)
    driver.call("builder", "setCoupon", "X")
    driver.call("builder", "setPageType", "front")
    driver.call(*SEND)
    [warning] = [o for o in driver.outputs if isinstance(o, Log)]
    assert warning.level == "warn" and "setCoupon" in warning.message
    assert driver.requests()[0].request.body["page_type"] == "front"


@pytest.mark.parametrize(
    ("calls", "expected"), [pytest.param(c, e, id=n) for n, c, e in SESSION_ROWS + ACTION_ROWS]
)
def test_each_method_shapes_the_request(
    calls: list[tuple[Any, ...]], expected: dict[str, Any]
) -> None:
    body, _, _ = body_of(calls)
    assert body == {**COMMON, **expected}


def test_update_skips_page_views_and_load_passes_its_flags() -> None:
    _, query, _ = body_of([("session", "viewCart"), ("action", "update")])
    assert query["skipPageViews"] == ["true"]
    _, query, _ = body_of([("session", "viewCart"), ("action", "load", {"reloadCart": True})])
    assert query["reloadCart"] == ["true"] and "skipPageViews" not in query


def test_dump_data_mirrors_the_action_as_tagging_data() -> None:
    driver = Driver()
    driver.call("session", "viewCategory", "/Men")
    driver.call("action", "setPlacements", ["cat-1"])
    data = [o for o in driver.outputs if isinstance(o, ObjectData)][-1].data
    assert data["pageType"] == "category"
    assert data["categories"] == ["/Men"]
    assert data["elements"] == ["cat-1"]


def test_session_setters_ignore_null_and_undefined_but_action_setters_clear_on_null() -> None:
    driver = Driver()
    driver.call("session", "setCart", {"items": [SHIRT]})
    driver.call("session", "setCart", None)
    driver.call("session", "viewCart")
    driver.call("action", "setCart", None)
    driver.call("action", "load")
    assert driver.requests()[0].request.body["cart"] == []
    assert driver.engine.session.state.mirror()["cart"] == [SHIRT]


def test_a_recommendation_request_maps_onto_an_action() -> None:
    body, _, _ = body_of(
        [
            ("api", "createRecommendationRequest"),
            ("builder", "setPageType", "product"),
            ("builder", "addElements", "pdp-1", "pdp-2"),
            ("builder", "setProducts", ["181503"]),
            ("builder", "loadRecommendations"),
        ]
    )
    assert body == {
        **COMMON,
        "page_type": "product",
        "elements": ["pdp-1", "pdp-2"],
        "events": [["vp", "181503"]],
    }


@pytest.mark.parametrize("form", ["session", "api"])
def test_attribution_records_events_and_sends_them_on_done(form: str) -> None:
    driver = Driver()
    if form == "session":
        driver.call("session", "recordAttribution", "vp", "181503", "res-1", "front-1")
    else:
        driver.call(
            "api",
            "recordAttribution",
            {"type": "vp", "target": "181503", "ref": "res-1", "refSrc": "front-1"},
        )
    driver.call("attribution", "recordAttribution", {"type": "cp", "target": "34552"})
    assert driver.requests() == []
    driver.call("attribution", "done")
    [built] = driver.requests()
    assert built.request.body["events"] == [["vp", "181503", "res-1", "front-1"], ["cp", "34552"]]
    assert "page_type" not in built.request.body
    assert parse_qs(urlsplit(built.request.url).query)["skipPageViews"] == ["true"]


def test_an_unknown_event_type_is_rejected() -> None:
    driver = Driver()
    driver.call("api", "recordAttribution", {"type": "nope", "target": "1"})
    assert "event.type: 'nope' is not one of" in driver.errors()[0]


def test_performing_an_action_whose_creation_failed_settles_at_once() -> None:
    driver = Driver()
    driver.call("session", "viewProduct", "")
    driver.call("action", "load")
    assert driver.requests() == []
    assert [o.eid for o in driver.outputs if isinstance(o, Settled)] == ["e2"]


@pytest.mark.parametrize(
    ("method", "arg", "key", "expected"),
    [
        ("customer", CUSTOMER, "customer", dict(CUSTOMER, type="loggedin")),
        ("resendCartContent", {"items": [SHIRT]}, "cart", [SHIRT]),
    ],
)
def test_top_level_pushes_send_only_their_data(
    method: str, arg: Any, key: str, expected: Any
) -> None:
    body, query, _ = body_of([("api", method, arg)])
    assert body == {"url": URL, key: expected}
    assert query["skipPageViews"] == ["true"] and query["skipEvents"] == ["true"]


def test_top_level_report_add_to_cart_sends_the_attribution() -> None:
    body, _, _ = body_of([("api", "recommendedProductAddedToCart", "181503", "cart-1")])
    assert body["events"] == [["cp", "181503", "cart-1"]]


def test_do_not_track_sends_no_visitor_and_makes_no_cookie() -> None:
    driver = Driver()
    driver.engine = Engine(EngineConfig("demo", "http://127.0.0.1/ev1", ""))
    driver.call("api", "visit.setDoNotTrack", True)
    driver.call("session", "viewFrontPage")
    driver.call("action", "load")
    query = parse_qs(urlsplit(driver.requests()[0].request.url).query)
    assert "c" not in query
    assert driver.engine.mirror()["visit"]["doNotTrack"] is True
    assert driver.engine.visit.visitor is None


@pytest.mark.parametrize(
    ("config", "calls", "opted_out"),
    [
        pytest.param({"privacy_signal": True}, [], True, id="gpc-or-dnt"),
        pytest.param(
            {"privacy_signal": True}, [("api", "visit.setDoNotTrack", False)], True,
            id="the-page-cannot-switch-the-browser-signal-off",
        ),
        pytest.param({"do_not_track": True}, [], True, id="api-opt-out-of-this-browser-session"),
        pytest.param(
            {"do_not_track": True}, [("api", "visit.setDoNotTrack", False)], False,
            id="api-opt-out-ended-by-the-api",
        ),
    ],
)  # fmt: skip
def test_consent_signals_count_as_do_not_track(
    config: dict[str, bool], calls: list[tuple[Any, ...]], opted_out: bool
) -> None:
    driver = Driver()
    driver.engine = Engine(EngineConfig("demo", "http://127.0.0.1/ev1", "", **config))
    for target, method, *args in calls:
        driver.call(target, method, *args)
    driver.call("session", "viewFrontPage")
    driver.call("action", "load")
    query = parse_qs(urlsplit(driver.requests()[0].request.url).query)
    assert ("c" not in query) is opted_out
    assert driver.engine.mirror()["visit"]["doNotTrack"] is opted_out
    assert (driver.engine.visit.visitor is None) is opted_out


def test_a_first_visit_gets_a_visitor_id_when_the_first_request_needs_it() -> None:
    driver = Driver()
    driver.engine = Engine(
        EngineConfig("demo", "http://127.0.0.1/ev1", ""), random_bytes=lambda n: bytes(range(n))
    )
    driver.call("session", "viewFrontPage")
    assert driver.engine.visit.visitor is None
    driver.call("action", "load")
    assert driver.engine.visit.visitor == "000102030405060708090a0b"
    query = parse_qs(urlsplit(driver.requests()[0].request.url).query)
    assert query["c"] == ["000102030405060708090a0b"]


@pytest.mark.parametrize(
    ("target", "method", "args", "named"),
    [
        ("session", "setVariation", (42.5,), None),
        ("session", "setResponseMode", ("XML",), "mode: 'XML' is not one of"),
        ("session", "viewCategory", ("",), "categories[0]: ''"),
        ("session", "addOrder", ({"items": []},), "info is required"),
        ("session", "viewProductSku", ("1",), "skuId is required"),
        ("api", "visit.setCustomerId", ("nope",), "id: 'nope' is not a visitor id"),
        ("api", "setAutoLoad", ("yes",), "flag: 'yes' is not true or false"),
    ],
)
def test_bad_arguments_name_the_method_and_field(
    target: str, method: str, args: tuple[Any, ...], named: str | None
) -> None:
    driver = Driver()
    driver.call(target, method, *args)
    if named is None:  # a number for a string is read as its text
        assert driver.errors() == []
    else:
        [error] = driver.errors()
        assert error.startswith(method) and named in error


def test_customer_data_lost_with_a_closed_tab_is_reported_on_the_next_request() -> None:
    driver = Driver()
    driver.engine.lost_private = 2
    driver.call("session", "viewFrontPage")
    driver.call("action", "load")
    driver.call("action", "load")
    first, second = (parse_qs(urlsplit(b.request.url).query) for b in driver.requests())
    assert first["lostPrivate"] == ["2"]
    assert "lostPrivate" not in second


def test_built_requests_say_whether_they_name_a_person_or_carry_an_order() -> None:
    driver = Driver()
    driver.call("session", "viewFrontPage")
    driver.call("action", "load")
    driver.call("session", "setCustomer", CUSTOMER)
    driver.call("session", "viewCart")
    driver.call("action", "load")
    driver.call("session", "addOrder", ORDER)
    driver.call("action", "load")
    anonymous, customer, order = driver.requests()
    assert (anonymous.private, anonymous.order) == (False, False)
    assert (customer.private, customer.order) == (True, False)
    assert (order.private, order.order) == (True, True)
