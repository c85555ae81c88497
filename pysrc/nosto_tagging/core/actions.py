"""Actions: what a session's ``view*``/``addOrder`` call creates and ``update()``/``load()`` sends.

An action starts from a copy of the session; its own setters change only that copy. The page
type follows from the view method (``nosto.d.ts``: "You do not need to specify the page-type
explicitly"). On an Action, unlike the Session, ``setCart(null)`` and ``setCustomer(null)``
clear (``nosto.d.ts`` ``Action.setCart``); ``undefined`` leaves the value out of the request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Final

from nosto_tagging.core import arguments
from nosto_tagging.core.errors import FieldProblem, InvalidInput
from nosto_tagging.core.models import (
    PAGE_TYPES,
    RENDER_MODES,
    CartItem,
    Customer,
    Product,
    WebsiteOrder,
)
from nosto_tagging.core.protocol import UNDEFINED
from nosto_tagging.core.session import (
    SessionState,
    cart_change,
    customer_change,
    is_absent,
    validate,
)

LOAD_FLAGS: Final = ("skipPageViews", "trackEvents", "skipEvents", "reloadCart")


@dataclass
class Action:
    """One page view (or recommendation request) waiting to be performed."""

    page_type: str | None
    state: SessionState
    events: list[list[Any]] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)
    elements: list[str] = field(default_factory=list)
    order: WebsiteOrder | None = None
    search_terms: list[str] | None = None
    brands: list[str] | None = None
    categories: list[str] | None = None
    category_ids: list[str] | None = None
    parent_category_ids: list[str] | None = None
    tags: list[str] | None = None
    custom_fields: dict[str, list[str]] | None = None
    affinity_signals: dict[str, list[str]] | None = None
    sort_order: str | None = None
    refs: dict[str, str] = field(default_factory=dict)

    def tagging_data(self) -> dict[str, Any]:
        """``dumpData()``: the action as Nosto's ``TaggingData`` (camelCase keys)."""
        state = self.state
        return {
            "cart": {"items": [i.wire() for i in state.cart]} if state.cart is not None else None,
            "customer": state.customer.wire() if state.customer is not None else None,
            "variation": state.variation,
            "restoreLink": state.restore_link,
            "products": [product.wire() for product in self.products],
            "order": self.order.wire() if self.order else None,
            "searchTerms": self.search_terms,
            "brands": self.brands,
            "categories": self.categories,
            "categoryIds": self.category_ids,
            "parentCategoryIds": self.parent_category_ids,
            "tags": self.tags,
            "customFields": self.custom_fields,
            "elements": self.elements,
            "pageType": self.page_type,
            "affinitySignals": self.affinity_signals,
            "sortOrder": self.sort_order,
        }


# What a row of the API table runs on an action: it reads the call's arguments into the action.
Fill = Callable[[Action, tuple[Any, ...]], None]


def _arg(args: tuple[Any, ...], index: int = 0) -> Any:
    return args[index] if len(args) > index else UNDEFINED


def parse_product(method: str, product: Any) -> Product:
    """``"123"``, ``123`` or ``{product_id: "123", selected_sku_id?: "..."}``."""
    if isinstance(product, dict):
        return validate(Product, method, product)
    return Product(product_id=arguments.text(method, "product", product))


def product_view(product: Product, sku_id: str | None = None) -> list[Any]:
    """The ``vp`` event tuple: the selected SKU goes in the fifth slot (``targetFragment``)."""
    sku = sku_id or product.selected_sku_id
    return ["vp", product.product_id, None, None, sku] if sku else ["vp", product.product_id]


# ----- Session factories: method -> (page type, how the arguments fill the action) -----


def view_product(action: Action, args: tuple[Any, ...]) -> None:
    product = parse_product("viewProduct", _arg(args))
    action.products = [product]
    action.events = [product_view(product)]


def view_product_sku(action: Action, args: tuple[Any, ...]) -> None:
    product_id = arguments.text("viewProductSku", "productId", _arg(args, 0))
    sku_id = arguments.text("viewProductSku", "skuId", _arg(args, 1))
    product = Product(product_id=product_id, selected_sku_id=sku_id)
    action.products = [product]
    action.events = [product_view(product)]


def view_category(action: Action, args: tuple[Any, ...]) -> None:
    action.categories = arguments.texts("viewCategory", "categories", list(args))


def view_tag(action: Action, args: tuple[Any, ...]) -> None:
    action.tags = arguments.texts("viewTag", "tags", list(args))


