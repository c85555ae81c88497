"""The engine: applies journaled nostojs calls, in call order, to the session and its actions.

Which calls exist, and which of them the engine handles, is ``core.api``'s table; this module
maps each engine-side row to what it does (``handled()`` lists them, and a test checks that the
two agree). Call targets are ``api``, ``session``, and the objects calls create, named after
the event id of the creating call: ``action:<eid>``, ``builder:<eid>``
(``createRecommendationRequest``) and ``attribution:<eid>``. It is pure: what the worker shell
must do (send a request, tell the page, log) comes back as values.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any, Final

from nosto_tagging.core.actions import (
    ACTION_SETTERS,
    BUILDER_SETTERS,
    VIEWS,
    Action,
    Fill,
    create_action,
    load_flags,
)
from nosto_tagging.core.api import (
    Side,
    is_private_method,
    member,
    session_setters,
    set_on_session,
)
from nosto_tagging.core.attribution import Attribution, attribution_body, parse_event
from nosto_tagging.core.errors import InvalidInput
from nosto_tagging.core.protocol import Call
from nosto_tagging.core.request import Request, build_body, build_query, event_date
from nosto_tagging.core.session import Session, SessionState, cart_change, customer_change
from nosto_tagging.core.tagging import PageTagging, parse_page
from nosto_tagging.core.visit import VISITOR_ID, Visit, new_visitor_id

MAX_LIVE_OBJECTS: Final = 200
MAX_FAILED: Final = 200  # remembered failures of creating calls, for the calls made on them

PERFORMERS: Final = ("update", "load")
BUILDER_PERFORMERS: Final = ("load", "loadRecommendations", "send")
ATTRIBUTION_METHODS: Final = ("recordAttribution", "done")
# api members that read the page's tagging: the loader passes [nodes, providers, extra?].
TAGGING_PUSHES: Final = {
    "resendCartTagging": ("cart",),
    "resendCustomerTagging": ("customer",),
    "sendTagging": ("cart", "customer"),
}
TAGGING_CALLS: Final = ("load", "loadRecommendations", *TAGGING_PUSHES)
AUTO_LOAD: Final = "auto"  # third argument of the load() the loader journals at DOM ready
# api members the engine handles itself (``_api``); the others of the table are page-only.
API_METHODS: Final = (
    "setAutoLoad",
    "visit.setDoNotTrack",
    "visit.setCustomerId",
    "createRecommendationRequest",
    "recordAttribution",
    "customer",
    "resendCartContent",
    "reportAddToCart",
    "recommendedProductAddedToCart",
    *TAGGING_CALLS,
)
# Requests that only push data: no page view, no events recorded.
QUIET: Final = {"skipPageViews": True}


def handled() -> dict[str, set[str]]:
    """The members each call target's dispatch handles; ``core.api``'s engine rows must agree."""
    return {
        "session": {row.name for row in session_setters()} | set(VIEWS) | {"recordAttribution"},
        "action": set(ACTION_SETTERS) | set(PERFORMERS),
        "builder": set(BUILDER_SETTERS) | set(BUILDER_PERFORMERS),
        "attribution": set(ATTRIBUTION_METHODS),
        "api": set(API_METHODS),
    }


@dataclass(frozen=True)
class EngineConfig:
    account: str
    endpoint: str  # absolute URL of the collector (the loader resolves data-endpoint)
    visitor: str  # the 2c.cId cookie the page already has, or ""
    do_not_track: bool = False  # an opt-out through the API that lasts the browser session
    privacy_signal: bool = False  # the browser's Global Privacy Control or Do-Not-Track


@dataclass(frozen=True)
class Built:
    """A request to deliver; the page keeps its body until the collector acknowledges it."""

    request: Request
    # enableCampaignInjection(): the page puts returned HTML campaigns into their elements.
    inject: bool = False

    @property
    def private(self) -> bool:
        """The body names a person or holds a cart's restore token: sessionStorage only."""
        body = self.request.body
        return bool(body.get("customer")) or "order" in body or "restore_link" in body

    @property
    def order(self) -> bool:
        """An order: a full outbox never drops it."""
        return "order" in self.request.body


