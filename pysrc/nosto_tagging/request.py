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

from nosto_tagging.actions import Action
from nosto_tagging.protocol import Call


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


def build_body(action: Action, call: Call) -> dict[str, Any]:
    """``EventRequestMessageV1`` for ``action``, performed by ``call`` (url, time)."""
    body: dict[str, Any] = {"page_type": action.page_type}
    if action.events:
        body["events"] = action.events
    if action.elements:
        body["elements"] = action.elements
    body["response_mode"] = action.state.response_mode
    if call.url:
        body["url"] = call.url
    if call.referrer:
        body["referrer"] = call.referrer
    body["event_date"] = event_date(call.time)
    if action.state.cart is not None:
        body["cart"] = [item.wire() for item in action.state.cart]
    if action.state.customer is not None:
        body["customer"] = action.state.customer.wire()
    return body


def build_request(
    action: Action,
    call: Call,
    *,
    account: str,
    endpoint: str,
    visitor: str,
    flags: dict[str, bool],
) -> Request:
    """The request of ``update()`` (``flags={"skipPageViews": True}``) or ``load(flags)``."""
    query: dict[str, str] = {"m": account}
    if visitor:
        query["c"] = visitor
    query["eid"] = call.eid
    query.update({name: "true" if value else "false" for name, value in flags.items()})
    separator = "&" if "?" in endpoint else "?"
    return Request(call.eid, f"{endpoint}{separator}{urlencode(query)}", build_body(action, call))
