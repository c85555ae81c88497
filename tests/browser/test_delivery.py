"""Delivery guarantees in the real browser: every accepted event arrives exactly once.

Faults come from the sandbox's fault controls or from stopping the collector, never from
Playwright routing (which does not reach the engine's worker). Retry timers run on the
engine's test clock (``data-test-clock`` + ``api.internal.tick``, in the test build
``nosto.test.js`` only): no real waiting for backoff.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from nosto_tagging.testing import Sandbox

from .conftest import LOADER_TAG, Shop

TEST_CLOCK_TAG = LOADER_TAG.replace("nosto.js", "nosto.test.js").replace(
    " async>", " data-test-clock async>"
)


def view_call(name: str) -> str:
    """One action (a front-page view), named by its placement id."""
    return f"nostojs(api => api.defaultSession().viewFrontPage().setPlacements(['{name}']).load())"


def view(name: str) -> str:
    return f"<script>{view_call(name)}</script>"


def placements(stored: list[dict[str, Any]]) -> Counter[str]:
    return Counter(name for r in stored for name in r["body"].get("elements", []))


# Nothing of the account waits in Web Storage: no journal entry, no body (this tab's view).
NOTHING_WAITS = (
    "() => !Object.keys(localStorage).concat(Object.keys(sessionStorage)).some(key =>"
    " key.startsWith('nosto-tagging:demo:j:') || key.startsWith('nosto-tagging:demo:o:'))"
)


def settled(shop: Shop, count: int) -> list[dict[str, Any]]:
    """Wait for ``count`` requests of this visitor and until nothing waits in the page's
    storage (every body acknowledged); then every request stored, however many there are.
    Long enough for a body whose outcome was unknown to be sent again (after 15 s)."""
    shop.sandbox.wait_for_requests(count, visitor=shop.visitor(), timeout_s=60)
    shop.page.wait_for_function(NOTHING_WAITS, polling=100, timeout=60000)
    return shop.sandbox.requests(visitor=shop.visitor())


def assert_exactly_once(shop: Shop, names: list[str]) -> None:
    """Each of ``names`` stored exactly once, and no event id on the wire twice."""
    stored = settled(shop, len(names))
    assert placements(stored) == Counter(names)
    shop.sandbox.assert_no_duplicates()


def tick_until(page: Page, sandbox: Sandbox, count: int, visitor: str, rounds: int = 40) -> None:
    """Advance the engine's clock a minute at a time until ``count`` requests are stored."""
    for _ in range(rounds):
        if len(sandbox.requests(visitor=visitor)) >= count:
            return
        page.evaluate("() => nostojs(api => api.internal.tick(60000))")
        page.wait_for_timeout(100)


def test_calls_before_the_engine_is_ready_arrive_once(shop: Shop) -> None:
    calls = "".join(
        f"api.defaultSession().viewOther().setPlacements(['early-{i}']).update();"
        for i in range(20)
    )
    shop.open(f"<script>nostojs(api => {{ {calls} }})</script>")
    assert_exactly_once(shop, [f"early-{i}" for i in range(20)])


def test_a_failing_collector_is_retried_until_it_recovers(shop: Shop, sandbox: Sandbox) -> None:
    page = shop.open("", tag=TEST_CLOCK_TAG)
    shop.wait_for_engine()
    sandbox.set_fault(status=500, count=4)
    page.evaluate(f"() => {{ {view_call('after-500s')} }}")
    visitor = shop.visitor()
    tick_until(page, sandbox, 1, visitor)
    assert_exactly_once(shop, ["after-500s"])
    assert sandbox.since_checkpoint()["faulted"] == 4


def test_the_test_clock_drives_the_engines_retry_timer(shop: Shop, sandbox: Sandbox) -> None:
    """With ``data-test-clock`` the retry waits for ticks: after a 503 asking for the longest
    wait the policy honours (30 s), ticks bring the retry within 10 s of real time."""
    page = shop.open("", tag=TEST_CLOCK_TAG)
    shop.wait_for_engine()
    sandbox.set_fault(status=503, retry_after=30)
    page.evaluate(f"() => {{ {view_call('after-ticks')} }}")
    page.evaluate(
        "() => { const t = setInterval(() => nostojs(api => api.internal.tick(30000)), 200);"
        " setTimeout(() => clearInterval(t), 10000); }"
    )
    sandbox.wait_for_requests(1, timeout_s=10)
    assert sandbox.since_checkpoint()["faulted"] == 1
    assert_exactly_once(shop, ["after-ticks"])


