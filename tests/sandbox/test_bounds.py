"""What the sandbox holds is bounded: orders kept per visitor, the visitor cache (count and
bytes), the live event, live streams and their queues, and connections."""

from __future__ import annotations

import asyncio
import gc
import http.client
import json
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from nosto_tagging.core.models import EventRequest
from nosto_tagging.sandbox import recorder as recorder_module
from nosto_tagging.sandbox import stream as stream_module
from nosto_tagging.sandbox.app import DEMO_DIR
from nosto_tagging.sandbox.catalog import CATALOG_FILE, load_catalog
from nosto_tagging.sandbox.collector import MAX_MESSAGE_BYTES
from nosto_tagging.sandbox.db import Database
from nosto_tagging.sandbox.recorder import Accepted, Recorder
from nosto_tagging.sandbox.server import MAX_CONNECTIONS
from nosto_tagging.sandbox.stream import MAX_STREAMS, QUEUE_BYTES, Broadcaster
from nosto_tagging.sandbox.visitors import KEPT_ORDERS
from nosto_tagging.testing import Sandbox, running_sandbox
from tests.event_loop import run_apart
from tests.examples import SHIRT

from .conftest import post


def big_cart(bytes_wanted: int = 60 * 1024) -> list[dict[str, Any]]:
    """A cart whose JSON is about ``bytes_wanted`` bytes (within one /ev1 message)."""
    item = SHIRT | {"name": "n" * 200}
    count = bytes_wanted // len(json.dumps(item))
    return [item | {"product_id": str(n)} for n in range(count)]


