"""The classic theme's shop state: the cart and the currency in cookies (product ids, SKU ids,
quantities: nothing personal); the logged-in customer and placed orders in this process's
memory behind an opaque random cookie token, gone when the sandbox stops."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Final, TypeVar

from starlette.requests import Request

from nosto_tagging.reference import customer_reference
from nosto_tagging.sandbox.catalog import Catalog, Product

PREFIX: Final = "/classic"
CART_COOKIE: Final = "classic-cart"
CURRENCY_COOKIE: Final = "classic-currency"
LOGIN_COOKIE: Final = "classic-login"
MAX_LINES: Final = 50
MAX_QUANTITY: Final = 99
MAX_KEPT: Final = 500  # orders and logins held in memory, oldest forgotten first
# The demo shop's secret for customer references: public, so only for a sandbox. A real shop
# keeps its own in its back end's secret store.
DEMO_REFERENCE_SECRET: Final = "nosto-tagging classic demo: not a real secret"
T = TypeVar("T")


@dataclass(frozen=True)
class Line:
    """One cart line as the cookie keeps it."""

    product: Product
    sku_id: str
    quantity: int


@dataclass(frozen=True)
class Buyer:
    email: str
    first_name: str
    last_name: str
    marketing_permission: bool

    @property
    def customer_reference(self) -> str:
        """A stable, opaque reference, made as the README tells merchants' back ends to."""
        return "cl-" + customer_reference(self.email.lower(), DEMO_REFERENCE_SECRET)


@dataclass(frozen=True)
class Order:
    number: str
    buyer: Buyer
    lines: tuple[Line, ...]
    currency: str


@dataclass
class ClassicShop:
    """The theme's server side over the demo catalog."""

    catalog: Catalog
    orders: OrderedDict[str, Order] = field(default_factory=OrderedDict)
    logins: OrderedDict[str, Buyer] = field(default_factory=OrderedDict)

    def currency(self, request: Request) -> str:
        return self.catalog.currency(request.cookies.get(CURRENCY_COOKIE))

    def cart(self, request: Request) -> list[Line]:
        return self.parse_cart(request.cookies.get(CART_COOKIE, ""))

    def parse_cart(self, value: str) -> list[Line]:
        """``181503:181505:2|34552:39912:1``; unknown products and bad entries are dropped."""
        lines: list[Line] = []
        for entry in value.split("|")[:MAX_LINES]:
            parts = entry.split(":")
            if len(parts) != 3 or not parts[2].isdigit():
                continue
            product = self.catalog.find(parts[0])
            quantity = int(parts[2])
            if product is None or parts[1] not in product.skus or not 0 < quantity <= MAX_QUANTITY:
                continue
            lines.append(Line(product, parts[1], quantity))
        return lines

    def customer(self, request: Request) -> Buyer | None:
        return self.logins.get(request.cookies.get(LOGIN_COOKIE, ""))


def keep(table: OrderedDict[str, T], key: str, value: T) -> None:
    """Remember ``value``; the oldest entries go beyond :data:`MAX_KEPT`."""
    table[key] = value
    while len(table) > MAX_KEPT:
        table.popitem(last=False)


def cart_cookie(lines: list[Line]) -> str:
    """The cart cookie's value (also the restore link's ``items``), read by
    :meth:`ClassicShop.parse_cart`."""
    return "|".join(f"{ln.product.product_id}:{ln.sku_id}:{ln.quantity}" for ln in lines)
