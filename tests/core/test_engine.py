"""The engine end to end in CPython: journaled calls in, requests and console messages out."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from nosto_tagging.core.engine import Built, Engine, EngineConfig, Log, StateChanged
from nosto_tagging.core.protocol import UNDEFINED, Call
from tests.examples import CUSTOMER, SHIRT, SHOE

T0 = 1_795_000_000_000.0  # 2026-11-18T11:06:40Z in page milliseconds
VISITOR = "0123456789abcdef01234567"


class Page:
    """Plays the loader's part: numbers calls, applies them, collects the outputs."""

    def __init__(self) -> None:
        self.engine = Engine(EngineConfig("demo", "http://127.0.0.1:8000/ev1", VISITOR))
        self.count = 0
        self.outputs: list[Any] = []

    def call(self, target: str, method: str, *args: Any) -> str:
        self.count += 1
        eid = f"e{self.count}"
        call = Call(
            eid, T0 + self.count, "http://shop.test/cart", "http://shop.test/", target, method, args
        )
        self.outputs += self.engine.apply(call)
        return eid

    def requests(self) -> list[Built]:
        return [output for output in self.outputs if isinstance(output, Built)]

    def logs(self) -> list[Log]:
        return [output for output in self.outputs if isinstance(output, Log)]


def test_nothing_is_sent_until_an_action_is_performed() -> None:
    page = Page()
    page.call("session", "setCart", {"items": [SHIRT]})
    page.call("session", "setCustomer", CUSTOMER)
    action = page.call("session", "viewCart")
    assert page.requests() == []
    page.call(f"action:{action}", "update")
    assert len(page.requests()) == 1


def test_the_cart_example_builds_one_request_with_the_exact_items() -> None:
    page = Page()
    page.call("session", "setCart", {"items": [SHIRT, SHOE]})
    action = page.call("session", "viewCart")
    eid = page.call(f"action:{action}", "update")
    [built] = page.requests()
    url = urlsplit(built.request.url)
    assert url.path == "/ev1"
    assert parse_qs(url.query) == {
        "m": ["demo"],
        "c": [VISITOR],
        "eid": [eid],
        "skipPageViews": ["true"],
    }
    assert built.request.body == {
        "page_type": "cart",
        "response_mode": "JSON_ORIGINAL",
        "url": "http://shop.test/cart",
        "referrer": "http://shop.test/",
        "event_date": "2026-11-18T11:06:40.003Z",
        "cart": [SHIRT, SHOE],
    }
    assert json.loads(built.request.body_text()) == built.request.body


def test_a_body_holding_an_email_shaped_value_is_private_like_one_naming_the_customer() -> None:
    # The page keeps a private body in sessionStorage only: never a copy in localStorage.
    plain, noted = Page(), Page()
    plain.call("session", "setCart", {"items": [SHIRT]})
    noted.call("session", "setCart", {"items": [{**SHIRT, "note": "ann@example.com"}]})
    for page in (plain, noted):
        page.call(f"action:{page.call('session', 'viewCart')}", "update")
    [cart], [cart_with_note] = plain.requests(), noted.requests()
    assert not cart.private
    assert cart_with_note.private and "customer" not in cart_with_note.request.body


def test_the_customer_example_sends_the_customer_and_no_cart() -> None:
    page = Page()
    page.call("session", "setCustomer", CUSTOMER)
    page.call("action:" + page.call("session", "viewCart"), "update")
    [built] = page.requests()
    assert "cart" not in built.request.body
    assert built.request.body["customer"] == dict(CUSTOMER, type="loggedin")


@pytest.mark.parametrize(
    ("calls", "cart_on_wire"),
    [
        pytest.param([], "absent", id="never-set-is-omitted"),
        pytest.param([None], "absent", id="null-is-omitted"),
        pytest.param([UNDEFINED], "absent", id="undefined-is-omitted"),
        pytest.param([{}], [], id="reset-is-explicit"),
        pytest.param([{"items": [SHIRT]}], [SHIRT], id="full-cart"),
        pytest.param([{"items": [SHIRT]}, None], [SHIRT], id="null-after-full-keeps-it"),
        pytest.param(
            [{"items": [SHIRT]}, {"items": [{"quantity": "lots"}]}],
            [SHIRT],
            id="invalid-after-full-keeps-it",
        ),
    ],
)
def test_cart_on_the_wire_follows_the_session(calls: list[Any], cart_on_wire: Any) -> None:
    page = Page()
    for cart in calls:
        page.call("session", "setCart", cart)
    page.call("action:" + page.call("session", "viewFrontPage"), "load")
    [built] = page.requests()
    assert built.request.body.get("cart", "absent") == cart_on_wire


def test_customer_reset_is_an_explicit_empty_object() -> None:
    page = Page()
    page.call("session", "setCustomer", CUSTOMER)
    page.call("session", "setCustomer", {})
    page.call("action:" + page.call("session", "viewOther"), "load")
    assert page.requests()[0].request.body["customer"] == {}


def test_view_product_records_a_product_view_event() -> None:
    page = Page()
    page.call("action:" + page.call("session", "viewProduct", "181503"), "load")
    body = page.requests()[0].request.body
    assert body["page_type"] == "product"
    assert body["events"] == [["vp", "181503"]]


def test_load_flags_travel_as_query_parameters_and_load_counts_a_page_view() -> None:
    page = Page()
    action = page.call("session", "viewFrontPage")
    page.call(f"action:{action}", "load")
    page.call(f"action:{action}", "load", {"skipEvents": True, "trackEvents": False})
    first, second = (parse_qs(urlsplit(b.request.url).query) for b in page.requests())
    assert "skipPageViews" not in first
    assert second["skipEvents"] == ["true"]
    assert second["trackEvents"] == ["false"]


def test_invalid_set_cart_logs_one_error_naming_method_field_and_value() -> None:
    page = Page()
    page.call("session", "setCart", {"items": [SHIRT]})
    page.call("session", "setCart", {"items": [{"product_id": "1", "quantity": "lots"}]})
    [log] = page.logs()
    assert log.level == "error"
    assert log.method == "setCart"
    assert "items[0].quantity: 'lots'" in log.message
    page.call("action:" + page.call("session", "viewCart"), "update")
    assert page.requests()[0].request.body["cart"] == [SHIRT]


def test_setters_report_the_new_state_for_the_page_mirror() -> None:
    page = Page()
    page.call("session", "setCart", {"items": [SHIRT]})
    page.call("session", "setCart", None)
    states = [output for output in page.outputs if isinstance(output, StateChanged)]
    assert len(states) == 1
    assert states[0].state["session"]["cart"] == [SHIRT]


def test_an_action_whose_view_call_was_invalid_sends_nothing_and_says_why() -> None:
    page = Page()
    page.call("action:" + page.call("session", "viewProduct", ""), "load")
    assert page.requests() == []
    first, second = page.logs()
    assert "product: '' is not a non-empty string" in first.message
    assert second.method == "load" and "ignored, because viewProduct" in second.message


def test_invalid_load_flags_are_reported_and_nothing_is_sent() -> None:
    page = Page()
    page.call("action:" + page.call("session", "viewCart"), "load", {"skipPageViewz": True})
    assert page.requests() == []
    assert "flags.skipPageViewz" in page.logs()[0].message


def test_unknown_methods_warn_instead_of_failing() -> None:
    page = Page()
    page.call("session", "setSomethingNew", 1)
    assert page.logs()[0].level == "warn"
