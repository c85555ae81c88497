"""Nosto's DOM page tagging: the page's ``nosto_*`` elements, parsed and validated.

Classic storefront themes render their tagging as hidden elements (``nostojs-api.md`` §5), in
one of three shapes, all read here: flat (Nosto's documentation), the PHP SDK's (nested lists,
the ``nosto_category`` object) and Shopware 6's (``docs/page-tagging.md`` lists them).
The loader (``web/page/tagging.js``) reads them as plain data and the engine parses that here into
:class:`PageTagging`, which gives Nosto's ``TaggingData`` (``api.pageTagging()``), the page-view
action of an auto-load (products become product-view events: the wire has no product field),
and the session's cart and customer for ``resendCartTagging()``/``resendCustomerTagging()``.

The plain data: a list of nodes, one per root element (an element whose class list holds one
of :data:`ROOT_CLASSES` and that is not inside another root), in document order. A node is::

    {"cls": "nosto_product nosto_basic",   # the class attribute as written
     "id": "frontpage-nosto-1",            # only when the element has an id
     "text": "181503",                     # trimmed text content, only when it has no children
     "children": [node, ...]}              # the classed elements inside it, nearest first;
                                           # unclassed wrappers are looked through

Bounds: :data:`MAX_NODES` nodes in all, :data:`MAX_DEPTH` levels, :data:`MAX_TEXT` characters
of text per node; the loader keeps to them and anything beyond is reported and left out.

Malformed tagging gives one :class:`TaggingProblem` per problem, naming the element and the
field and never the value found (it may be a customer's); the rest of the tagging still counts.
What is left out when a field is invalid: the field (products, customers, orders); the
product when its id is missing; the purchased item when it is invalid (the order keeps the
rest); the whole cart when one line is invalid, since a partial cart would replace the
shopper's real cart at Nosto with a wrong one (a page without cart tagging leaves it as it is).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, Final, TypeVar

from pydantic import BaseModel, ValidationError

from nosto_tagging.core.actions import Action, product_view
from nosto_tagging.core.models import (
    PAGE_TYPES,
    Cart,
    CartItem,
    Customer,
    OrderInfo,
    OrderItem,
    ProductDetails,
    Sku,
    WebsiteOrder,
)
from nosto_tagging.core.protocol import UNDEFINED
from nosto_tagging.core.session import SessionState, is_representable

MAX_NODES: Final = 2000
MAX_DEPTH: Final = 8
MAX_TEXT: Final = 5000

# A page "carries Nosto tagging" (and is auto-loaded) when it has one of these. Placements
# alone do not count: Session API pages render them too.
TAGGING_CLASSES: Final = (
    "nosto_page_type",
    "nosto_product",
    "nosto_cart",
    "nosto_customer",
    "nosto_purchase_order",
    "nosto_category",
    "nosto_search_term",
    "nosto_variation",
    "nosto_tag",
)
# Everything the loader reads: the above, brand and category-id tagging, and placements.
ROOT_CLASSES: Final = (*TAGGING_CLASSES, "nosto_brand", "nosto_category_id", "nosto_element")

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class TaggingProblem:
    """One malformed piece of tagging: where (``nosto_cart[0] line_item[1]``), which field,
    why, and what was left out because of it. Never holds the value found."""

    element: str
    field: str
    reason: str
    consequence: str

    def __str__(self) -> str:
        where = f"{self.element} {self.field}" if self.field else self.element
        return f"page tagging: {where} {self.reason}; {self.consequence}"


@dataclass(frozen=True)
class Node:
    """One tagging element as the loader read it (see the module docstring)."""

    classes: tuple[str, ...]
    id: str | None = None
    text: str = ""
    children: tuple[Node, ...] = ()

    def has(self, name: str) -> bool:
        return name in self.classes


# ----- reading the plain data -----


class _Reader:
    """Turns the loader's plain data into :class:`Node` trees within the bounds."""

    def __init__(self, problems: list[TaggingProblem]) -> None:
        self.problems = problems
        self.count = 0
        self.cut: set[str] = set()

    def _once(self, kind: str, reason: str, consequence: str) -> None:
        if kind not in self.cut:
            self.cut.add(kind)
            self.problems.append(TaggingProblem("page tagging data", "", reason, consequence))

    def node(self, raw: Any, depth: int) -> Node | None:
        if not isinstance(raw, dict) or not isinstance(raw.get("cls"), str):
            self._once(
                "shape", "holds a node that is not {cls, text?, children?}", "it was ignored"
            )
            return None
        if self.count >= MAX_NODES:
            self._once("nodes", f"has more than {MAX_NODES} elements", "the rest were ignored")
            return None
        self.count += 1
        text = raw.get("text")
        text = text.strip() if isinstance(text, str) else ""
        if len(text) > MAX_TEXT:
            self._once("text", f"has a text over {MAX_TEXT} characters", "it was cut")
            text = text[:MAX_TEXT]
        children: list[Node] = []
        raw_children = raw.get("children")
        if isinstance(raw_children, list) and raw_children:
            if depth >= MAX_DEPTH:
                self._once("depth", f"nests deeper than {MAX_DEPTH}", "deeper levels were ignored")
            else:
                for raw_child in raw_children:
                    child = self.node(raw_child, depth + 1)
                    if child is not None:
                        children.append(child)
        element_id = raw.get("id")
        return Node(
            classes=tuple(raw["cls"].split()),
            id=element_id.strip() or None if isinstance(element_id, str) else None,
            text=text,
            children=tuple(children),
        )


