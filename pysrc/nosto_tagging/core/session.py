"""The session: cart, customer and the other state a storefront sets, with Nosto's setter rules.

Rules (``nostojs-api.md`` §3.2, Nosto's "Managing Sessions"): ``null`` or ``undefined`` leave
the value as it was, ``{}`` resets it, anything else replaces it whole after validation. A cart
or customer the page never set is *unknown*: requests leave it out, so a fresh page does not
wipe what Nosto already holds. Invalid input raises ``InvalidInput`` and changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from nosto_tagging.core.errors import FieldProblem, InvalidInput
from nosto_tagging.core.models import Cart, CartItem, Customer, WireModel, field_problems
from nosto_tagging.core.protocol import UNDEFINED, Unrepresentable

DEFAULT_RESPONSE_MODE = "JSON_ORIGINAL"
M = TypeVar("M", bound=BaseModel)


class _Keep:
    """A Session setter's "no change" (``null``/``undefined``), apart from ``None`` values."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Final = _Keep()


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
        return {_camel(item.name): wire_value(getattr(self, item.name)) for item in fields(self)}


def wire_value(value: Any) -> Any:
    """A state value as JSON: models by their ``wire()``, a cart as a list of its items."""
    if isinstance(value, tuple):
        return [wire_value(item) for item in value]
    if isinstance(value, WireModel):
        return value.wire()
    return value


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)


class Session:
    """``api.defaultSession()``: one long-lived object per page.

    Its setters are the rows of ``core.api`` that name a ``state`` field: each parses its
    argument (``KEEP``: no change) and replaces that field.
    """

    def __init__(self) -> None:
        self.state = SessionState()

    def set(self, field: str, value: Any) -> None:
        if value is not KEEP:
            self.state = replace(self.state, **{field: value})
