"""Pydantic models of what pages give the engine and of Nosto's wire types.

Input models (``CartItem``, ``Cart``, ``Customer``) are lax where templates commonly send
strings for numbers and strict where a value cannot be meant. Unknown fields of an item, a
customer, a product or an order are kept (``extra="allow"``) and sent. The wire cart is a list
of items, so of the object given to ``setCart`` only ``items`` reaches the request: its other
keys (``hcid``, ...) are validated and not sent. ``EventRequest`` is Nosto's
``EventRequestMessageV1`` (``nosto.d.ts``), shared by the engine and the collector.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    model_validator,
)

from nosto_tagging.core.currencies import ISO_4217
from nosto_tagging.core.errors import FieldProblem

PageType = Literal[
    "front",
    "category",
    "product",
    "cart",
    "search",
    "notfound",
    "order",
    "other",
    "checkout",
    "post-purchase",
]
PAGE_TYPES: tuple[str, ...] = get_args(PageType)


def _id_string(value: object) -> object:
    """Product and SKU ids: templates often render numbers; ``181503`` means ``"181503"``."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return value


def _finite_number(value: object) -> object:
    """Reject NaN and infinities before pydantic's lax parsing turns ``"nan"`` into a float."""
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("is not a finite number")
    if isinstance(value, str) and value.strip().lower() in {"nan", "inf", "-inf", "infinity"}:
        raise ValueError("is not a finite number")
    return value


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


def _iso_currency(value: str) -> str:
    if value not in ISO_4217:
        raise ValueError("is not an ISO 4217 currency code")
    return value


Id = Annotated[
    str, BeforeValidator(_id_string), StringConstraints(strip_whitespace=True, min_length=1)
]
CurrencyCode = Annotated[
    str,
    BeforeValidator(_upper),
    StringConstraints(pattern=r"^[A-Z]{3}$"),
    AfterValidator(_iso_currency),
]
Price = Annotated[float, BeforeValidator(_finite_number), Field(ge=0, allow_inf_nan=False)]
# An order line's price: platforms tag discounts as lines of a negative price.
SignedPrice = Annotated[float, BeforeValidator(_finite_number), Field(allow_inf_nan=False)]
Quantity = Annotated[int, BeforeValidator(_finite_number), Field(ge=0)]
Email = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[^@\s]+@[^@\s]+$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]

RENDER_MODES = (
    "HTML",
    "SIMPLE",
    "JSON_170x170",
    "JSON_100_X_100",
    "JSON_90x70",
    "JSON_50x50",
    "JSON_30x30",
    "JSON_100x140",
    "JSON_200x200",
    "JSON_400x400",
    "JSON_750x750",
    "JSON_10_MAX_SQUARE",
    "JSON_200x200_SQUARE",
    "JSON_400x400_SQUARE",
    "JSON_750x750_SQUARE",
    "JSON_ORIGINAL",
    "VERSION_SOURCE",
)


class WireModel(BaseModel):
    # Built on first use, not at import: the page pays only for the models it uses, and the
    # engine's start (the time to the first request) is shorter.
    model_config = ConfigDict(extra="allow", str_max_length=10_000, defer_build=True)

    def wire(self) -> dict[str, Any]:
        """The JSON-ready dict Nosto expects: unset optional fields left out."""
        return self.model_dump(mode="json", exclude_none=True)


class CartItem(WireModel):
    """One cart line (``CartItem`` in ``nosto.d.ts``)."""

    product_id: Id
    sku_id: Id | None = None
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    # Nosto's own setCart example omits quantity; one of an item is what a cart line means.
    quantity: Quantity = 1
    unit_price: Price
    price_currency_code: CurrencyCode


class Cart(WireModel):
    """The whole cart handed to ``setCart``; partial carts do not exist (replace whole)."""

    items: list[CartItem] = Field(max_length=1000)  # required: only ``{}`` means "reset"
    hcid: str | None = None


class Customer(WireModel):
    """A logged-in customer (``PushedCustomer``), as given to ``setCustomer``.

    ``marketing_permission`` is false unless given; the page may name it ``newsletter``
    (Session API examples) or ``marketing_permission`` (DOM tagging). On the wire it
    travels as ``newsletter``, and only when the page gave it.
    """

    email: Email | None = None
    first_name: str | None = None
    last_name: str | None = None
    customer_reference: str | None = None
    newsletter: bool | None = None
    marketing_permission: bool = False
    hcid: str | None = None
    order_number: str | None = None
    source: str | None = None
    source_id: str | None = None
    type: str | None = None

    @model_validator(mode="after")
    def _merge_permission(self) -> Customer:
        if self.newsletter is not None and "marketing_permission" not in self.model_fields_set:
            self.marketing_permission = self.newsletter
        elif "marketing_permission" in self.model_fields_set and self.newsletter is None:
            self.newsletter = self.marketing_permission
        return self

    def wire(self) -> dict[str, Any]:
        body = self.model_dump(mode="json", exclude_none=True, exclude={"marketing_permission"})
        # Nosto's client marks a customer pushed by the page as logged in.
        if self.email and "type" not in body:
            body["type"] = "loggedin"
        return body


