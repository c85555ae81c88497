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

The parts: ``tagging_nodes.py`` (the class lists, the bounds and the reader),
``tagging_fields.py`` (fields read and validated), ``tagging_objects.py`` (products, carts,
customers, orders, structured categories), ``tagging_providers.py`` (``setTaggingProvider``);
this module puts them together (:func:`parse_page`) and is where the rest of the package and the
build import them from.

Malformed tagging gives one :class:`TaggingProblem` per problem, naming the element and the
field and never the value found (it may be a customer's); the rest of the tagging still counts.
What is left out when a field is invalid: the field (products, customers, orders); the
product when its id is missing; the purchased item when it is invalid (the order keeps the
rest); the whole cart when one line is invalid, since a partial cart would replace the
shopper's real cart at Nosto with a wrong one (a page without cart tagging leaves it as it is).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from typing import Any, Final

from nosto_tagging.core.actions import Action, product_view
from nosto_tagging.core.models import Cart, Customer, ProductDetails, WebsiteOrder
from nosto_tagging.core.session import SessionState
from nosto_tagging.core.tagging_fields import checked_page_type
from nosto_tagging.core.tagging_nodes import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_TEXT,
    ROOT_CLASSES,
    TAGGING_CLASSES,
    Node,
    TaggingProblem,
    carries_tagging,
    read_nodes,
)
from nosto_tagging.core.tagging_objects import (
    parse_cart,
    parse_category,
    parse_customer,
    parse_order,
    parse_product,
)
from nosto_tagging.core.tagging_providers import PROVIDED_TAGGING, apply_providers

__all__ = [
    "MAX_DEPTH",
    "MAX_NODES",
    "MAX_TEXT",
    "PROVIDED_TAGGING",
    "ROOT_CLASSES",
    "TAGGING_CLASSES",
    "PageTagging",
    "TaggingProblem",
    "carries_tagging",
    "parse_page",
    "visitor_checksum",
]


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
    ``providers`` (see ``tagging_providers.apply_providers``) override what the elements say."""
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
        for key, value in parse_category(node, element, problems).items():
            found[key].append(value)
        return
    text_required = name in LIST_ROOTS or name in ("nosto_page_type", "nosto_variation")
    if text_required and not node.text:
        problems.append(TaggingProblem(element, "", "is empty", "it was ignored"))
        return
    if name in LIST_ROOTS:
        found[LIST_ROOTS[name]].append(node.text)
    elif name == "nosto_page_type":
        found["page_type"] = checked_page_type(
            node.text, element, problems, "the page was sent without a page type"
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
