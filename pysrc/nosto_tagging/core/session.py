"""The session: cart, customer and the other state a storefront sets, with Nosto's setter rules.

Rules (``nostojs-api.md`` §3.2, Nosto's "Managing Sessions"): ``null`` or ``undefined`` leave
the value as it was, ``{}`` resets it, anything else replaces it whole after validation. A cart
or customer the page never set is *unknown*: requests leave it out, so a fresh page does not
wipe what Nosto already holds. Invalid input raises ``InvalidInput`` and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from nosto_tagging.core import arguments
from nosto_tagging.core.errors import FieldProblem, InvalidInput
from nosto_tagging.core.models import RENDER_MODES, Cart, CartItem, Customer, field_problems
from nosto_tagging.core.protocol import UNDEFINED, Unrepresentable

DEFAULT_RESPONSE_MODE = "JSON_ORIGINAL"
M = TypeVar("M", bound=BaseModel)


def is_absent(value: object) -> bool:
    """``null`` and ``undefined``: the page says nothing changed."""
    return value is None or value is UNDEFINED


def is_representable(value: Any) -> bool:
    """No value inside ``value`` is one the loader could not copy (the common case, checked
    without building field paths)."""
    if isinstance(value, dict):
        return all(map(is_representable, value.values()))
    if isinstance(value, list):
        return all(map(is_representable, value))
    return not isinstance(value, Unrepresentable)


def unrepresentable_fields(value: Any) -> list[FieldProblem]:
    """Values the loader could not copy (functions, cycles, elements): each is an error."""
    return [] if is_representable(value) else _unrepresentable(value, "")


def _unrepresentable(value: Any, path: str) -> list[FieldProblem]:
    if isinstance(value, Unrepresentable):
        return [FieldProblem(path, value, "cannot be sent to Nosto (not JSON data)")]
    if isinstance(value, dict):
        return [
            problem
            for key, item in value.items()
            for problem in _unrepresentable(item, f"{path}.{key}" if path else str(key))
        ]
    if isinstance(value, list):
        return [
            problem
            for index, item in enumerate(value)
            for problem in _unrepresentable(item, f"{path}[{index}]")
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


def cart_change(method: str, cart: Any) -> tuple[CartItem, ...]:
    """A cart argument that is not "no change": ``{}`` resets, an object replaces whole."""
    if cart == {}:
        return ()
    return tuple(validate(Cart, method, cart).items)


def customer_change(method: str, customer: Any) -> Customer:
    """A customer argument that is not "no change": ``{}`` resets (sent as ``customer: {}``)."""
    if customer == {}:
        return Customer()
    return validate(Customer, method, customer)


@dataclass(frozen=True)
class SessionState:
    """What the session holds; ``None`` for cart/customer means never set (unknown)."""

    cart: tuple[CartItem, ...] | None = None
    customer: Customer | None = None
    variation: str | None = None
    restore_link: str | None = None
    response_mode: str = DEFAULT_RESPONSE_MODE
    campaign_injection: bool = False  # nosto.d.ts: "By default, the campaign injection is disabled"

    def mirror(self) -> dict[str, Any]:
        """The page-side copy the loader keeps for synchronous getters (memory only)."""
        return {
            "cart": [item.wire() for item in self.cart] if self.cart is not None else None,
            "customer": self.customer.wire() if self.customer is not None else None,
            "variation": self.variation,
            "restoreLink": self.restore_link,
            "responseMode": self.response_mode,
            "campaignInjection": self.campaign_injection,
        }


class Session:
    """``api.defaultSession()``: one long-lived object per page."""

    def __init__(self) -> None:
        self.state = SessionState()

    def _update(self, **changes: Any) -> None:
        self.state = replace(self.state, **changes)

    def set_cart(self, cart: Any) -> None:
        if not is_absent(cart):
            self._update(cart=cart_change("setCart", cart))

    def set_customer(self, customer: Any) -> None:
        if not is_absent(customer):
            self._update(customer=customer_change("setCustomer", customer))

    def set_variation(self, variation: Any) -> None:
        # nosto-react sends "" when the shop has a single currency: that means no variation.
        if variation == "":
            self._update(variation=None)
        elif not is_absent(variation):
            self._update(variation=arguments.text("setVariation", "variation", variation))

    def set_restore_link(self, link: Any) -> None:
        if not is_absent(link):
            self._update(restore_link=arguments.text("setRestoreLink", "restoreLink", link))

    def set_response_mode(self, mode: Any) -> None:
        self._update(response_mode=arguments.one_of("setResponseMode", "mode", mode, RENDER_MODES))

    def enable_campaign_injection(self) -> None:
        self._update(campaign_injection=True)

    def disable_campaign_injection(self) -> None:
        self._update(campaign_injection=False)
