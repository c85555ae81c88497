"""The worker's shell in CPython: messages in, messages out, with a scripted collector."""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any

from nosto_tagging.core.dispatcher import Response
from nosto_tagging.testing.clock import ManualClock
from nosto_tagging.worker.shell import WorkerShell, receiver, start_marks
from tests.event_loop import run_apart
from tests.examples import SHIRT

CONFIG = {"kind": "config", "account": "demo", "endpoint": "http://127.0.0.1/ev1",
          "visitor": "0123456789abcdef01234567", "version": "1"}  # fmt: skip


def call(seq: int, target: str, method: str, *args: Any, page: str = "p1") -> dict[str, Any]:
    return {
        "eid": f"{page}-{seq}",
        "time": 0,
        "url": "http://shop.test/",
        "referrer": "",
        "target": target,
        "method": method,
        "args": list(args),
        "seq": seq,
        "page": page,
    }


class Harness:
    def __init__(self, *answers: int, clock: ManualClock | None = None) -> None:
        self.posted: list[dict[str, Any]] = []
        self.sent: list[str] = []
        self.answers = list(answers)
        self.shell = WorkerShell(
            lambda text: self.posted.append(json.loads(text)),
            self.transport,
            sleep=clock.sleep if clock is not None else None,
        )

    async def transport(self, url: str, body: str, timeout_s: float) -> Response:
        self.sent.append(url)
        status = self.answers.pop(0) if self.answers else 200
        return Response(status, '{"pv": 1}')

    def send(self, kind: str, **fields: Any) -> None:
        self.shell.on_message(json.dumps({"kind": kind, **fields}))

    def configure(self) -> None:
        """The page's config message (``CONFIG``), as every page sends first."""
        self.shell.on_message(json.dumps(CONFIG))

    def kinds(self) -> list[str]:
        return [message["kind"] for message in self.posted]

    def of(self, kind: str) -> list[dict[str, Any]]:
        return [message for message in self.posted if message["kind"] == kind]


async def until(condition: Any, turns: int = 200) -> None:
    """Let the event loop run until ``condition()`` holds (turns of the loop, not time)."""
    for _ in range(turns):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("the condition never held")


async def quiet(turns: int = 20) -> None:
    """Let the event loop run whatever is ready (to show that nothing more happens)."""
    for _ in range(turns):
        await asyncio.sleep(0)


def run(harness: Harness, scenario: Any) -> None:
    async def main() -> None:
        await scenario()
        await harness.shell.idle()

    run_apart(main())


def test_a_body_is_sent_only_after_the_page_stored_it() -> None:
    harness = Harness()

    async def scenario() -> None:
        harness.configure()
        harness.send("calls", calls=FRONT_PAGE_LOAD)
        await quiet()
        assert harness.sent == []
        harness.send("stored", eid="p1-2")
        await until(lambda: len(harness.sent) == 1)

    run(harness, scenario)
    assert harness.kinds() == ["ready", "object", "built", "applied", "attempt", "acked"]
    assert harness.of("applied") == [{"kind": "applied", "page": "p1", "seq": 2}]
    assert harness.of("ready")[0]["outlives"] is False


def test_bodies_the_page_beaconed_are_not_sent_by_the_engine() -> None:
    harness = Harness()

    async def scenario() -> None:
        harness.configure()
        harness.send("calls", calls=FRONT_PAGE_LOAD)
        harness.send("carried", eids=["p1-2"])  # held still: the page left before storing it
        harness.send("stored", eid="p1-2")
        await quiet()

    run(harness, scenario)
    assert harness.sent == []
    assert harness.of("attempt") == [] and harness.of("acked") == []


def test_a_replayed_page_has_its_own_session_and_keeps_its_event_ids() -> None:
    harness = Harness()

    async def scenario() -> None:
        harness.configure()
        harness.send("calls", calls=[call(1, "session", "setCart", {"items": [SHIRT]})])
        old = [
            call(1, "session", "viewCart", page="old"),
            call(2, "action:old-1", "update", page="old"),
        ]
        harness.send("replay", page="old", calls=old)
        harness.send("stored", eid="old-2")

    run(harness, scenario)
    [built] = harness.of("built")
    assert built["eid"] == "old-2"
    assert "cart" not in json.loads(built["body"])  # the live page's cart did not leak in
    assert {"kind": "applied", "page": "old", "seq": 2} in harness.posted
    assert "state" not in [m["kind"] for m in harness.posted[harness.kinds().index("built") - 1 :]]


