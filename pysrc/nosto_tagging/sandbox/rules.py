"""Nosto's rules a valid request can still break: the warnings the viewer and QA tools show.

The pydantic models reject what cannot be meant (a cart line without price or currency, an
unknown page type); these checks flag what Nosto accepts but handles badly, citing
``shared/reference/nostojs-api.md``: guessable customer references (§3.3), orders without
currency or number (§3.5), a product view without product, mixed currencies, and the like.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from nosto_tagging.models import PAGE_TYPES

RESPONSE_MODES = re.compile(r"^(HTML|JSON_ORIGINAL|JSON_\d+x\d+(_SQUARE)?|VERSION_SOURCE|JSON.*)$")
MIN_REFERENCE_LENGTH = 16
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+$")
_CURRENCY = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class Finding:
    """One broken rule: a stable code, the dotted field, and what to do about it."""

    code: str
    field: str
    message: str

    def as_json(self) -> dict[str, str]:
        return {"code": self.code, "field": self.field, "message": self.message}


def check_request(body: dict[str, Any], query: dict[str, str]) -> list[Finding]:
    """Every rule ``body`` (an already validated ``EventRequest``) breaks, in field order."""
    found: list[Finding] = []
    found += _page_type(body)
    found += _customer(body.get("customer"))
    found += _cart(body.get("cart"), body.get("current_variant_id"))
    found += _order(body)
    found += _elements(body.get("elements"))
    mode = body.get("response_mode")
    if isinstance(mode, str) and not RESPONSE_MODES.match(mode):
        found.append(
            Finding(
                "unknown-response-mode",
                "response_mode",
                f"{mode!r} is not one of Nosto's RenderModes; use HTML or JSON_ORIGINAL",
            )
        )
    if not body.get("url"):
        found.append(
            Finding("missing-url", "url", "no url: Nosto attributes views and clicks by page URL")
        )
    return found


def _page_type(body: dict[str, Any]) -> list[Finding]:
    page_type = body.get("page_type")
    if page_type is None:
        return [
            Finding(
                "missing-page-type",
                "page_type",
                "no page_type: call a view method (viewFrontPage, viewProduct, ...) before load()",
            )
        ]
    if page_type not in PAGE_TYPES:
        return [
            Finding(
                "unknown-page-type",
                "page_type",
                f"{page_type!r} is not a Nosto page type ({', '.join(PAGE_TYPES)})",
            )
        ]
    events = body.get("events") if isinstance(body.get("events"), list) else []
    kinds = {event[0] for event in events if isinstance(event, list) and event}
    found = []
    if page_type == "product" and "vp" not in kinds:
        found.append(
            Finding(
                "product-view-without-product",
                "events",
                "a product page without a vp event: pass the product id to viewProduct(id)",
            )
        )
    if page_type == "search" and not body.get("search_terms"):
        found.append(
            Finding(
                "search-without-terms",
                "search_terms",
                "a search page without search terms: pass the query to viewSearch(term)",
            )
        )
    if page_type == "category":
        categories = body.get("categories")
        if not categories:
            found.append(
                Finding(
                    "category-without-category",
                    "categories",
                    'a category page without categories: viewCategory("/Men/Shirts")',
                )
            )
        elif isinstance(categories, list):
            found += [
                Finding(
                    "category-not-a-path",
                    f"categories[{index}]",
                    f"{category!r} is not slash-delimited; Nosto expects paths like /Men/Shirts",
                )
                for index, category in enumerate(categories)
                if isinstance(category, str) and not category.startswith("/")
            ]
    if page_type == "order" and not isinstance(body.get("order"), dict):
        found.append(
            Finding(
                "order-page-without-order",
                "order",
                "an order page without an order: call addOrder(order) on the confirmation page",
            )
        )
    return found


def _customer(customer: Any) -> list[Finding]:
    if not isinstance(customer, dict) or not customer:
        return []
    found = []
    reference = customer.get("customer_reference")
    if isinstance(reference, str):
        why = guessable_reason(reference)
        if why:
            found.append(
                Finding(
                    "guessable-customer-reference",
                    "customer.customer_reference",
                    f"{reference!r} {why}: use a long, non-guessable id such as an HMAC-SHA256 "
                    "of your customer id",
                )
            )
    if not customer.get("email"):
        found.append(
            Finding(
                "customer-without-email",
                "customer.email",
                "a customer without email: Nosto identifies logged-in customers by email; "
                "send setCustomer({}) for a logged-out visitor instead",
            )
        )
    elif "newsletter" not in customer and "marketing_permission" not in customer:
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


def _cart(cart: Any, variation: Any) -> list[Finding]:
    if not isinstance(cart, list):
        return []
    found = []
    currencies = []
    for index, item in enumerate(cart):
        if not isinstance(item, dict):
            continue
        currency = item.get("price_currency_code")
        if isinstance(currency, str):
            currencies.append(currency.upper())
        if item.get("unit_price") in (0, 0.0):
            found.append(
                Finding(
                    "zero-price",
                    f"cart[{index}].unit_price",
                    "a cart line priced 0: send the price the shopper pays",
                )
            )
        if item.get("quantity") == 0:
            found.append(
                Finding(
                    "zero-quantity",
                    f"cart[{index}].quantity",
                    "a cart line with quantity 0: leave removed lines out of the cart",
                )
            )
    if len(set(currencies)) > 1:
        found.append(
            Finding(
                "mixed-currencies",
                "cart",
                f"the cart mixes currencies ({', '.join(sorted(set(currencies)))}); "
                "price every line in the shopper's currency",
            )
        )
    elif currencies and isinstance(variation, str) and variation and variation != currencies[0]:
        found.append(
            Finding(
                "cart-currency-differs-from-variation",
                "cart",
                f"the cart is in {currencies[0]} but the variation is {variation!r}; "
                "call setVariation with the currency the cart is priced in",
            )
        )
    return found


def _order(body: dict[str, Any]) -> list[Finding]:
    order = body.get("order")
    if not isinstance(order, dict):
        return []
    found = []
    info = order.get("info")
    if not isinstance(info, dict) or not info.get("order_number"):
        found.append(
            Finding(
                "order-without-number",
                "order.info.order_number",
                "an order without order_number: Nosto matches orders to sessions by it",
            )
        )
    elif not info.get("email"):
        found.append(
            Finding(
                "order-without-email",
                "order.info.email",
                "an order without the buyer's email: order follow-up emails cannot be sent",
            )
        )
    items = order.get("items")
    if not isinstance(items, list) or not items:
        found.append(
            Finding("order-without-items", "order.items", "an order without items: list them")
        )
        return found
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        currency = item.get("price_currency_code")
        if not isinstance(currency, str) or not _CURRENCY.match(currency):
            found.append(
                Finding(
                    "missing-currency",
                    f"order.items[{index}].price_currency_code",
                    f"{currency!r} is not an ISO 4217 currency code such as EUR",
                )
            )
        price = item.get("unit_price")
        if isinstance(price, bool) or not isinstance(price, int | float):
            found.append(
                Finding(
                    "missing-price",
                    f"order.items[{index}].unit_price",
                    "an order line without a numeric unit_price",
                )
            )
        if not item.get("product_id"):
            found.append(
                Finding(
                    "missing-product-id",
                    f"order.items[{index}].product_id",
                    "an order line without product_id: it must match your product tagging",
                )
            )
    return found


def _elements(elements: Any) -> list[Finding]:
    if not isinstance(elements, list):
        return []
    seen: set[str] = set()
    found = []
    for index, element in enumerate(elements):
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