def read_nodes(data: Any, problems: list[TaggingProblem]) -> list[Node]:
    """The root nodes of the loader's plain data; bad shapes and overflows become problems."""
    reader = _Reader(problems)
    if not isinstance(data, list):
        reader._once("shape", "is not a list of elements", "the page's tagging was ignored")
        return []
    return [node for raw in data if (node := reader.node(raw, 1)) is not None]


def carries_tagging(data: Any) -> bool:
    """The auto-load rule: the plain data holds at least one element of :data:`TAGGING_CLASSES`."""
    if not isinstance(data, list):
        return False
    return any(
        isinstance(raw, dict)
        and isinstance(raw.get("cls"), str)
        and any(name in TAGGING_CLASSES for name in raw["cls"].split())
        for raw in data
    )


# ----- validation: field by field, leaving out what is invalid -----

_REASONS: Final = {
    "missing": "is missing",
    "float_parsing": "is not a number (write it with a dot as the decimal separator: 12.50)",
    "float_type": "is not a number (write it with a dot as the decimal separator: 12.50)",
    "int_parsing": "is not a whole number",
    "int_from_float": "is not a whole number",
    "int_type": "is not a whole number",
    "bool_parsing": "is not true or false",
    "string_too_short": "is empty",
    "string_too_long": "is too long",
}


def _reason(error: Any) -> str:
    """Why a field is invalid, in words that never repeat the value found."""
    name = str(error["loc"][0]) if error["loc"] else ""
    kind = error["type"]
    if name.endswith("currency_code") and kind != "missing":
        return "is not a three-letter ISO 4217 currency code (like EUR)"
    if name == "email" and kind == "string_pattern_mismatch":
        return "is not an email address"
    if kind in _REASONS:
        return _REASONS[kind]
    message = str(error["msg"]).removeprefix("Value error, ").removeprefix("Input ")
    return message[:1].lower() + message[1:]


def _path(location: tuple[Any, ...], names: dict[str, str]) -> str:
    """A field's path in the tagging's own class names: ``category[2]``, ``price``."""
    path = ""
    for part in location:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            shown = names.get(str(part), str(part))
            path = f"{path}.{shown}" if path else shown
    return path


