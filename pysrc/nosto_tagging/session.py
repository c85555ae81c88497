"""The session: cart, customer and the other state a storefront sets, with Nosto's setter rules.

Rules (``nostojs-api.md`` §3.2, Nosto's "Managing Sessions"): ``null`` or ``undefined`` leave
the value as it was, ``{}`` resets it, anything else replaces it whole after validation. A cart
or customer the page never set is *unknown*: requests leave it out, so a fresh page does not
wipe what Nosto already holds. Invalid input raises ``InvalidInput`` and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from nosto_tagging.errors import FieldProblem, InvalidInput
from nosto_tagging.models import Cart, CartItem, Customer, field_problems
from nosto_tagging.protocol import UNDEFINED, Unrepresentable

DEFAULT_RESPONSE_MODE = "JSON_ORIGINAL"
M = TypeVar("M", bound=BaseModel)


def is_absent(value: object) -> bool:
    """``null`` and ``undefined``: the page says nothing changed."""
    return value is None or value is UNDEFINED


def unrepresentable_fields(value: Any, path: str = "") -> list[FieldProblem]:
    """Values the loader could not copy (functions, cycles, elements): each is an error."""
    if isinstance(value, Unrepresentable):
        return [FieldProblem(path, value, "cannot be sent to Nosto (not JSON data)")]
    if isinstance(value, dict):
        return [
            problem
            for key, item in value.items()
            for problem in unrepresentable_fields(item, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(value, list):
        return [
            problem
            for index, item in enumerate(value)
            for problem in unrepresentable_fields(item, f"{path}[{index}]")
        ]
    return []


def validate(model: type[M], method: str, value: Any) -> M:
    """Validate one argument into ``model`` or raise ``InvalidInput`` naming each field."""
    if not isinstance(value, dict):
        raise InvalidInput(method, [FieldProblem("", value, "is not an object")])
    problems = unrepresentable_fields(value)
    if problems:
        raise InvalidInput(method, problems)
    try:
        return model.model_validate(value)
    except ValidationError as error:
        raise InvalidInput(method, field_problems(error)) from None


@dataclass(frozen=True)
class SessionState:
    """What the session holds; ``None`` for cart/customer means never set (unknown)."""

    cart: tuple[CartItem, ...] | None = None
    customer: Customer | None = None
    response_mode: str = DEFAULT_RESPONSE_MODE
    extra: dict[str, Any] = field(default_factory=dict)

    def mirror(self) -> dict[str, Any]:
        """The page-side copy the loader keeps for synchronous getters (memory only)."""
        return {
            "cart": [item.wire() for item in self.cart] if self.cart is not None else None,
            "customer": self.customer.wire() if self.customer is not None else None,
            "responseMode": self.response_mode,
        }


class Session:
    """``api.defaultSession()``: one long-lived object per page."""

    def __init__(self) -> None:
        self.state = SessionState()

    def set_cart(self, cart: Any) -> None:
        if is_absent(cart):
            return
        if cart == {}:
            self.state = replace(self.state, cart=())
            return
        parsed = validate(Cart, "setCart", cart)
        self.state = replace(self.state, cart=tuple(parsed.items))

    def set_customer(self, customer: Any) -> None:
        if is_absent(customer):
            return
        if customer == {}:
            self.state = replace(self.state, customer=Customer())
            return
        self.state = replace(self.state, customer=validate(Customer, "setCustomer", customer))
