"""The Nosto DOM tagging the classic theme writes: hidden ``nosto_*`` elements for the cart,
the customer, a product and an order, in the flat markup of Nosto's documentation, and the
``nosto_element`` placements."""

from __future__ import annotations

from html import escape
from typing import Final
from urllib.parse import quote

from starlette.requests import Request

from nosto_tagging.core.tagging import visitor_checksum
from nosto_tagging.sandbox.catalog import Product
from nosto_tagging.sandbox.classic_shop import Buyer, Line, Order, cart_cookie

PAYMENT_PROVIDER: Final = "classic-demo-pay"


def cart_tagging(request: Request, lines: list[Line], currency: str) -> str:
    """``nosto_cart``: every line, the restore link and, when Nosto's cookie is there, the
    ``hcid`` that signs the tagging for that visitor (its SHA-256, as Nosto's Magento
    module renders it). An empty cart is an empty ``nosto_cart``, never a missing one."""
    items = "".join(line_item(line, currency) for line in lines)
    restore = f"{request.base_url}classic/cart/restore?items={quote(cart_cookie(lines))}"
    visitor = request.cookies.get("2c.cId")
    hcid = span("hcid", visitor_checksum(visitor)) if visitor else ""
    return hidden("nosto_cart", items + span("restore_link", restore) + hcid)


def hidden(cls: str, inner: str) -> str:
    """A tagging element: hidden, and kept from translation tools."""
    return f'<div class="{cls}" style="display:none" translate="no">{inner}</div>'


def span(cls: str, value: object) -> str:
    return f'<span class="{cls}">{escape(str(value))}</span>'


def money(amount: float) -> str:
    """A tagged price: digits with a dot, two decimals."""
    return f"{amount:.2f}"


def line_item(line: Line, currency: str) -> str:
    product = line.product
    return (
        '<div class="line_item">'
        + span("product_id", product.product_id)
        + span("sku_id", line.sku_id)
        + span("name", product.name)
        + span("quantity", line.quantity)
        + span("unit_price", money(product.prices.get(currency, 0.0)))
        + span("price_currency_code", currency)
        + "</div>"
    )


def customer_tagging(buyer: Buyer) -> str:
    return hidden(
        "nosto_customer",
        span("email", buyer.email)
        + span("first_name", buyer.first_name)
        + span("last_name", buyer.last_name)
        + span("customer_reference", buyer.customer_reference)
        + span("marketing_permission", str(buyer.marketing_permission).lower()),
    )


def product_tagging(product: Product, currency: str, base: str) -> str:
    """``nosto_product`` with its categories, brand, kind as a tag and one ``nosto_sku`` each."""
    url = f"{base}classic/product/{quote(product.product_id)}"
    price = money(product.prices.get(currency, 0.0))
    skus = "".join(
        '<div class="nosto_sku">'
        + span("id", sku)
        + span("name", f"{product.name} ({sku})")
        + span("price", price)
        + span("availability", "InStock")
        + span("url", f"{url}?sku={quote(sku)}")
        + "</div>"
        for sku in product.skus
    )
    return hidden(
        "nosto_product",
        span("product_id", product.product_id)
        + span("name", product.name)
        + span("url", url)
        + span("image_url", f"{base}demo/images/{quote(product.product_id)}.svg")
        + span("availability", "InStock")
        + span("price", price)
        + span("list_price", price)
        + span("price_currency_code", currency)
        + "".join(span("category", category) for category in product.categories)
        + span("brand", product.brand)
        + span("tag1", product.kind)
        + f'<div class="custom_fields">{span("color", product.color)}</div>'
        + skus,
    )


def order_tagging(order: Order) -> str:
    buyer = order.buyer
    return hidden(
        "nosto_purchase_order",
        span("order_number", order.number)
        + span("payment_provider", PAYMENT_PROVIDER)
        + span("order_status_code", "new")
        + '<div class="buyer">'
        + span("email", buyer.email)
        + span("first_name", buyer.first_name)
        + span("last_name", buyer.last_name)
        + span("marketing_permission", str(buyer.marketing_permission).lower())
        + "</div>"
        + '<div class="purchased_items">'
        + "".join(line_item(line, order.currency) for line in order.lines)
        + "</div>",
    )


def placement(div_id: str) -> str:
    return f'<div class="nosto_element" id="{div_id}"></div>'
