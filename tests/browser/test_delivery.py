"""Delivery guarantees in the real browser: every accepted event arrives exactly once.

Faults come from the sandbox's fault controls or from stopping the collector, never from
Playwright routing (which does not reach the engine's worker). Retry timers run on the
engine's test clock (``data-test-clock`` + ``api.internal.tick``, in the test build
``nosto.test.js`` only): no real waiting for backoff.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

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


def assert_exactly_once(stored: list[dict[str, Any]], names: list[str]) -> None:
    assert placements(stored) == Counter(names)
    assert len({r["event_id"] for r in stored}) == len(stored)


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
    stored = shop.wait_until_stored(20)
    assert_exactly_once(stored, [f"early-{i}" for i in range(20)])


def test_a_failing_collector_is_retried_until_it_recovers(shop: Shop, sandbox: Sandbox) -> None:
    page = shop.open("", tag=TEST_CLOCK_TAG)
    shop.wait_for_engine()
    sandbox.set_fault(status=500, count=4)
    page.evaluate(f"() => {{ {view_call('after-500s')} }}")
    visitor = shop.visitor()
    tick_until(page, sandbox, 1, visitor)
    assert_exactly_once(sandbox.requests(visitor=visitor), ["after-500s"])
    assert sandbox.since_checkpoint()["faulted"] == 4


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
    stored = shop.wait_until_stored(1)
    assert_exactly_once(stored, ["while-offline"])


def test_a_hanging_request_times_out_and_is_sent_again(shop: Shop, sandbox: Sandbox) -> None:
    page = shop.open("", tag=TEST_CLOCK_TAG)
    shop.wait_for_engine()
    sandbox.set_fault(hang=30)
    page.evaluate(f"() => {{ {view_call('after-hang')} }}")
    visitor = shop.visitor()
    tick_until(page, sandbox, 1, visitor)  # the attempt's timeout runs on the test clock too
    assert_exactly_once(sandbox.requests(visitor=visitor), ["after-hang"])


def test_a_reload_while_requests_are_pending_loses_nothing(shop: Shop, sandbox: Sandbox) -> None:
    page = shop.open("", tag=TEST_CLOCK_TAG)
    shop.wait_for_engine()
    sandbox.set_fault(status=503, count=None)
    page.evaluate(
        "() => nostojs(api => { for (const n of ['pending-1', 'pending-2'])"
        " api.defaultSession().viewOther().setPlacements([n]).update(); })"
    )
    page.wait_for_function("() => nostojs(api => Object.keys(api.internal.outbox()).length === 2)")
    page.reload()
    sandbox.clear_faults()
    stored = shop.wait_until_stored(2)
    assert_exactly_once(stored, ["pending-1", "pending-2"])


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
    stored = shop.wait_until_stored(10)
    assert_exactly_once(stored, names)


def test_a_burst_of_a_thousand_actions(shop: Shop) -> None:
    page = shop.open("")
    shop.wait_for_engine()
    page.evaluate(
        "() => nostojs(api => { for (let i = 0; i < 1000; i++)"
        " api.defaultSession().viewOther().setPlacements(['burst-' + i]).update(); })"
    )
    stored = shop.sandbox.wait_for_requests(1000, visitor=shop.visitor(), timeout_s=120)
    assert_exactly_once(stored, [f"burst-{i}" for i in range(1000)])


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
    stored = shop.wait_until_stored(40)  # one visitor for both tabs
    assert_exactly_once(stored, [f"{tab}-{i}" for tab in ("one", "two") for i in range(20)])


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
    stored = shop.wait_until_stored(5)
    assert_exactly_once(stored, [f"mem-{i}" for i in range(5)])
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
    stored = shop.wait_until_stored(2)
    assert_exactly_once(stored, ["closed-tab", "next-tab"])
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
