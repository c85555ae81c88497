"""What Nosto holds for one visitor after applying their requests in order: the derived state.

Cart and customer follow the session rules of ``shared/reference/nostojs-api.md`` §3.2 as the
engine encodes them: a key that is absent (or ``null``) means no change, ``cart: []`` and
``customer: {}`` reset, anything else replaces the whole. A request counts as a page view unless
its query says ``skipPageViews=true`` (``update()``); a body with an ``order`` object is an order.
Pure: :func:`apply` returns a new state and touches no database.

Bounded: a state holds one cart and one customer (each within one 64 KB message) and the last
:data:`KEPT_ORDERS` orders; ``order_count`` counts them all.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nosto_tagging.core.models import EventRequest

SKIP_PAGE_VIEWS = "skipPageViews"
KEPT_ORDERS = 10


@dataclass(frozen=True)
class Change:
    """One accepted request, as far as the visitor's state is concerned."""

    request_id: int
    received_at: str
    query: dict[str, str]
    body: dict[str, Any]
    event: EventRequest

    @property
    def counts_as_page_view(self) -> bool:
        return self.query.get(SKIP_PAGE_VIEWS) != "true"


@dataclass(frozen=True)
class VisitorState:
    """A visitor's cart, customer, page views and orders after their requests so far."""

    account: str
    visitor: str
    cart: list[dict[str, Any]] = field(default_factory=list)
    customer: dict[str, Any] | None = None
    variation: str | None = None
    page_views: int = 0
    requests: int = 0
    duplicates: int = 0  # requests that repeated a stored event id (not stored again)
    orders: list[dict[str, Any]] = field(default_factory=list)  # the last KEPT_ORDERS
    order_count: int = 0
    first_seen: str | None = None
    last_seen: str | None = None
    last_request_id: int | None = None

    @cached_property
    def cart_size(self) -> int:
        return sum(_int(item.get("quantity")) for item in self.cart)

    @cached_property
    def cart_total(self) -> float:
        total = sum(
            _int(item.get("quantity")) * _float(item.get("unit_price")) for item in self.cart
        )
        return round(total, 2)

    def as_json(self) -> dict[str, Any]:
        return {
            "account": self.account,
            "visitor": self.visitor,
            "cart": self.cart,
            "cart_size": self.cart_size,
            "cart_total": self.cart_total,
            "customer": self.customer,
            "variation": self.variation,
            "page_views": self.page_views,
            "requests": self.requests,
            "duplicates": self.duplicates,
            "orders": self.orders,
            "order_count": self.order_count,
            "first_seen": self.first_seen,
            "last_seen": self.last_seen,
            "last_request_id": self.last_request_id,
        }

    def as_live_json(self) -> dict[str, Any]:
        """What a live ``request`` event carries: :meth:`as_json` with each kept order's
        summary but not the order as sent (``/api/visitors/{c}`` has that)."""
        summaries = [
            {key: value for key, value in order.items() if key != "order"} for order in self.orders
        ]
        return self.as_json() | {"orders": summaries}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> VisitorState:
        return cls(
            account=data["account"],
            visitor=data["visitor"],
            cart=data.get("cart") or [],
            customer=data.get("customer"),
            variation=data.get("variation"),
            page_views=data.get("page_views", 0),
            requests=data.get("requests", 0),
            duplicates=data.get("duplicates", 0),
            orders=(data.get("orders") or [])[-KEPT_ORDERS:],
            order_count=data.get("order_count", len(data.get("orders") or [])),
            first_seen=data.get("first_seen"),
            last_seen=data.get("last_seen"),
            last_request_id=data.get("last_request_id"),
        )


def apply(state: VisitorState, change: Change) -> VisitorState:
    """``state`` after ``change``: see the module docstring for the rules."""
    event = change.event
    cart = state.cart
    if event.cart is not None:  # [] resets, a list replaces; absent or null: no change
        cart = [item.wire() for item in event.cart]
    customer = state.customer
    if event.customer is not None:  # {} resets, an object replaces
        wired = event.customer.wire()
        customer = wired or None
    variation = state.variation
    if isinstance(event.current_variant_id, str) and event.current_variant_id:
        variation = event.current_variant_id
    orders, order_count = state.orders, state.order_count
    order = change.body.get("order")
    if isinstance(order, dict):
        orders = [*orders[-(KEPT_ORDERS - 1) :], summarize_order(order, change)]
        order_count += 1
    return replace(
        state,
        cart=cart,
        customer=customer,
        variation=variation,
        page_views=state.page_views + (1 if change.counts_as_page_view else 0),
        requests=state.requests + 1,
        orders=orders,
        order_count=order_count,
        first_seen=state.first_seen or change.received_at,
        last_seen=change.received_at,
        last_request_id=change.request_id,
    )


def summarize_order(order: dict[str, Any], change: Change) -> dict[str, Any]:
    """An order as the visitor panel lists it: number, items, total, and the order as sent."""
    info = order.get("info")
    info = info if isinstance(info, dict) else {}
    items = order.get("items")
    items = [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []
    currencies = {item.get("price_currency_code") for item in items}
    total = sum(_int(item.get("quantity", 1)) * _float(item.get("unit_price")) for item in items)
    return {
        "request_id": change.request_id,
        "received_at": change.received_at,
        "order_number": info.get("order_number"),
        "items": len(items),
        "total": round(total, 2),
        "currency": currencies.pop() if len(currencies) == 1 else None,
        "order": order,
    }


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _float(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return 0.0
    return float(value) if abs(value) < 1e15 else 0.0
