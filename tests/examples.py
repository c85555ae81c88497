"""Nosto's two Session API examples, as data: the cart items and the customer they send."""

from __future__ import annotations

SHIRT = {
    "name": "Men's Running Shirt",
    "price_currency_code": "EUR",
    "product_id": "181503",
    "quantity": 2,
    "sku_id": "181505",
    "unit_price": 123.45,
}
SHOE = {
    "name": "Men's Training Shoe",
    "price_currency_code": "EUR",
    "product_id": "34552",
    "quantity": 1,
    "sku_id": "39912",
    "unit_price": 999.00,
}
CUSTOMER = {
    "customer_reference": "b369f1235cf4f08153c560.82515936",
    "email": "devnull@nosto.com",
    "first_name": "Nosto",
    "last_name": "Test",
    "newsletter": True,
}
