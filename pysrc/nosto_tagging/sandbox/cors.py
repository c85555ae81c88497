"""Which page origins may read ``/ev1`` answers: the sandbox's own, plus those configured.

``nosto-tagging serve --cors-origin http://localhost:5173`` (repeatable) lets a storefront
served elsewhere (a dev server) send to the sandbox; nothing else is allowed by default.
"""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.requests import Request

PREFLIGHT_HEADERS = {
    "Access-Control-Allow-Methods": "POST, GET",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Max-Age": "600",
}


def normalize_origin(origin: str) -> str:
    """``"HTTP://Localhost:5173/"`` -> ``"http://localhost:5173"``; ValueError if not an origin."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.path not in ("", "/"):
        raise ValueError(
            f"{origin!r} is not an origin; give scheme, host and port only, "
            "e.g. --cors-origin http://localhost:5173"
        )
    if parts.query or parts.fragment or "@" in parts.netloc:
        raise ValueError(f"{origin!r} is not an origin; leave out paths, queries and credentials")
    return f"{parts.scheme}://{parts.netloc}".lower()


class AllowedOrigins:
    """The configured origins; the origin a request was addressed to is always allowed."""

    def __init__(self, origins: Iterable[str] = ()) -> None:
        self.origins = frozenset(normalize_origin(origin) for origin in origins)

    def allowed(self, request: Request) -> str | None:
        """The request's ``Origin`` if it may read the answer, else ``None``."""
        origin = request.headers.get("origin")
        if origin is None:
            return None
        own = f"{request.url.scheme}://{request.url.netloc}".lower()
        if origin.lower() == own or origin.lower() in self.origins:
            return origin
        return None

    def headers(self, request: Request) -> dict[str, str]:
        """Headers every ``/ev1`` answer carries (``Vary: Origin`` even when none is allowed)."""
        headers = {"Vary": "Origin"}
        origin = self.allowed(request)
        if origin is not None:
            headers["Access-Control-Allow-Origin"] = origin
        return headers
