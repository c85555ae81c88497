"""The demo shop's catalog (``web/demo/catalog.json`` beside this module): products, SKUs and
prices per currency.

The storefront reads the same file in the browser; the collector reads it here to fill
recommendations with products the shop really has.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CATALOG_FILE = "catalog.json"


@dataclass(frozen=True)
class Product:
    """One product of the demo shop."""

    product_id: str
    name: str
    categories: tuple[str, ...]
    brand: str
    kind: str
    color: str
    prices: dict[str, float]
    skus: tuple[str, ...]

    @property
    def category(self) -> str:
        """The most specific category: ``/Men/Shirts``."""
        return self.categories[-1] if self.categories else "/"

    def as_json(self, currency: str) -> dict[str, Any]:
        """The product as a ``JSONProduct`` of a JSON campaign result, priced in ``currency``."""
        price = self.prices.get(currency, 0.0)
        return {
            "product_id": self.product_id,
            "name": self.name,
            "url": f"/product/{self.product_id}",
            "image_url": f"/demo/images/{self.product_id}.svg",
            "price": price,
            "list_price": price,
            "price_currency_code": currency,
            "price_text": format_price(price, currency),
            "brand": self.brand,
            "categories": list(self.categories),
            "available": True,
            "skus": list(self.skus),
        }


@dataclass(frozen=True)
class Catalog:
    """The products in the shop's order, and the currencies they are priced in."""

    products: tuple[Product, ...]
    currencies: tuple[str, ...]
    default_currency: str

    def find(self, product_id: str) -> Product | None:
        return next((p for p in self.products if p.product_id == product_id), None)

    def currency(self, wanted: str | None) -> str:
        """``wanted`` if the shop prices in it, else the default currency."""
        return wanted if wanted in self.currencies else self.default_currency


EMPTY_CATALOG = Catalog(products=(), currencies=("EUR",), default_currency="EUR")


def format_price(amount: float, currency: str) -> str:
    """``123.45, "EUR"`` -> ``"€123.45"``; other currencies by code."""
    symbol = {"EUR": "€", "USD": "$"}.get(currency)
    return f"{symbol}{amount:,.2f}" if symbol else f"{amount:,.2f} {currency}"


def load_catalog(path: Path) -> Catalog:
    """The catalog in ``path``; :data:`EMPTY_CATALOG` if there is none (a custom demo dir)."""
    if not path.is_file():
        return EMPTY_CATALOG
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        products = tuple(
            Product(
                product_id=str(entry["product_id"]),
                name=str(entry["name"]),
                categories=tuple(entry.get("categories", ())),
                brand=str(entry.get("brand", "")),
                kind=str(entry.get("kind", "")),
                color=str(entry.get("color", "#868e96")),
                prices={str(code): float(price) for code, price in entry["prices"].items()},
                skus=tuple(str(sku["sku_id"]) for sku in entry.get("skus", ())),
            )
            for entry in data["products"]
        )
        currencies = tuple(data.get("currencies", ("EUR",)))
        default = str(data.get("default_currency", currencies[0]))
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise ValueError(
            f"the demo catalog {path} is not valid ({type(error).__name__}: {error}); "
            "fix the file or restore it with git"
        ) from error
    return Catalog(products=products, currencies=currencies, default_currency=default)
