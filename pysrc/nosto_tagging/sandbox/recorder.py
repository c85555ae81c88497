"""Records accepted requests: one writer thread, group commit, derived state, answers.

Handlers hand an accepted request to :meth:`Recorder.submit` and await its answer. The thread
takes every request waiting (up to ``MAX_BATCH``), and in one transaction per batch drops
duplicate event ids, applies each request to its visitor's state (``visitors.apply``), computes
the answer (``answers.answer``) and the warnings (``rules.check_request``) and inserts the row.
Only after ``COMMIT`` are the handlers' futures resolved: a 2xx answer means the request is in
the WAL. One commit per batch instead of per request is what makes the collector fast.

Recently seen visitors' states are kept in memory, within :data:`CACHED_VISITORS` visitors and
:data:`CACHED_VISITOR_BYTES` of their JSON; a state over :data:`MAX_CACHED_STATE_BYTES` is
read from the database each time instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import queue
import threading
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from nosto_tagging.core.rules import check_request
from nosto_tagging.sandbox.answers import answer
from nosto_tagging.sandbox.catalog import Catalog
from nosto_tagging.sandbox.db import Database, StoredRequest, dumps
from nosto_tagging.sandbox.recommendations import Recommender
from nosto_tagging.sandbox.visitors import Change, VisitorState, apply

if TYPE_CHECKING:
    from nosto_tagging.core.models import EventRequest

MAX_BATCH = 512
CACHED_VISITORS = 10_000
CACHED_VISITOR_BYTES = 16 * 1024 * 1024
MAX_CACHED_STATE_BYTES = 256 * 1024
_STOP = object()


class StoreUnavailable(Exception):
    """The database could not take the request (disk full, file removed, ...): retry later."""


@dataclass(frozen=True)
class Accepted:
    """A request that passed validation, waiting to be recorded."""

    account: str
    visitor: str
    event_id: str | None
    query: dict[str, str]
    body_text: str
    body: dict[str, Any]
    event: EventRequest


@dataclass(frozen=True)
class Outcome:
    """What recording a request came to: the answer's JSON text, and whether it was new."""

    response_text: str
    stored: bool
    request_id: int | None = None


@dataclass
class _Job:
    request: Accepted
    future: asyncio.Future[Outcome]
    loop: asyncio.AbstractEventLoop


@dataclass
class _Barrier:
    future: asyncio.Future[None]
    loop: asyncio.AbstractEventLoop


@dataclass
class _Batch:
    jobs: list[_Job] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    barriers: list[_Barrier] = field(default_factory=list)


class Listener(Protocol):
    """Where stored requests go after their commit (the live stream)."""

    def listening(self) -> bool:
        """Whether anyone wants them (if not, they are not even built)."""

    def publish_requests(self, stored: list[dict[str, Any]]) -> None:
        """Take stored requests (called from the recorder's thread)."""


