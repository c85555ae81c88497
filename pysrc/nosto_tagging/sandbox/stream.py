"""``/api/stream``: what the collector sees, live, as server-sent events (the viewer and QA tools).

Each event is one ``event:`` name and one line of JSON ``data:``:

- ``request`` (``id:`` is the request id): a stored request, as ``/api/requests`` lists it, plus
  ``visitor_state`` (``/api/visitors/{c}`` right after it, each kept order as a summary without
  the order as sent);
- ``rejected``: ``{received_at, status, reason, errors, account, visitor, event_id}``;
- ``duplicate``: ``{received_at, account, visitor, event_id}`` (acknowledged, not stored again);
- ``fault``: ``{received_at, fault, account, visitor, event_id}`` (answered by a fault).

``?since=<id>`` (or the ``Last-Event-ID`` header a reconnecting ``EventSource`` sends) first
replays stored requests after that id; ``account``, ``visitor`` and ``page_type`` filter every
event. A comment line is sent every 15 s so proxies keep the connection open.

Bounded: at most :data:`MAX_STREAMS` streams at once (one more is answered 503); a stream whose
reader falls :data:`QUEUE_SIZE` events or :data:`QUEUE_BYTES` behind is ended (an
``EventSource`` reconnects and replays what it missed from the database).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from nosto_tagging.sandbox.db import Database, Filters, StoredRequest, dumps
from nosto_tagging.sandbox.responses import JSON

KEEPALIVE_S = 15.0
MAX_STREAMS = 32
QUEUE_SIZE = 5_000
QUEUE_BYTES = 8 * 1024 * 1024
REPLAY_LIMIT = 1_000
REPLAY_PAGE = 100  # stored requests read from the database at a time while replaying
STREAMS_RETRY_AFTER_S = 5
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


class Subscriber:
    """One stream's queue of events, bounded by :data:`QUEUE_SIZE` and :data:`QUEUE_BYTES`."""

    def __init__(self) -> None:
        self._queue: asyncio.Queue[Frame | None] = asyncio.Queue()
        self.queued_bytes = 0

    def offer(self, item: Frame) -> bool:
        """Queue ``item``; False (and nothing queued) if that would go over a bound."""
        if self._queue.qsize() >= QUEUE_SIZE or self.queued_bytes + len(item.text) > QUEUE_BYTES:
            return False
        self._queue.put_nowait(item)
        self.queued_bytes += len(item.text)
        return True

    def end(self) -> None:
        """Drop what waits and end the stream after it."""
        while not self._queue.empty():
            self._queue.get_nowait()
        self.queued_bytes = 0
        self._queue.put_nowait(_CLOSED)

    async def get(self) -> Frame | None:
        """The next event; ``None`` when the stream is to end."""
        item = await self._queue.get()
        if item is not None:
            self.queued_bytes -= len(item.text)
        return item


class Broadcaster:
    """Hands every event to each connected stream; never blocks the collector."""

    def __init__(self) -> None:
        self._subscribers: set[Subscriber] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop

    def listening(self) -> bool:
        return bool(self._subscribers)

    def full(self) -> bool:
        """Whether :data:`MAX_STREAMS` streams are open."""
        return len(self._subscribers) >= MAX_STREAMS

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
                if not subscriber.offer(item):  # a reader too slow to keep up: end it
                    self._subscribers.discard(subscriber)
                    subscriber.end()
                    break

    def close(self) -> None:
        """End every stream (the server is stopping)."""
        for subscriber in list(self._subscribers):
            subscriber.end()
        self._subscribers.clear()

    @contextmanager
    def subscription(self) -> Iterator[Subscriber | None]:
        """A new stream's subscriber, or ``None`` if :data:`MAX_STREAMS` are open."""
        if self.full():
            yield None
            return
        subscriber = Subscriber()
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
    if broadcaster.full():
        return _too_many_streams()

    async def events() -> AsyncIterator[str]:
        with broadcaster.subscription() as subscriber:
            if subscriber is None:  # the last slot went while this answer was starting
                yield ": too many live streams; reconnect later\n\n"
                return
            yield "retry: 2000\n: connected to the nosto-tagging sandbox\n\n"
            last = filters.since or 0
            if filters.since is not None:
                async for stored in _replay(database, filters):
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


def _too_many_streams() -> Response:
    return JSON(
        {
            "errors": [
                f"{MAX_STREAMS} live streams are open, as many as the sandbox serves; close a "
                f"viewer tab or a tool reading /api/stream, or retry in {STREAMS_RETRY_AFTER_S} s"
            ]
        },
        status_code=503,
        headers={"Retry-After": str(STREAMS_RETRY_AFTER_S)},
    )


async def _replay(database: Database, filters: Filters) -> AsyncIterator[StoredRequest]:
    """Stored requests matching ``filters``, at most ``filters.limit``, a page at a time."""
    left, since = filters.limit, filters.since
    while left > 0:
        page = replace(filters, since=since, limit=min(REPLAY_PAGE, left))
        stored = await run_in_threadpool(database.list_requests, page)
        for entry in stored:
            yield entry
        if len(stored) < page.limit:
            return
        left -= len(stored)
        since = stored[-1].id


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
