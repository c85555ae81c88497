"""``/api/*``: what the sandbox collected, as JSON, for tests and for people debugging a page."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse

from nosto_tagging.sandbox.db import RequestStore


async def list_requests(request: Request) -> JSONResponse:
    """``GET /api/requests[?account=&visitor=&since=<id>]``: stored requests, oldest first."""
    params = request.query_params
    since = params.get("since")
    if since is not None and not since.isdigit():
        error = f"since={since!r} is not a request id; pass the last id you saw, e.g. since=42"
        return JSONResponse({"errors": [error]}, status_code=400)
    store: RequestStore = request.state.store
    stored = await run_in_threadpool(
        store.list,
        account=params.get("account"),
        visitor=params.get("visitor"),
        since=int(since) if since is not None else None,
    )
    return JSONResponse(
        [entry.as_json() for entry in stored], headers={"Cache-Control": "no-store"}
    )