class Product(WireModel):
    """A product given to ``viewProduct``/``setProduct`` (``Product`` in ``nosto.d.ts``).

    Only the id (and the selected SKU) travel in the product-view event; the rest is kept.
    """

    product_id: Id
    selected_sku_id: Id | None = None


def _schema_org_availability(value: object) -> object:
    """``http://schema.org/InStock`` (microdata habit) means ``InStock``."""
    if isinstance(value, str):
        return value.strip().rsplit("/", 1)[-1]
    return value


Availability = Annotated[
    Literal["InStock", "OutOfStock"], BeforeValidator(_schema_org_availability)
]
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class Sku(WireModel):
    """One SKU of a tagged product (``nosto_sku``; ``SKU`` in ``nosto.d.ts``)."""

    id: Id
    name: Text | None = None
    price: Price | None = None
    list_price: Price | None = None
    url: Url | None = None
    image_url: Url | None = None
    availability: Availability | None = None
    custom_fields: dict[str, str] | None = None


class ProductDetails(Product):
    """A product as page tagging describes it (``nosto_product``; ``Product`` in ``nosto.d.ts``).

    Only ``product_id`` is required (``nosto_basic`` tagging); the product-view event carries
    the id and the selected SKU, ``pageTagging()`` shows the rest.
    """

    name: Text | None = None
    url: Url | None = None
    image_url: Url | None = None
    thumb_url: Url | None = None
    availability: Availability | None = None
    price: Price | None = None
    list_price: Price | None = None
    price_currency_code: CurrencyCode | None = None
    brand: Text | None = None
    description: str | None = None
    google_category: Text | None = None
    rating_value: Annotated[float, BeforeValidator(_finite_number), Field(ge=0, le=5)] | None = None
    review_count: Quantity | None = None
    variation_id: Text | None = None
    categories: list[Text] | None = None
    category_ids: list[Text] | None = None
    tag1: list[Text] | None = None
    tag2: list[Text] | None = None
    tag3: list[Text] | None = None
    alternate_image_urls: list[Url] | None = None
    custom_fields: dict[str, str] | None = None
    skus: list[Sku] | None = Field(default=None, max_length=1000)


class OrderInfo(WireModel):
    """The buyer of an order (``OrderCustomer``); Nosto needs at least the order number."""

    order_number: Id
    email: Email | None = None
    first_name: str | None = None
    last_name: str | None = None
    # nosto.d.ts types it as a string ("true"/"false"); booleans are accepted and kept.
    newsletter: bool | str | None = None
    country: str | None = None
    phone: str | None = None
    post_code: str | None = None
    type: str | None = None


class OrderItem(CartItem):
    """One purchased line (``ConversionItem``): like a cart item, price optional.

    Platform modules tag discounts and shipping as lines of product id ``-1``; a discount's
    ``unit_price`` is negative, so an order line's price may be (a cart line's may not)."""

    unit_price: SignedPrice | None = None  # type: ignore[assignment]


class WebsiteOrder(WireModel):
    """An order given to ``addOrder``/``setOrder`` (``WebsiteOrder`` in ``nosto.d.ts``)."""

    info: OrderInfo
    items: list[OrderItem] = Field(min_length=1, max_length=1000)
    external_order_ref: str | None = None
    created_at: str | None = None
    order_status: str | None = None
    order_status_label: str | None = None
    payment_provider: str | None = None


class WireCustomer(WireModel):
    """``PushedCustomer`` as it arrives at the collector: ``{}`` is a valid reset."""

    email: Email | None = None
    first_name: str | None = None
    last_name: str | None = None
    customer_reference: str | None = None
    newsletter: bool | None = None
    type: str | None = None


class EventRequest(WireModel):
    """Nosto's ``EventRequestMessageV1``: the JSON body of one ``/ev1`` request."""

    page_type: PageType | None = None
    events: list[list[Any]] | None = Field(default=None, max_length=1000)
    elements: list[str] | None = Field(default=None, max_length=1000)
    response_mode: str | None = None
    url: str | None = None
    referrer: str | None = None
    event_date: str | None = None
    cart: list[CartItem] | None = Field(default=None, max_length=1000)
    customer: WireCustomer | None = None
    restore_link: str | None = None
    current_variant_id: str | None = None
    categories: list[str] | None = None
    category_ids: list[str] | None = None
    parent_category_ids: list[str] | None = None
    brands: list[str] | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, list[str]] | None = None
    affinity_signals: dict[str, list[str]] | None = None
    search_terms: list[str] | None = None
    order: WebsiteOrder | None = None
    sort_order: str | None = None


def field_problems(error: ValidationError, prefix: str = "") -> list[FieldProblem]:
    """Translate pydantic's errors into dotted field paths: ``items[0].quantity``."""
    problems = []
    for item in error.errors(include_url=False):
        path = prefix
        for part in item["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
            else:
                path = f"{path}.{part}" if path else str(part)
        if item["type"] == "missing":
            problems.append(FieldProblem(path, None, "is required", missing=True))
            continue
        reason = item["msg"].removeprefix("Value error, ")
        reason = reason[0].lower() + reason[1:] if reason else reason
        problems.append(FieldProblem(path, item.get("input"), f"is invalid ({reason})"))
    return problems
