"""The object elements of page tagging: ``nosto_product`` (with its SKUs), ``nosto_cart``,
``nosto_customer``, ``nosto_purchase_order`` and the PHP SDK's structured ``nosto_category``,
each parsed into its wire model (what is left out when a field is invalid is in
``core/tagging.py``'s docstring)."""

from __future__ import annotations

from typing import Any, Final

from nosto_tagging.core.models import (
    Cart,
    CartItem,
    Customer,
    OrderInfo,
    OrderItem,
    ProductDetails,
    Sku,
    WebsiteOrder,
)
from nosto_tagging.core.tagging_fields import (
    REASONS,
    M,
    child_fields,
    children_named,
    validate,
    without_blanks,
)
from nosto_tagging.core.tagging_nodes import Node, TaggingProblem

# What is left out when an object's required field is invalid (the element's or a provider's).
PRODUCT_DROPPED: Final = "the product was left out (no product view is sent for it)"
CART_DROPPED: Final = "the cart was left out of the request (a partial cart would be wrong)"
ORDER_DROPPED: Final = "the order was left out"

PRODUCT_FIELDS: Final = {
    name: name
    for name in (
        "product_id",
        "selected_sku_id",
        "name",
        "url",
        "image_url",
        "thumb_url",
        "availability",
        "price",
        "list_price",
        "price_currency_code",
        "brand",
        "description",
        "google_category",
        "rating_value",
        "review_count",
        "variation_id",
    )
}
PRODUCT_LISTS: Final = {
    "category": "categories",
    "category_id": "category_ids",
    "tag1": "tag1",
    "tag2": "tag2",
    "tag3": "tag3",
    "alternate_image_url": "alternate_image_urls",
}
# The PHP SDK's nesting of the same lists: wrapper -> (item, field).
PRODUCT_WRAPPED: Final = {
    "categories": ("category", "categories"),
    "category_ids": ("category_id", "category_ids"),
    "tags1": ("tag", "tag1"),
    "tags2": ("tag", "tag2"),
    "tags3": ("tag", "tag3"),
    "alternate_image_urls": ("alternate_image_url", "alternate_image_urls"),
}
TAG_LISTS: Final = ("tag1", "tag2", "tag3")
PRODUCT_NAMES: Final = {
    "categories": "category",
    "category_ids": "category_id",
    "alternate_image_urls": "alternate_image_url",
}
SKU_FIELDS: Final = {
    name: name for name in ("id", "name", "price", "list_price", "url", "image_url", "availability")
}
LINE_FIELDS: Final = {
    name: name
    for name in ("product_id", "sku_id", "name", "quantity", "unit_price", "price_currency_code")
}
CUSTOMER_FIELDS: Final = {
    name: name
    for name in (
        "email",
        "first_name",
        "last_name",
        "customer_reference",
        "marketing_permission",
        "hcid",
    )
}
BUYER_FIELDS: Final = {
    **{name: name for name in ("email", "first_name", "last_name", "phone", "post_code")},
    "country": "country",
    "marketing_permission": "newsletter",
}
ORDER_FIELDS: Final = {
    "order_number": "order_number",
    "external_order_ref": "external_order_ref",
    "created_at": "created_at",
    "payment_provider": "payment_provider",
    "order_status_code": "order_status",
    "order_status_label": "order_status_label",
}


def _tag_list(text: str) -> list[str]:
    """The tags of one ``tag1``..``tag3`` text: Shopware joins several as ``[a, b]``."""
    if len(text) > 1 and text[0] == "[" and text[-1] == "]":
        return [tag.strip() for tag in text[1:-1].split(",") if tag.strip()]
    return [text]


def parse_product(
    node: Node, element: str, problems: list[TaggingProblem]
) -> ProductDetails | None:
    """A product: its own fields are ``node``'s direct children (the SDK's ``variations``
    repeat them one level down and are not read); SKUs directly or in a ``skus`` wrapper."""
    data = without_blanks(child_fields(node, PRODUCT_FIELDS, PRODUCT_LISTS, PRODUCT_WRAPPED))
    for key in TAG_LISTS:
        if key in data:
            data[key] = [tag for text in data[key] for tag in _tag_list(text)]
    if "product_id" not in data:  # older tagging names the id "id"
        old = next((c.text for c in node.children if c.has("id") and c.text), None)
        if old is not None:
            data["product_id"] = old
    skus = []
    for index, sku_node in enumerate(children_named(node, "nosto_sku", through="skus")):
        sku_data = without_blanks(child_fields(sku_node, SKU_FIELDS))
        sku = validate(
            Sku,
            sku_data,
            f"{element} nosto_sku[{index}]",
            problems,
            dropped="the SKU was left out",
        )
        if sku is not None:
            skus.append(sku.wire())
    if skus:
        data["skus"] = skus
    return validate(
        ProductDetails,
        data,
        element,
        problems,
        dropped=PRODUCT_DROPPED,
        names=PRODUCT_NAMES,
    )


