"""Delivery under a refusing or hanging collector, in Chromium against the real sandbox.

A refused request (any 4xx but 408 and 429) is dropped and reported, never kept or replayed;
one the collector leaves unanswered resolves the page's promise empty after 5 s and is still
delivered later. These run on real timers: the engine's retry clock is the production one.
"""

from __future__ import annotations

from typing import Any

import pytest

from nosto_tagging.testing import Sandbox

from .conftest import Shop

KEYS_LEFT = (
    "() => Object.keys(localStorage).concat(Object.keys(sessionStorage)).filter(key =>"
    " key.startsWith('nosto-tagging:demo:o:') || key.startsWith('nosto-tagging:demo:j:'))"
)


@pytest.mark.parametrize(
    ("fault", "reason", "attempts"),
    [
        ({"status": 400}, "refused the request with HTTP 400", 1),
        ({"status": 413}, "refused the request with HTTP 413", 1),
        # Throttling is retried (Retry-After honoured) until the last attempt.
        (
            {"status": 429, "retry_after": 0, "count": None},
            "after 10 attempts (last: HTTP 429)",
            10,
        ),
    ],
)
def test_a_refused_request_is_dropped_reported_and_never_replayed(
    shop: Shop, sandbox: Sandbox, fault: dict[str, Any], reason: str, attempts: int
) -> None:
    page = shop.open("", path="/test/refused.html")
    shop.wait_for_engine()
    sandbox.set_fault(**fault)
    errors = page.evaluate(
        "() => new Promise(resolve => nostojs(api => {"
        " api.listen('servererror', resolve);"
        " api.defaultSession().viewOther().setPlacements(['refused']).update(); }))"
    )
    assert len(errors) == 1 and reason in errors[0]
    page.wait_for_function("() => nostojs(api => Object.keys(api.internal.outbox()).length === 0)")
    assert sandbox.since_checkpoint()["faulted"] == attempts
    assert any(reason in line for line in shop.console)
    sandbox.clear_faults()

    # A later page of the site finds nothing of it to send again.
    page = shop.open(
        "<script>nostojs(api => api.defaultSession().viewOther().setPlacements(['later'])"
        ".update())</script>",
        path="/test/later.html",
    )
    [stored] = shop.wait_until_stored(1)
    page.wait_for_function(f"() => ({KEYS_LEFT})().length === 0")
    assert stored["body"]["elements"] == ["later"]
    assert sandbox.since_checkpoint()["accepted"] == 1
    assert sandbox.requests() == [stored]


def test_a_collector_that_hangs_resolves_the_promises_empty_and_gets_the_request_later(
    shop: Shop, sandbox: Sandbox
) -> None:
    page = shop.open("")
    shop.wait_for_engine()
    sandbox.set_fault(hang=True, count=None)  # every request waits until the faults are cleared
    answers = page.evaluate(
        "() => nostojs(api => { const started = performance.now();"
        " const waited = p => p.then(r => [r, performance.now() - started]);"
        " return Promise.all(["
        " waited(api.defaultSession().viewOther().setPlacements(['hung-update']).update()),"
        " waited(api.defaultSession().viewFrontPage().setPlacements(['hung-load']).load())]); })"
    )
    for response, waited_ms in answers:
        assert response["page_views"] == 0 and response["recommendations"] == {}
        # Resolved by the page's 5 s timer: not by an answer, nor the engine's 10 s attempt timeout.
        assert 4900 <= waited_ms < 9000
    assert sandbox.requests() == []
    assert sandbox.faults()[0]["served"] >= 1  # sent and held (the second waits its turn)

    sandbox.clear_faults()  # the held requests get a 504; the engine sends them again
    stored = shop.wait_until_stored(2)
    assert sorted(name for r in stored for name in r["body"]["elements"]) == [
        "hung-load",
        "hung-update",
    ]
    page.wait_for_function("() => nostojs(api => Object.keys(api.internal.outbox()).length === 0)")
    assert len(sandbox.requests()) == 2