def test_a_replay_builds_nothing_for_calls_its_page_s_engine_applied() -> None:
    harness = Harness()

    async def scenario() -> None:
        harness.configure()
        old = [
            call(1, "session", "setCart", {"items": [SHIRT]}, page="old"),
            call(2, "session", "viewCart", page="old"),
            call(3, "action:old-2", "update", page="old"),  # built and stored there
            call(4, "session", "viewCart", page="old"),
            call(5, "action:old-4", "update", page="old"),  # never reached that engine
        ]
        harness.send("replay", page="old", calls=old, applied=3)
        harness.send("stored", eid="old-5")

    run(harness, scenario)
    [built] = harness.of("built")
    assert built["eid"] == "old-5"
    assert json.loads(built["body"])["cart"]  # the session of the applied calls, made again
    assert {"kind": "applied", "page": "old", "seq": 5} in harness.posted


OLD_VISITOR = "aaaaaaaaaaaaaaaaaaaaaaaa"


def stored_under(entry: dict[str, Any], visitor: str, dnt: bool) -> dict[str, Any]:
    """A journal entry with the visitor and consent its page had at the call."""
    return {**entry, "visitor": visitor, "dnt": dnt}


def test_replayed_calls_run_under_their_own_visitor_and_consent_and_write_no_cookie() -> None:
    harness = Harness()
    new = "bbbbbbbbbbbbbbbbbbbbbbbb"

    async def scenario() -> None:
        harness.configure()
        old = [
            stored_under(call(1, "session", "viewCart", page="old"), OLD_VISITOR, False),
            stored_under(call(2, "action:old-1", "update", page="old"), OLD_VISITOR, False),
            stored_under(call(3, "api", "visit.setCustomerId", new, page="old"), "", False),
            stored_under(call(4, "session", "viewFrontPage", page="old"), "", True),
            stored_under(call(5, "action:old-4", "update", page="old"), "", True),
            stored_under(call(1, "session", "viewOther", page="older"), "", False),
            stored_under(call(2, "action:older-1", "update", page="older"), "", False),
        ]
        harness.send("replay", page="old", calls=old[:5])
        harness.send("replay", page="older", calls=old[5:])
        for eid in ("old-2", "old-5", "older-2"):
            harness.send("stored", eid=eid)

    run(harness, scenario)
    urls = {m["eid"]: m["url"] for m in harness.of("built")}
    assert f"c={OLD_VISITOR}" in urls["old-2"]  # the visitor of the closed page, not ours
    assert "c=" not in urls["old-5"]  # that page had opted out by then
    assert "c=" not in urls["older-2"]  # no visitor then: none is made up
    assert harness.of("visitor") == []  # a replay never writes the cookie
    assert harness.shell._engine is not None
    assert harness.shell._engine.visit.visitor == CONFIG["visitor"]  # nor changes the live visit


def test_replays_are_dropped_while_the_live_visitor_has_opted_out() -> None:
    harness = Harness()

    async def scenario() -> None:
        harness.configure()
        harness.send("calls", calls=[call(1, "api", "visit.setDoNotTrack", True)])
        old = [
            stored_under(call(1, "session", "viewCart", page="old"), OLD_VISITOR, False),
            stored_under(call(2, "action:old-1", "update", page="old"), OLD_VISITOR, False),
        ]
        harness.send("replay", page="old", calls=old)

    run(harness, scenario)
    assert harness.of("built") == [] and harness.sent == []
    assert {"kind": "applied", "page": "old", "seq": 2} in harness.posted  # the page forgets them


def test_a_resent_body_goes_out_as_it_was_stored() -> None:
    harness = Harness()

    async def scenario() -> None:
        harness.configure()
        harness.send("resend", eid="e9", url="http://127.0.0.1/ev1?m=demo&eid=e9",
                     body='{"page_type": "front"}')  # fmt: skip

    run(harness, scenario)
    assert harness.sent == ["http://127.0.0.1/ev1?m=demo&eid=e9"]
    assert harness.of("acked")[0]["eid"] == "e9"


def test_with_a_test_clock_retries_wait_for_it() -> None:
    clock = ManualClock()
    harness = Harness(500, 500, clock=clock)

    async def scenario() -> None:
        harness.configure()
        harness.send("resend", eid="e1", url="http://127.0.0.1/ev1?eid=e1", body="{}")
        await until(lambda: len(harness.sent) == 1)
        await quiet()
        assert len(harness.sent) == 1  # waiting for the clock, not for real time
        clock.advance(60)
        await until(lambda: len(harness.sent) == 2)
        await quiet()  # its 500 is read and the next backoff has begun
        clock.advance(60)
        await until(lambda: len(harness.sent) == 3)

    run(harness, scenario)
    assert len(harness.sent) == 3
    assert harness.of("acked")[0]["eid"] == "e1"