def _validate(
    model: type[M],
    data: dict[str, Any],
    element: str,
    problems: list[TaggingProblem],
    *,
    dropped: str,
    names: dict[str, str] | None = None,
    strict: bool = False,
) -> M | None:
    """``model`` from ``data``; invalid optional fields are reported and left out, an invalid
    or missing required field (any field if ``strict``) reports and returns ``None``
    (``dropped`` says what is lost)."""
    names = names or {}
    try:
        return model.model_validate(data)
    except ValidationError as error:
        errors = error.errors(include_url=False, include_input=False)
    required = {name for name, info in model.model_fields.items() if info.is_required()}
    bad = {str(item["loc"][0]) for item in errors if item["loc"]}
    fatal = strict or bool(bad & required)
    for item in errors:
        top = str(item["loc"][0]) if item["loc"] else ""
        consequence = dropped if fatal and (strict or top in required) else "the field was left out"
        problems.append(
            TaggingProblem(element, _path(item["loc"], names), _reason(item), consequence)
        )
    if fatal:
        return None
    try:
        return model.model_validate({k: v for k, v in data.items() if k not in bad})
    except ValidationError:  # pragma: no cover - leaving out optional fields cannot fail
        return None


def _fields(
    node: Node,
    single: dict[str, str],
    multiple: dict[str, str] | None = None,
    wrapped: dict[str, tuple[str, str]] | None = None,
) -> dict[str, Any]:
    """The text fields of ``node``'s children by class: ``single`` class -> field (first
    wins), ``multiple`` class -> list field, ``wrapped`` wrapper class -> (item class, list
    field) for lists the PHP SDK nests (``categories > category``), ``custom_fields`` ->
    ``{class: text}``."""
    data: dict[str, Any] = {}
    for child in node.children:
        for name in child.classes:
            if name in single and single[name] not in data:
                data[single[name]] = child.text
            elif multiple and name in multiple:
                data.setdefault(multiple[name], []).append(child.text)
            elif wrapped and name in wrapped:
                item, key = wrapped[name]
                items = data.setdefault(key, [])
                items += (entry.text for entry in child.children if entry.has(item))
            elif name == "custom_fields":
                custom = data.setdefault("custom_fields", {})
                for entry in child.children:
                    if entry.classes and entry.classes[0] not in custom:
                        custom[entry.classes[0]] = entry.text
    return data


def _children(node: Node, name: str, *, through: str | None = None) -> Iterator[Node]:
    """Children of ``node`` with class ``name``, also inside a ``through`` wrapper."""
    for child in node.children:
        if child.has(name):
            yield child
        elif through is not None and child.has(through):
            yield from (grandchild for grandchild in child.children if grandchild.has(name))


# ----- the element kinds -----

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


