"""The shared engine (``data-engine="shared"``): one interpreter for the pages and tabs of a
visit, each page with a session of its own, nothing lost when the worker goes away."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, Route

from nosto_tagging.testing import Sandbox
from tests.browser.conftest import Shop, shop_on
from tests.browser_settings import SETTINGS
from tests.checkout import ROOT

STUB_HEAD = "<!doctype html><meta charset='utf-8'><link rel='icon' href='data:,'>"


def tag(account: str = "demo", extra: str = "", engine: str | None = "shared") -> str:
    """Our script tag; ``engine=None``: without ``data-engine``, as a merchant writes it."""
    chosen = "" if engine is None else f' data-engine="{engine}"'
    return (
        f'<script src="/bundle/nosto.test.js" data-account="{account}" data-endpoint="/ev1"'
        f"{chosen} {extra} async></script>"
    )


READY = "nostojs(api => api.internal.ready().then(() => api.internal.engine()))"
VIEW = "p => nostojs(api => api.defaultSession().viewProduct(p).setPlacements([]).load())"


def engine_id(page: Page) -> str:
    return str(page.evaluate(READY))


def viewed(stored: list[dict[str, Any]]) -> list[str]:
    """The products of the stored product views, sorted (each stored event once)."""
    return sorted(e[1] for r in stored for e in r["body"].get("events", []) if e[0] == "vp")


def debug_lines(shop: Shop) -> list[str]:
    return [line for line in shop.console if "runs its own engine" in line]


def test_five_navigations_in_a_tab_reuse_one_interpreter(shop: Shop) -> None:
    ids = []
    for n in range(5):
        page = shop.open("<p>page</p>", path=f"/test/page{n}.html", tag=tag())
        ids.append(engine_id(page))
        page.evaluate(VIEW, f"p{n}")
    stored = shop.wait_until_stored(5)
    assert len(set(ids)) == 1
    assert viewed(stored) == [f"p{n}" for n in range(5)]
    assert debug_lines(shop) == [] and shop.page_errors == []


def test_three_tabs_share_it_and_each_keeps_its_own_session(shop: Shop) -> None:
    first = shop.open("<p>one</p>", tag=tag())
    tabs = [first] + [shop.context.new_page() for _ in range(2)]
    for n, page in enumerate(tabs[1:], start=1):
        shop.context.route(
            f"{shop.sandbox.origin}/test/tab{n}.html",
            lambda route: route.fulfill(content_type="text/html", body=f"{STUB_HEAD}{tag()}"),
        )
        page.goto(f"{shop.sandbox.origin}/test/tab{n}.html")
    ids = {engine_id(page) for page in tabs}
    tabs[0].evaluate(
        "nostojs(api => api.defaultSession().setCart({items: [{product_id: 'sku-1',"
        " sku_id: 'sku-1', name: 'Shirt', quantity: 1, unit_price: 10, price_currency_code:"
        " 'EUR'}]}).viewCart().update())"
    )
    tabs[1].evaluate("nostojs(api => api.defaultSession().viewCart().update())")
    tabs[2].evaluate(VIEW, "p3")
    stored = shop.wait_until_stored(3)
    assert len(ids) == 1
    carts = [r["body"].get("cart") for r in stored if r["page_type"] == "cart"]
    # The tab that never called setCart sends no cart, whatever another tab set.
    assert sorted(bool(cart) for cart in carts) == [False, True]
    assert viewed(stored) == ["p3"]


def test_every_event_of_ten_quick_navigations_and_three_tabs_arrives_once(shop: Shop) -> None:
    for n in range(10):
        page = shop.open("<p>page</p>", path=f"/test/quick{n}.html", tag=tag())
        page.evaluate(VIEW, f"q{n}")
        page.wait_for_timeout(300)  # the cadence under test: a shopper clicking through
    others = [shop.context.new_page() for _ in range(2)]
    for n, tab in enumerate(others):
        shop.context.route(
            f"{shop.sandbox.origin}/test/other{n}.html",
            lambda route: route.fulfill(content_type="text/html", body=f"{STUB_HEAD}{tag()}"),
        )
        tab.goto(f"{shop.sandbox.origin}/test/other{n}.html")
        tab.evaluate(VIEW, f"t{n}")
    expected = sorted([f"q{n}" for n in range(10)] + ["t0", "t1"])
    stored = shop.wait_until_stored(len(expected))
    assert viewed(stored) == expected
    assert shop.sandbox.since_checkpoint()["rejected"] == 0


def test_a_page_that_opts_out_runs_its_own_engine_beside_it(shop: Shop) -> None:
    shared = shop.open("<p>shared</p>", tag=tag())
    alone = shop.context.new_page()
    own = f"{STUB_HEAD}{tag(engine='dedicated')}"
    shop.context.route(
        f"{shop.sandbox.origin}/test/alone.html",
        lambda route: route.fulfill(content_type="text/html", body=own),
    )
    alone.goto(f"{shop.sandbox.origin}/test/alone.html")
    assert engine_id(shared) != engine_id(alone)
    shared.evaluate(VIEW, "s")
    alone.evaluate(VIEW, "a")
    assert viewed(shop.wait_until_stored(2)) == ["a", "s"]


def test_without_the_attribute_pages_of_a_bundle_on_their_origin_share_one_engine(
    shop: Shop,
) -> None:
    ids = []
    for n in range(3):
        page = shop.open("<p>page</p>", path=f"/test/default{n}.html", tag=tag(engine=None))
        ids.append(engine_id(page))
        page.evaluate(VIEW, f"d{n}")
    stored = shop.wait_until_stored(3)
    assert len(set(ids)) == 1
    assert viewed(stored) == ["d0", "d1", "d2"]
    # Only the tab's first page fetched the page's own engine's host, in case of a miss.
    assert len([u for u in shop.requests if u.endswith("/host.mjs")]) == 1
    assert debug_lines(shop) == [] and shop.page_errors == []
    # The SharedWorker's own console: one interpreter started there, nothing went wrong.
    lines = shop.shared_worker_console()
    assert len([line for line in lines if "nosto-tagging: engine " in line]) == 1, lines
    assert [line for line in lines if line.startswith(("error", "warning", "exception"))] == []


def test_a_missing_worker_script_is_asked_for_once_per_tab(shop: Shop) -> None:
    missing = tag(engine=None, extra='data-worker="/test/not-uploaded/nosto-worker.js"')
    ids = []
    for n in range(3):
        page = shop.open("<p>page</p>", path=f"/test/missing{n}.html", tag=missing)
        ids.append(engine_id(page))
        page.evaluate(VIEW, f"m{n}")
    stored = shop.wait_until_stored(3)
    assert viewed(stored) == ["m0", "m1", "m2"]
    assert len(set(ids)) == 3  # each page ran its own engine
    asked = [u for u in shop.requests if "/not-uploaded/" in u]
    assert len(asked) == 1, asked
    # The first page loaded the page's own engine's host beside shared.mjs and started it from
    # there after the miss, without asking for it again; each later page loaded it once.
    hosts = [i for i, u in enumerate(shop.requests) if u.endswith("/host.mjs")]
    assert len(hosts) == 3 and hosts[0] < shop.requests.index(asked[0]), shop.requests
    [line] = debug_lines(shop)
    assert "did not load from /test/not-uploaded/nosto-worker.js" in line
    assert shop.page_errors == []
    assert [line for line in shop.console if " error: " in line] == [], shop.console


def test_two_accounts_on_one_origin_never_see_each_other_s_data(shop: Shop) -> None:
    one = shop.open("<p>one</p>", tag=tag("demo"))
    other = shop.context.new_page()
    shop.context.route(
        f"{shop.sandbox.origin}/test/other.html",
        lambda route: route.fulfill(content_type="text/html", body=f"{STUB_HEAD}{tag('other')}"),
    )
    other.goto(f"{shop.sandbox.origin}/test/other.html")
    assert engine_id(one) == engine_id(other)  # one interpreter, two accounts
    one.evaluate(
        "nostojs(api => api.defaultSession().setCustomer({customer_reference: 'ref-1',"
        " email: 'ann@example.com'}).viewProduct('mine').setPlacements([]).load())"
    )
    other.evaluate(VIEW, "theirs")
    mine = shop.sandbox.wait_for_requests(1, account="demo")
    theirs = shop.sandbox.wait_for_requests(1, account="other")
    assert viewed(mine) == ["mine"] and viewed(theirs) == ["theirs"]
    assert "customer" in json.dumps(mine[0]["body"])
    assert "ann@example.com" not in json.dumps(theirs)
    keys = other.evaluate("() => Object.keys(localStorage).concat(Object.keys(sessionStorage))")
    # Beside the accounts' own keys, only the tab's note of whether the worker script answered.
    keys = [k for k in keys if k != "nosto-tagging:worker-missed"]
    assert all(
        k.startswith(("nosto-tagging:demo:", "nosto-tagging:other:")) for k in keys if "nosto" in k
    )


def test_killing_the_shared_worker_mid_visit_falls_back_and_loses_nothing(
    shop: Shop, browser: Browser
) -> None:
    page = shop.open("<p>page</p>", tag=tag())
    before = engine_id(page)
    page.evaluate(
        "nostojs(api => { api.defaultSession().setCart({items: [{product_id: 'kept',"
        " sku_id: 'kept', name: 'Kept', quantity: 2, unit_price: 5, price_currency_code:"
        " 'EUR'}]}); })"
    )
    page.wait_for_function(  # applied by the shared engine: its session has the cart
        "() => nostojs(api => JSON.stringify(api.internal.mirror()).includes('kept'))"
    )
    cdp = browser.new_browser_cdp_session()
    workers = [
        t for t in cdp.send("Target.getTargets")["targetInfos"] if t["type"] == "shared_worker"
    ]
    for worker in workers:
        cdp.send("Target.closeTarget", {"targetId": worker["targetId"]})
    page.evaluate("nostojs(api => api.defaultSession().viewCart().update())")
    page.wait_for_function("before => nostojs(api => api.internal.engine() !== before)", arg=before)
    [cart] = [r for r in shop.wait_until_stored(1) if r["page_type"] == "cart"]
    assert "kept" in json.dumps(cart["body"])  # the session of before the worker stopped
    assert len(debug_lines(shop)) == 1 and "stopped" in debug_lines(shop)[0]
    assert shop.page_errors == []


def test_a_worker_script_of_another_version_is_refused_and_the_page_runs_its_own(
    shop: Shop,
) -> None:
    script = (ROOT / "build" / "bundle" / "nosto-worker.js").read_text()
    old = script.replace('const VERSION = "', 'const VERSION = "0.0.1 ', 1)
    assert old != script

    def serve(route: Route) -> None:
        route.fulfill(content_type="text/javascript", body=old)

    shop.context.route(f"{shop.sandbox.origin}/test/old-worker.js*", serve)
    page = shop.open("<p>page</p>", tag=tag(extra='data-worker="/test/old-worker.js"'))
    engine_id(page)
    page.evaluate(VIEW, "v")
    assert viewed(shop.wait_until_stored(1)) == ["v"]
    [line] = debug_lines(shop)
    assert "of version 0.0.1" in line


def test_a_worker_script_of_another_runtime_is_refused_and_the_page_runs_its_own(
    shop: Shop,
) -> None:
    script = (ROOT / "build" / "bundle" / "nosto-worker.js").read_text()
    other = re.sub(
        r'const RUNTIME_DIR = "runtime-[0-9a-f]+/"', 'const RUNTIME_DIR = "runtime-0/"', script
    )
    assert other != script

    def serve(route: Route) -> None:
        route.fulfill(content_type="text/javascript", body=other)

    shop.context.route(f"{shop.sandbox.origin}/test/other-worker.js*", serve)
    page = shop.open("<p>page</p>", tag=tag(extra='data-worker="/test/other-worker.js"'))
    shop.wait_for_engine()
    page.evaluate(VIEW, "v")
    assert viewed(shop.wait_until_stored(1)) == ["v"]
    [line] = debug_lines(shop)
    assert "another runtime" in line


@pytest.mark.parametrize(
    "setup",
    ["delete window.SharedWorker", "Object.defineProperty(navigator, 'locks', {value: undefined})"],
)
def test_without_shared_workers_or_web_locks_the_page_runs_its_own_engine(
    shop: Shop, setup: str
) -> None:
    shop.context.add_init_script(setup)
    page = shop.open("<p>page</p>", tag=tag())
    engine_id(page)
    page.evaluate(VIEW, "own")
    assert viewed(shop.wait_until_stored(1)) == ["own"]
    assert len(debug_lines(shop)) == 1


def test_what_a_closed_page_left_is_delivered_while_another_page_is_open(shop: Shop) -> None:
    page = shop.open("<p>open</p>", tag=tag())
    engine_id(page)
    brief = shop.context.new_page()  # another page of the visit, soon closed
    shop.context.route(
        f"{shop.sandbox.origin}/test/brief.html",
        lambda route: route.fulfill(content_type="text/html", body=f"{STUB_HEAD}{tag()}"),
    )
    brief.goto(f"{shop.sandbox.origin}/test/brief.html")
    engine_id(brief)
    # What a page leaves when it closes with calls its engine never applied: its journal and
    # its heartbeat saying it is gone (written here as the brief page's own leftovers).
    calls = [
        {"eid": "e" * 32, "time": 1, "url": shop.sandbox.url("/x"), "referrer": "",
         "target": "session", "method": "viewProduct", "args": ["left"], "seq": 1,
         "page": "brief", "private": False, "visitor": "", "dnt": False},
        {"eid": "f" * 32, "time": 1, "url": shop.sandbox.url("/x"), "referrer": "",
         "target": "action:" + "e" * 32, "method": "update", "args": [], "seq": 2,
         "page": "brief", "private": False, "visitor": "", "dnt": False},
    ]  # fmt: skip
    brief.evaluate(
        "calls => { calls.forEach(c => localStorage.setItem("
        " 'nosto-tagging:demo:j:brief:000000000' + c.seq,"
        " JSON.stringify(Object.assign(c, {time: Date.now()}))));"
        " localStorage.setItem('nosto-tagging:demo:p:brief',"
        " JSON.stringify({t: Date.now(), gone: true, held: 0})); }",
        calls,
    )
    brief.close()  # the open page hears it left, and adopts without a page load
    stored = shop.sandbox.wait_for_requests(1)
    assert viewed(stored) == ["left"]


@pytest.fixture
def bfcache_shop(browser: Browser, sandbox: Sandbox) -> Iterator[Shop]:
    """A Chromium with the back/forward cache on (Playwright turns it off by default)."""
    launch = SETTINGS["launch"]
    cached = browser.browser_type.launch(
        executable_path=launch["executable_path"],
        headless=launch["headless"],
        args=launch["args"],
        ignore_default_args=["--disable-back-forward-cache"],
    )
    try:
        with shop_on(cached, sandbox) as opened:
            yield opened
    finally:
        cached.close()


# Why Chromium did not keep the page, if it did not (its reasons, read when it is shown again).
NOT_RESTORED = (
    "() => JSON.stringify(performance.getEntriesByType('navigation')[0].notRestoredReasons)"
)


@pytest.mark.parametrize("engine", ["shared", None], ids=["shared", "default"])
def test_a_page_shown_again_from_the_back_forward_cache_connects_again(
    bfcache_shop: Shop, engine: str | None
) -> None:
    shop = bfcache_shop
    page = shop.open("<p>first</p>", tag=tag(engine=engine))
    engine_id(page)
    page.evaluate(
        "nostojs(api => { window.shown = []; addEventListener('pageshow', e =>"
        " shown.push(e.persisted)); api.defaultSession().setCart({items: [{product_id: 'bf',"
        " sku_id: 'bf', name: 'B', quantity: 1, unit_price: 1, price_currency_code: 'EUR'}]}); })"
    )
    first = engine_id(page)
    shop.open("<p>second</p>", path="/test/second.html", tag=tag(engine=engine))
    assert engine_id(page) == first  # the default runs the shared engine here
    page.go_back(wait_until="commit")
    page.wait_for_function(  # shown again from the cache, or loaded anew
        "() => window.shown ? window.shown.length > 0 : document.readyState === 'complete'"
    )
    # Kept in the cache: the page shown again is the first one, with its listener.
    assert page.evaluate("() => window.shown") == [True], page.evaluate(NOT_RESTORED)
    page.evaluate("nostojs(api => api.internal.ready())")
    page.evaluate("nostojs(api => api.defaultSession().viewCart().update())")
    [cart] = [r for r in shop.wait_until_stored(1) if r["page_type"] == "cart"]
    assert "bf" in json.dumps(cart["body"])  # its session, applied again in the shared engine
    assert debug_lines(shop) == []
