"""Which page origins may read ``/ev1`` answers: the sandbox's own, and any loopback origin."""

from __future__ import annotations

import re

from starlette.requests import Request

_LOOPBACK_ORIGIN = re.compile(r"^http://(127\.0\.0\.1|localhost|\[::1\])(:\d{1,5})?$")

PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "POST, GET",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
}


def allowed_origin(request: Request) -> str | None:
    """The request's ``Origin`` if it may read the answer, else ``None``."""
    origin = request.headers.get("origin")
    if origin is None:
        return None
    own = f"{request.url.scheme}://{request.url.netloc}"
    if origin == own or _LOOPBACK_ORIGIN.match(origin):
        return origin
    return None


def cors_headers(request: Request) -> dict[str, str]:
    """Headers every ``/ev1`` answer carries (``Vary: Origin`` even when none is allowed)."""
    headers = {"Vary": "Origin"}
    origin = allowed_origin(request)
    if origin is not None:
        headers["Access-Control-Allow-Origin"] = origin
    return headers