@dataclass(frozen=True)
class Settled:
    """A call that promised a result settles with nothing to send (``done()`` of no events)."""

    eid: str


@dataclass(frozen=True)
class Log:
    """A message for the page's console, naming the nostojs method it concerns."""

    level: str  # "error" | "warn"
    method: str
    message: str


@dataclass(frozen=True)
class StateChanged:
    """The session or visit changed; the page's mirror must be refreshed."""

    state: dict[str, Any]


@dataclass(frozen=True)
class ObjectData:
    """``dumpData()`` of an action or attribution, for the page's mirror."""

    target: str
    data: Any


@dataclass(frozen=True)
class VisitorChanged:
    """The visitor id to keep in the ``2c.cId`` cookie (the page writes cookies)."""

    visitor: str


Output = Built | Settled | Log | StateChanged | ObjectData | VisitorChanged


class Engine:
    """One page's engine: the visit, the default session and the objects created from it."""

    def __init__(
        self, config: EngineConfig, *, random_bytes: Callable[[int], bytes] = os.urandom
    ) -> None:
        self.config = config
        self.session = Session()
        self.visit = Visit(
            visitor=config.visitor or None,
            do_not_track=config.do_not_track,
            privacy_signal=config.privacy_signal,
        )
        self.objects: OrderedDict[str, Action | Attribution] = OrderedDict()
        self.failed: OrderedDict[str, str] = OrderedDict()
        self._random_bytes = random_bytes
        self.lost_private = 0  # reported once, on the next request (privacy: never silent)
        self.page_tagging: PageTagging | None = None  # the page's DOM tagging, as last read

    def observe_cookie(self, visitor: str) -> None:
        """The page's ``2c.cId`` cookie now: a first visit in two tabs ends with one visitor."""
        if self.visit.visitor is None and VISITOR_ID.match(visitor):
            self.visit.visitor = visitor

    def mirror(self) -> dict[str, Any]:
        return {"session": self.session.state.mirror(), "visit": self.visit.mirror()}

    def apply(self, call: Call) -> list[Output]:
        """Apply one call. Invalid input becomes a ``Log``; nothing is changed."""
        try:
            return self._apply(call)
        except InvalidInput as error:
            message = error.describe(personal=is_private_method(error.method))
            self.failed[call.eid] = message
            while len(self.failed) > MAX_FAILED:
                self.failed.popitem(last=False)
            return [Log("error", error.method, message)]

    # ----- dispatch -----

    def _apply(self, call: Call) -> list[Output]:
        kind, _, object_id = call.target.partition(":")
        row = member(kind, call.method)
        if row is None or row.side is not Side.ENGINE:
            return self._unsupported(call)
        if kind == "session":
            return self._session(call)
        if kind == "api":
            return self._api(call)
        if object_id:
            return self._object(kind, object_id, call)
        return self._unsupported(call)

    def _unsupported(self, call: Call) -> list[Output]:
        return [Log("warn", call.method, f"{call.method}: not supported by this bundle; ignored")]

    def _session(self, call: Call) -> list[Output]:
        before = self.session.state
        if set_on_session(self.session, call.method, call.args):
            return [StateChanged(self.mirror())] if self.session.state != before else []
        if call.method in VIEWS:
            action = create_action(call.method, call.args, self.session.state)
            return self._remember(f"action:{call.eid}", action)
        if call.method == "recordAttribution":
            return self._new_attribution(call, session_form=True)
        return self._unsupported(call)

    def _object(self, kind: str, object_id: str, call: Call) -> list[Output]:
        target = f"{kind}:{object_id}"
        found = self.objects.get(target)
        if found is None:
            why = self.failed.get(object_id, f"the object it was called on ({target}) is unknown")
            # Settle a promise the page may be waiting on (update/load/done) at once.
            return [
                Log("error", call.method, f"{call.method}: ignored, because {why}"),
                Settled(call.eid),
            ]
        if isinstance(found, Attribution):
            return self._attribution(target, found, call)
        setters: dict[str, Fill]
        performers: tuple[str, ...]
        if kind == "builder":
            setters, performers = BUILDER_SETTERS, BUILDER_PERFORMERS
        else:
            setters, performers = ACTION_SETTERS, PERFORMERS
        setter = setters.get(call.method)
        if setter is not None:
            setter(found, call.args)
            return [ObjectData(target, found.tagging_data())]
        if call.method in performers:
            if call.method == "update":
                flags = dict(QUIET)  # update() does not count a page view
            else:
                flags = load_flags(call.method, call.args[0] if call.args else None)
            outputs = self._send(call, build_body(found, call), flags)
            inject = found.state.campaign_injection
            return [replace(o, inject=inject) if isinstance(o, Built) else o for o in outputs]
        return self._unsupported(call)

    def _api(self, call: Call) -> list[Output]:
        method, args = call.method, call.args
        first = args[0] if args else None
        visit_before = self.visit.mirror()
        if method == "setAutoLoad":
            self.visit.set_auto_load(first)
        elif method == "visit.setDoNotTrack":
            self.visit.set_do_not_track(first)
        elif method == "visit.setCustomerId":
            self.visit.set_customer_id(first)
            return [StateChanged(self.mirror()), VisitorChanged(self.visit.visitor or "")]
        elif method == "createRecommendationRequest":
            return self._remember(f"builder:{call.eid}", self._new_request(first))
        elif method == "recordAttribution":
            return self._new_attribution(call, session_form=False)
        elif method == "customer":
            self.session.state = replace(
                self.session.state, customer=customer_change("customer", first)
            )
            return self._push(call, ("customer",))
        elif method == "resendCartContent":
            self.session.state = replace(
                self.session.state, cart=cart_change("resendCartContent", first)
            )
            return self._push(call, ("cart",))
        elif method in TAGGING_CALLS:
            return self._tagging(call)
        elif method in ("reportAddToCart", "recommendedProductAddedToCart"):
            action = create_action("reportAddToCart", args, self.session.state)
            return self._send(call, build_body(action, call), dict(QUIET))
        else:
            return self._unsupported(call)
        return [StateChanged(self.mirror())] if self.visit.mirror() != visit_before else []

    # ----- page tagging -----

    def _tagging(self, call: Call) -> list[Output]:
        """load() (also the auto-load), loadRecommendations() and the tagging resends."""
        args = call.args
        tagging = parse_page(
            args[0] if args else None, args[1] if len(args) > 1 else None
        ).for_visitor(self.visit.visitor)
        self.page_tagging = tagging
        extra = args[2] if len(args) > 2 else None
        outputs: list[Output] = [ObjectData("tagging", tagging.tagging_data())]
        outputs += [Log("error", call.method, str(problem)) for problem in tagging.problems]
        parts = TAGGING_PUSHES.get(call.method)
        if parts is not None:
            held = tuple(part for part in parts if getattr(tagging, part) is not None)
            if not held:
                shown = " or ".join(f"nosto_{part}" for part in parts)
                message = f"{call.method}: the page has no {shown} tagging; nothing was sent"
                return [*outputs, Log("warn", call.method, message), Settled(call.eid)]
            self.session.state = tagging.session_state(self.session.state, held)
            return [*outputs, *self._push(call, held, restore_link=True)]
        if extra == AUTO_LOAD and not (self.visit.auto_load and tagging.tagged):
            return [*outputs, Settled(call.eid)]
        self.session.state = tagging.session_state(self.session.state)
        action = tagging.load_action(self.session.state)
        if call.method == "loadRecommendations" and isinstance(extra, list):
            action.elements = [str(e) for e in extra if isinstance(e, str) and e]
        sent = self._send(call, build_body(action, call), {})
        injected = [replace(o, inject=True) if isinstance(o, Built) else o for o in sent]
        return [*outputs, StateChanged(self.mirror()), *injected]

    def _new_request(self, flags: Any) -> Action:
        """``createRecommendationRequest(flags)``: an empty request on the session, or with
        ``{includeTagging: true}`` one seeded with the page's DOM tagging as last read (the
        auto-load reads it when the DOM is ready)."""
        include = isinstance(flags, dict) and flags.get("includeTagging") is True
        if include and self.page_tagging is not None:
            return self.page_tagging.page_view(self.session.state)
        return Action(None, self.session.state)

    # ----- attribution -----

    def _new_attribution(self, call: Call, *, session_form: bool) -> list[Output]:
        event: Any
        if session_form:  # session.recordAttribution(type, target, ref, refSrc)
            names = ("type", "target", "ref", "refSrc")
            event = dict(zip(names, call.args, strict=False))
        else:
            event = call.args[0] if call.args else None
        attribution = Attribution([parse_event("recordAttribution", event)])
        return self._remember(f"attribution:{call.eid}", attribution)

    def _attribution(self, target: str, attribution: Attribution, call: Call) -> list[Output]:
        if call.method == "recordAttribution":
            attribution.events.append(
                parse_event("recordAttribution", call.args[0] if call.args else None)
            )
            return [ObjectData(target, attribution.events)]
        if call.method == "done":
            if not attribution.events:
                return [Settled(call.eid)]
            body = attribution_body(attribution, call, self.session.state.customer)
            return self._send(call, body, dict(QUIET))
        return self._unsupported(call)

    # ----- requests -----

    def _push(
        self, call: Call, parts: tuple[str, ...], *, restore_link: bool = False
    ) -> list[Output]:
        """The session's cart and/or customer only, no page view: ``api.customer(...)``,
        ``api.resendCartContent(...)`` and the tagging resends (these with the restore link)."""
        body: dict[str, Any] = {"url": call.url, "event_date": event_date(call.time)}
        state: SessionState = self.session.state
        if "cart" in parts and state.cart is not None:
            body["cart"] = [item.wire() for item in state.cart]
            if restore_link and state.restore_link:
                body["restore_link"] = state.restore_link
        if "customer" in parts and state.customer is not None:
            body["customer"] = state.customer.wire()
        return [StateChanged(self.mirror()), *self._send(call, body, {**QUIET, "skipEvents": True})]

    def _send(self, call: Call, body: dict[str, Any], flags: dict[str, bool]) -> list[Output]:
        outputs = self._visitor_outputs()
        visitor = "" if self.visit.opted_out else (self.visit.visitor or "")
        query = build_query(self.config.account, visitor, call.eid, flags)
        if self.lost_private:
            query += f"&lostPrivate={self.lost_private}"
            self.lost_private = 0
        separator = "&" if "?" in self.config.endpoint else "?"
        url = f"{self.config.endpoint}{separator}{query}"
        return [*outputs, Built(Request(call.eid, url, body))]

    def _visitor_outputs(self) -> list[Output]:
        """Make the visitor id when a request first needs one (never under Do-Not-Track, never
        in a replay)."""
        if self.visit.opted_out or self.visit.replayed:
            return []
        if self.visit.visitor is None:
            self.visit.visitor = new_visitor_id(self._random_bytes)
            return [VisitorChanged(self.visit.visitor), StateChanged(self.mirror())]
        return []

    def _remember(self, target: str, created: Action | Attribution) -> list[Output]:
        self.objects[target] = created
        while len(self.objects) > MAX_LIVE_OBJECTS:
            self.objects.popitem(last=False)
        data = created.tagging_data() if isinstance(created, Action) else created.events
        return [ObjectData(target, data)]
