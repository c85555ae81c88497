"""Delivery order, acknowledgement and retries; the test drives the transport and the clock."""

from __future__ import annotations

import asyncio
from typing import Any

from nosto_tagging.core.delivery import RetryPolicy
from nosto_tagging.core.dispatcher import Dispatcher, Response, TransportError
from nosto_tagging.core.request import Request
from tests.event_loop import run_apart

POLICY = RetryPolicy(request_timeout_s=60.0)


class ScriptedCollector:
    """Answers each attempt from a script: a Response, or an exception to raise."""

    def __init__(self, *answers: Response | Exception) -> None:
        self.answers = list(answers)
        self.seen: list[str] = []

    async def __call__(self, url: str, body: str, timeout_s: float) -> Response:
        self.seen.append(url)
        answer = self.answers.pop(0) if self.answers else Response(200, '{"pv": 1}')
        if isinstance(answer, Exception):
            raise answer
        return answer


class Hanging:
    """A collector that never answers its first ``hangs`` attempts."""

    def __init__(self, hangs: int) -> None:
        self.hangs = hangs
        self.seen = 0

    async def __call__(self, url: str, body: str, timeout_s: float) -> Response:
        self.seen += 1
        if self.seen <= self.hangs:
            await asyncio.Future()  # no answer, ever
        return Response(200, '{"pv": 1}')


def run(
    collector: ScriptedCollector | Hanging,
    *eids: str,
    timeouts_fire: bool = False,
    carried: tuple[str, ...] = (),
    attempts: bool = False,
    under_way: tuple[str, ...] = (),
) -> tuple[list[Any], list[float]]:
    """Deliver ``eids``; ``carried``: the page beacons these as the first attempt starts;
    ``attempts``: the events include the page's attempt notices; ``under_way``: these are
    submitted with their first attempt started."""
    events: list[Any] = []
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        """Time passes at once: backoffs end, and so do attempt timeouts if ``timeouts_fire``."""
        if seconds == POLICY.request_timeout_s and not timeouts_fire:
            await asyncio.Future()  # an attempt's timer: these collectors answer in time
        slept.append(seconds)

    def attempt(request: Request, sending: bool) -> None:
        if attempts:
            events.append(("attempt", request.eid, sending))
        if carried:
            dispatcher.carried(list(carried))

    async def main() -> None:
        nonlocal dispatcher
        dispatcher = Dispatcher(
            collector,
            lambda eid, message: events.append(("acked", eid, message["pv"])),
            lambda eid, reason: events.append(("dropped", eid, reason)),
            sleep=sleep,
            rand=lambda: 0.5,
            policy=POLICY,
            on_attempt=attempt,
        )
        for eid in eids:
            dispatcher.submit(
                Request(eid, f"http://127.0.0.1/ev1?eid={eid}", {"page_type": "other"}),
                under_way=eid in under_way,
            )
        await dispatcher.idle()

    dispatcher: Dispatcher

    run_apart(main())
    return events, slept


def test_requests_are_delivered_in_the_order_they_were_built() -> None:
    collector = ScriptedCollector()
    events, _ = run(collector, "a", "b", "c")
    assert [event[1] for event in events] == ["a", "b", "c"]
    assert collector.seen == [f"http://127.0.0.1/ev1?eid={eid}" for eid in "abc"]


def test_a_failing_collector_is_retried_with_backoff_until_it_answers() -> None:
    collector = ScriptedCollector(
        Response(500, "oops"),
        TransportError("offline"),
        Response(200, "<html>"),
        Response(200, '{"pv": 2}', content_type="text/html"),  # JSON served as HTML: a proxy
        Response(200, '{"pv": 3}'),
    )
    events, slept = run(collector, "a")
    assert events == [("acked", "a", 3)]
    assert slept == [0.25, 0.5, 1.0, 2.0]


