"""The ``/ev1`` collector: takes Nosto event requests, validates them with the engine's models,
hands them to the recorder and answers with Nosto's ``EventResponseMessage``.

Client input never causes a 500: what cannot be accepted is a 4xx whose ``errors`` say what to
fix, counted in ``/api/stats`` by reason and shown live in ``/api/stream``.
"""

from __future__ import annotations

import json
import secrets
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from nosto_tagging.sandbox.cors import PREFLIGHT_HEADERS, AllowedOrigins
from nosto_tagging.sandbox.faults import Faults, faulty_response
from nosto_tagging.sandbox.recorder import Accepted, Recorder, StoreUnavailable
from nosto_tagging.sandbox.responses import JSON
from nosto_tagging.sandbox.stream import Broadcaster

MAX_MESSAGE_BYTES = 64 * 1024
MAX_DEPTH = 64
RESERVED_PARAMS = frozenset({"m", "c", "eid", "message"})
ALLOWED_METHODS = "GET, POST, OPTIONS"
STORE_RETRY_AFTER_S = 1


class Rejected(Exception):
    """A request the collector refuses: HTTP status, a reason for the stats, what to fix."""

    def __init__(
        self,
        status: int,
        reason: str,
        errors: str | list[str],
        headers: dict[str, str] | None = None,
    ) -> None:
        self.errors = [errors] if isinstance(errors, str) else errors
        super().__init__("; ".join(self.errors))
        self.status = status
        self.reason = reason
        self.headers = headers or {}


async def collect(request: Request) -> Response:
    """``/ev1``: POST (body) or GET (``?message=``) one event request; OPTIONS preflight."""
    state = request.state
    origins: AllowedOrigins = state.origins
    headers = origins.headers(request)
    if request.method == "OPTIONS":
        return Response(status_code=204, headers=headers | PREFLIGHT_HEADERS)
    recorder: Recorder = state.recorder
    broadcaster: Broadcaster = state.broadcaster
    params = request.query_params
    who = {
        "account": params.get("m"),
        "visitor": params.get("c"),
        "event_id": params.get("eid"),
    }
    try:
        if request.method not in ("GET", "POST"):
            raise Rejected(
                405,
                "method_not_allowed",
                f"{request.method} is not supported by /ev1: POST the event JSON as the body, "
                "or GET /ev1?m=...&message=<event JSON>",
                {"Allow": ALLOWED_METHODS},
            )
        faults: Faults = state.faults
        fault = faults.take(params.get("m", ""), params.get("c", ""))
        if fault is not None:
            recorder.count("faulted")
            broadcaster.publish("fault", {"received_at": _now(), "fault": fault.as_json(), **who})
            if fault.fails:
                return await faulty_response(fault, headers)
            await fault.wait()
        accepted = await accept(request)
    except Rejected as rejected:
        recorder.count(f"rejected:{rejected.reason}")
        broadcaster.publish(
            "rejected",
            {
                "received_at": _now(),
                "status": rejected.status,
                "reason": rejected.reason,
                "errors": rejected.errors,
                **who,
            },
        )
        return JSON(
            {"errors": rejected.errors},
            status_code=rejected.status,
            headers=headers | rejected.headers,
        )
    except ClientDisconnect:
        return Response(status_code=400)
    try:
        outcome = await recorder.submit(accepted)
    except StoreUnavailable as error:
        return JSON(
            {"errors": [f"{error}; retry in {STORE_RETRY_AFTER_S} s"]},
            status_code=503,
            headers=headers | {"Retry-After": str(STORE_RETRY_AFTER_S)},
        )
    if not outcome.stored:
        broadcaster.publish("duplicate", {"received_at": _now(), **who})
    return Response(
        outcome.response_text if fault is None else fault.answer(outcome.response_text),
        media_type="application/json",
        headers=headers | {"Cache-Control": "no-store"},
    )


async def accept(request: Request) -> Accepted:
    """The validated request, ready to record, or :class:`Rejected`."""
    from nosto_tagging.core.models import EventRequest, field_problems

    params = request.query_params
    account = params.get("m", "")
    if not account:
        raise Rejected(
            400, "missing_account", "the account is missing: add ?m=<account id> to the /ev1 URL"
        )
    if request.method == "POST":
        text = await _body_text(request)
        source = "body"
    else:
        text = _message_param(params.get("message"))
        source = "message parameter"
    message = parse_message(text, source)
    try:
        event = EventRequest.model_validate(message)
    except ValidationError as error:
        problems = [_shorten(str(problem)) for problem in field_problems(error)]
        raise Rejected(400, "invalid_fields", problems) from error
    return Accepted(
        account=account,
        visitor=params.get("c") or secrets.token_hex(12),
        event_id=params.get("eid") or None,
        query={key: value for key, value in params.items() if key not in RESERVED_PARAMS},
        body_text=text,
        body=message,
        event=event,
    )


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
            "not_utf8",
            f"the body is not UTF-8 text ({error.reason} at byte {error.start}); "
            "send the event JSON encoded as UTF-8",
        ) from error


def _message_param(message: str | None) -> str:
    if message is None:
        raise Rejected(
            400,
            "missing_message",
            "GET /ev1 needs the event JSON in ?message=...; or POST it as the request body",
        )
    size = len(message.encode("utf-8", "surrogatepass"))
    if size > MAX_MESSAGE_BYTES:
        raise _too_large(size)
    return message


def _too_large(size: int) -> Rejected:
    return Rejected(
        413,
        "too_large",
        f"the event message is {size} bytes, more than the {MAX_MESSAGE_BYTES} bytes /ev1 "
        "accepts; send fewer elements, events or cart items per request",
    )


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON number")


def parse_message(text: str, source: str) -> dict[str, Any]:
    """The JSON object in ``text`` (``source`` names where it came from), or :class:`Rejected`."""
    hint = "send the EventRequest as a JSON object"
    try:
        message = json.loads(text, parse_constant=_reject_constant)
    except json.JSONDecodeError as error:
        raise Rejected(
            400,
            "malformed_json",
            f"the {source} is not valid JSON ({error.msg} at line {error.lineno} column "
            f"{error.colno}); {hint}",
        ) from error
    except RecursionError as error:
        raise _too_deep(source) from error
    except ValueError as error:  # NaN/Infinity, integers too long to convert
        raise Rejected(
            400, "malformed_json", f"the {source} is not valid JSON ({error}); {hint}"
        ) from error
    if not isinstance(message, dict):
        raise Rejected(
            400,
            "not_an_object",
            f"the {source} is JSON {type(message).__name__}, not an object; {hint}",
        )
    if not nested_within(message, MAX_DEPTH):
        raise _too_deep(source)
    return message


def _too_deep(source: str) -> Rejected:
    return Rejected(
        400,
        "too_deep",
        f"the {source} nests arrays and objects more than {MAX_DEPTH} levels deep; "
        "an EventRequest needs a handful",
    )


def nested_within(value: Any, limit: int) -> bool:
    """Whether ``value``'s lists and dicts nest at most ``limit`` deep (iterative, no recursion)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        current, depth = pending.pop()
        if depth > limit:
            return False
        children = current.values() if isinstance(current, dict) else current
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return True


def _shorten(text: str, limit: int = 300) -> str:
    """``text`` cut to ``limit`` characters: an error names the value, it need not repeat it."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")
