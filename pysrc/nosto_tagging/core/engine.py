"""The engine: applies journaled nostojs calls, in call order, to the session and its actions.

Which calls exist, and how the engine applies each, is ``core.api``'s table: a row's ``state``
(a Session setter), ``fill`` (a view, or a setter of an action) or ``handler`` (a method here).
Call targets are ``api``, ``session``, and the objects calls create, named after
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

from nosto_tagging.core.actions import Action, create_action, load_flags
from nosto_tagging.core.api import (
    Member,
    Side,
    holds_email_shaped,
    is_private_method,
    member,
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

# api members that read the page's tagging: the loader passes [nodes, providers, extra?].
TAGGING_PUSHES: Final = {
    "resendCartTagging": ("cart",),
    "resendCustomerTagging": ("customer",),
    "sendTagging": ("cart", "customer"),
}
AUTO_LOAD: Final = "auto"  # third argument of the load() the loader journals at DOM ready
# Requests that only push data: no page view, no events recorded.
QUIET: Final = {"skipPageViews": True}


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
        """The body names a person, holds a cart's restore token or a value shaped like an
        email (a cart line's note, say): sessionStorage only."""
        body = self.request.body
        if body.get("customer") or "order" in body or "restore_link" in body:
            return True
        return holds_email_shaped(self.request.body_text())

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
Found = Action | Attribution | None  # the object a call is made on (none for session and api)


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

    # ----- dispatch: from the API table's row of the call -----

    def _apply(self, call: Call) -> list[Output]:
        kind, _, object_id = call.target.partition(":")
        row = member(kind, call.method)
        if row is None or row.side is not Side.ENGINE:
            return self._unsupported(call)
        found: Found = None
        if kind not in ("session", "api"):
            if not object_id:
                return self._unsupported(call)
            found = self.objects.get(call.target)
            if found is None:
                why = self.failed.get(
                    object_id, f"the object it was called on ({call.target}) is unknown"
                )
                # Settle a promise the page may be waiting on (update/load/done) at once.
                return [
                    Log("error", call.method, f"{call.method}: ignored, because {why}"),
                    Settled(call.eid),
                ]
        return self._run(row, call, found)

    def _run(self, row: Member, call: Call, found: Found) -> list[Output]:
        if row.state is not None:  # a Session setter
            before = self.session.state
            set_on_session(self.session, call.method, call.args)
            return [StateChanged(self.mirror())] if self.session.state != before else []
        if row.fill is not None and found is None:  # a view: a new action of the session
            action = create_action(row.page_type, row.fill, call.args, self.session.state)
            return self._remember(f"action:{call.eid}", action)
        if row.fill is not None and isinstance(found, Action):  # a setter of an action
            row.fill(found, call.args)
            return [ObjectData(call.target, found.tagging_data())]
        handler: Callable[[Call, Found], list[Output]] | None = getattr(
            self, row.handler or "", None
        )
        return handler(call, found) if handler is not None else self._unsupported(call)

    def _unsupported(self, call: Call) -> list[Output]:
        return [Log("warn", call.method, f"{call.method}: not supported by this bundle; ignored")]

    def _perform(self, call: Call, found: Found) -> list[Output]:
        """``update()``/``load()`` of an action, ``load()``/``send()``/... of a builder."""
        if not isinstance(found, Action):
            return self._unsupported(call)
        if call.method == "update":
            flags = dict(QUIET)  # update() does not count a page view
        else:
            flags = load_flags(call.method, call.args[0] if call.args else None)
        outputs = self._send(call, build_body(found, call), flags)
        inject = found.state.campaign_injection
        return [replace(o, inject=inject) if isinstance(o, Built) else o for o in outputs]

    # ----- api members -----

    def _visit_changed(self, before: dict[str, Any]) -> list[Output]:
        return [StateChanged(self.mirror())] if self.visit.mirror() != before else []

    def _set_auto_load(self, call: Call, found: Found) -> list[Output]:
        before = self.visit.mirror()
        self.visit.set_auto_load(call.args[0] if call.args else None)
        return self._visit_changed(before)

    def _set_do_not_track(self, call: Call, found: Found) -> list[Output]:
        before = self.visit.mirror()
        self.visit.set_do_not_track(call.args[0] if call.args else None)
        return self._visit_changed(before)

    def _set_customer_id(self, call: Call, found: Found) -> list[Output]:
        self.visit.set_customer_id(call.args[0] if call.args else None)
        return [StateChanged(self.mirror()), VisitorChanged(self.visit.visitor or "")]

    def _customer(self, call: Call, found: Found) -> list[Output]:
        customer = customer_change("customer", call.args[0] if call.args else None)
        self.session.state = replace(self.session.state, customer=customer)
        return self._push(call, ("customer",))

    def _resend_cart_content(self, call: Call, found: Found) -> list[Output]:
        cart = cart_change("resendCartContent", call.args[0] if call.args else None)
        self.session.state = replace(self.session.state, cart=cart)
        return self._push(call, ("cart",))

    def _report_add_to_cart(self, call: Call, found: Found) -> list[Output]:
        """``api.reportAddToCart`` and ``recommendedProductAddedToCart``: the Session's view
        ``reportAddToCart`` sent at once."""
        view = member("session", "reportAddToCart")
        assert view is not None and view.fill is not None
        action = create_action(view.page_type, view.fill, call.args, self.session.state)
        return self._send(call, build_body(action, call), dict(QUIET))

    # ----- page tagging -----

    def _tagging(self, call: Call, found: Found = None) -> list[Output]:
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

    def _new_request(self, call: Call, found: Found) -> list[Output]:
        """``createRecommendationRequest(flags)``: an empty request on the session, or with
        ``{includeTagging: true}`` one seeded with the page's DOM tagging as last read (the
        auto-load reads it when the DOM is ready)."""
        flags = call.args[0] if call.args else None
        include = isinstance(flags, dict) and flags.get("includeTagging") is True
        if include and self.page_tagging is not None:
            request = self.page_tagging.page_view(self.session.state)
        else:
            request = Action(None, self.session.state)
        return self._remember(f"builder:{call.eid}", request)

    # ----- attribution -----

    def _session_attribution(self, call: Call, found: Found) -> list[Output]:
        """``session.recordAttribution(type, target, ref, refSrc)``."""
        event = dict(zip(("type", "target", "ref", "refSrc"), call.args, strict=False))
        return self._new_attribution(call, event)

    def _api_attribution(self, call: Call, found: Found) -> list[Output]:
        """``api.recordAttribution(event)``."""
        return self._new_attribution(call, call.args[0] if call.args else None)

    def _new_attribution(self, call: Call, event: Any) -> list[Output]:
        attribution = Attribution([parse_event("recordAttribution", event)])
        return self._remember(f"attribution:{call.eid}", attribution)

    def _add_attribution(self, call: Call, found: Found) -> list[Output]:
        """``attribution.recordAttribution(event)``: one more event."""
        if not isinstance(found, Attribution):
            return self._unsupported(call)
        found.events.append(parse_event("recordAttribution", call.args[0] if call.args else None))
        return [ObjectData(call.target, found.events)]

    def _attribution_done(self, call: Call, found: Found) -> list[Output]:
        if not isinstance(found, Attribution):
            return self._unsupported(call)
        if not found.events:
            return [Settled(call.eid)]
        body = attribution_body(found, call, self.session.state.customer)
        return self._send(call, body, dict(QUIET))

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