def order(number: int, cart: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    return {"info": {"order_number": f"DS-{number}"}, "items": cart or [SHIRT]}


def test_a_visitor_keeps_the_last_orders_and_counts_them_all(client: TestClient) -> None:
    for number in range(1, KEPT_ORDERS + 4):
        body = {"page_type": "order", "order": order(number)}
        assert post(client, body, eid=f"o{number}").status_code == 200

    state = client.get("/api/visitors/visitor-1").json()
    assert state["order_count"] == KEPT_ORDERS + 3
    numbers = [kept["order_number"] for kept in state["orders"]]
    assert numbers == [f"DS-{n}" for n in range(4, KEPT_ORDERS + 4)]
    assert state["orders"][-1]["order"] == order(KEPT_ORDERS + 3)


def test_a_big_cart_fits_in_one_message() -> None:
    size = len(json.dumps({"cart": big_cart()}))
    assert 55 * 1024 < size < MAX_MESSAGE_BYTES


class Captured:
    """A listener that keeps what the recorder publishes (when ``listens``)."""

    def __init__(self, listens: bool) -> None:
        self.events: list[dict[str, Any]] = []
        self.listens = listens

    def listening(self) -> bool:
        return self.listens

    def publish_requests(self, stored: list[dict[str, Any]]) -> None:
        self.events.extend(stored)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    opened = Database.open(tmp_path / "db.sqlite3")
    yield opened
    opened.close()


def run_recorder(
    database: Database,
    bodies: list[tuple[str, dict[str, Any]]],
    run: str = "",
    *,
    listens: bool = True,
    **options: int,
) -> tuple[Recorder, Captured]:
    """Record ``(visitor, body)`` pairs in order with a recorder of their own; it is stopped.

    Event ids are ``<run>e<n>``: give each run on one database its own ``run``. ``listens``:
    whether a live stream is connected (the published events are kept)."""
    captured = Captured(listens)
    recorder = Recorder(database, load_catalog(DEMO_DIR / CATALOG_FILE), captured, **options)
    recorder.start()

    async def submit_all() -> None:
        for number, (visitor, body) in enumerate(bodies):
            accepted = Accepted(
                account="demo",
                visitor=visitor,
                event_id=f"{run}e{number}",
                query={},
                body_text=json.dumps(body),
                body=body,
                event=EventRequest.model_validate(body),
            )
            outcome = await recorder.submit(accepted)
            assert outcome.stored

    try:
        run_apart(submit_all())
    finally:
        recorder.stop()
    return recorder, captured


def test_the_visitor_cache_stays_within_its_bytes_and_states_stay_right(
    database: Database,
) -> None:
    budget = 512 * 1024
    cart = big_cart()
    bodies = [(f"v{n}", {"page_type": "cart", "cart": cart}) for n in range(60)]
    bodies.append(("v0", {"page_type": "cart", "cart": [SHIRT]}))  # v0 was evicted long ago

    tracemalloc.start()
    try:
        run_recorder(database, [("warm-up", bodies[0][1])], "warm-up", listens=False)
        gc.collect()
        baseline = tracemalloc.get_traced_memory()[0]
        recorder, _ = run_recorder(database, bodies, listens=False, cache_bytes=budget)
        gc.collect()
        held = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()

    assert 0 < recorder.cached_bytes <= budget
    assert recorder.cached_visitors < 10
    # 60 carts of 60 KB are 3.6 MB of JSON and several times that as Python objects.
    assert held < 4 * budget
    [first] = database.visitor_states("v0", "demo")
    assert (first.requests, first.cart_size) == (2, 2)
    [last] = database.visitor_states("v59", "demo")
    assert len(last.cart) == len(cart)


def test_without_the_byte_bound_the_same_visitors_would_all_be_cached(
    database: Database,
) -> None:
    cart = big_cart()
    bodies = [(f"v{n}", {"page_type": "cart", "cart": cart}) for n in range(20)]

    recorder, _ = run_recorder(database, bodies, listens=False, cache_bytes=64 * 1024 * 1024)

    assert recorder.cached_visitors == 20
    assert recorder.cached_bytes > 20 * 55 * 1024


def test_a_state_over_the_per_visitor_bound_is_not_cached(database: Database) -> None:
    cart = big_cart(30 * 1024)
    bodies = [("buyer", {"page_type": "order", "order": order(n, cart)}) for n in range(12)]

    recorder, _ = run_recorder(database, bodies)

    [state] = database.visitor_states("buyer", "demo")
    assert state.order_count == 12 and len(state.orders) == KEPT_ORDERS
    assert len(json.dumps(state.as_json())) > recorder_module.MAX_CACHED_STATE_BYTES
    assert recorder.cached_visitors == 0


def test_the_live_event_carries_the_current_state_not_the_orders_history(
    database: Database,
) -> None:
    cart = big_cart(30 * 1024)
    bodies = [("buyer", {"page_type": "order", "order": order(n, cart)}) for n in range(15)]

    _, captured = run_recorder(database, bodies)

    last = captured.events[-1]["visitor_state"]
    assert last["order_count"] == 15
    assert [kept["order_number"] for kept in last["orders"]][-1] == "DS-14"
    assert all("order" not in kept for kept in last["orders"])
    assert len(json.dumps(last)) < 4 * 1024  # the orders, 10 x 30 KB, stay in /api/visitors
    sizes = [len(json.dumps(event["visitor_state"])) for event in captured.events]
    tail = sizes[KEPT_ORDERS - 1 :]
    assert max(tail) - min(tail) < 50  # no longer growing with each order (digits aside)


def test_a_slow_stream_is_ended_once_its_queue_holds_too_many_bytes() -> None:
    async def scenario() -> tuple[object, bool]:
        broadcaster = Broadcaster()
        broadcaster.bind(asyncio.get_running_loop())
        payload = {"account": "a", "visitor": "v", "padding": "x" * (1024 * 1024)}
        with broadcaster.subscription() as subscriber:
            assert subscriber is not None
            for _ in range(QUEUE_BYTES // (1024 * 1024) + 1):
                broadcaster.publish("request", payload)
            return await subscriber.get(), broadcaster.listening()

    first, listening = run_apart(scenario())
    assert first is None  # ended: what waited was dropped; the viewer reconnects and replays
    assert listening is False


def test_a_reader_that_keeps_up_gets_every_event() -> None:
    async def scenario() -> int:
        broadcaster = Broadcaster()
        broadcaster.bind(asyncio.get_running_loop())
        payload = {"account": "a", "visitor": "v", "padding": "x" * (1024 * 1024)}
        received = 0
        with broadcaster.subscription() as subscriber:
            assert subscriber is not None
            for _ in range(2 * QUEUE_BYTES // (1024 * 1024)):
                broadcaster.publish("request", payload)
                received += (await subscriber.get()) is not None
        return received

    assert run_apart(scenario()) == 2 * QUEUE_BYTES // (1024 * 1024)


# The real server: streams and connections.


@pytest.fixture
def live(tmp_path: Path) -> Iterator[Sandbox]:
    (tmp_path / "bundle").mkdir()
    (tmp_path / "bundle" / "nosto.js").write_text("")
    with running_sandbox(tmp_path / "db.sqlite3", tmp_path / "bundle") as running:
        yield running


class Connections:
    """HTTP connections to one sandbox, all closed at the end."""

    def __init__(self, sandbox: Sandbox) -> None:
        parts = urlsplit(sandbox.origin)
        self.host, self.port = parts.hostname or "", parts.port
        self.open: list[http.client.HTTPConnection] = []

    def get(self, path: str) -> http.client.HTTPResponse:
        connection = http.client.HTTPConnection(self.host, self.port, timeout=10)
        self.open.append(connection)
        connection.request("GET", path)
        return connection.getresponse()

    def close(self) -> None:
        while self.open:
            self.open.pop().close()


@pytest.fixture
def connections(live: Sandbox) -> Iterator[Connections]:
    opened = Connections(live)
    yield opened
    opened.close()


def test_live_streams_are_capped_with_a_clear_503(live: Sandbox, connections: Connections) -> None:
    streams = [connections.get("/api/stream") for _ in range(MAX_STREAMS)]
    for stream in streams:
        assert stream.status == 200
        assert stream.readline().startswith(b"retry:")

    over = connections.get("/api/stream")
    assert over.status == 503
    assert over.headers["Retry-After"] == str(stream_module.STREAMS_RETRY_AFTER_S)
    assert f"{MAX_STREAMS} live streams are open" in json.loads(over.read())["errors"][0]

    connections.open[0].close()  # a viewer tab closes: its slot comes back
    for _attempt in range(100):
        again = connections.get("/api/stream")
        if again.status == 200:
            break
        again.read()
    assert again.status == 200


def test_a_stream_replays_past_requests_a_page_at_a_time(
    live: Sandbox, connections: Connections
) -> None:
    count = stream_module.REPLAY_PAGE * 2 + 5
    poster = http.client.HTTPConnection(connections.host, connections.port, timeout=10)
    connections.open.append(poster)
    for number in range(count):
        poster.request("POST", f"/ev1?m=d&c=r&eid=p{number}", body='{"page_type": "front"}')
        assert poster.getresponse().read()

    stream = connections.get("/api/stream?since=0")
    text = b""
    while text.count(b"event: request") < count:
        text += stream.read1(65536)
    ids = [int(line[4:]) for line in text.decode().splitlines() if line.startswith("id: ")]
    assert ids == list(range(1, count + 1))


def test_connections_beyond_the_limit_get_503(live: Sandbox, connections: Connections) -> None:
    statuses = []
    for _ in range(MAX_CONNECTIONS + 1):  # each stays open (keep-alive) after its answer
        response = connections.get("/api/faults")
        response.read()
        statuses.append(response.status)

    assert statuses[: MAX_CONNECTIONS - 1] == [200] * (MAX_CONNECTIONS - 1)
    assert statuses[MAX_CONNECTIONS - 1 :] == [503, 503]
    connections.close()
    assert live.stats()["accepted"] == 0  # once they are closed, the sandbox answers again
