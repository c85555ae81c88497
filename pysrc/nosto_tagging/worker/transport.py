"""Send one request with the worker's ``fetch``: CORS-simple ``text/plain``, with a timeout."""

from __future__ import annotations

import sys

from nosto_tagging.core.dispatcher import Response, TransportError

IN_PYODIDE = sys.platform == "emscripten"
if IN_PYODIDE:
    import js
    from pyodide.ffi import JsException
    from pyodide.http import pyfetch

# The browser carries keepalive requests of up to 64 KiB in all past their page; larger bodies
# go without (and, if their page goes away meanwhile, are sent again by the next page).
KEEPALIVE_MAX_BYTES = 60000


async def fetch_transport(
    url: str, body: str, timeout_s: float, keepalive: bool = False
) -> Response:
    """POST ``body`` to ``url``; network failures and timeouts raise ``TransportError``.

    ``keepalive``: the request outlives the worker (a dedicated worker ends with its page), so
    that a body in flight when the shopper leaves still arrives, once."""
    options = {"keepalive": True} if keepalive and len(body.encode()) < KEEPALIVE_MAX_BYTES else {}
    try:
        response = await pyfetch(
            url,
            method="POST",
            body=body,
            # text/plain keeps the request CORS-simple: no preflight, also at unload.
            headers={"Content-Type": "text/plain;charset=UTF-8"},
            signal=js.AbortSignal.timeout(int(timeout_s * 1000)),
            **options,
        )
        text = await response.text()
    except (JsException, OSError) as error:
        raise TransportError(str(error)) from error
    headers = response.headers
    return Response(
        response.status,
        text,
        headers.get("retry-after"),
        headers.get("content-type", ""),
    )


async def keepalive_transport(url: str, body: str, timeout_s: float) -> Response:
    """:func:`fetch_transport` whose requests outlive the page (the dedicated worker's)."""
    return await fetch_transport(url, body, timeout_s, keepalive=True)