def test_online_cuts_a_backoff_short() -> None:
    harness = Harness(503, clock=ManualClock())  # never advanced: only the nudge ends the wait

    async def scenario() -> None:
        harness.configure()
        harness.send("resend", eid="e1", url="http://127.0.0.1/ev1?eid=e1", body="{}")
        await until(lambda: len(harness.sent) == 1)
        await quiet()  # its 503 is read and the backoff has begun
        harness.send("online")
        await until(lambda: len(harness.sent) == 2)

    run(harness, scenario)
    assert len(harness.sent) == 2


def test_messages_before_the_config_are_reported_not_crashed_on() -> None:
    harness = Harness()
    harness.send("calls", calls=[])
    harness.shell.on_message("not json")
    assert [m["level"] for m in harness.of("log")] == ["error", "error"]


def test_customer_data_lost_with_a_closed_tab_is_counted_on_the_next_request_built() -> None:
    harness = Harness()

    async def scenario() -> None:
        harness.configure()
        harness.send("lost", count=2)
        old = [
            call(1, "session", "viewCart", page="old"),
            call(2, "action:old-1", "update", page="old"),
        ]
        harness.send("replay", page="old", calls=old)  # built first: it carries the count
        harness.send(
            "calls", calls=[call(1, "session", "viewCart"), call(2, "action:p1-1", "update")]
        )

    run(harness, scenario)
    urls = {built["eid"]: built["url"] for built in harness.of("built")}
    assert "lostPrivate=2" in urls["old-2"] and "lostPrivate" not in urls["p1-2"]


FRONT_PAGE_LOAD = [call(1, "session", "viewFrontPage"), call(2, "action:p1-1", "load")]


class SharedHarness(Harness):
    """A second page's shell on the same interpreter: the same claims, another port."""

    def __init__(self, first: Harness) -> None:
        self.posted = []
        self.sent = first.sent
        self.answers = first.answers
        self.shell = WorkerShell(
            lambda text: self.posted.append(json.loads(text)),
            first.transport,
            first.shell._claims,
            first.shell.engine_id,
        )


def test_pages_of_a_shared_engine_deliver_a_body_both_hand_over_once() -> None:
    first = Harness()
    second = SharedHarness(first)

    async def scenario() -> None:
        for page in (first, second):
            page.configure()
        first.send("calls", calls=FRONT_PAGE_LOAD)
        [built] = first.of("built")
        # The second page adopted the first's stored body before the first said `stored`.
        second.send("resend", eid=built["eid"], url=built["url"], body=built["body"])
        first.send("stored", eid=built["eid"])
        await until(lambda: bool(second.of("acked")))

    run(first, scenario)
    assert len(first.sent) == 1
    assert [m["eid"] for m in first.of("acked")] == [m["eid"] for m in second.of("acked")]
    assert first.of("ready")[0]["engine"] == second.of("ready")[0]["engine"]


def test_a_closed_page_s_held_body_is_still_delivered_and_it_hears_nothing() -> None:
    harness = Harness()

    async def scenario() -> None:
        harness.configure()
        harness.send("calls", calls=FRONT_PAGE_LOAD)
        await quiet()
        harness.shell.close()  # gone before it answered `stored`
        await until(lambda: len(harness.sent) == 1)

    run(harness, scenario)
    assert harness.kinds() == ["ready", "object", "built", "applied"]


def replay_of_a_page_gone_before_it_heard_applied(settled_first: bool) -> None:
    """The first page handed its calls over and went before the engine's ``applied`` came
    back: its journal still holds them, and the second page replays them (``applied`` 0)."""
    first = Harness()
    second = SharedHarness(first)

    async def scenario() -> None:
        for page in (first, second):
            page.configure()
        first.send("calls", calls=FRONT_PAGE_LOAD)
        first.shell.close()  # its held body goes out all the same
        if settled_first:
            await until(lambda: len(first.sent) == 1)
            await first.shell.idle()
        second.send("replay", page="p1", calls=FRONT_PAGE_LOAD, applied=0)
        [built] = second.of("built")
        second.send("stored", eid=built["eid"])
        await until(lambda: bool(second.of("acked")))
        await quiet()

    run(first, scenario)
    assert len(first.sent) == 1
    assert [m["eid"] for m in second.of("built")] == ["p1-2"]  # the page stores it, then
    assert [m["eid"] for m in second.of("acked")] == ["p1-2"]  # forgets it: delivered once
    assert second.kinds().index("built") < second.kinds().index("acked")