def _line_items(
    node: Node, element: str, model: type[M], problems: list[TaggingProblem], dropped: str
) -> tuple[list[M], bool]:
    """The ``line_item``s of a cart or order (also inside an ``items`` wrapper), and whether
    every one of them was valid."""
    lines: list[M] = []
    complete = True
    for index, line_node in enumerate(children_named(node, "line_item", through="items")):
        line = validate(
            model,
            without_blanks(child_fields(line_node, LINE_FIELDS)),
            f"{element} line_item[{index}]",
            problems,
            dropped=dropped,
            strict=True,
        )
        if line is None:
            complete = False
        else:
            lines.append(line)
    return lines, complete


def parse_cart(
    node: Node, element: str, problems: list[TaggingProblem]
) -> tuple[Cart | None, str | None]:
    """The cart (``None`` when a line is invalid) and its restore link."""
    items, complete = _line_items(
        node,
        element,
        CartItem,
        problems,
        dropped=CART_DROPPED,
    )
    extra = without_blanks(child_fields(node, {"restore_link": "restore_link", "hcid": "hcid"}))
    restore_link = extra.get("restore_link")
    if not complete:
        return None, restore_link
    return Cart(items=items, hcid=extra.get("hcid")), restore_link


def parse_customer(node: Node, element: str, problems: list[TaggingProblem]) -> Customer | None:
    return customer_from(without_blanks(child_fields(node, CUSTOMER_FIELDS)), element, problems)


def customer_from(
    data: dict[str, Any], element: str, problems: list[TaggingProblem]
) -> Customer | None:
    """The customer of tagged fields (an element's or a provider's): the marketing permission
    is false unless tagged (as ``marketing_permission`` or ``newsletter``), and ``None`` when
    invalid or naming no one (a guest's theme may render the element empty)."""
    if "marketing_permission" not in data and "newsletter" not in data:
        data = {**data, "marketing_permission": False}
    customer = validate(Customer, data, element, problems, dropped="the customer was left out")
    if customer is None or not (customer.email or customer.customer_reference):
        return None
    return customer


_BOOLEANS: Final = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def parse_order(node: Node, element: str, problems: list[TaggingProblem]) -> WebsiteOrder | None:
    data = without_blanks(child_fields(node, ORDER_FIELDS))
    buyer = next(children_named(node, "buyer"), None)
    info = without_blanks(child_fields(buyer, BUYER_FIELDS)) if buyer is not None else {}
    if "order_number" in data:
        info["order_number"] = data.pop("order_number")
    if "newsletter" in info:
        permission = _BOOLEANS.get(info.pop("newsletter").lower())
        if permission is None:
            problems.append(
                TaggingProblem(
                    element,
                    "buyer.marketing_permission",
                    REASONS["bool_parsing"],
                    "the field was left out",
                )
            )
        else:
            info["newsletter"] = permission
    order_info = validate(
        OrderInfo,
        info,
        element,
        problems,
        dropped=ORDER_DROPPED,
        names={"newsletter": "buyer.marketing_permission"},
    )
    items: list[OrderItem] = []
    for purchased in children_named(node, "purchased_items"):
        found, _ = _line_items(
            purchased,
            f"{element} purchased_items",
            OrderItem,
            problems,
            dropped="the item was left out of the order",
        )
        items += found
    if order_info is None:
        return None
    if not items:
        problems.append(
            TaggingProblem(
                element,
                "purchased_items",
                "holds no valid line_item",
                "the order was left out (Nosto needs at least one item)",
            )
        )
        return None
    data["info"] = order_info.model_dump(exclude_none=True)
    data["items"] = [item.model_dump(exclude_none=True) for item in items]
    return validate(WebsiteOrder, data, element, problems, dropped=ORDER_DROPPED)


CATEGORY_FIELDS: Final = {
    "category_string": "categories",
    "id": "category_ids",
    "parent_id": "parent_category_ids",
}


def parse_category(node: Node, element: str, problems: list[TaggingProblem]) -> dict[str, str]:
    """The PHP SDK's ``nosto_category`` as ``{categories, category_ids, parent_category_ids}``
    entries: ``category_string`` (the ``/A/B`` path) becomes a category, ``id`` a category id
    and ``parent_id`` a parent category id; its ``title``, ``url``, ``path`` (the id path),
    ``available`` and any other child are not sent."""
    found = without_blanks(child_fields(node, CATEGORY_FIELDS))
    data = {key: value for key, value in found.items() if key in CATEGORY_FIELDS.values()}
    if "categories" not in data:
        problems.append(
            TaggingProblem(
                element, "category_string", "is missing", "the category was sent without its path"
            )
        )
    return data
