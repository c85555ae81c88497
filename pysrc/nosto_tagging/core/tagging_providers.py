"""``setTaggingProvider``: values the page's functions give for ``TaggingData`` fields, put over
what the page's elements say."""

from __future__ import annotations

from typing import Any, Final

from nosto_tagging.core.models import Cart, ProductDetails, WebsiteOrder
from nosto_tagging.core.protocol import UNDEFINED
from nosto_tagging.core.session import is_representable
from nosto_tagging.core.tagging_fields import checked_page_type, validate
from nosto_tagging.core.tagging_nodes import TaggingProblem
from nosto_tagging.core.tagging_objects import (
    CART_DROPPED,
    ORDER_DROPPED,
    PRODUCT_DROPPED,
    customer_from,
)

# Providers of these fields make a page carry tagging, like the matching elements do.
PROVIDED_TAGGING: Final = (
    "pageType",
    "products",
    "cart",
    "customer",
    "order",
    "categories",
    "searchTerms",
    "variation",
    "tags",
)
PROVIDED_LISTS: Final = {
    "categories": "categories",
    "categoryIds": "category_ids",
    "parentCategoryIds": "parent_category_ids",
    "brands": "brands",
    "searchTerms": "search_terms",
    "tags": "tags",
    "elements": "placements",
}
PROVIDED_TEXTS: Final = {
    "variation": "variation",
    "restoreLink": "restore_link",
    "sortOrder": "sort_order",
}
PROVIDED_MAPS: Final = {"customFields": "custom_fields", "affinitySignals": "affinity_signals"}
PROVIDER_NAMES: Final = (
    "pageType",
    "products",
    "cart",
    "customer",
    "order",
    *PROVIDED_LISTS,
    *PROVIDED_TEXTS,
    *PROVIDED_MAPS,
)


def apply_providers(providers: Any, found: dict[str, Any], problems: list[TaggingProblem]) -> bool:
    """Put ``setTaggingProvider`` values over what the elements said, into ``found``.

    ``providers``: the list the loader sends with each read, in call order, of
    ``{"name": TaggingData key, "value": ..., "priority"?: number}``; a provider function has
    already been called on the page (``{"name", "error": true}`` if it threw). Per name the
    highest priority wins, the later one on a tie. ``null``/``undefined`` provide nothing; an
    invalid value is reported and the elements' value stays. Returns whether a provider of
    :data:`PROVIDED_TAGGING` gave a value (the page then carries tagging).
    """
    if providers is None or providers is UNDEFINED:
        return False
    if not isinstance(providers, list):
        problems.append(
            TaggingProblem("tagging providers", "", "are not a list", "they were ignored")
        )
        return False
    chosen: dict[str, tuple[float, dict[str, Any]]] = {}
    for entry in providers:
        if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
            continue
        priority = entry.get("priority")
        rank = float(priority) if isinstance(priority, int | float) and priority == priority else 0
        if entry["name"] not in chosen or rank >= chosen[entry["name"]][0]:
            chosen[entry["name"]] = (rank, entry)
    tagged = False
    for name, (_, entry) in chosen.items():
        element = f'setTaggingProvider("{name}")'
        value = entry.get("value")
        if entry.get("error"):
            problems.append(
                TaggingProblem(
                    element, "", "threw when called", "the page's elements were used instead"
                )
            )
            continue
        if value is None or value is UNDEFINED:
            continue
        if name not in PROVIDER_NAMES:
            problems.append(
                TaggingProblem(
                    element,
                    "",
                    "is not a TaggingData field (" + ", ".join(PROVIDER_NAMES) + ")",
                    "it was ignored",
                )
            )
            continue
        if not is_representable(value):
            problems.append(
                TaggingProblem(element, "", "holds something that is not data", "it was ignored")
            )
            continue
        changes = _provided(name, value, element, problems)
        if changes is not None:
            found.update(changes)
            tagged = tagged or name in PROVIDED_TAGGING
    return tagged


def _texts(value: Any, element: str, problems: list[TaggingProblem]) -> list[str] | None:
    """A list of non-empty strings (a lone string or number is a list of one)."""
    items = value if isinstance(value, list) else [value]
    texts = []
    for index, item in enumerate(items):
        if isinstance(item, int | float) and not isinstance(item, bool):
            item = str(item)
        if not isinstance(item, str) or not item.strip():
            where = f"[{index}]" if isinstance(value, list) else ""
            problems.append(
                TaggingProblem(element, where, "is not a non-empty string", "it was ignored")
            )
            return None
        texts.append(item.strip())
    return texts


def _provided(
    name: str, value: Any, element: str, problems: list[TaggingProblem]
) -> dict[str, Any] | None:
    """The ``found`` entries one provided value sets, or ``None`` (reported) if invalid."""
    if name in PROVIDED_LISTS:
        texts = _texts(value, element, problems)
        return None if texts is None else {PROVIDED_LISTS[name]: texts}
    if name in PROVIDED_TEXTS or name == "pageType":
        texts = _texts(value, element, problems) if not isinstance(value, list) else None
        if texts is None:
            if isinstance(value, list):
                problems.append(TaggingProblem(element, "", "is not a string", "it was ignored"))
            return None
        if name == "pageType":
            page_type = checked_page_type(texts[0], element, problems, "it was ignored")
            return None if page_type is None else {"page_type": page_type}
        return {PROVIDED_TEXTS[name]: texts[0]}
    if name in PROVIDED_MAPS:
        if not isinstance(value, dict):
            problems.append(
                TaggingProblem(element, "", "is not an object of string lists", "it was ignored")
            )
            return None
        mapped = {}
        for key, items in value.items():
            texts = _texts(items, f"{element} {key}", problems)
            if texts is None:
                return None
            mapped[str(key)] = texts
        return {PROVIDED_MAPS[name]: mapped}
    return _provided_object(name, value, element, problems)


def _provided_object(
    name: str, value: Any, element: str, problems: list[TaggingProblem]
) -> dict[str, Any] | None:
    """``products``, ``cart``, ``customer`` and ``order``, validated by the wire models."""
    if name == "products":
        if not isinstance(value, list):
            problems.append(TaggingProblem(element, "", "is not a list", "it was ignored"))
            return None
        products = []
        for index, item in enumerate(value):
            data = item if isinstance(item, dict) else {"product_id": item}
            product = validate(
                ProductDetails,
                data,
                f"{element}[{index}]",
                problems,
                dropped=PRODUCT_DROPPED,
            )
            if product is not None:
                products.append(product)
        return {"products": products}
    if not isinstance(value, dict):
        problems.append(TaggingProblem(element, "", "is not an object", "it was ignored"))
        return None
    if name == "cart":
        cart = validate(
            Cart,
            value,
            element,
            problems,
            dropped=CART_DROPPED,
            strict=True,
        )
        return None if cart is None else {"cart": cart}
    if name == "customer":
        customer = customer_from(value, element, problems)
        return None if customer is None else {"customer": customer}
    order = validate(WebsiteOrder, value, element, problems, dropped=ORDER_DROPPED)
    return None if order is None else {"order": order}