def test_a_replay_of_calls_a_closed_page_s_connection_built_sends_nothing_twice() -> None:
    replay_of_a_page_gone_before_it_heard_applied(settled_first=False)


def test_a_replay_of_calls_whose_bodies_were_delivered_already_sends_nothing() -> None:
    replay_of_a_page_gone_before_it_heard_applied(settled_first=True)


def test_a_restore_rebuilds_the_session_and_builds_nothing() -> None:
    harness = Harness()

    async def scenario() -> None:
        harness.configure()
        harness.send(
            "restore",
            calls=[
                call(1, "session", "setCart", {"items": [SHIRT]}),
                call(2, "session", "viewCart"),
                call(3, "action:p1-2", "update"),
            ],
        )
        await quiet()
        assert harness.of("built") == []
        harness.send(
            "calls", calls=[call(4, "session", "viewCart"), call(5, "action:p1-4", "update")]
        )
        [built] = harness.of("built")
        harness.send("stored", eid=built["eid"])

    run(harness, scenario)
    [built] = harness.of("built")
    assert json.loads(built["body"])["cart"]  # the restored session's cart


def test_an_internal_error_is_named_by_type_and_place_never_by_its_text() -> None:
    posted: list[dict[str, Any]] = []
    shell = WorkerShell(lambda text: posted.append(json.loads(text)), Harness().transport)
    receive = receiver(shell, lambda text: posted.append(json.loads(text)))
    receive(json.dumps({"kind": "config", **{k: v for k, v in CONFIG.items() if k != "kind"}}))
    # A body that is not JSON: the decoder's error text would quote it.
    receive(json.dumps({"kind": "resend", "eid": "e1", "url": "u", "body": "ann@example.com"}))
    [log] = [m for m in posted if m["kind"] == "log"]
    assert re.fullmatch(r"engine: internal error JSONDecodeError at \w+\.py:\d+", log["message"])


ANSWER_200 = {"status": 200, "text": '{"pv": 1}', "retryAfter": None, "type": "application/json"}


CART_PAGE_LOAD = [call(3, "session", "viewCart"), call(4, "action:p1-3", "load")]


def page_sending() -> Harness:
    """A page that makes each attempt itself (a dedicated worker: no transport)."""
    harness = Harness()
    harness.shell = WorkerShell(lambda text: harness.posted.append(json.loads(text)), None)
    return harness


async def first_attempt_failed(harness: Harness) -> None:
    """The front page's body stored and sent by the page, which answers that it failed: the
    engine tells it so (an ``attempt`` not sending) and waits for a retry."""
    harness.configure()
    harness.send("calls", calls=FRONT_PAGE_LOAD)
    harness.send("stored", eid="p1-2")
    harness.send("answer", eid="p1-2", error="Failed to fetch")
    await until(lambda: len(harness.of("attempt")) == 1)


def test_where_the_page_sends_it_sends_a_body_once_stored_and_each_retry_when_told() -> None:
    harness = page_sending()

    async def scenario() -> None:
        harness.configure()
        harness.send("calls", calls=FRONT_PAGE_LOAD)
        [built] = harness.of("built")
        assert built["send"] is True  # nothing goes before it: sent as soon as it is stored
        harness.send("stored", eid="p1-2")
        await quiet()
        assert harness.of("attempt") == [] and harness.of("acked") == []
        harness.send("answer", eid="p1-2", error="Failed to fetch")
        await until(lambda: len(harness.of("attempt")) == 1)  # failed: a backoff
        harness.send("online")  # ends it now
        await until(lambda: len(harness.of("attempt")) == 2)
        harness.send("answer", eid="p1-2", **ANSWER_200)
        await until(lambda: len(harness.of("acked")) == 1)

    run(harness, scenario)
    attempts = [(m["sending"], m.get("body") is not None) for m in harness.of("attempt")]
    assert attempts == [(False, False), (True, True)]
    assert harness.of("ready")[0]["outlives"] is False


def test_where_the_page_sends_a_body_built_behind_another_waits_for_its_attempt() -> None:
    harness = page_sending()
    two = [*FRONT_PAGE_LOAD, *CART_PAGE_LOAD]

    async def scenario() -> None:
        harness.configure()
        harness.send("calls", calls=two)
        assert [m["send"] for m in harness.of("built")] == [True, False]
        harness.send("stored", eid="p1-2")
        harness.send("stored", eid="p1-4")
        await quiet()
        assert harness.of("attempt") == []  # one at a time: p1-4 waits for p1-2's answer
        harness.send("answer", eid="p1-2", **ANSWER_200)
        await until(lambda: len(harness.of("attempt")) == 1)
        [attempt] = harness.of("attempt")
        assert (attempt["eid"], attempt["sending"]) == ("p1-4", True)
        harness.send("answer", eid="p1-4", **ANSWER_200)
        await until(lambda: len(harness.of("acked")) == 2)

    run(harness, scenario)
    assert [m["eid"] for m in harness.of("acked")] == ["p1-2", "p1-4"]


