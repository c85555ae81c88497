"""Session setter rules: null/undefined no change, {} reset, replace whole, invalid ignored."""

from __future__ import annotations

from typing import Any

import pytest

from nosto_tagging.core.api import set_on_session
from nosto_tagging.core.errors import InvalidInput
from nosto_tagging.core.protocol import UNDEFINED
from nosto_tagging.core.session import Session
from tests.examples import CUSTOMER, SHIRT, SHOE


def set_cart(session: Session, cart: Any) -> None:
    set_on_session(session, "setCart", (cart,))


def set_customer(session: Session, customer: Any) -> None:
    set_on_session(session, "setCustomer", (customer,))


def cart_of(session: Session) -> list[dict[str, Any]] | None:
    return session.state.mirror()["cart"]


def test_a_new_session_has_no_known_cart_or_customer() -> None:
    session = Session()
    assert session.state.cart is None
    assert session.state.customer is None


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        pytest.param(None, None, None, id="null-on-new-session-stays-unknown"),
        pytest.param(UNDEFINED, None, None, id="undefined-on-new-session-stays-unknown"),
        pytest.param({"items": [SHIRT]}, None, [SHIRT], id="null-keeps-previous-cart"),
        pytest.param({"items": [SHIRT]}, UNDEFINED, [SHIRT], id="undefined-keeps-previous-cart"),
        pytest.param({"items": [SHIRT]}, {}, [], id="empty-object-resets"),
        pytest.param({"items": [SHIRT]}, {"items": [SHOE]}, [SHOE], id="full-cart-replaces-whole"),
        pytest.param({"items": [SHIRT]}, {"items": []}, [], id="empty-items-empties"),
    ],
)
def test_set_cart_follows_the_seed_rules(first: Any, then: Any, expected: Any) -> None:
    session = Session()
    set_cart(session, first)
    if then is not None:
        set_cart(session, then)
    assert cart_of(session) == expected


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ({"items": [{"product_id": "1", "quantity": "lots"}]}, "items[0].quantity: 'lots'"),
        ({"items": [dict(SHIRT, quantity=-1)]}, "items[0].quantity: -1"),
        ({"items": [dict(SHIRT, price_currency_code="euro")]}, "items[0].price_currency_code"),
        (
            {"items": [dict(SHIRT, price_currency_code="XYZ")]},
            "'XYZ' is invalid (is not an ISO 4217",
        ),
        ({"items": [dict(SHIRT, product_id="")]}, "items[0].product_id: ''"),
        ({"items": [dict(SHIRT, unit_price=float("nan"))]}, "items[0].unit_price"),
        ({"items": "all of them"}, "items: 'all of them'"),
        ("a cart", "(the argument): 'a cart' is not an object"),
    ],
)
def test_invalid_cart_names_the_field_and_keeps_the_previous_cart(bad: Any, named: str) -> None:
    session = Session()
    set_cart(session, {"items": [SHIRT]})
    with pytest.raises(InvalidInput) as raised:
        set_cart(session, bad)
    assert raised.value.method == "setCart"
    assert named in str(raised.value)
    assert cart_of(session) == [SHIRT]


def test_strings_for_numbers_are_read_as_numbers() -> None:
    session = Session()
    set_cart(
        session,
        {
            "items": [
                dict(
                    SHIRT,
                    quantity="2",
                    unit_price="123.45",
                    product_id=181503,
                    price_currency_code="eur",
                )
            ]
        },
    )
    assert cart_of(session) == [SHIRT]


def test_unknown_cart_item_fields_are_kept() -> None:
    session = Session()
    set_cart(session, {"items": [dict(SHIRT, color="red")]})
    assert cart_of(session) == [dict(SHIRT, color="red")]


@pytest.mark.parametrize(
    ("first", "then", "expected"),
    [
        pytest.param(UNDEFINED, None, None, id="undefined-stays-unknown"),
        pytest.param(CUSTOMER, None, "kept", id="null-keeps-previous"),
        pytest.param(CUSTOMER, UNDEFINED, "kept", id="undefined-keeps-previous"),
        pytest.param(CUSTOMER, {}, {}, id="empty-object-resets"),
    ],
)
def test_set_customer_follows_the_seed_rules(first: Any, then: Any, expected: Any) -> None:
    session = Session()
    set_customer(session, first)
    if then is not None:
        set_customer(session, then)
    mirrored = session.state.mirror()["customer"]
    if expected == "kept":
        assert mirrored == dict(CUSTOMER, type="loggedin")
    else:
        assert mirrored == expected


def test_marketing_permission_is_false_unless_given() -> None:
    session = Session()
    set_customer(session, {"email": "a@example.com"})
    assert session.state.customer is not None
    assert session.state.customer.marketing_permission is False
    assert "newsletter" not in session.state.mirror()["customer"]


@pytest.mark.parametrize("name", ["newsletter", "marketing_permission"])
def test_marketing_permission_may_be_given_by_either_name_and_travels_as_newsletter(
    name: str,
) -> None:
    session = Session()
    set_customer(session, {"email": "a@example.com", name: True})
    assert session.state.customer is not None
    assert session.state.customer.marketing_permission is True
    assert session.state.mirror()["customer"]["newsletter"] is True


def test_invalid_customer_keeps_the_previous_customer() -> None:
    session = Session()
    set_customer(session, CUSTOMER)
    with pytest.raises(InvalidInput, match=r"email \(value not shown") as raised:
        set_customer(session, dict(CUSTOMER, email="not an email"))
    assert "not an email" not in str(raised.value)
    assert session.state.mirror()["customer"]["email"] == "devnull@nosto.com"


@pytest.mark.parametrize(
    ("method", "field", "value", "shown"),
    [
        ("setCart", "items[0].quantity", "lots", True),
        ("setCart", "items[0].name", "Shirt", True),
        ("setCart", "items[0].unit_price", 12.5, True),
        ("setCustomer", "first_name", 42, True),  # a number is nobody's name
        ("setCustomer", "first_name", "Ann", False),  # customer data: no text shown
        ("addOrder", "items[0].quantity", "lots", False),
        ("setCart", "items[0].custom", "ann@example.com", False),  # email-shaped anywhere
        ("setVariation", "variation", "https://shop.test/?reset=tok", False),  # a URL query
        ("setVariation", "variation", "https://shop.test/p", True),
        ("setCart", "items[0].phone", "555-0100", False),  # a personal field's name
    ],
)
def test_messages_show_a_value_only_when_it_cannot_be_customer_data(
    method: str, field: str, value: Any, shown: bool
) -> None:
    from nosto_tagging.core.api import is_private_method
    from nosto_tagging.core.errors import FieldProblem

    error = InvalidInput(method, [FieldProblem(field, value, "is wrong")])
    message = error.describe(personal=is_private_method(method))
    assert field in message and "is wrong" in message
    assert (repr(value) in message) is shown


def test_values_the_loader_could_not_copy_are_named_and_rejected() -> None:
    from nosto_tagging.core.protocol import Unrepresentable

    session = Session()
    with pytest.raises(InvalidInput, match=r"items\[0\]\.name: <cycle> cannot be sent"):
        set_cart(session, {"items": [dict(SHIRT, name=Unrepresentable("cycle"))]})
    assert session.state.cart is None


def test_a_cart_object_without_items_is_not_a_reset() -> None:
    session = Session()
    with pytest.raises(InvalidInput, match=r"items is required"):
        set_cart(session, {"item": [SHIRT]})
