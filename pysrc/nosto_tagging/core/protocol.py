"""The messages between the page's loader and the engine in the worker, defined once.

Every message is one JSON text with a ``kind``. The build hands the loader (``web/page/``) what
it uses of this (``nosto_tagging.bundle.loader.page_build``); ``tests/core/test_protocol.py`` and
``tests/loader/`` check that both sides agree. Values a JSON text cannot
hold (``undefined``, ``NaN``, DOM elements, functions) travel as ``{"$nosto": TAG}`` markers
made by the loader's encoder and read here by :func:`decode_value`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, Final

from nosto_tagging.core.response import empty_action_response

VERSION: Final = 1

# page -> worker
TO_WORKER: Final = {
    # shared engine: the first message on a connection, answered by the worker script itself
    # (a script of another version refuses; `lock` is held by the page while it lives)
    "hello": ["version", "page", "lock"],
    # doNotTrack: the API's opt-out of this browser session; privacySignal: GPC or DNT
    "config": ["account", "endpoint", "visitor", "version", "doNotTrack", "privacySignal"],
    "calls": ["calls", "visitor"],  # visitor: the 2c.cId cookie now (another tab may set it)
    "stored": ["eid"],  # the page keeps the built body: the engine may send it now
    # calls of a page that is gone; those up to `applied` its engine applied (what they built
    # is in its outbox): they only make the session again
    "replay": ["page", "calls", "applied"],
    # calls of this page its previous engine applied (that engine stopped or forgot the page)
    "restore": ["calls"],
    "resend": ["eid", "url", "body"],  # a stored body of a page that is gone
    # bodies the page beaconed as it went away: the engine no longer sends them
    "carried": ["eids"],
    # the collector's answer to the page's attempt (`error`: none came, the request failed)
    "answer": ["eid", "status", "text", "retryAfter", "type", "error"],
    "online": [],  # the browser is back online: retry now
    "lost": ["count"],  # events with customer data that died with a closed tab
    # the debug panel asks for a built body decoded, with Nosto's payload rules' warnings
    "inspect": ["eid", "body"],
}
# worker -> page
TO_PAGE: Final = {
    "hello": ["version", "engine"],  # the shared worker script's answer (its version)
    # engine: the interpreter's id (shared: the same for all); start: how that interpreter
    # started, "restored" from this browser's snapshot or "plain" (web/snapshot/); outlives:
    # the engine goes on delivering when the page goes away (the shared engine); joined: the
    # shared engine served a page before this one (false: it started for this page); marks: when
    # the worker reached each step of its start-up (ms since the epoch, by the worker's clock;
    # web/snapshot/ marks them): the test build's api.internal.marks() gives them to benchmarks
    "ready": ["version", "engine", "start", "outlives", "joined", "marks"],
    "left": ["page"],  # shared engine: a page of this account went away; adopt its leftovers
    # send: the page sends the body itself as soon as it stored it (where the page makes the
    # attempts and nothing goes before this body: its first attempt, with no `attempt` message)
    "built": ["eid", "url", "body", "inject", "private", "order", "send"],
    # an attempt to send the body starts (sending: where the engine ends with its page, the page
    # sends it, with keepalive, and says the `answer`) or failed and waits for a retry
    "attempt": ["eid", "sending", "url", "body"],  # url and body: the page sends it
    "acked": ["eid", "response", "message"],
    "dropped": ["eid", "reason"],
    "settled": ["eid"],
    "applied": ["page", "seq"],  # every call of that page up to seq is applied
    "state": ["state"],
    "object": ["target", "data"],
    "visitor": ["visitor"],
    "log": ["level", "method", "message"],
    "inspected": ["eid", "sections", "warnings"],  # core/decoder.py's inspect_request
}
# every journaled api call
# `visitor` (the 2c.cId cookie, or "") and `dnt` (Do-Not-Track) are the page's at the call: a
# replay by a later page runs under them.
CALL_FIELDS: Final = [
    "eid", "time", "url", "referrer", "target", "method", "args", "seq", "page", "private",
    "visitor", "dnt",
]  # fmt: skip
MARKER: Final = "$nosto"
MARKER_TAGS: Final = ["undefined", "nan", "infinity", "element", "function", "cycle", "too-deep"]


class Undefined:
    """JavaScript's ``undefined``, kept apart from ``null`` (``None``): the API tells them apart."""

    _instance: Undefined | None = None

    def __new__(cls) -> Undefined:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "undefined"

    def __bool__(self) -> bool:
        return False


UNDEFINED: Final = Undefined()


class Unrepresentable:
    """A value the loader could not copy (a function, a cycle, a DOM element, too deep)."""

    def __init__(self, tag: str, detail: str = "") -> None:
        self.tag = tag
        self.detail = detail

    def __repr__(self) -> str:
        return f"<{self.tag}{' ' + self.detail if self.detail else ''}>"


def decode_value(value: Any) -> Any:
    """Turn the loader's markers back into Python: undefined, NaN/Infinity, placeholders."""
    if isinstance(value, dict):
        tag = value.get(MARKER)
        if isinstance(tag, str) and len(value) <= 2:
            if tag == "undefined":
                return UNDEFINED
            if tag == "nan":
                return math.nan
            if tag == "infinity":
                return math.inf if value.get("sign", 1) > 0 else -math.inf
            return Unrepresentable(tag, str(value.get("id", "")))
        return {key: decode_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode_value(item) for item in value]
    return value


@dataclass(frozen=True)
class Call:
    """One journaled api call, as the loader recorded it before returning to the page."""

    eid: str
    time: float  # milliseconds since the epoch, the page's clock at the call
    url: str
    referrer: str
    target: str  # "api", "session" or "action:<eid of the call that created the action>"
    method: str
    args: tuple[Any, ...]

    @classmethod
    def from_wire(cls, raw: dict[str, Any]) -> Call:
        return cls(
            eid=str(raw["eid"]),
            time=float(raw["time"]),
            url=str(raw.get("url") or ""),
            referrer=str(raw.get("referrer") or ""),
            target=str(raw["target"]),
            method=str(raw["method"]),
            args=tuple(decode_value(arg) for arg in raw.get("args") or []),
        )


def encode(kind: str, **fields: Any) -> str:
    """One worker -> page message as JSON text."""
    if kind not in TO_PAGE:
        raise ValueError(f"unknown worker->page message kind {kind!r}")
    return json.dumps({"kind": kind, **fields}, separators=(",", ":"), allow_nan=False)


def decode(text: str) -> dict[str, Any]:
    """One page -> worker message from JSON text; raises ``ValueError`` on anything else."""
    message = json.loads(text)
    if not isinstance(message, dict) or message.get("kind") not in TO_WORKER:
        kind = message.get("kind") if isinstance(message, dict) else type(message).__name__
        # Named by its kind only: the text may hold a customer's data.
        raise ValueError(f"not a page->worker message (kind {kind!r:.40})")
    return message


def describe() -> dict[str, Any]:
    """The protocol as data; the build gives the loader what it uses of it (``page_build``)."""
    return {
        "version": VERSION,
        "toWorker": TO_WORKER,
        "toPage": TO_PAGE,
        "callFields": CALL_FIELDS,
        "marker": MARKER,
        "markerTags": MARKER_TAGS,
        "emptyActionResponse": empty_action_response(),
    }