def test_where_the_page_sends_a_body_built_while_a_retry_waits_is_not_sent_at_once() -> None:
    harness = page_sending()

    async def scenario() -> None:
        await first_attempt_failed(harness)  # p1-2 waits for its retry
        harness.send("calls", calls=CART_PAGE_LOAD)
        assert [m["send"] for m in harness.of("built")] == [True, False]
        harness.send("stored", eid="p1-4")
        harness.send("online")
        await until(lambda: len(harness.of("attempt")) == 2)
        assert harness.of("attempt")[1]["eid"] == "p1-2"  # the order they were built in
        harness.send("answer", eid="p1-2", **ANSWER_200)
        await until(lambda: len(harness.of("attempt")) == 3)
        assert harness.of("attempt")[2]["eid"] == "p1-4"
        harness.send("answer", eid="p1-4", **ANSWER_200)
        await until(lambda: len(harness.of("acked")) == 2)

    run(harness, scenario)


def test_a_body_the_page_beaconed_while_its_first_attempt_was_under_way_is_not_sent_again() -> None:
    harness = page_sending()

    async def scenario() -> None:
        harness.configure()
        harness.send("calls", calls=FRONT_PAGE_LOAD)
        harness.send("stored", eid="p1-2")
        await quiet()  # its answer awaited
        harness.send("carried", eids=["p1-2"])  # the page left before its answer came
        await quiet()

    run(harness, scenario)
    assert [m["sending"] for m in harness.of("attempt")] == [False]
    assert harness.of("acked") == [] and harness.of("dropped") == []


def test_a_body_the_page_beaconed_while_its_retry_waited_is_not_sent_again() -> None:
    harness = page_sending()

    async def scenario() -> None:
        await first_attempt_failed(harness)
        harness.send("carried", eids=["p1-2"])  # the page left before the retry
        harness.send("online")
        await quiet()

    run(harness, scenario)
    assert [m["sending"] for m in harness.of("attempt")] == [False]
    assert harness.of("acked") == [] and harness.of("dropped") == []


class Mark:
    def __init__(self, name: str, start_time: float) -> None:
        self.name = name
        self.startTime = start_time


class Performance:
    """The worker's ``performance`` as ``start_marks`` reads it: marks of ours and of others."""

    timeOrigin = 1_000_000.0

    def getEntriesByType(self, kind: str) -> list[Mark]:
        assert kind == "mark"
        return [Mark("nosto-tagging:start", 12.5), Mark("other", 20.0),
                Mark("nosto-tagging:glue", 80.0)]  # fmt: skip

    def now(self) -> float:
        return 400.0


def test_the_start_marks_are_ours_on_the_epoch_clock_from_the_worker_start_to_the_shell() -> None:
    assert start_marks(Performance()) == {
        "worker": 1_000_000.0,
        "start": 1_000_012.5,
        "glue": 1_000_080.0,
        "shell": 1_000_400.0,
    }


def test_ready_carries_the_start_marks() -> None:
    posted: list[dict[str, Any]] = []
    shell = WorkerShell(lambda text: posted.append(json.loads(text)), None, marks={"worker": 5.0})
    shell.on_message(json.dumps(CONFIG))
    assert posted[0]["kind"] == "ready" and posted[0]["marks"] == {"worker": 5.0}


def test_the_debug_panel_gets_a_built_body_decoded_with_the_rules_warnings() -> None:
    harness = Harness()
    harness.configure()
    cart = [
        {"product_id": "1", "name": "A", "unit_price": 10, "price_currency_code": "EUR"},
        {"product_id": "2", "name": "B", "unit_price": 5, "price_currency_code": "USD"},
    ]
    body = {"page_type": "cart", "url": "http://shop.test/cart", "cart": cart}
    assert harness.of("inspected") == []  # nothing unless the panel asks
    harness.send("inspect", eid="e1", body=json.dumps(body))
    [inspected] = harness.of("inspected")
    assert inspected["eid"] == "e1"
    assert [w["code"] for w in inspected["warnings"]] == ["mixed-currencies"]
    assert [s["title"] for s in inspected["sections"]] == ["url", "cart"]
    harness.send("inspect", eid="e2", body=json.dumps({"page_type": 3}))
    assert harness.of("inspected")[1]["warnings"][0]["field"] == "page_type"