class Recorder:
    """The single writer: see the module docstring."""

    def __init__(
        self,
        database: Database,
        catalog: Catalog,
        listener: Listener,
        *,
        cache_bytes: int = CACHED_VISITOR_BYTES,
    ) -> None:
        self._database = database
        self._recommender = Recommender(catalog)
        self._listener = listener
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        # (account, visitor) -> (state, length of its JSON), least recently used first.
        self._visitors: OrderedDict[tuple[str, str], tuple[VisitorState, int]] = OrderedDict()
        self._cache_limit = cache_bytes
        self.cached_bytes = 0  # sum of the cached states' JSON lengths
        self._thread = threading.Thread(target=self._run, name="sandbox-recorder", daemon=True)
        self._next_id = 0

    def start(self) -> None:
        self._next_id = self._database.next_request_id()
        self._thread.start()

    def stop(self) -> None:
        """Record everything submitted so far, then end the thread."""
        if self._thread.is_alive():
            self._queue.put(_STOP)
            self._thread.join()

    async def submit(self, request: Accepted) -> Outcome:
        """Record ``request``; returns once it is committed (or was a duplicate)."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Outcome] = loop.create_future()
        self._queue.put(_Job(request, future, loop))
        return await future

    async def sync(self) -> None:
        """Return once everything submitted or counted before is committed."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        self._queue.put(_Barrier(future, loop))
        await future

    def count(self, name: str) -> None:
        """Add one to the counter ``name`` (committed with the next batch)."""
        self._queue.put((name, 1))

    def _run(self) -> None:
        while True:
            batch, stop = self._take()
            if batch.jobs or batch.counts:
                self._record(batch)
            for barrier in batch.barriers:
                with contextlib.suppress(RuntimeError):  # a closed loop waits for nothing
                    barrier.loop.call_soon_threadsafe(_release, barrier.future)
            if stop:
                return

    def _take(self) -> tuple[_Batch, bool]:
        batch = _Batch()
        item = self._queue.get()
        while True:
            if item is _STOP:
                return batch, True
            if isinstance(item, _Job):
                batch.jobs.append(item)
            elif isinstance(item, _Barrier):
                batch.barriers.append(item)
            else:
                name, amount = item
                batch.counts[name] = batch.counts.get(name, 0) + amount
            if len(batch.jobs) >= MAX_BATCH:
                return batch, False
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return batch, False

    def _record(self, batch: _Batch) -> None:
        results: list[tuple[_Job, Outcome | BaseException]] = []
        published: list[dict[str, Any]] = []
        changed: dict[tuple[str, str], VisitorState] = {}
        sizes: dict[tuple[str, str], int] = {}
        counts = dict(batch.counts)
        next_id = self._next_id
        try:
            with self._database.transaction():
                for job in batch.jobs:
                    try:
                        with self._database.savepoint():
                            outcome, event = self._record_one(job.request, next_id, changed)
                    except Exception as error:  # a bug must not take the batch down with it
                        results.append((job, error))
                        continue
                    results.append((job, outcome))
                    if outcome.stored:
                        next_id += 1
                        if event:
                            published.append(event)
                        counts["accepted"] = counts.get("accepted", 0) + 1
                    else:
                        counts["duplicates"] = counts.get("duplicates", 0) + 1
                for key, state in changed.items():  # once per visitor and batch
                    sizes[key] = self._database.save_visitor(state)
                if counts:
                    self._database.add_counts(counts)
        except Exception as error:
            self._next_id = self._database.next_request_id()
            failure = StoreUnavailable(f"the sandbox database could not store the request: {error}")
            _settle([(job, failure) for job in batch.jobs])
            return
        self._next_id = next_id
        for key, state in changed.items():
            self._remember(key, state, sizes[key])
        _settle(results)
        if published:
            self._listener.publish_requests(published)

    def _record_one(
        self, request: Accepted, request_id: int, changed: dict[tuple[str, str], VisitorState]
    ) -> tuple[Outcome, dict[str, Any]]:
        database = self._database
        key = (request.account, request.visitor)
        if request.event_id is not None:
            answered = database.stored_response(request.event_id)
            if answered is not None:
                known = changed.get(key) or self._visitor(key)
                if known.requests:
                    changed[key] = replace(known, duplicates=known.duplicates + 1)
                return Outcome(answered, stored=False), {}
        state = changed.get(key) or self._visitor(key)
        received_at = datetime.now(UTC).isoformat(timespec="milliseconds")
        change = Change(request_id, received_at, request.query, request.body, request.event)
        state = apply(state, change)
        response = answer(request.event, state, self._recommender)
        warnings = [finding.as_json() for finding in check_request(request.event)]
        response_text = dumps(response)
        stored = StoredRequest(
            id=request_id,
            received_at=received_at,
            account=request.account,
            visitor=request.visitor,
            event_id=request.event_id,
            page_type=request.event.page_type,
            query=request.query,
            body=request.body,
            response=response,
            warnings=warnings,
        )
        database.insert_request(stored, body_text=request.body_text, response_text=response_text)
        changed[key] = state
        outcome = Outcome(response_text, stored=True, request_id=request_id)
        if not self._listener.listening():
            return outcome, {}
        return outcome, stored.as_json() | {"visitor_state": state.as_live_json()}

    def _visitor(self, key: tuple[str, str]) -> VisitorState:
        cached = self._visitors.get(key)
        if cached is not None:
            return cached[0]
        return self._database.load_visitor(*key) or VisitorState(*key)

    def _remember(self, key: tuple[str, str], state: VisitorState, size: int) -> None:
        """Cache ``state`` (``size``: its JSON's length), evicting the least recently used."""
        previous = self._visitors.pop(key, None)
        if previous is not None:
            self.cached_bytes -= previous[1]
        if size > MAX_CACHED_STATE_BYTES:
            return
        self._visitors[key] = (state, size)
        self.cached_bytes += size
        while len(self._visitors) > CACHED_VISITORS or self.cached_bytes > self._cache_limit:
            _key, (_state, evicted) = self._visitors.popitem(last=False)
            self.cached_bytes -= evicted

    @property
    def cached_visitors(self) -> int:
        return len(self._visitors)


def _settle(results: list[tuple[_Job, Outcome | BaseException]]) -> None:
    """Resolve the handlers' futures: one wake-up per event loop, not one per request."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[_Job, Outcome | BaseException]]] = {}
    for job, result in results:
        by_loop.setdefault(job.loop, []).append((job, result))
    for loop, settled in by_loop.items():
        try:
            loop.call_soon_threadsafe(_resolve, settled)
        except RuntimeError:  # that loop is closed: nobody waits for these answers any more
            continue


def _release(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _resolve(settled: list[tuple[_Job, Outcome | BaseException]]) -> None:
    for job, result in settled:
        if job.future.done():
            continue
        if isinstance(result, BaseException):
            job.future.set_exception(result)
        else:
            job.future.set_result(result)