def view_custom_field(action: Action, args: tuple[Any, ...]) -> None:
    action.custom_fields = arguments.text_map("viewCustomField", "customFields", _arg(args))


def view_search(action: Action, args: tuple[Any, ...]) -> None:
    action.search_terms = arguments.texts("viewSearch", "searchTerms", list(args))


def add_order(action: Action, args: tuple[Any, ...]) -> None:
    action.order = validate(WebsiteOrder, "addOrder", _arg(args))


def report_add_to_cart(action: Action, args: tuple[Any, ...]) -> None:
    product_id = arguments.text("reportAddToCart", "product", _arg(args, 0))
    element = arguments.text("reportAddToCart", "element", _arg(args, 1))
    action.events = [["cp", product_id, element]]


def nothing(action: Action, args: tuple[Any, ...]) -> None:
    return None


def create_action(
    page_type: str | None, fill: Fill, args: tuple[Any, ...], state: SessionState
) -> Action:
    """The action a view (``view*``, ``addOrder``, ``reportAddToCart``) creates: the session
    copied, the page type its row names, filled from the call's arguments."""
    action = Action(page_type=page_type, state=state)
    fill(action, args)
    return action


# ----- Action setters: each changes the action only -----


def set_cart(action: Action, args: tuple[Any, ...]) -> None:
    cart = _arg(args)
    changed: tuple[CartItem, ...] | None
    if cart is UNDEFINED:
        changed = None  # "no change": leave the cart out of this request
    elif cart is None:
        changed = ()  # nosto.d.ts: passing null nullifies the cart on Nosto's end
    else:
        changed = cart_change("setCart", cart)
    action.state = replace(action.state, cart=changed)


def set_customer(action: Action, args: tuple[Any, ...]) -> None:
    customer = _arg(args)
    changed: Customer | None
    if customer is UNDEFINED:
        changed = None
    elif customer is None:
        changed = Customer()
    else:
        changed = customer_change("setCustomer", customer)
    action.state = replace(action.state, customer=changed)


def set_ref(action: Action, args: tuple[Any, ...]) -> None:
    product_id = arguments.text("setRef", "productId", _arg(args, 0))
    action.refs[product_id] = arguments.text("setRef", "reference", _arg(args, 1))


def set_product(action: Action, args: tuple[Any, ...]) -> None:
    product = parse_product("setProduct", _arg(args))
    action.products = [product]
    action.events = [e for e in action.events if e[0] != "vp"] + [product_view(product)]


def set_products(action: Action, args: tuple[Any, ...]) -> None:
    given = _arg(args)
    if not isinstance(given, list):
        raise InvalidInput("setProducts", [FieldProblem("products", given, "is not a list")])
    products = [parse_product("setProducts", product) for product in given]
    action.products = products
    action.events = [e for e in action.events if e[0] != "vp"] + [
        product_view(product) for product in products
    ]


def set_order(action: Action, args: tuple[Any, ...]) -> None:
    action.order = validate(WebsiteOrder, "setOrder", _arg(args))


def list_setter(attribute: str, method: str, name: str) -> Fill:
    def set_list(action: Action, args: tuple[Any, ...]) -> None:
        value = _arg(args)
        setattr(
            action, attribute, None if is_absent(value) else arguments.texts(method, name, value)
        )

    return set_list


def _strings(method: str, name: str, args: tuple[Any, ...]) -> list[str]:
    """A builder's ``string[]`` argument; a bare string, or several, as the d.ts examples use."""
    values: list[Any] = []
    for arg in args:
        values += arg if isinstance(arg, list | tuple) else [arg]
    return arguments.texts(method, name, values)


def builder_list(attribute: str, method: str, name: str, *, add: bool) -> Fill:
    """A RequestBuilder list: ``set*`` replaces, ``add*`` adds to what earlier calls gave."""

    def fill(action: Action, args: tuple[Any, ...]) -> None:
        values = _strings(method, name, args)
        if add:
            values = (getattr(action, attribute) or []) + values
        setattr(action, attribute, values)

    return fill


def set_custom_fields(action: Action, args: tuple[Any, ...]) -> None:
    value = _arg(args)
    fields = (
        None if is_absent(value) else arguments.text_map("setCustomFields", "customFields", value)
    )
    action.custom_fields = fields


def set_variation(action: Action, args: tuple[Any, ...]) -> None:
    value = _arg(args)
    variation = (
        None
        if is_absent(value) or value == ""
        else arguments.text("setVariation", "variation", value)
    )
    action.state = replace(action.state, variation=variation)