def _without_blanks(data: dict[str, Any]) -> dict[str, Any]:
    """An empty text means the template had nothing to print: the same as no element."""
    kept: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, list):
            value = [item for item in value if item != ""]
        if value not in ("", [], {}):
            kept[key] = value
    return kept


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
    data = _without_blanks(_fields(node, PRODUCT_FIELDS, PRODUCT_LISTS, PRODUCT_WRAPPED))
    for key in TAG_LISTS:
        if key in data:
            data[key] = [tag for text in data[key] for tag in _tag_list(text)]
    if "product_id" not in data:  # older tagging names the id "id"
        old = next((c.text for c in node.children if c.has("id") and c.text), None)
        if old is not None:
            data["product_id"] = old
    skus = []
    for index, sku_node in enumerate(_children(node, "nosto_sku", through="skus")):
        sku_data = _without_blanks(_fields(sku_node, SKU_FIELDS))
        sku = _validate(
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
    return _validate(
        ProductDetails,
        data,
        element,
        problems,
        dropped="the product was left out (no product view is sent for it)",
        names=PRODUCT_NAMES,
    )


def _line_items(
    node: Node, element: str, model: type[M], problems: list[TaggingProblem], dropped: str
) -> tuple[list[M], bool]:
    """The ``line_item``s of a cart or order (also inside an ``items`` wrapper), and whether
    every one of them was valid."""
    lines: list[M] = []
    complete = True
    for index, line_node in enumerate(_children(node, "line_item", through="items")):
        line = _validate(
            model,
            _without_blanks(_fields(line_node, LINE_FIELDS)),
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
        dropped="the cart was left out of the request (a partial cart would be wrong)",
    )
    extra = _without_blanks(_fields(node, {"restore_link": "restore_link", "hcid": "hcid"}))
    restore_link = extra.get("restore_link")
    if not complete:
        return None, restore_link
    return Cart(items=items, hcid=extra.get("hcid")), restore_link


def parse_customer(node: Node, element: str, problems: list[TaggingProblem]) -> Customer | None:
    data = _without_blanks(_fields(node, CUSTOMER_FIELDS))
    data.setdefault("marketing_permission", False)  # explicit: false unless tagged true
    customer = _validate(Customer, data, element, problems, dropped="the customer was left out")
    # A guest's theme may render the element empty: no one to tell Nosto about.
    if customer is None or not (customer.email or customer.customer_reference):
        return None
    return customer


_BOOLEANS: Final = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def parse_order(node: Node, element: str, problems: list[TaggingProblem]) -> WebsiteOrder | None:
    data = _without_blanks(_fields(node, ORDER_FIELDS))
    buyer = next(_children(node, "buyer"), None)
    info = _without_blanks(_fields(buyer, BUYER_FIELDS)) if buyer is not None else {}
    if "order_number" in data:
        info["order_number"] = data.pop("order_number")
    if "newsletter" in info:
        permission = _BOOLEANS.get(info.pop("newsletter").lower())
        if permission is None:
            problems.append(
                TaggingProblem(
                    element,
                    "buyer.marketing_permission",
                    _REASONS["bool_parsing"],
                    "the field was left out",
                )
            )
        else:
            info["newsletter"] = permission
    order_info = _validate(
        OrderInfo,
        info,
        element,
        problems,
        dropped="the order was left out",
        names={"newsletter": "buyer.marketing_permission"},
    )
    items: list[OrderItem] = []
    for purchased in _children(node, "purchased_items"):
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
    return _validate(WebsiteOrder, data, element, problems, dropped="the order was left out")


# ----- the page -----


def visitor_checksum(visitor: str) -> str:
    """``hcid``: the SHA-256 (hex) of the visitor's ``2c.cId`` cookie."""
    return hashlib.sha256(visitor.encode()).hexdigest()


@dataclass(frozen=True)
class PageTagging:
    """What one read of the page's tagging holds, validated."""

    tagged: bool = False  # the auto-load rule: an element of TAGGING_CLASSES is present
    page_type: str | None = None
    products: tuple[ProductDetails, ...] = ()
    cart: Cart | None = None  # None: no (valid) nosto_cart; an empty cart has no items
    restore_link: str | None = None
    customer: Customer | None = None
    order: WebsiteOrder | None = None
    categories: tuple[str, ...] = ()
    category_ids: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    search_terms: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    variation: str | None = None
    placements: tuple[str, ...] = ()
    parent_category_ids: tuple[str, ...] = ()  # the SDK's nosto_category parent_id
    # Only setTaggingProvider gives these; Nosto's markup has no element for them.
    custom_fields: dict[str, list[str]] | None = None
    affinity_signals: dict[str, list[str]] | None = None
    sort_order: str | None = None
    problems: tuple[TaggingProblem, ...] = field(default=())

    def tagging_data(self) -> dict[str, Any]:
        """Nosto's ``TaggingData`` (``api.pageTagging()``): camelCase keys, ``None`` if absent."""
        cart: dict[str, Any] | None = None
        if self.cart is not None:
            cart = {"items": [item.wire() for item in self.cart.items]}
            if self.cart.hcid:
                cart["hcid"] = self.cart.hcid
        return {
            "cart": cart,
            "customer": self.customer.wire() if self.customer is not None else None,
            "variation": self.variation,
            "restoreLink": self.restore_link,
            "products": [product.wire() for product in self.products],
            "order": self.order.wire() if self.order is not None else None,
            "searchTerms": list(self.search_terms) or None,
            "brands": list(self.brands) or None,
            "categories": list(self.categories) or None,
            "categoryIds": list(self.category_ids) or None,
            "parentCategoryIds": list(self.parent_category_ids) or None,
            "tags": list(self.tags) or None,
            "customFields": self.custom_fields,
            "elements": list(self.placements) or None,
            "pageType": self.page_type,
            "affinitySignals": self.affinity_signals,
            "sortOrder": self.sort_order,
        }

    def session_state(
        self, state: SessionState, parts: tuple[str, ...] = ("cart", "customer", "variation")
    ) -> SessionState:
        """``state`` with what the tagging says of ``parts`` (``cart`` also carries the restore
        link); what the tagging does not hold stays as it was."""
        changes: dict[str, Any] = {}
        if "cart" in parts and self.cart is not None:
            changes["cart"] = tuple(self.cart.items)
        if "cart" in parts and self.restore_link is not None:
            changes["restore_link"] = self.restore_link
        if "customer" in parts and self.customer is not None:
            changes["customer"] = self.customer
        if "variation" in parts and self.variation is not None:
            changes["variation"] = self.variation
        return replace(state, **changes)

    def page_view(self, state: SessionState) -> Action:
        """The auto-load's action: the page view with the tagging, one ``vp`` event per
        product and the page's placements (``build_body`` turns it into the request body)."""
        return Action(
            page_type=self.page_type,
            state=self.session_state(state),
            events=[product_view(product) for product in self.products],
            products=list(self.products),
            elements=list(self.placements),
            order=self.order,
            search_terms=list(self.search_terms) or None,
            brands=list(self.brands) or None,
            categories=list(self.categories) or None,
            category_ids=list(self.category_ids) or None,
            parent_category_ids=list(self.parent_category_ids) or None,
            tags=list(self.tags) or None,
            custom_fields=self.custom_fields,
            affinity_signals=self.affinity_signals,
            sort_order=self.sort_order,
        )

    def for_visitor(self, visitor: str | None) -> PageTagging:
        """The tagging without a cart or customer signed for another visitor.

        Platform modules sign the cart and customer tagging with ``hcid``, the SHA-256 of the
        ``2c.cId`` cookie the page was rendered for; when a page cache serves that page to
        someone else the signature does not match and the tagging is not theirs.
        """
        checksum = visitor_checksum(visitor) if visitor else None
        changes: dict[str, Any] = {}
        problems = list(self.problems)
        for name, found, element in (
            ("cart", self.cart, "nosto_cart"),
            ("customer", self.customer, "nosto_customer"),
        ):
            hcid = getattr(found, "hcid", None)
            if hcid and hcid.lower() != checksum:
                changes[name] = None
                if name == "cart":
                    changes["restore_link"] = None
                problems.append(
                    TaggingProblem(
                        element,
                        "hcid",
                        "is not this visitor's (a cached page rendered for someone else?)",
                        f"the {name} was left out",
                    )
                )
        return replace(self, **changes, problems=tuple(problems)) if changes else self

    def load_action(self, state: SessionState) -> Action:
        """The action of an auto-load, ``api.load()`` and ``loadRecommendations()``: the page
        view, answered in HTML and injected into the page's ``nosto_element``s, as Nosto's
        client does for tagged pages."""
        action = self.page_view(state)
        action.state = replace(action.state, response_mode="HTML", campaign_injection=True)
        return action


SINGLE_ROOTS: Final = {
    "nosto_page_type": "page type",
    "nosto_cart": "cart",
    "nosto_customer": "customer",
    "nosto_purchase_order": "order",
    "nosto_variation": "variation",
}
LIST_ROOTS: Final = {
    "nosto_category": "categories",
    "nosto_category_id": "category_ids",
    "nosto_brand": "brands",
    "nosto_search_term": "search_terms",
    "nosto_tag": "tags",
}


def parse_page(data: Any, providers: Any = None) -> PageTagging:
    """Parse the loader's plain data (see the module docstring) into :class:`PageTagging`;
    ``providers`` (see :func:`apply_providers`) override what the elements say."""
    problems: list[TaggingProblem] = []
    nodes = read_nodes(data, problems)
    seen: dict[str, int] = {}
    found: dict[str, Any] = {name: [] for name in (*LIST_ROOTS.values(), "parent_category_ids")}
    found["products"], found["placements"] = [], []
    for node in nodes:
        for name in node.classes:
            if name not in ROOT_CLASSES:
                continue
            index = seen.get(name, 0)
            seen[name] = index + 1
            element = f"{name}[{index}]"
            if name in SINGLE_ROOTS and index > 0:
                problems.append(
                    TaggingProblem(
                        element,
                        "",
                        f"is a second {SINGLE_ROOTS[name]} element",
                        f"it was ignored; a page has one {SINGLE_ROOTS[name]}",
                    )
                )
                continue
            _parse_root(name, node, element, problems, found)
    provided = apply_providers(providers, found, problems)
    found["placements"] = list(dict.fromkeys(found["placements"]))
    tuples = {key: tuple(value) for key, value in found.items() if isinstance(value, list)}
    return PageTagging(
        **{**found, **tuples},
        tagged=carries_tagging(data) or provided,
        problems=tuple(problems),
    )


def _parse_root(
    name: str, node: Node, element: str, problems: list[TaggingProblem], found: dict[str, Any]
) -> None:
    if name == "nosto_category" and node.children:
        _structured_category(node, element, problems, found)
        return
    text_required = name in LIST_ROOTS or name in ("nosto_page_type", "nosto_variation")
    if text_required and not node.text:
        problems.append(TaggingProblem(element, "", "is empty", "it was ignored"))
        return
    if name in LIST_ROOTS:
        found[LIST_ROOTS[name]].append(node.text)
    elif name == "nosto_page_type":
        if node.text in PAGE_TYPES:
            found["page_type"] = node.text
        else:
            problems.append(
                TaggingProblem(
                    element,
                    "",
                    "is not a page type (" + ", ".join(PAGE_TYPES) + ")",
                    "the page was sent without a page type",
                )
            )
    elif name == "nosto_variation":
        found["variation"] = node.text
    elif name == "nosto_product":
        product = parse_product(node, element, problems)
        if product is not None:
            found["products"].append(product)
    elif name == "nosto_cart":
        found["cart"], found["restore_link"] = parse_cart(node, element, problems)
    elif name == "nosto_customer":
        found["customer"] = parse_customer(node, element, problems)
    elif name == "nosto_purchase_order":
        found["order"] = parse_order(node, element, problems)
    elif name == "nosto_element":
        if node.id:
            found["placements"].append(node.id)
        else:
            problems.append(
                TaggingProblem(
                    element, "id", "is missing", "the placement was ignored (give it an id)"
                )
            )


CATEGORY_FIELDS: Final = {
    "category_string": "categories",
    "id": "category_ids",
    "parent_id": "parent_category_ids",
}


def _structured_category(
    node: Node, element: str, problems: list[TaggingProblem], found: dict[str, Any]
) -> None:
    """The PHP SDK's ``nosto_category``: ``category_string`` (the ``/A/B`` path) becomes a
    category, ``id`` a category id and ``parent_id`` a parent category id; its ``title``,
    ``url``, ``path`` (the id path) and ``available`` are not sent."""
    data = _without_blanks(_fields(node, CATEGORY_FIELDS))
    if "categories" not in data:
        problems.append(
            TaggingProblem(
                element, "category_string", "is missing", "the category was sent without its path"
            )
        )
    for key, value in data.items():
        found[key].append(value)


# ----- setTaggingProvider -----

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
            if texts[0] not in PAGE_TYPES:
                problems.append(
                    TaggingProblem(
                        element,
                        "",
                        "is not a page type (" + ", ".join(PAGE_TYPES) + ")",
                        "it was ignored",
                    )
                )
                return None
            return {"page_type": texts[0]}
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
            product = _validate(
                ProductDetails,
                data,
                f"{element}[{index}]",
                problems,
                dropped="the product was left out (no product view is sent for it)",
            )
            if product is not None:
                products.append(product)
        return {"products": products}
    if not isinstance(value, dict):
        problems.append(TaggingProblem(element, "", "is not an object", "it was ignored"))
        return None
    if name == "cart":
        cart = _validate(
            Cart,
            value,
            element,
            problems,
            dropped="the cart was left out of the request (a partial cart would be wrong)",
            strict=True,
        )
        return None if cart is None else {"cart": cart}
    if name == "customer":
        data = dict(value)
        if "marketing_permission" not in data and "newsletter" not in data:
            data["marketing_permission"] = False
        customer = _validate(Customer, data, element, problems, dropped="the customer was left out")
        if customer is None or not (customer.email or customer.customer_reference):
            return None
        return {"customer": customer}
    order = _validate(WebsiteOrder, value, element, problems, dropped="the order was left out")
    return None if order is None else {"order": order}
