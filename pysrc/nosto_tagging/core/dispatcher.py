"""Deliver built requests one at a time, in the order they were built, retrying per ``delivery``.

Order matters: the collector applies cart and customer changes in arrival order. A request
may be held until the page has stored its body (write-ahead), then released; or, where the page
itself makes the attempts, submitted with its first attempt under way (the page stores the body
and sends it at once: see :meth:`Dispatcher.sends_next`). The transport, the sleep and the
random draw are passed in, so tests drive time themselves. ``on_attempt`` hears when an attempt
is about to start and when one failed (the page marks the stored body: a body whose attempt may
still be under way is not sent again by the page).
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from nosto_tagging.core.delivery import (
    DEFAULT_POLICY,
    Delivered,
    Drop,
    Outcome,
    RetryPolicy,
    decide,
    parse_retry_after,
)
from nosto_tagging.core.request import Request


@dataclass(frozen=True)
class Response:
    status: int
    text: str
    retry_after: str | None = None
    content_type: str = "application/json"


class TransportError(Exception):
    """The request did not complete: network failure, offline, or timeout."""


class Transport(Protocol):
    async def __call__(self, url: str, body: str, timeout_s: float) -> Response: ...


def read_outcome(response: Response) -> tuple[Outcome, Any]:
    """Classify an answer; a 2xx must be a JSON object served as JSON, or it is a failure.

    A proxy's HTML error page or a captive portal may answer 200: taking that for an
    acknowledgement would lose the event.
    """
    message: Any = None
    json_ok = True
    if 200 <= response.status < 300 and "json" not in response.content_type.lower():
        json_ok = False
    elif 200 <= response.status < 300:
        try:
            message = json.loads(response.text)
        except ValueError:
            json_ok = False
        else:
            json_ok = isinstance(message, dict)
    return Outcome(response.status, json_ok, parse_retry_after(response.retry_after)), message


class Dispatcher:
    """A FIFO of requests and the one task that drains it."""

    def __init__(
        self,
        transport: Transport,
        on_acked: Callable[[str, dict[str, Any]], None],  # (eid, EventResponseMessage)
        on_dropped: Callable[[str, str], None],
        *,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        rand: Callable[[], float] = random.random,
        policy: RetryPolicy = DEFAULT_POLICY,
        on_attempt: Callable[[Request, bool], None] | None = None,
    ) -> None:
        self._transport = transport
        self._policy = policy
        self._on_acked = on_acked
        self._on_dropped = on_dropped
        self._sleep = sleep
        self._rand = rand
        self._queue: asyncio.Queue[Request] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._held: dict[str, Request] = {}
        self._wake = asyncio.Event()
        self._on_attempt = on_attempt or (lambda request, sending: None)
        self._carried: set[str] = set()
        self._under_way: set[str] = set()  # submitted with their first attempt started

    def use_sleep(self, sleep: Callable[[float], Awaitable[None]]) -> None:
        """Sleep on another clock from now on (tests drive a ``ManualClock``)."""
        self._sleep = sleep

    def nudge(self) -> None:
        """Cut the current backoff short: the browser says it is back online."""
        self._wake.set()

    def hold(self, request: Request) -> None:
        """Keep ``request`` until :meth:`release`: the page stores the body first."""
        self._held[request.eid] = request

    def release(self, eid: str) -> None:
        request = self._held.pop(eid, None)
        if request is not None:
            self.submit(request)

    def release_all(self) -> None:
        """Send every held request: the page that would have said ``stored`` is gone."""
        for eid in list(self._held):
            self.release(eid)

    def carried(self, eids: list[str]) -> None:
        """The page sent these itself (beacons as it went away): held or queued, they are no
        longer sent; one being sent now is not attempted again."""
        for eid in eids:
            if self._held.pop(eid, None) is None:
                self._carried.add(eid)

    def sends_next(self) -> bool:
        """True when a request submitted now goes at once: nothing is held, queued or being
        delivered before it."""
        idle = self._task is None or self._task.done()
        return idle and self._queue.empty() and not self._held

    def submit(self, request: Request, under_way: bool = False) -> None:
        """Deliver ``request`` after those before it; ``under_way``: its first attempt has
        started already (the transport's answer is that attempt's; ``on_attempt`` does not hear
        of its start)."""
        if under_way:
            self._under_way.add(request.eid)
        self._queue.put_nowait(request)
        if self._task is None or self._task.done():
            self._task = asyncio.ensure_future(self._drain())

    async def idle(self) -> None:
        """Wait until every submitted request is delivered or dropped (for tests)."""
        await self._queue.join()

    async def _drain(self) -> None:
        while not self._queue.empty():
            request = await self._queue.get()
            try:
                if self._was_carried(request):
                    self._under_way.discard(request.eid)
                    continue
                await self._deliver(request)
            finally:
                self._queue.task_done()

    async def _deliver(self, request: Request) -> None:
        body = request.body_text()
        attempt = 0
        while True:
            attempt += 1
            message: Any
            if not (attempt == 1 and request.eid in self._under_way):
                self._on_attempt(request, True)
            self._under_way.discard(request.eid)
            try:
                response = await self._attempt(request.url, body)
            except TransportError as error:
                outcome, message = Outcome(None, error=str(error) or "network error"), None
            else:
                outcome, message = read_outcome(response)
            decision = decide(outcome, attempt, self._rand(), self._policy)
            if isinstance(decision, Delivered):
                self._on_acked(request.eid, message)
                return
            if isinstance(decision, Drop):
                self._on_dropped(request.eid, decision.reason)
                return
            self._on_attempt(request, False)
            if self._was_carried(request):
                return
            await self._pause(decision.delay_s)
            if self._was_carried(request):
                return

    def _was_carried(self, request: Request) -> bool:
        """Its page beaconed it as it went away (so it is not attempted again)."""
        if request.eid not in self._carried:
            return False
        self._carried.discard(request.eid)
        return True

    async def _attempt(self, url: str, body: str) -> Response:
        """One send, timed out on the dispatcher's own clock (a test clock times it out too)."""
        timeout = self._policy.request_timeout_s
        send = asyncio.ensure_future(self._transport(url, body, timeout))
        timer = asyncio.ensure_future(self._sleep(timeout))
        await asyncio.wait({send, timer}, return_when=asyncio.FIRST_COMPLETED)
        timer.cancel()
        if not send.done():
            send.cancel()
            raise TransportError(f"no answer within {timeout:g} s")
        return send.result()

    async def _pause(self, seconds: float) -> None:
        self._wake.clear()
        sleeper = asyncio.ensure_future(self._sleep(seconds))
        waker = asyncio.ensure_future(self._wake.wait())
        await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
        sleeper.cancel()
        waker.cancel()
