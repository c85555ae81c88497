"""The ``/ev1`` collector: takes Nosto event requests, validates and stores them, and answers
in the shape of Nosto's ``EventResponseMessage`` (visit, customer, page views, cart totals).
"""

from __future__ import annotations

import hashlib
import json
import secrets
from functools import partial
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from nosto_tagging.sandbox.cors import PREFLIGHT_HEADERS, cors_headers
from nosto_tagging.sandbox.db import NewRequest, RequestStore, VisitorHistory

if TYPE_CHECKING:
    from nosto_tagging.models import EventRequest

MAX_MESSAGE_BYTES = 64 * 1024
RESERVED_PARAMS = frozenset({"m", "c", "eid", "message"})
ALLOWED_METHODS = "GET, POST, OPTIONS"


class Rejected(Exception):
    """A request the collector refuses, with the HTTP status and what to fix."""

    def __init__(
        self, status: int, errors: str | list[str], headers: dict[str, str] | None = None
    ) -> None:
        self.errors = [errors] if isinstance(errors, str) else errors
        super().__init__("; ".join(self.errors))
        self.status = status
        self.headers = headers or {}


async def collect(request: Request) -> Response:
    """``/ev1``: POST (body) or GET (``?message=``) one event request; OPTIONS preflight."""
    headers = cors_headers(request)
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=headers | PREFLIGHT_HEADERS)
    try:
        new, event = await _accept(request)
    except Rejected as rejected:
        return JSONResponse(
            {"errors": rejected.errors},
            status_code=rejected.status,
            headers=headers | rejected.headers,
        )
    store: RequestStore = request.state.store
    answer, _stored = await run_in_threadpool(store.record, new, partial(respond, new, event))
    return JSONResponse(answer, headers=headers | {"Cache-Control": "no-store"})


async def _accept(request: Request) -> tuple[NewRequest, EventRequest]:
    """The request to store and its validated ``EventRequest``, or :class:`Rejected`."""
    if request.method not in ("GET", "POST"):
        raise Rejected(
            405,
            f"{request.method} is not supported by /ev1: POST the event JSON as the body, "
            "or GET /ev1?m=...&message=<event JSON>",
            {"Allow": ALLOWED_METHODS},
        )
    params = request.query_params
    account = params.get("m", "")
    if not account:
        raise Rejected(400, "the account is missing: add ?m=<account id> to the /ev1 URL")
    if request.method == "POST":
        text = await _body_text(request)
        source = "body"
    else:
        text = _message_param(params.get("message"))
        source = "message parameter"
    message = parse_message(text, source)
    event = validate_message(message)
    new = NewRequest(
        account=account,
        visitor=params.get("c") or secrets.token_hex(12),
        event_id=params.get("eid") or None,
        query={key: value for key, value in params.items() if key not in RESERVED_PARAMS},
        body=message,
    )
    return new, event


async def _body_text(request: Request) -> str:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_MESSAGE_BYTES:
        raise _too_large(int(declared))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_MESSAGE_BYTES:
            raise _too_large(len(body))
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as error:
        raise Rejected(
            400,
            f"the body is not UTF-8 text ({error.reason} at byte {error.start}); "
            "send the event JSON encoded as UTF-8",
        ) from error


def _message_param(message: str | None) -> str:
    if message is None:
        raise Rejected(
            400,
            "GET /ev1 needs the event JSON in ?message=...; or POST it as the request body",
        )
    size = len(message.encode("utf-8"))
    if size > MAX_MESSAGE_BYTES:
        raise _too_large(size)
    return message


def _too_large(size: int) -> Rejected:
    return Rejected(
        413,
        f"the event message is {size} bytes, more than the {MAX_MESSAGE_BYTES} bytes /ev1 "
        "accepts; send fewer elements, events or cart items per request",
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_message(text: str, source: str) -> dict[str, Any]:
    """The JSON object in ``text`` (``source`` names where it came from), or :class:`Rejected`."""
    try:
        message = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise Rejected(
            400,
            f"the {source} is not valid JSON ({error.msg} at line {error.lineno} column "
            f"{error.colno}); send the EventRequest as a JSON object",
        ) from error
    except (ValueError, RecursionError) as error:
        raise Rejected(
            400, f"the {source} is not valid JSON ({error}); send the EventRequest as a JSON object"
        ) from error
    if not isinstance(message, dict):
        raise Rejected(
            400,
            f"the {source} is JSON {type(message).__name__}, not an object; "
            "send the EventRequest as a JSON object",
        )
    return message


def validate_message(message: dict[str, Any]) -> EventRequest:
    """``message`` as the engine's ``EventRequest``, or :class:`Rejected` naming each field."""
    from nosto_tagging.models import EventRequest, field_problems

    try:
        return EventRequest.model_validate(message)
    except ValidationError as error:
        problems = [_shorten(str(problem)) for problem in field_problems(error)]
        raise Rejected(400, problems) from error


def _shorten(text: str, limit: int = 300) -> str:
    """``text`` cut to ``limit`` characters: an error names the value, it need not repeat it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def respond(new: NewRequest, event: EventRequest, history: VisitorHistory) -> dict[str, Any]:
    """The ``EventResponseMessage`` for ``new`` given what was stored for its visitor before."""
    if event.cart is not None:
        cart_size = sum(item.quantity for item in event.cart)
        cart_total = round(sum(item.quantity * item.unit_price for item in event.cart), 2)
    elif history.last_response is not None:
        cart_size = history.last_response["cs"]
        cart_total = history.last_response["ct"]
    else:
        cart_size, cart_total = 0, 0
    return {
        "visit": visit_id(new.account, new.visitor),
        "customer": new.visitor,
        "pv": history.page_views + (1 if new.counts_as_page_view else 0),
        "cs": cart_size,
        "ct": cart_total,
        "recommendations": dict.fromkeys(event.elements or [], ""),
        "errors": [],
    }


def visit_id(account: str, visitor: str) -> str:
    """A stable 24-hex visit id per account and visitor."""
    return hashlib.sha256(f"{account}\0{visitor}".encode()).hexdigest()[:24]