def test_garbage_answers_are_retried_not_taken_for_success(shop: Shop, sandbox: Sandbox) -> None:
    page = shop.open("", tag=TEST_CLOCK_TAG)
    shop.wait_for_engine()
    for kind in ("html", "truncated_json", "wrong_content_type"):
        sandbox.set_fault(garbage=kind)
    result = page.evaluate(
        "() => nostojs(api => { const p = api.defaultSession().viewCart().load();"
        " let n = 0; const t = setInterval(() => { api.internal.tick(60000);"
        " if (++n > 20) clearInterval(t); }, 100); return p; })"
    )
    assert result["page_views"] == 1  # the answer of the attempt that succeeded
    assert len(sandbox.requests(visitor=shop.visitor())) == 1


def test_offline_then_back_online(shop: Shop, sandbox: Sandbox) -> None:
    page = shop.open("")
    shop.wait_for_engine()
    shop.context.set_offline(True)
    page.evaluate(f"() => {{ {view_call('while-offline')} }}")
    page.wait_for_timeout(1500)
    shop.context.set_offline(False)
    assert_exactly_once(shop, ["while-offline"])


def test_a_hanging_request_times_out_and_is_sent_again(shop: Shop, sandbox: Sandbox) -> None:
    page = shop.open("", tag=TEST_CLOCK_TAG)
    shop.wait_for_engine()
    sandbox.set_fault(hang=30)
    page.evaluate(f"() => {{ {view_call('after-hang')} }}")
    visitor = shop.visitor()
    tick_until(page, sandbox, 1, visitor)  # the attempt's timeout runs on the test clock too
    assert_exactly_once(shop, ["after-hang"])


def test_a_reload_while_requests_are_pending_loses_nothing(shop: Shop, sandbox: Sandbox) -> None:
    page = shop.open("", tag=TEST_CLOCK_TAG)
    shop.wait_for_engine()
    sandbox.set_fault(status=503, count=None)
    page.evaluate(
        "() => nostojs(api => { for (const n of ['pending-1', 'pending-2'])"
        " api.defaultSession().viewOther().setPlacements([n]).update(); })"
    )
    page.wait_for_function("() => nostojs(api => Object.keys(api.internal.outbox()).length === 2)")
    # Nosto answers again before the reload: the reloaded page's engine (restored from the
    # snapshot, quick) must find it up, since its retries wait on the test clock.
    sandbox.clear_faults()
    page.reload()
    # the bodies failed before the reload: the next page may repeat what a beacon delivered
    stored = settled(shop, 2)
    assert placements(stored) == Counter(["pending-1", "pending-2"])
    assert sandbox.since_checkpoint()["duplicates"] <= 2


def test_ten_quick_navigations_then_the_tab_closed_and_the_site_opened_again(
    shop: Shop, sandbox: Sandbox
) -> None:
    names = [f"nav-{i}" for i in range(10)]
    for name in names:
        shop.open(view(name), path=f"/test/{name}.html")
        shop.page.wait_for_timeout(300)
    shop.page.close()
    reopened = shop.context.new_page()
    shop.page = reopened
    shop.open("<p>back again</p>", path="/test/again.html")
    assert_exactly_once(shop, names)


def test_a_burst_of_a_thousand_actions(shop: Shop) -> None:
    page = shop.open("")
    shop.wait_for_engine()
    page.evaluate(
        "() => nostojs(api => { for (let i = 0; i < 1000; i++)"
        " api.defaultSession().viewOther().setPlacements(['burst-' + i]).update(); })"
    )
    shop.sandbox.wait_for_requests(1000, visitor=shop.visitor(), timeout_s=120)
    assert_exactly_once(shop, [f"burst-{i}" for i in range(1000)])


def test_two_tabs_acting_at_once(browser: Browser, shop: Shop) -> None:
    first = shop.open("")  # a first visit: no 2c.cId cookie yet
    second = shop.context.new_page()
    second.goto(first.url)
    script = (
        "tab => nostojs(api => { for (let i = 0; i < 20; i++)"
        " api.defaultSession().viewOther().setPlacements([tab + '-' + i]).update(); })"
    )
    first.evaluate(script, "one")
    second.evaluate(script, "two")
    # one visitor for both tabs
    assert_exactly_once(shop, [f"{tab}-{i}" for tab in ("one", "two") for i in range(20)])
    second.wait_for_function(NOTHING_WAITS, polling=100)


