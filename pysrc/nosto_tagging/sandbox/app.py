"""The sandbox's Starlette app: every route it serves, built by :func:`build_app`.

The request store is opened in the lifespan, never on import.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount, Route

from nosto_tagging.paths import WEB_DIR
from nosto_tagging.sandbox.api import list_requests
from nosto_tagging.sandbox.collector import collect
from nosto_tagging.sandbox.db import RequestStore
from nosto_tagging.sandbox.static import StaticDir

DEMO_DIR = WEB_DIR / "demo"
# /ev1 answers these itself, so that 405s and preflights carry CORS headers too.
EV1_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def build_app(db_path: Path, bundle_dir: Path, demo_dir: Path = DEMO_DIR) -> Starlette:
    """The sandbox app: ``/`` and ``/demo/`` (storefront), ``/bundle/``, ``/ev1``, ``/api/``."""
    for name, directory, fix in (
        ("bundle", bundle_dir, f"run `nosto-tagging build --out {bundle_dir}` first"),
        ("demo", demo_dir, "pass the directory holding the demo's index.html"),
    ):
        if not directory.is_dir():
            raise FileNotFoundError(f"the {name} directory {directory} does not exist; {fix}")
    demo_files = StaticDir(directory=demo_dir)

    async def front_page(request: Request) -> Response:
        return await demo_files.get_response("index.html", request.scope)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[dict[str, RequestStore]]:
        store = await run_in_threadpool(RequestStore.open, db_path)
        try:
            yield {"store": store}
        finally:
            await run_in_threadpool(store.close)

    routes = [
        Route("/", front_page, methods=["GET"]),
        Mount("/demo", app=demo_files, name="demo"),
        Mount("/bundle", app=StaticDir(directory=bundle_dir), name="bundle"),
        Route("/ev1", collect, methods=EV1_METHODS),
        Route("/api/requests", list_requests, methods=["GET"]),
    ]
    return Starlette(routes=routes, lifespan=lifespan)