def test_a_refused_request_is_dropped_and_the_next_one_goes_on() -> None:
    events, _ = run(ScriptedCollector(Response(400, '{"errors": ["bad"]}')), "a", "b")
    assert events == [
        ("dropped", "a", "the collector refused the request with HTTP 400"),
        ("acked", "b", 1),
    ]


def test_an_attempt_without_an_answer_times_out_on_the_dispatchers_clock() -> None:
    collector = Hanging(2)
    events, slept = run(collector, "a", timeouts_fire=True)
    assert events == [("acked", "a", 1)]
    assert collector.seen == 3
    # each attempt starts its timer; the first two fire, then a backoff follows
    assert slept == [60.0, 0.25, 60.0, 0.5, 60.0]


def test_each_attempt_start_and_each_failure_is_told() -> None:
    collector = ScriptedCollector(Response(503, ""), TransportError("offline"))
    events, _ = run(collector, "a", attempts=True)
    assert events == [
        ("attempt", "a", True),
        ("attempt", "a", False),
        ("attempt", "a", True),
        ("attempt", "a", False),
        ("attempt", "a", True),
        ("acked", "a", 1),
    ]


def test_bodies_their_page_carried_are_not_sent_nor_retried() -> None:
    # "a" is being sent when the page says it beaconed it, "b" waits in the queue
    collector = ScriptedCollector(Response(503, ""))
    events, _ = run(collector, "a", "b", "c", carried=("a", "b"))
    assert collector.seen == ["http://127.0.0.1/ev1?eid=a", "http://127.0.0.1/ev1?eid=c"]
    assert events == [("acked", "c", 1)]


def test_a_request_submitted_under_way_is_told_only_of_its_retries() -> None:
    collector = ScriptedCollector(Response(503, ""))
    events, _ = run(collector, "a", "b", attempts=True, under_way=("a",))
    assert events == [
        ("attempt", "a", False),
        ("attempt", "a", True),
        ("acked", "a", 1),
        ("attempt", "b", True),
        ("acked", "b", 1),
    ]


def test_a_request_goes_next_only_with_nothing_held_queued_or_under_way() -> None:
    async def main() -> list[bool]:
        gate: asyncio.Future[Response] = asyncio.get_running_loop().create_future()

        async def transport(url: str, body: str, timeout_s: float) -> Response:
            return await gate

        dispatcher = Dispatcher(transport, lambda eid, m: None, lambda eid, r: None)
        seen = [dispatcher.sends_next()]
        dispatcher.hold(Request("a", "http://127.0.0.1/ev1", {}))
        seen.append(dispatcher.sends_next())  # "a" waits to be stored: it goes first
        dispatcher.release("a")
        seen.append(dispatcher.sends_next())  # queued
        await asyncio.sleep(0)
        seen.append(dispatcher.sends_next())  # being delivered
        gate.set_result(Response(200, '{"pv": 1}'))
        await dispatcher.idle()
        await asyncio.sleep(0)
        seen.append(dispatcher.sends_next())
        return seen

    seen = run_apart(main())
    assert seen == [True, False, False, False, True]


def test_a_request_whose_page_beaconed_it_during_a_backoff_is_not_retried() -> None:
    async def main() -> list[str]:
        sent: list[str] = []
        wake: asyncio.Event = asyncio.Event()

        async def transport(url: str, body: str, timeout_s: float) -> Response:
            sent.append(url)
            return Response(503, "")

        async def sleep(seconds: float) -> None:
            await wake.wait()

        dispatcher = Dispatcher(transport, lambda eid, m: None, lambda eid, r: None, sleep=sleep)
        dispatcher.submit(Request("a", "http://127.0.0.1/ev1", {}))
        while not sent:
            await asyncio.sleep(0)
        dispatcher.carried(["a"])  # during the backoff after the first attempt failed
        dispatcher.nudge()
        await dispatcher.idle()
        return sent

    sent = run_apart(main())
    assert sent == ["http://127.0.0.1/ev1"]
