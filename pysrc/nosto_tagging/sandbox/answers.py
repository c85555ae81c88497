"""The ``EventResponseMessage`` the collector answers an accepted request with.

``nosto.d.ts``: ``{visit, customer, pv, cs, ct, recommendations, errors, ...}``: visit and
customer ids, page views, cart size and total, one campaign result per requested placement.
Computed from the visitor's state *after* the request (``visitors.apply``).
"""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING, Any

from nosto_tagging.sandbox.recommendations import Context, Recommender
from nosto_tagging.sandbox.visitors import VisitorState

if TYPE_CHECKING:
    from nosto_tagging.core.models import EventRequest


def answer(event: EventRequest, state: VisitorState, recommender: Recommender) -> dict[str, Any]:
    """The response to ``event`` for a visitor now in ``state``."""
    context = Context(
        page_type=event.page_type,
        viewed=tuple(str(e[1]) for e in event.events or [] if len(e) > 1 and e[0] == "vp" and e[1]),
        categories=tuple(event.categories or ()),
        search_terms=tuple(event.search_terms or ()),
        in_cart=tuple(str(item.get("product_id")) for item in state.cart),
        currency=recommender.catalog.currency(state.variation or _cart_currency(state)),
    )
    return {
        "visit": visit_id(state.account, state.visitor),
        "customer": state.visitor,
        "pv": state.page_views,
        "cs": state.cart_size,
        "ct": state.cart_total,
        "recommendations": recommender.recommend(
            list(event.elements or []), event.response_mode, context
        ),
        "errors": [],
    }


def visit_id(account: str, visitor: str) -> str:
    """A stable 24-hex visit id per account and visitor."""
    return hashlib.sha256(f"{account}\0{visitor}".encode("utf-8", "replace")).hexdigest()[:24]


def _cart_currency(state: VisitorState) -> str | None:
    for item in state.cart:
        currency = item.get("price_currency_code")
        if isinstance(currency, str):
            return currency
    return None
