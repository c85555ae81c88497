"""Nosto's rules a valid request can still break: the warnings the viewer and QA tools show.

The rules read the validated ``EventRequest``: what the models guarantee (a known page type, an
order number, order lines with product id and an ISO 4217 currency, in any letter case) is not
checked again. They flag what Nosto accepts but handles badly, citing
``shared/reference/nostojs-api.md``: guessable customer references (§3.3), orders without the
buyer's email or a line's price (§3.5), orders whose discount lines (negative prices) exceed
the rest, placements requested without a page type, a product view without product, mixed
currencies, and the like. A body without page type that asks for no placements is an update
(a cart or customer push, attribution) and is not flagged: Nosto's own client sends its cart and
customer updates without page type (§4.3, §5).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nosto_tagging.core.models import (
    RENDER_MODES,
    CartItem,
    EventRequest,
    WebsiteOrder,
    WireCustomer,
)

MIN_REFERENCE_LENGTH = 16
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")


@dataclass(frozen=True)
class Finding:
    """One broken rule: a stable code, the dotted field, and what to do about it."""

    code: str
    field: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


def check_request(event: EventRequest) -> list[Finding]:
    """Every rule ``event`` (a request that passed validation) breaks, in field order."""
    found: list[Finding] = []
    found += _page_type(event)
    found += _customer(event.customer)
    found += _cart(event.cart, event.current_variant_id)
    found += _order(event.order)
    found += _elements(event.elements)
    mode = event.response_mode
    if mode is not None and mode not in RENDER_MODES:
        found.append(
            Finding(
                "unknown-response-mode",
                "response_mode",
                f"{mode!r} is not one of Nosto's RenderModes; use HTML or JSON_ORIGINAL",
            )
        )
    if not event.url:
        found.append(
            Finding("missing-url", "url", "no url: Nosto attributes views and clicks by page URL")
        )
    return found


def _page_type(event: EventRequest) -> list[Finding]:
    page_type = event.page_type
    if page_type is None:
        # Only a request for placements needs one. Nosto's resendCartTagging sends "only the
        # cart information... no placements, no events" (§5); its session sync, none either (§4.3).
        if not event.elements:
            return []
        return [
            Finding(
                "missing-page-type",
                "page_type",
                "placements requested without page_type: call a view method "
                "(viewFrontPage, viewProduct, ...) before load()",
            )
        ]
    kinds = {kind[0] for kind in event.events or [] if kind}
    found = []
    if page_type == "product" and "vp" not in kinds:
        found.append(
            Finding(
                "product-view-without-product",
                "events",
                "a product page without a vp event: pass the product id to viewProduct(id)",
            )
        )
    if page_type == "search" and not event.search_terms:
        found.append(
            Finding(
                "search-without-terms",
                "search_terms",
                "a search page without search terms: pass the query to viewSearch(term)",
            )
        )
    if page_type == "category":
        if not event.categories:
            found.append(
                Finding(
                    "category-without-category",
                    "categories",
                    'a category page without categories: viewCategory("/Men/Shirts")',
                )
            )
        else:
            found += [
                Finding(
                    "category-not-a-path",
                    f"categories[{index}]",
                    f"{category!r} is not slash-delimited; Nosto expects paths like /Men/Shirts",
                )
                for index, category in enumerate(event.categories)
                if not category.startswith("/")
            ]
    if page_type == "order" and event.order is None:
        found.append(
            Finding(
                "order-page-without-order",
                "order",
                "an order page without an order: call addOrder(order) on the confirmation page",
            )
        )
    return found


def _customer(customer: WireCustomer | None) -> list[Finding]:
    if customer is None or not (customer.model_fields_set or customer.model_extra):
        return []  # {} resets the customer: nothing to check
    found = []
    reference = customer.customer_reference
    if reference is not None:
        why = guessable_reason(reference)
        if why:
            found.append(
                Finding(
                    "guessable-customer-reference",
                    "customer.customer_reference",
                    f"{reference!r} {why}: use a long, non-guessable id, the HMAC-SHA256 of "
                    "your customer id under a secret your back end keeps: "
                    "nosto_tagging.customer_reference(customer_id, secret) in Python, or "
                    "`nosto-tagging customer-reference ID` to try one",
                )
            )
    if not customer.email:
        found.append(
            Finding(
                "customer-without-email",
                "customer.email",
                "a customer without email: Nosto identifies logged-in customers by email; "
                "send setCustomer({}) for a logged-out visitor instead",
            )
        )
    elif customer.newsletter is None and "marketing_permission" not in (customer.model_extra or {}):
        found.append(
            Finding(
                "missing-marketing-permission",
                "customer.newsletter",
                "no marketing permission given: Nosto assumes false and sends no emails; "
                "pass newsletter: true or false",
            )
        )
    return found


def guessable_reason(reference: str) -> str | None:
    """Why ``reference`` is guessable (short, all digits, an email, ...), or ``None``."""
    if _EMAIL.match(reference.strip()):
        return "is an email address"
    if reference.isdigit():
        return "is all digits (a sequential id)"
    if len(reference) < MIN_REFERENCE_LENGTH:
        return f"is shorter than {MIN_REFERENCE_LENGTH} characters"
    if len(set(reference)) <= 3:
        return "repeats too few characters"
    return None


def _cart(cart: list[CartItem] | None, variation: str | None) -> list[Finding]:
    if not cart:
        return []
    found = []
    for index, item in enumerate(cart):
        if item.unit_price == 0:
            found.append(
                Finding(
                    "zero-price",
                    f"cart[{index}].unit_price",
                    "a cart line priced 0: send the price the shopper pays",
                )
            )
        if item.quantity == 0:
            found.append(
                Finding(
                    "zero-quantity",
                    f"cart[{index}].quantity",
                    "a cart line with quantity 0: leave removed lines out of the cart",
                )
            )
    currencies = sorted({item.price_currency_code for item in cart})
    if len(currencies) > 1:
        found.append(
            Finding(
                "mixed-currencies",
                "cart",
                f"the cart mixes currencies ({', '.join(currencies)}); "
                "price every line in the shopper's currency",
            )
        )
    elif variation and variation != currencies[0]:
        found.append(
            Finding(
                "cart-currency-differs-from-variation",
                "cart",
                f"the cart is in {currencies[0]} but the variation is {variation!r}; "
                "call setVariation with the currency the cart is priced in",
            )
        )
    return found


def _order(order: WebsiteOrder | None) -> list[Finding]:
    if order is None:
        return []
    found = []
    if not order.info.email:
        found.append(
            Finding(
                "order-without-email",
                "order.info.email",
                "an order without the buyer's email: order follow-up emails cannot be sent",
            )
        )
    found += [
        Finding(
            "missing-price",
            f"order.items[{index}].unit_price",
            "an order line without unit_price: Nosto cannot count the order's value",
        )
        for index, item in enumerate(order.items)
        if item.unit_price is None
    ]
    # Discount lines have a negative price; the order as a whole cannot.
    total = sum(item.unit_price * item.quantity for item in order.items if item.unit_price)
    if total < 0:
        found.append(
            Finding(
                "negative-order-total",
                "order.items",
                "the order's lines add up to less than 0: a discount line "
                "(a negative unit_price) is larger than what was bought",
            )
        )
    return found


def _elements(elements: list[str] | None) -> list[Finding]:
    seen: set[str] = set()
    found = []
    for index, element in enumerate(elements or []):
        if element in seen:
            found.append(
                Finding(
                    "duplicate-placement",
                    f"elements[{index}]",
                    f"placement {element!r} is requested twice",
                )
            )
        seen.add(element)
    return found
