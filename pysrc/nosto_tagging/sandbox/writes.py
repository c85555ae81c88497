"""State-changing ``/api/*`` requests (``POST /api/faults``, ``DELETE /api/faults``, any method
but GET, HEAD and OPTIONS) must come from a tool, not from a web page.

Required: ``Content-Type: application/json`` and ``X-Nosto-Sandbox: 1``. A page on another
origin can send a *simple* cross-origin request (a form post, ``fetch`` with ``no-cors``) with
neither; a request carrying them needs a CORS preflight, and the sandbox answers none for
``/api/*``, so the browser never sends it. Bodies are capped at :data:`MAX_BODY_BYTES`.
"""

from __future__ import annotations

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from nosto_tagging.sandbox.responses import JSON

HEADER = "X-Nosto-Sandbox"
HEADER_VALUE = "1"
MAX_BODY_BYTES = 16 * 1024
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
EXAMPLE = (
    "curl -X POST -H 'Content-Type: application/json' -H 'X-Nosto-Sandbox: 1' "
    """-d '{"status": 503}' http://127.0.0.1:8000/api/faults"""
)


def refusal(method: str, headers: Headers) -> str | None:
    """Why a state-changing request with ``headers`` is refused, or ``None``."""
    media_type = headers.get("content-type", "").split(";", 1)[0].strip().lower()
    missing = []
    if media_type != "application/json":
        missing.append("Content-Type: application/json")
    if headers.get(HEADER) != HEADER_VALUE:
        missing.append(f"{HEADER}: {HEADER_VALUE}")
    if not missing:
        return None
    return (
        f"{method} requests to /api/ change the sandbox and need the headers "
        f"{' and '.join(missing)} (web pages cannot send them, so no page can switch faults "
        f"on); e.g. {EXAMPLE}"
    )


class WriteGuard:
    """ASGI middleware: see the module docstring. Refusals are JSON ``errors``: 403 without
    the custom header, 415 with it but another content type, 413 for a body over the cap."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or not scope["path"].startswith("/api/")
        ):
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        why = refusal(scope["method"], headers)
        if why is not None:
            status = 403 if headers.get(HEADER) != HEADER_VALUE else 415
            await JSON({"errors": [why]}, status_code=status)(scope, receive, send)
            return
        declared = headers.get("content-length", "")
        too_large = declared.isdigit() and int(declared) > MAX_BODY_BYTES
        body = bytearray()
        while not too_large:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            too_large = len(body) > MAX_BODY_BYTES
            if not message.get("more_body", False):
                break
        if too_large:
            error = (
                f"the body is over the {MAX_BODY_BYTES} bytes /api/ accepts; "
                'a fault is a small object, e.g. {"status": 503, "count": 2}'
            )
            await JSON({"errors": [error]}, status_code=413)(scope, receive, send)
            return
        await self.app(scope, _replay(bytes(body), receive), send)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that hands the app ``body`` (already read), then waits as ``receive`` does."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