def test_storage_that_throws_falls_back_to_memory_and_says_so_once(shop: Shop) -> None:
    broken = (
        "<script>Storage.prototype.setItem = function () {"
        " throw new DOMException('quota', 'QuotaExceededError'); };</script>"
    )
    page = shop.open("", tag=broken + LOADER_TAG)
    page.evaluate(
        "() => nostojs(api => { for (let i = 0; i < 5; i++)"
        " api.defaultSession().viewOther().setPlacements(['mem-' + i]).update(); })"
    )
    assert_exactly_once(shop, [f"mem-{i}" for i in range(5)])
    warnings = [line for line in shop.console if "cannot store pending events" in line]
    assert len(warnings) == 1


def test_customer_data_is_never_kept_in_local_storage_or_cookies(shop: Shop) -> None:
    page = shop.open(
        "<script>nostojs(api => api.defaultSession().setCustomer({email: 'devnull@nosto.com',"
        " first_name: 'Nosto', customer_reference: 'b369f1235cf4f08153c560.82515936'})"
        ".viewCart().update())</script>"
    )
    local = page.evaluate("() => JSON.stringify(Object.assign({}, localStorage))")
    session = page.evaluate("() => JSON.stringify(Object.assign({}, sessionStorage))")
    cookies = str(shop.context.cookies())
    assert "devnull@nosto.com" in session  # kept, for this tab only, until delivered
    for kept in (local, cookies):
        assert "devnull" not in kept and "Nosto" not in kept and "b369f1235" not in kept
    shop.wait_until_stored(1)


def test_customer_data_lost_with_a_closed_tab_is_counted_and_reported(shop: Shop) -> None:
    shop.open(
        "<script>nostojs(api => api.defaultSession().setCustomer({email: 'devnull@nosto.com'})"
        ".viewCart().setPlacements(['closed-tab']).update())</script>",
        path="/test/closing.html",
    )
    shop.page.close()  # before its engine started: the customer call lived in sessionStorage
    shop.page = shop.context.new_page()
    shop.page.on(
        "console", lambda message: shop.console.append(f"page {message.type}: {message.text}")
    )
    shop.open(view("next-tab"), path="/test/next.html")
    assert_exactly_once(shop, ["closed-tab", "next-tab"])
    stored = shop.sandbox.requests(visitor=shop.visitor())
    replayed = next(r for r in stored if "closed-tab" in r["body"]["elements"])
    assert "customer" not in replayed["body"]  # it could not be kept: never written to localStorage
    assert any(r["query"].get("lostPrivate") == "1" for r in stored)
    assert any("1 events with customer data were lost" in line for line in shop.console)


def test_a_closed_pages_calls_are_not_replayed_under_a_later_opt_out(shop: Shop) -> None:
    shop.open(view("closed-page"), path="/test/closing.html")
    shop.page.close()  # before its engine started: its load() waits in localStorage
    shop.context.clear_cookies()
    shop.page = shop.context.new_page()
    # Every URL the engine builds is stored (write-ahead) before it is sent: record them
    # (by key: a stored body is written again as its attempts start).
    record_urls = (
        "<script>window.builtUrls = {}; const setItem = Storage.prototype.setItem;"
        " Storage.prototype.setItem = function (key, value) {"
        " if (key.startsWith('nosto-tagging:demo:o:')) builtUrls[key] = JSON.parse(value).url;"
        " return setItem.call(this, key, value); };</script>"
    )
    page = shop.open(
        "<script>nostojs(api => { api.visit.setDoNotTrack(true);"
        " api.defaultSession().viewFrontPage().setPlacements(['opted-out']).update(); })</script>",
        path="/test/next.html",
        tag=record_urls + LOADER_TAG,
    )
    # Nothing left to replay or to send: the closed page's calls were replayed or dropped.
    page.wait_for_function(
        "() => Object.keys(builtUrls).length > 0 && !Object.keys(localStorage).some(key =>"
        " key.startsWith('nosto-tagging:demo:j:') || key.startsWith('nosto-tagging:demo:o:'))"
    )
    assert [c["name"] for c in shop.context.cookies() if c["name"] == "2c.cId"] == []
    urls = page.evaluate("Object.values(builtUrls)")
    assert len(urls) == 1 and "c=" not in urls[0]
    assert shop.sandbox.since_checkpoint()["accepted"] == 1  # the closed page's was dropped
    assert placements(shop.sandbox.requests(tail=1)) == Counter(["opted-out"])


