"""A clock that tests drive: sleeps end when time is advanced, not when real time passes.

The browser's page clock (Playwright's) does not reach workers. In the test build
(``nosto.test.js`` with ``data-test-clock``) the worker's entry is ``runtime/engine.test.py``,
which the build makes of this module and ``web/engine.test.py``: the engine's retry timers sleep
on this clock and the page's ``api.internal.tick(ms)`` advances it. The production runtime holds
neither (``tests/bundle`` checks it).
"""

from __future__ import annotations

import asyncio
import heapq
import itertools


class ManualClock:
    def __init__(self) -> None:
        self.now = 0.0
        self._sleepers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._order = itertools.count()

    async def sleep(self, seconds: float) -> None:
        future: asyncio.Future[None] = asyncio.get_event_loop().create_future()
        heapq.heappush(self._sleepers, (self.now + max(seconds, 0.0), next(self._order), future))
        await future

    def advance(self, seconds: float) -> None:
        """Move time forward and wake every sleep that is due."""
        self.now += max(seconds, 0.0)
        while self._sleepers and self._sleepers[0][0] <= self.now:
            _, _, future = heapq.heappop(self._sleepers)
            if not future.done():
                future.set_result(None)