def set_placements(action: Action, args: tuple[Any, ...]) -> None:
    action.elements = arguments.texts("setPlacements", "placements", _arg(args))


def set_restore_link(action: Action, args: tuple[Any, ...]) -> None:
    link = arguments.text("setRestoreLink", "restoreLink", _arg(args))
    action.state = replace(action.state, restore_link=link)


def set_page_type(action: Action, args: tuple[Any, ...]) -> None:
    action.page_type = arguments.one_of("setPageType", "pageType", _arg(args), PAGE_TYPES)


def add_affinity(action: Action, args: tuple[Any, ...]) -> None:
    """Merged over earlier calls, same keys overridden; ``{clear: true}`` starts afresh."""
    signals = arguments.text_map("addAffinity", "affinity", _arg(args, 0))
    options = _arg(args, 1)
    clear = False
    if isinstance(options, dict) and not is_absent(options.get("clear")):
        clear = arguments.flag("addAffinity", "options.clear", options["clear"])
    elif not is_absent(options) and not isinstance(options, dict):
        raise InvalidInput("addAffinity", [FieldProblem("options", options, "is not an object")])
    merged = {} if clear or action.affinity_signals is None else dict(action.affinity_signals)
    merged.update(signals)
    action.affinity_signals = merged


def set_sort_order(action: Action, args: tuple[Any, ...]) -> None:
    action.sort_order = arguments.text("setSortOrder", "sortOrder", _arg(args))


def set_response_mode(action: Action, args: tuple[Any, ...]) -> None:
    mode = arguments.one_of("setResponseMode", "mode", _arg(args), RENDER_MODES)
    action.state = replace(action.state, response_mode=mode)


def add_event(action: Action, args: tuple[Any, ...]) -> None:
    kind = arguments.text("addEvent", "type", _arg(args, 0))
    target = _arg(args, 1)
    event: list[Any] = [kind] + ([arguments.text("addEvent", "target", target)] if target else [])
    action.events.append(event)


def builder_products(action: Action, args: tuple[Any, ...]) -> None:
    """``setProducts(products, ref?)``: the ref, when given, attributes each product's view."""
    set_products(action, args[:1])
    ref = _arg(args, 1)
    if not is_absent(ref):
        reference = arguments.text("setProducts", "ref", ref)
        action.refs.update({product.product_id: reference for product in action.products})


def set_refs(action: Action, args: tuple[Any, ...]) -> None:
    refs = _arg(args)
    if not isinstance(refs, dict):
        raise InvalidInput("setRefs", [FieldProblem("refs", refs, "is not an object")])
    for product_id, reference in refs.items():
        action.refs[arguments.text("setRefs", "refs", product_id)] = arguments.text(
            "setRefs", f"refs.{product_id}", reference
        )


def add_custom_fields(action: Action, args: tuple[Any, ...]) -> None:
    fields = arguments.text_map("addCurrentCustomFields", "fields", _arg(args))
    action.custom_fields = {**(action.custom_fields or {}), **fields}


def set_affinity_signals(action: Action, args: tuple[Any, ...]) -> None:
    action.affinity_signals = arguments.text_map("setAffinitySignals", "signals", _arg(args))


def add_order_data(action: Action, args: tuple[Any, ...]) -> None:
    action.order = validate(WebsiteOrder, "addOrderData", _arg(args))


def set_injection(enabled: bool) -> Fill:
    def set_injection(action: Action, args: tuple[Any, ...]) -> None:
        action.state = replace(action.state, campaign_injection=enabled)

    return set_injection


def load_flags(method: str, flags: Any) -> dict[str, bool]:
    """The ``RecommendationRequestFlags`` of ``load(flags)``, checked."""
    if is_absent(flags):
        return {}
    if not isinstance(flags, dict):
        raise InvalidInput(method, [FieldProblem("flags", flags, "is not an object")])
    problems = [
        FieldProblem(f"flags.{name}", value, f"is not a known flag ({', '.join(LOAD_FLAGS)})")
        for name, value in flags.items()
        if name not in LOAD_FLAGS
    ]
    problems += [
        FieldProblem(f"flags.{name}", value, "is not a boolean")
        for name, value in flags.items()
        if name in LOAD_FLAGS and not is_absent(value) and not isinstance(value, bool)
    ]
    if problems:
        raise InvalidInput(method, problems)
    return {name: value for name, value in flags.items() if isinstance(value, bool)}
