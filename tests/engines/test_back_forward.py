"""Back to a page of the shop in every engine: shown again from the back/forward cache where the
browser keeps it (its engine, dedicated or shared, still answers) or loaded anew; either way its
events arrive. Playwright starts Chromium with the cache off (tests/browser/test_shared_engine.py
turns it on for the shared engine)."""

from __future__ import annotations

import pytest

from .conftest import Shop
from .pages import LOADER_TAG

SHARED = LOADER_TAG.replace('data-engine="dedicated"', 'data-engine="shared"')
DEFAULT = LOADER_TAG.replace(' data-engine="dedicated"', "")  # as a merchant writes it
SHOWN = (
    "addEventListener('pageshow', (e) => { (window.__shown ||= []).push(e.persisted);"
    " fetch('/test/mark/shown', {method: 'POST'}); })"
)
VIEW = "p => nostojs(api => api.defaultSession().viewProduct(p).setPlacements([]).update())"
# Whether the page came back from the back/forward cache, per engine and engine kind: Firefox
# keeps a page with a dedicated engine and not one connected to a shared worker; WebKitGTK
# keeps both; Chromium's cache is off under Playwright (tests/browser/test_shared_engine.py
# turns it on: kept, with the shared engine and by default). Without data-engine, Firefox runs
# the page's own engine (engine-start.js): the page stays in its back/forward cache.
FROM_CACHE = {
    ("chromium", "dedicated"): False,
    ("chromium", "shared"): False,
    ("chromium", "default"): False,
    ("firefox", "dedicated"): True,
    ("firefox", "shared"): False,
    ("firefox", "default"): True,
    ("webkit", "dedicated"): True,
    ("webkit", "shared"): True,
    ("webkit", "default"): True,
}
# Without data-engine, does the next page of the tab find the first page's engine (shared)?
DEFAULT_SHARED = {"chromium": True, "firefox": False, "webkit": True}
TAGS = {"dedicated": LOADER_TAG, "shared": SHARED, "default": DEFAULT}


@pytest.mark.parametrize("kind", ["dedicated", "shared", "default"])
def test_back_to_a_page_its_events_still_arrive(shop: Shop, kind: str) -> None:
    tag = TAGS[kind]
    tab = shop.open("<p>first</p>", before=SHOWN, tag=tag)
    # Each page is left only once its start is done (api.internal.ready(): adoption included);
    # a page left while it still imports a runtime chunk logs a warning of ours.
    first = shop.wait_for_engine()
    tab.evaluate(VIEW, "before")
    shop.wait_until_stored(1)
    shop.open("<p>next</p>", path="/test/next.html", tag=tag)
    following = shop.wait_for_engine()
    if kind == "default":
        assert (first == following) is DEFAULT_SHARED[shop.engine.name], (first, following)
    tab.back()
    shop.server.wait_for_marks("shown", 2)
    shown = tab.evaluate("() => window.__shown")
    assert shown == ([False, True] if FROM_CACHE[shop.engine.name, kind] else [False]), shown
    shop.wait_for_engine()
    tab.evaluate(VIEW, "after")
    stored = shop.wait_until_stored(2)
    viewed = sorted(e[1] for r in stored for e in r["body"].get("events", []) if e[0] == "vp")
    assert viewed == ["after", "before"]
    assert shop.errors() == [] and shop.our_console_errors() == []
