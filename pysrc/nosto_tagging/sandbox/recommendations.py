"""Plausible campaign results for the placements a request asks for, from the demo catalog.

One entry per requested placement (``elements``), keyed by its div id. With a ``JSON*`` response
mode an entry is a ``JSONResult`` (``{div_id, result_id, result_type: "REAL", title, products,
...}``, ``nosto.d.ts``); otherwise an HTML string, as Nosto renders campaigns. Products are picked
deterministically from what the page shows (viewed product, category, search, cart), so a test
can rely on them.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html import escape
from typing import Any

from nosto_tagging.sandbox.catalog import Catalog, Product

PRODUCTS_PER_PLACEMENT = 4
CACHED_RESULTS = 4_096


@dataclass(frozen=True)
class Context:
    """What a request tells about the page, as far as choosing products goes."""

    page_type: str | None
    viewed: tuple[str, ...]  # product ids of vp events
    categories: tuple[str, ...]
    search_terms: tuple[str, ...]
    in_cart: tuple[str, ...]
    currency: str


class Recommender:
    """Campaign results from one catalog; a placement's result is computed once per context."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self._results: dict[tuple[str, bool, Context], Any] = {}

    def recommend(
        self, elements: list[str], response_mode: str | None, context: Context
    ) -> dict[str, Any]:
        """``{div_id: campaign result}`` for every placement in ``elements``."""
        json_mode = (response_mode or "").upper().startswith("JSON")
        results: dict[str, Any] = {}
        for div_id in elements:
            key = (div_id, json_mode, context)
            result = self._results.get(key)
            if result is None:
                if len(self._results) >= CACHED_RESULTS:
                    self._results.clear()
                result = self._results[key] = campaign(div_id, json_mode, context, self.catalog)
            results[div_id] = result
        return results


def campaign(div_id: str, json_mode: bool, context: Context, catalog: Catalog) -> Any:
    """One placement's result: a ``JSONResult`` dict, or an HTML string."""
    title, products = choose(div_id, context, catalog)
    result_id = _result_id(div_id, [p.product_id for p in products])
    if not json_mode:
        return render_html(div_id, result_id, title, products, context.currency)
    return {
        "div_id": div_id,
        "result_id": result_id,
        "result_type": "REAL",
        "title": title,
        "products": [p.as_json(context.currency) for p in products],
        "product_ids": [p.product_id for p in products],
        "source_product_ids": list(context.viewed),
        "params": {},
    }


def choose(div_id: str, context: Context, catalog: Catalog) -> tuple[str, list[Product]]:
    """The title and products of one placement."""
    shown = set(context.viewed) | set(context.in_cart)
    pool = [p for p in catalog.products if p.product_id not in shown]
    if context.viewed:
        viewed = [catalog.find(pid) for pid in context.viewed]
        near = {p.category for p in viewed if p is not None}
        title, picked = "You may also like", [p for p in pool if p.category in near]
    elif context.search_terms:
        terms = [t.lower() for t in context.search_terms if t.strip()]
        title = f"More like “{' '.join(context.search_terms)}”"
        picked = [p for p in pool if any(t in _searchable(p) for t in terms)]
    elif context.categories:
        wanted = context.categories
        title = f"Popular in {wanted[0].rstrip('/').rsplit('/', 1)[-1] or 'the shop'}"
        picked = [p for p in pool if any(c.startswith(w) for w in wanted for c in p.categories)]
    elif context.in_cart:
        cart = [catalog.find(pid) for pid in context.in_cart]
        tops = {p.categories[0] for p in cart if p is not None and p.categories}
        title = "Complete the look"
        picked = [p for p in pool if p.categories and p.categories[0] in tops]
    else:
        title, picked = "Bestsellers", []
    if context.page_type == "order":
        title = "Customers also bought"
    # Top up from the rest of the shop, in an order that differs per placement.
    chosen = {p.product_id for p in picked}
    rest = [p for p in _rotated(pool, div_id) if p.product_id not in chosen]
    return title, (picked + rest)[:PRODUCTS_PER_PLACEMENT]


def render_html(
    div_id: str, result_id: str, title: str, products: list[Product], currency: str
) -> str:
    """An HTML campaign, as Nosto returns for ``response_mode: "HTML"``."""
    items = "".join(
        f'<li class="nosto-product"><a href="/product/{escape(p.product_id)}">'
        f"{escape(p.name)}</a> "
        f'<span class="nosto-price">{escape(p.as_json(currency)["price_text"])}</span></li>'
        for p in products
    )
    return (
        f'<div class="nosto-campaign" data-div-id="{escape(div_id)}" '
        f'data-result-id="{escape(result_id)}"><h3>{escape(title)}</h3>'
        f'<ul class="nosto-products">{items}</ul></div>'
    )


def _searchable(product: Product) -> str:
    return " ".join((product.name, product.brand, *product.categories)).lower()


def _rotated(products: list[Product], key: str) -> list[Product]:
    if not products:
        return []
    start = int(hashlib.sha256(key.encode("utf-8", "replace")).hexdigest()[:8], 16) % len(products)
    return products[start:] + products[:start]


def _result_id(div_id: str, product_ids: list[str]) -> str:
    digest = hashlib.sha256("\0".join([div_id, *product_ids]).encode("utf-8", "replace"))
    return f"sandbox-{digest.hexdigest()[:12]}"