def test_a_closed_pages_calls_go_out_under_its_own_visitor(shop: Shop, sandbox: Sandbox) -> None:
    shop.open(view("first-visitor"), path="/test/closing.html")
    first = shop.visitor()  # written by the page at its load(), before its engine started
    shop.page.close()
    shop.context.clear_cookies()  # the shopper cleared cookies, not site data
    shop.page = shop.context.new_page()
    shop.open(view("second-visitor"), path="/test/next.html")
    second = shop.visitor()
    assert second != first
    stored = sandbox.wait_for_requests(1, visitor=first) + shop.wait_until_stored(1)
    assert {name: r["visitor"] for r in stored for name in placements([r])} == {
        "first-visitor": first,
        "second-visitor": second,
    }
    assert shop.visitor() == second  # the replay did not write the cookie


# Counts, across the pages of the tab, the bodies still unacknowledged as a page went away.
COUNT_UNACKED_AT_UNLOAD = """addEventListener('pagehide', () => {
  const unacked = Object.keys(localStorage).concat(Object.keys(sessionStorage))
    .filter(key => key.startsWith('nosto-tagging:demo:o:')).length;
  const before = +(localStorage.getItem('test:unacked') || 0);
  localStorage.setItem('test:unacked', String(before + unacked));
});"""


@pytest.mark.parametrize("engine", ["dedicated", "shared"])
@pytest.mark.parametrize("seconds", [0.25, 1.0, 3.0])
def test_pages_left_at_any_pace_send_each_event_once(
    shop: Shop, sandbox: Sandbox, engine: str, seconds: float
) -> None:
    tag = LOADER_TAG.replace('data-engine="dedicated"', f'data-engine="{engine}"')
    shop.context.add_init_script(COUNT_UNACKED_AT_UNLOAD)
    names = [f"{engine}-{seconds}-{i}" for i in range(3)]
    for name in names:
        shop.open(view(name), path=f"/test/{name}.html", tag=tag)
        shop.page.wait_for_timeout(seconds * 1000)  # the shopper reads, then goes on
    shop.open("<p>the last page</p>", path="/test/last.html", tag=tag)
    stored = settled(shop, len(names))
    assert placements(stored) == Counter(names)
    duplicates = sandbox.since_checkpoint()["duplicates"]
    if engine == "shared":  # the engine outlives the pages: it delivers what they handed it
        sandbox.assert_no_duplicates()
    else:  # a body whose attempt was under way as its page went may be repeated, once
        unacked = int(shop.page.evaluate("localStorage.getItem('test:unacked') || 0"))
        assert duplicates <= unacked


def test_a_collector_outage_repeats_a_body_only_after_a_failed_attempt(
    shop: Shop, sandbox: Sandbox
) -> None:
    shop.context.add_init_script(COUNT_UNACKED_AT_UNLOAD)
    sandbox.set_fault(status=503, count=None)
    shop.open(view("during-outage"), path="/test/outage.html")
    shop.page.wait_for_function(
        "() => nostojs(api => Object.values(api.internal.outbox()).some(body => body.n > 0))"
    )
    shop.open("<p>next</p>", path="/test/next.html")
    sandbox.clear_faults()
    stored = settled(shop, 1)
    assert placements(stored) == Counter(["during-outage"])
    assert sandbox.since_checkpoint()["duplicates"] <= 1


def test_a_body_unacknowledged_as_its_page_is_left_goes_out_and_is_stored(
    shop: Shop, sandbox: Sandbox
) -> None:
    # The body's first attempt failed and its retry waits 30 s when the shopper leaves, to a
    # page without nosto-tagging: what the page sends as it goes (a beacon) is all that leaves.
    sandbox.set_fault(status=503, retry_after=30)
    shop.context.route(
        f"{sandbox.origin}/test/away.html",
        lambda route: route.fulfill(status=200, content_type="text/html", body="<p>away</p>"),
    )
    page = shop.open(view("left-waiting"), path="/test/leaving.html")
    page.wait_for_function(
        "() => Object.entries(localStorage).some(([key, text]) =>"
        " key.startsWith('nosto-tagging:demo:o:') && JSON.parse(text).n >= 1)"
    )
    page.goto(f"{sandbox.origin}/test/away.html")
    stored = sandbox.wait_for_requests(1, timeout_s=15)  # well before the retry's 30 s
    assert placements(stored) == Counter(["left-waiting"])
    assert sandbox.since_checkpoint()["faulted"] == 1
    sandbox.assert_no_duplicates()
