"""The sandbox's Starlette app: every route it serves, built by :func:`build_app`.

The database is opened and the recorder's thread started in the lifespan, never on import.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from nosto_tagging.paths import WEB_DIR
from nosto_tagging.sandbox.api import list_requests, show_stats, show_visitor
from nosto_tagging.sandbox.catalog import CATALOG_FILE, load_catalog
from nosto_tagging.sandbox.classic import classic_routes
from nosto_tagging.sandbox.collector import collect
from nosto_tagging.sandbox.cors import AllowedOrigins
from nosto_tagging.sandbox.db import Database
from nosto_tagging.sandbox.faults import Faults, faults_endpoint
from nosto_tagging.sandbox.hosts import TrustedHosts, normalize_host
from nosto_tagging.sandbox.recorder import Recorder
from nosto_tagging.sandbox.responses import JSON
from nosto_tagging.sandbox.shop import shop_routes
from nosto_tagging.sandbox.static import StaticDir
from nosto_tagging.sandbox.stream import Broadcaster, stream_endpoint
from nosto_tagging.sandbox.writes import WriteGuard

DEMO_DIR = WEB_DIR / "demo"
VIEWER_DIR = WEB_DIR / "viewer"
COMMON_DIR = WEB_DIR / "common"  # what the demo and the viewer share
# /ev1 answers these itself, so that 405s and preflights carry CORS headers too.
EV1_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


def build_app(
    db_path: Path,
    bundle_dir: Path,
    demo_dir: Path = DEMO_DIR,
    *,
    viewer_dir: Path = VIEWER_DIR,
    common_dir: Path = COMMON_DIR,
    cors_origins: Iterable[str] = (),
    allowed_hosts: Iterable[str] = (),
) -> Starlette:
    """The sandbox app.

    Routes: the storefront (``/`` and its pages, ``/demo/``), ``/bundle/``, ``/ev1``, the viewer
    (``/events``, ``/viewer/``), ``/common/`` (what both pages share) and ``/api/`` (requests,
    visitors, stats, stream, faults).
    ``cors_origins`` are the page origins besides the sandbox's own that may read ``/ev1``;
    ``allowed_hosts`` the ``Host`` names besides loopback ones it answers (``hosts.py``).
    State-changing ``/api/`` requests need the headers ``writes.py`` names.
    """
    for name, directory, fix in (
        ("bundle", bundle_dir, f"run `nosto-tagging build --out {bundle_dir}` first"),
        ("demo", demo_dir, "pass the directory holding the demo's index.html"),
        ("viewer", viewer_dir, "pass the directory holding the viewer's index.html"),
        ("common", common_dir, "pass the directory holding dom.js, shared by demo and viewer"),
    ):
        if not directory.is_dir():
            raise FileNotFoundError(f"the {name} directory {directory} does not exist; {fix}")
    origins = AllowedOrigins(cors_origins)
    hosts = [normalize_host(host) for host in allowed_hosts]  # ValueError now, not on a request
    middleware = [Middleware(TrustedHosts, hosts=hosts), Middleware(WriteGuard)]
    catalog = load_catalog(demo_dir / CATALOG_FILE)
    demo_files = StaticDir(directory=demo_dir)
    viewer_files = StaticDir(directory=viewer_dir)
    broadcaster = Broadcaster()
    faults = Faults()

    async def viewer(request: Request) -> Response:
        return await viewer_files.get_response("index.html", request.scope)

    @asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[dict[str, Any]]:
        database = await run_in_threadpool(Database.open, db_path)
        broadcaster.bind(asyncio.get_running_loop())
        recorder = Recorder(database, catalog, broadcaster)
        await run_in_threadpool(recorder.start)
        try:
            yield {
                "database": database,
                "recorder": recorder,
                "broadcaster": broadcaster,
                "faults": faults,
                "origins": origins,
            }
        finally:
            broadcaster.close()
            faults.clear()
            await run_in_threadpool(recorder.stop)
            await run_in_threadpool(database.close)

    routes: list[BaseRoute] = [
        Route("/ev1", collect, methods=EV1_METHODS),  # first: the hot path matches at once
        *shop_routes(demo_files, catalog),
        *classic_routes(catalog),
        Mount("/demo", app=demo_files, name="demo"),
        Mount("/bundle", app=StaticDir(directory=bundle_dir), name="bundle"),
        Route("/events", viewer, methods=["GET", "HEAD"]),
        Mount("/viewer", app=viewer_files, name="viewer"),
        Mount("/common", app=StaticDir(directory=common_dir), name="common"),
        Route("/api/requests", list_requests, methods=["GET"]),
        Route("/api/visitors/{visitor}", show_visitor, methods=["GET"]),
        Route("/api/stats", show_stats, methods=["GET"]),
        Route("/api/stream", stream_endpoint, methods=["GET"]),
        Route("/api/faults", faults_endpoint, methods=["GET", "POST", "DELETE"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        middleware=middleware,
        exception_handlers={HTTPException: http_error},
    )
    # For the server's shutdown: end live streams and hanging faults before draining connections.
    app.state.broadcaster = broadcaster
    app.state.faults = faults
    return app


async def http_error(request: Request, error: Exception) -> Response:
    """Routing errors (404, 405) as JSON ``errors`` like every other answer of the sandbox."""
    assert isinstance(error, HTTPException)
    what = f"{request.method} {request.url.path}"
    hint = {404: "no such page here; the sandbox serves /, /events, /ev1 and /api/…"}.get(
        error.status_code, error.detail
    )
    return JSON(
        {"errors": [f"{what}: {hint}"]},
        status_code=error.status_code,
        headers=dict(error.headers or {}),
    )
