"""Build the ``/ev1`` request of a performed action: URL with query, and the JSON body.

Body shape: Nosto's ``EventRequestMessageV1``. Empty and false fields are left out as the
current client does; a reset stays explicit (``cart: []``, ``customer: {}``). The choices
are written down in ``docs/wire-format.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from nosto_tagging.core.actions import Action
from nosto_tagging.core.api import session_setters
from nosto_tagging.core.protocol import Call
from nosto_tagging.core.session import wire_value


@dataclass(frozen=True)
class Request:
    """One request ready to send: the event id is also the collector's deduplication key."""

    eid: str
    url: str
    body: dict[str, Any]

    def body_text(self) -> str:
        return json.dumps(self.body, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def event_date(milliseconds: float) -> str:
    """The page's call time as ISO-8601 UTC with milliseconds: ``2026-11-28T14:45:43.120Z``."""
    moment = datetime.fromtimestamp(milliseconds / 1000, tz=UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def call_context(call: Call) -> dict[str, Any]:
    """Where and when the performing call was made: ``url``, ``referrer``, ``event_date``."""
    context: dict[str, Any] = {}
    if call.url:
        context["url"] = call.url
    if call.referrer:
        context["referrer"] = call.referrer
    context["event_date"] = event_date(call.time)
    return context


def _events(action: Action) -> list[list[Any]]:
    """Event tuples, with ``setRef`` references filled into the third slot of matching ones."""
    events = []
    for event in action.events:
        ref = action.refs.get(event[1]) if len(event) > 1 else None
        if ref is not None:
            event = [*event, None][: max(len(event), 3)]
            event[2] = ref
        events.append(event)
    return events


def build_body(action: Action, call: Call) -> dict[str, Any]:
    """``EventRequestMessageV1`` for ``action``, performed by ``call`` (url, referrer, time)."""
    state = action.state
    body: dict[str, Any] = {}
    if action.page_type:
        body["page_type"] = action.page_type
    events = _events(action)
    if events:
        body["events"] = events
    if action.elements:
        body["elements"] = action.elements
    body.update(call_context(call))
    for row in session_setters():  # what the session (or the action's copy of it) holds
        value = getattr(state, row.state or "")
        if row.wire and value is not None and value != "":
            body[row.wire] = wire_value(value)
    if action.order is not None:
        body["order"] = action.order.wire()
    optional = {
        "search_terms": action.search_terms,
        "categories": action.categories,
        "category_ids": action.category_ids,
        "parent_category_ids": action.parent_category_ids,
        "brands": action.brands,
        "tags": action.tags,
        "custom_fields": action.custom_fields,
        "affinity_signals": action.affinity_signals,
        "sort_order": action.sort_order,
    }
    body.update({key: value for key, value in optional.items() if value})
    return body


def build_query(account: str, visitor: str, eid: str, flags: dict[str, bool]) -> str:
    """``m`` (account), ``c`` (visitor; left out under Do-Not-Track), ``eid``, then flags."""
    query: dict[str, str] = {"m": account}
    if visitor:
        query["c"] = visitor
    query["eid"] = eid
    query.update({name: "true" if value else "false" for name, value in flags.items()})
    return urlencode(query)
