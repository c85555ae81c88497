"""The nostojs API as one table: every member of the api, Session, Action, RequestBuilder and
Attribution of ``nosto.d.ts``, with what the loader and the engine need to know of it.

Each row says who handles the member (the engine, the page alone, or nobody yet), what it
returns to the page (the d.ts return type), its parameters as the d.ts names them, whether its
arguments are customer data, and for Session setters which ``SessionState`` field it sets and
which request field carries it. The engine dispatches from this table: a row of the engine says
how it is applied (``state`` and ``parse`` for a Session setter, ``fill`` for what a view or a
setter does to an action, ``handler`` for the engine's own method); the build writes the
loader's table from :func:`loader_table`; ``tests/core/test_api_spec.py`` checks every row
against ``nosto.d.ts``, signatures included.

Adding a Session setter: one row here (with ``state``, ``parse`` and ``wire``), one
``SessionState`` field, one test row. Adding an Action setter: one row with its ``fill``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any, Final

from nosto_tagging.core import actions as A
from nosto_tagging.core import arguments
from nosto_tagging.core.models import RENDER_MODES
from nosto_tagging.core.protocol import UNDEFINED
from nosto_tagging.core.session import KEEP, Session, cart_change, customer_change, is_absent


class Side(Enum):
    """Who handles a member."""

    ENGINE = "engine"  # journaled by the loader, applied by the engine in call order
    PAGE = "page"  # the loader alone (listeners, DOM, synchronous getters)
    MIRROR = "mirror"  # read synchronously from the engine's mirror (dumpData, getData)
    UNSUPPORTED = "unsupported"  # exists, warns once in the console, does nothing


ENGINE, PAGE, MIRROR, UNSUPPORTED = Side.ENGINE, Side.PAGE, Side.MIRROR, Side.UNSUPPORTED


@dataclass(frozen=True)
class Member:
    """One member of one interface of ``nosto.d.ts``."""

    name: str  # dotted for members of nested objects: "visit.setCustomerId"
    params: tuple[str, ...]  # d.ts parameter names; "flags?" optional, "...tags" rest
    returns: str  # the d.ts return type, as written there
    side: Side
    private: bool = False  # its arguments are customer data (sessionStorage only)
    echo: bool = False  # the loader also applies it to its mirror at once (getters after it)
    state: str | None = None  # Session setters: the SessionState field they set
    parse: Callable[[str, Any], Any] | None = None  # Session setters: argument -> value | KEEP
    wire: str | None = None  # the EventRequest field that carries the value
    fill: A.Fill | None = None  # views and Action/RequestBuilder setters: fills the action
    page_type: str | None = None  # views: the page type of the action they create
    handler: str | None = None  # members the engine handles itself: the name of its method


def _keep_absent(parse: Callable[[str, Any], Any]) -> Callable[[str, Any], Any]:
    """``null`` and ``undefined`` mean "no change" on the Session (README: Session setters)."""

    def parse_or_keep(method: str, value: Any) -> Any:
        return KEEP if is_absent(value) else parse(method, value)

    return parse_or_keep


def _variation(method: str, value: Any) -> str | None:
    # nosto-react sends "" when the shop has a single currency: that means no variation.
    return None if value == "" else arguments.text(method, "variation", value)


def _constant(value: bool) -> Callable[[str, Any], bool]:
    return lambda method, argument: value


def _row(name: str, params: str, returns: str, side: Side = ENGINE, **more: Any) -> Member:
    return Member(name, tuple(params.split()), returns, side, **more)


SESSION: Final = (
    _row("enableCampaignInjection", "", "Session", state="campaign_injection",
         parse=_constant(True)),
    _row("disableCampaignInjection", "", "Session", state="campaign_injection",
         parse=_constant(False)),
    _row("setCart", "cart", "Session", state="cart", parse=_keep_absent(cart_change),
         wire="cart"),
    _row("setCustomer", "customer", "Session", private=True, state="customer",
         parse=_keep_absent(customer_change), wire="customer"),
    _row("setVariation", "variation", "Session", state="variation",
         parse=_keep_absent(_variation), wire="current_variant_id"),
    _row("setRestoreLink", "restoreLink", "Session", private=True, state="restore_link",
         parse=_keep_absent(lambda m, v: arguments.text(m, "restoreLink", v)),
         wire="restore_link"),
    _row("setResponseMode", "mode", "Session", state="response_mode",
         parse=lambda m, v: arguments.one_of(m, "mode", v, RENDER_MODES), wire="response_mode"),
    _row("viewFrontPage", "", "Action", page_type="front", fill=A.nothing),
    _row("viewCart", "", "Action", page_type="cart", fill=A.nothing),
    _row("viewNotFound", "", "Action", page_type="notfound", fill=A.nothing),
    _row("viewProduct", "product", "Action", page_type="product", fill=A.view_product),
    _row("viewProductSku", "productId skuId", "Action", page_type="product",
         fill=A.view_product_sku),
    _row("viewCategory", "...categories", "Action", page_type="category", fill=A.view_category),
    # Deprecated tag and custom-field pages list products like a category page does.
    _row("viewTag", "...tags", "Action", page_type="category", fill=A.view_tag),
    _row("viewCustomField", "customFields", "Action", page_type="category",
         fill=A.view_custom_field),
    _row("viewSearch", "...searchTerms", "Action", page_type="search", fill=A.view_search),
    _row("viewOther", "", "Action", page_type="other", fill=A.nothing),
    _row("addOrder", "order", "Action", private=True, page_type="order", fill=A.add_order),
    # Attribution only: no page type, so the collector counts no page of its own.
    _row("reportAddToCart", "product element", "Action", fill=A.report_add_to_cart),
    _row("recordAttribution", "type target ref refSrc", "Attribution",
         handler="_session_attribution"),
)  # fmt: skip

ACTION: Final = (
    _row("setRef", "productId reference", "Action", fill=A.set_ref),
    _row("setProduct", "product", "Action", fill=A.set_product),
    _row("setProducts", "products", "Action", fill=A.set_products),
    _row("setCart", "cart", "Action", fill=A.set_cart),
    _row("setCustomer", "customer", "Action", private=True, fill=A.set_customer),
    _row("setOrder", "order", "Action", private=True, fill=A.set_order),
    _row("setSearchTerms", "searchTerms", "Action",
         fill=A.list_setter("search_terms", "setSearchTerms", "searchTerms")),
    _row("setBrands", "brands", "Action", fill=A.list_setter("brands", "setBrands", "brands")),
    _row("setCategories", "categories", "Action",
         fill=A.list_setter("categories", "setCategories", "categories")),
    _row("setCategoryIds", "categoryIds", "Action",
         fill=A.list_setter("category_ids", "setCategoryIds", "categoryIds")),
    _row("setParentCategoryIds", "parentCategoryIds", "Action",
         fill=A.list_setter("parent_category_ids", "setParentCategoryIds", "parentCategoryIds")),
    _row("setTags", "tags", "Action", fill=A.list_setter("tags", "setTags", "tags")),
    _row("setCustomFields", "customFields", "Action", fill=A.set_custom_fields),
    _row("setVariation", "variation", "Action", fill=A.set_variation),
    _row("setPlacements", "placements", "Action", fill=A.set_placements),
    _row("setRestoreLink", "restoreLink", "Action", private=True, fill=A.set_restore_link),
    _row("setPageType", "pageType", "Action", fill=A.set_page_type),
    _row("addAffinity", "affinity options?", "Action", fill=A.add_affinity),
    _row("dumpData", "", "TaggingData", MIRROR),
    _row("update", "", "unknown", handler="_perform"),  # a Promise of the ActionResponse
    _row("load", "flags?", "Promise<ActionResponse>", handler="_perform"),
)  # fmt: skip

BUILDER: Final = (
    _row("setForcedSegments", "segments", "RequestBuilder", UNSUPPORTED),
    _row("setSegmentCodes", "segments", "RequestBuilder", UNSUPPORTED),
    _row("setTargets", "targets", "RequestBuilder", UNSUPPORTED),
    _row("setPageType", "pageType", "RequestBuilder", fill=A.set_page_type),
    _row("setSortOrder", "sortOrder", "RequestBuilder", fill=A.set_sort_order),
    _row("setAffinitySignals", "signals", "RequestBuilder", fill=A.set_affinity_signals),
    _row("addEvent", "event", "RequestBuilder", fill=A.add_event),
    _row("setCustomer", "customer", "RequestBuilder", private=True, fill=A.set_customer),
    _row("setCoupon", "coupon", "RequestBuilder", UNSUPPORTED),
    _row("addElements", "elements", "RequestBuilder",
         fill=A.builder_list("elements", "addElements", "elements", add=True)),
    _row("setElements", "elements", "RequestBuilder",
         fill=A.builder_list("elements", "setElements", "elements", add=False)),
    _row("setCartContent", "cart", "RequestBuilder", fill=A.set_cart),
    _row("setRestoreLink", "restoreLink", "RequestBuilder", private=True,
         fill=A.set_restore_link),
    _row("addCartItems", "", "RequestBuilder", UNSUPPORTED),
    _row("addCartCookieHash", "hash", "RequestBuilder", UNSUPPORTED),
    _row("addCartTotal", "", "RequestBuilder", UNSUPPORTED),
    _row("addCartSize", "", "RequestBuilder", UNSUPPORTED),
    _row("setProducts", "products ref?", "RequestBuilder", fill=A.builder_products),
    _row("addCurrentBrands", "brands", "RequestBuilder",
         fill=A.builder_list("brands", "addCurrentBrands", "brands", add=True)),
    _row("setCurrentBrands", "brands", "RequestBuilder",
         fill=A.builder_list("brands", "setCurrentBrands", "brands", add=False)),
    _row("addCurrentCategories", "categories", "RequestBuilder",
         fill=A.builder_list("categories", "addCurrentCategories", "categories", add=True)),
    _row("setCurrentCategories", "categories", "RequestBuilder",
         fill=A.builder_list("categories", "setCurrentCategories", "categories", add=False)),
    _row("addCurrentCategoryIds", "categoryIds", "RequestBuilder",
         fill=A.builder_list("category_ids", "addCurrentCategoryIds", "categoryIds", add=True)),
    _row("addCurrentParentCategoryIds", "parentCategoryIds", "RequestBuilder",
         fill=A.builder_list("parent_category_ids", "addCurrentParentCategoryIds",
                             "parentCategoryIds", add=True)),
    _row("addCurrentTags", "tags", "RequestBuilder",
         fill=A.builder_list("tags", "addCurrentTags", "tags", add=True)),
    _row("setCurrentTags", "tags", "RequestBuilder",
         fill=A.builder_list("tags", "setCurrentTags", "tags", add=False)),
    _row("addCurrentCustomFields", "fields", "RequestBuilder", fill=A.add_custom_fields),
    _row("setCurrentPriceFrom", "value", "RequestBuilder", UNSUPPORTED),
    _row("setCurrentPriceTo", "value", "RequestBuilder", UNSUPPORTED),
    # one variation: the last one given
    _row("addCurrentVariation", "variation", "RequestBuilder", fill=A.set_variation),
    _row("addCustomer", "customer", "RequestBuilder", private=True, fill=A.set_customer),
    _row("setResponseMode", "mode", "RequestBuilder", fill=A.set_response_mode),
    _row("setExperiments", "experiments", "RequestBuilder", UNSUPPORTED),
    _row("disableCampaignInjection", "", "RequestBuilder", fill=A.set_injection(False)),
    _row("enablePreview", "", "RequestBuilder", UNSUPPORTED),
    _row("addOrderData", "order", "RequestBuilder", private=True, fill=A.add_order_data),
    _row("setMailRef", "refMail recRef", "RequestBuilder", UNSUPPORTED),
    _row("populateFrom", "params unwrappedReference?", "RequestBuilder", UNSUPPORTED),
    _row("setRecommendationRef", "recRef recRefSrc?", "RequestBuilder", UNSUPPORTED),
    _row("send", "flags", "Promise<EventResponseMessage>", handler="_perform"),
    _row("load", "flags?", "Promise<EventResponseMessage>", handler="_perform"),
    _row("loadCartPopupRecommendations", "alwaysShow", "Promise<EventResponseMessage>",
         UNSUPPORTED),
    _row("loadRecommendations", "flags?", "Promise<EventResponseMessage>", handler="_perform"),
    _row("setRefs", "refs", "RequestBuilder", fill=A.set_refs),
    _row("getEvents", "", "Event[]", MIRROR),
    _row("getData", "", "EventRequestMessageV1", MIRROR),
)  # fmt: skip

ATTRIBUTION: Final = (
    _row("recordAttribution", "event", "Attribution", handler="_add_attribution"),
    _row("dumpData", "", "EventTuple[]", MIRROR),
    _row("done", "", "Promise<void>", handler="_attribution_done"),
)

API: Final = (
    _row("setTaggingProvider", "name provider options?", "void", PAGE),
    _row("setResponseMode", "", "void", PAGE),  # deprecated no-op in Nosto's client too
    _row("createSession", "", "Session", PAGE),
    _row("defaultSession", "", "Session", PAGE),
    _row("createRecommendationRequest", "flags?", "RequestBuilder", handler="_new_request"),
    _row("setAutoLoad", "flag", "void", echo=True, handler="_set_auto_load"),
    _row("isAutoLoad", "", "boolean", PAGE),
    _row("setRecommendationsEnabled", "flag", "void", UNSUPPORTED),
    _row("listen", "phase callback", "void", PAGE),
    _row("unlisten", "phase callback", "void", PAGE),
    _row("loadRecommendations", "element?", "Promise<EventResponseMessage>", private=True,
         echo=True, handler="_tagging"),
    _row("load", "", "Promise<void> | Promise<EventResponseMessage>", private=True, echo=True,
         handler="_tagging"),
    _row("pageTagging", "", "TaggingData", PAGE),
    _row("pageTaggingAsync", "", "Promise<TaggingData>", PAGE),
    _row("loadCartPopupRecommendations", "products cart alwaysShow",
         "Promise<EventResponseMessage>", UNSUPPORTED),
    _row("reportAddToCart", "product recoId", "Promise<void>", handler="_report_add_to_cart"),
    _row("captureError", "error reporter level?", "void", UNSUPPORTED),
    _row("recommendedProductAddedToCart", "product recoId", "Promise<void>",
         handler="_report_add_to_cart"),
    _row("experiments", "experiments", "Promise<void>", UNSUPPORTED),
    _row("customer", "customer", "Promise<void>", private=True, handler="_customer"),
    _row("popupCampaigns", "", "object[] | undefined", UNSUPPORTED),
    _row("reloadOverlay", "", "void", UNSUPPORTED),
    _row("openPopup", "popupId options", "void", UNSUPPORTED),
    _row("enablePopup", "popupId", "void", UNSUPPORTED),
    _row("disablePopup", "popupId", "void", UNSUPPORTED),
    _row("resendCartContent", "cart", "Promise<void>", handler="_resend_cart_content"),
    _row("resendCartTagging", "", "Promise<void>", private=True, echo=True, handler="_tagging"),
    _row("resendCustomerTagging", "", "Promise<void>", private=True, echo=True,
         handler="_tagging"),
    _row("sendTagging", "", "Promise<void>", private=True, echo=True, handler="_tagging"),
    _row("addSegmentCodeToVisit", "segment", "Promise<void>", UNSUPPORTED),
    _row("addAffinitySignals", "signals", "Promise<void>", UNSUPPORTED),
    _row("removeCampaigns", "divIds", "void", UNSUPPORTED),
    _row("showPlacementPreviews", "placement content", "void", UNSUPPORTED),
    _row("install", "callbackFn", "void", UNSUPPORTED),
    _row("getSearchSessionParams", "", "Promise<SearchSessionParams>", UNSUPPORTED),
    _row("search", "query options?", "Promise<SearchResult>", UNSUPPORTED),
    _row("recordSearch", "type query response options?", "void", UNSUPPORTED),
    _row("recordSearchClick", "type hit", "Promise<void> | undefined", UNSUPPORTED),
    _row("recordSearchAddToCart", "type hit", "Promise<void>", UNSUPPORTED),
    _row("recordSearchSubmit", "query", "void", UNSUPPORTED),
    _row("recordAttribution", "event", "Attribution", handler="_api_attribution"),
    _row("attributeProductClicksInCampaign", "element campaign", "void", UNSUPPORTED),
    _row("visit.getCustomerId", "", "Maybe<string>", PAGE),
    _row("visit.setCustomerId", "id", "void", handler="_set_customer_id"),
    _row("visit.isDoNotTrack", "", "boolean", PAGE),
    _row("visit.setDoNotTrack", "dnt", "boolean", echo=True, handler="_set_do_not_track"),
    _row("visit.setStore", "s", "Store", UNSUPPORTED),
    _row("visit.setCustomerIdentifierService", "s", "Store", UNSUPPORTED),
    _row("placements.getPlacements", "", "string[]", PAGE),
    _row("placements.initialBody", "", "null | HTMLElement", UNSUPPORTED),
    _row("placements.injectCampaigns", "campaigns targets?", "Promise<object>", PAGE),
    _row("placements.isFiltered", "placement", "boolean", UNSUPPORTED),
    _row("placements.isFilteringConfigured", "placement", "boolean", UNSUPPORTED),
    _row("placements.removeContent", "divId", "void", PAGE),
    _row("placements.reset", "", "void", PAGE),
)  # fmt: skip

# Interface name in nosto.d.ts -> its rows; "api" is ``declare const api``.
INTERFACES: Final[dict[str, tuple[Member, ...]]] = {
    "api": API,
    "Session": SESSION,
    "Action": ACTION,
    "RequestBuilder": BUILDER,
    "Attribution": ATTRIBUTION,
}
# The loader's call targets: ``session``, ``api`` and objects named ``<target>:<eid>``.
TARGETS: Final = {
    "api": "api",
    "session": "Session",
    "action": "Action",
    "builder": "RequestBuilder",
    "attribution": "Attribution",
}
_BY_TARGET: Final = {
    target: {member.name: member for member in INTERFACES[interface]}
    for target, interface in TARGETS.items()
}

_PRIVATE_NAMES: Final = frozenset(
    row.name for rows in INTERFACES.values() for row in rows if row.private
)


def member(target: str, name: str) -> Member | None:
    """The row of ``name`` on a call target (``session``, ``action``, ...), if there is one."""
    return _BY_TARGET.get(target, {}).get(name)


def is_private_method(name: str) -> bool:
    """Whether a member of this name, on any interface, takes customer data."""
    return name in _PRIVATE_NAMES


# A value shaped like an email is customer data wherever it is, whatever the member: a call's
# arguments or a request body, as JSON text (case-insensitive). The build hands it to the page.
EMAIL_SHAPED: Final = r'[^@\s"]+@[^@\s"]+\.[a-z]'
_EMAIL_SHAPED: Final = re.compile(EMAIL_SHAPED, re.IGNORECASE)


def holds_email_shaped(text: str) -> bool:
    """Whether JSON ``text`` holds a value shaped like an email."""
    return _EMAIL_SHAPED.search(text) is not None


def session_setters() -> tuple[Member, ...]:
    """Session members that set a ``SessionState`` field."""
    return tuple(row for row in SESSION if row.state is not None)


def set_on_session(session: Session, method: str, args: tuple[Any, ...]) -> bool:
    """Apply a Session setter row to ``session``; False when ``method`` is no setter."""
    row = member("session", method)
    if row is None or row.state is None or row.parse is None:
        return False
    session.set(row.state, row.parse(method, args[0] if args else UNDEFINED))
    return True


# What a journaled call returns to the page, by the d.ts return type.
_RETURNS: Final = {
    "Action": "A",
    "Attribution": "T",
    "RequestBuilder": "B",
    "unknown": "R",
    "Promise<ActionResponse>": "R",
    "Promise<EventResponseMessage>": "M",
    "Promise<void>": "N",
    "void": "V",
}


def loader_kind(interface: str, row: Member) -> str:
    """The loader's one-letter kind of a member (``web/`` reads the table by these).

    S journal and return the object itself; A/T/B journal and return a new Action, Attribution
    or RequestBuilder; R/M/N journal and return a Promise of the ActionResponse, of Nosto's
    raw answer, of undefined; V journal and return undefined; D read from the mirror; P the
    page alone (for an ``echo`` member: the page, then journaled for the engine); U unsupported
    (warn once) returning undefined, UP a Promise, US the object itself.
    """
    own = interface
    if row.side is PAGE or row.echo:
        return "P"
    if row.side is MIRROR:
        return "D"
    if row.side is UNSUPPORTED:
        if row.returns == own and interface != "api":
            return "US"
        return "UP" if row.returns.startswith("Promise") else "U"
    if row.returns == own and interface != "api":
        return "S"
    return _RETURNS[row.returns]


def loader_table() -> dict[str, Any]:
    """The table as the loader needs it: kinds per target, and the customer-data members."""
    return {
        **{
            target: {row.name: loader_kind(interface, row) for row in INTERFACES[interface]}
            for target, interface in TARGETS.items()
        },
        "private": {
            target: [row.name for row in INTERFACES[interface] if row.private]
            for target, interface in TARGETS.items()
        },
    }
