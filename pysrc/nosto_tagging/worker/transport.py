"""Send one request with the worker's ``fetch``: CORS-simple ``text/plain``, with a timeout."""

from __future__ import annotations

import sys

from nosto_tagging.core.dispatcher import Response, TransportError

IN_PYODIDE = sys.platform == "emscripten"
if IN_PYODIDE:
    import js
    from pyodide.ffi import JsException
    from pyodide.http import pyfetch


async def fetch_transport(url: str, body: str, timeout_s: float) -> Response:
    """POST ``body`` to ``url``; network failures and timeouts raise ``TransportError``."""
    try:
        response = await pyfetch(
            url,
            method="POST",
            body=body,
            # text/plain keeps the request CORS-simple: no preflight, also at unload.
            headers={"Content-Type": "text/plain;charset=UTF-8"},
            signal=js.AbortSignal.timeout(int(timeout_s * 1000)),
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
