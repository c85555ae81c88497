"""``/api/stream``: what the collector sees, live, as server-sent events (the viewer and QA tools).

Each event is one ``event:`` name and one line of JSON ``data:``:

- ``request`` (``id:`` is the request id): a stored request, as ``/api/requests`` lists it, plus
  ``visitor_state`` (``/api/visitors/{c}`` right after it);
- ``rejected``: ``{received_at, status, reason, errors, account, visitor, event_id}``;
- ``duplicate``: ``{received_at, account, visitor, event_id}`` (acknowledged, not stored again);
- ``fault``: ``{received_at, fault, account, visitor, event_id}`` (answered by a fault).

``?since=<id>`` (or the ``Last-Event-ID`` header a reconnecting ``EventSource`` sends) first
replays stored requests after that id; ``account``, ``visitor`` and ``page_type`` filter every
event. A comment line is sent every 15 s so proxies keep the connection open.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from nosto_tagging.sandbox.db import Database, Filters, dumps
from nosto_tagging.sandbox.responses import JSON

KEEPALIVE_S = 15.0
QUEUE_SIZE = 5_000
REPLAY_LIMIT = 1_000
_CLOSED = None


@dataclass(frozen=True)
class Frame:
    """One encoded event and what filters look at."""

    text: str
    account: str | None
    visitor: str | None
    page_type: str | None
    request_id: int | None = None


def frame(kind: str, data: dict[str, Any], request_id: int | None = None) -> Frame:
    """``data`` as a server-sent event named ``kind``."""
    head = f"id: {request_id}\n" if request_id is not None else ""
    page_type = data.get("page_type")
    return Frame(
        text=f"{head}event: {kind}\ndata: {dumps(data)}\n\n",
        account=data.get("account"),
        visitor=data.get("visitor"),
        page_type=page_type if isinstance(page_type, str) else None,
        request_id=request_id,
    )


class Broadcaster:
    """Hands every event to each connected stream; never blocks the collector."""

    def __init__(self) -> None:
        self._subscribers: set[asyncio.Queue[Frame | None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def listening(self) -> bool:
        return bool(self._subscribers)

    def publish(self, kind: str, data: dict[str, Any]) -> None:
        """Send one event (from the event loop)."""
        if self._subscribers:
            self._send([frame(kind, data)])

    def publish_requests(self, stored: list[dict[str, Any]]) -> None:
        """Send stored requests as ``request`` events (from any thread)."""
        if not self._subscribers or self._loop is None:
            return
        frames = [frame("request", entry, entry["id"]) for entry in stored]
        try:
            self._loop.call_soon_threadsafe(self._send, frames)
        except RuntimeError:  # the loop has closed: the server is stopping
            return

    def _send(self, frames: list[Frame]) -> None:
        for subscriber in list(self._subscribers):
            for item in frames:
                try:
                    subscriber.put_nowait(item)
                except asyncio.QueueFull:  # a reader too slow to keep up: end it; it reconnects
                    self._subscribers.discard(subscriber)
                    subscriber.get_nowait()
                    subscriber.put_nowait(_CLOSED)
                    break

    def close(self) -> None:
        """End every stream (the server is stopping)."""
        for subscriber in list(self._subscribers):
            while True:
                try:
                    subscriber.put_nowait(_CLOSED)
                    break
                except asyncio.QueueFull:
                    subscriber.get_nowait()
        self._subscribers.clear()

    @contextmanager
    def subscription(self) -> Iterator[asyncio.Queue[Frame | None]]:
        subscriber: asyncio.Queue[Frame | None] = asyncio.Queue(QUEUE_SIZE)
        self._subscribers.add(subscriber)
        try:
            yield subscriber
        finally:
            self._subscribers.discard(subscriber)


def _matches(item: Frame, filters: Filters) -> bool:
    return (
        (filters.account is None or item.account == filters.account)
        and (filters.visitor is None or item.visitor == filters.visitor)
        and (filters.page_type is None or item.page_type == filters.page_type)
    )


async def stream_endpoint(request: Request) -> Response:
    """``GET /api/stream``: see the module docstring."""
    params = request.query_params
    since = params.get("since") or request.headers.get("last-event-id")
    if since is not None and not since.isdigit():
        return JSON(
            {"errors": [f"since={since!r} is not a request id; pass the last id you saw"]},
            status_code=400,
        )
    filters = Filters(
        account=params.get("account"),
        visitor=params.get("visitor"),
        page_type=params.get("page_type"),
        since=int(since) if since is not None else None,
        limit=REPLAY_LIMIT,
    )
    broadcaster: Broadcaster = request.state.broadcaster
    database: Database = request.state.database

    async def events() -> AsyncIterator[str]:
        with broadcaster.subscription() as subscriber:
            yield "retry: 2000\n: connected to the nosto-tagging sandbox\n\n"
            last = filters.since or 0
            if filters.since is not None:
                for stored in await run_in_threadpool(database.list_requests, filters):
                    last = stored.id
                    yield frame("request", stored.as_json(), stored.id).text
            while True:
                try:
                    item = await asyncio.wait_for(subscriber.get(), KEEPALIVE_S)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                if item is _CLOSED:
                    return
                if item.request_id is not None and item.request_id <= last:
                    continue  # already replayed
                if _matches(item, filters):
                    yield item.text

    return StreamingResponse(
        events(),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


def decode_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    """``(event, data)`` pairs of a server-sent event stream's text (for tests and tools)."""
    decoded = []
    for block in text.split("\n\n"):
        kind, data = "message", []
        for line in block.splitlines():
            if line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                data.append(line[5:].strip())
        if data:
            decoded.append((kind, json.loads("\n".join(data))))
    return decoded
