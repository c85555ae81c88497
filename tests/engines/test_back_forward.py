"""Back to a page of the shop in every engine: shown again from the back/forward cache where the
browser keeps it (its engine, dedicated or shared, still answers) or loaded anew; either way its
events arrive. Playwright starts Chromium with the cache off (tests/browser/test_shared_engine.py
turns it on for the shared engine)."""

from __future__ import annotations

import pytest

from .conftest import Shop
from .pages import LOADER_TAG

SHARED = LOADER_TAG.replace('data-engine="dedicated"', 'data-engine="shared"')
SHOWN = (
    "addEventListener('pageshow', (e) => { (window.__shown ||= []).push(e.persisted);"
    " fetch('/test/mark/shown', {method: 'POST'}); })"
)
VIEW = "p => nostojs(api => api.defaultSession().viewProduct(p).setPlacements([]).update())"
# Whether the page came back from the back/forward cache, per engine and engine kind: Firefox
# keeps a page with a dedicated engine and not one connected to a shared worker; WebKitGTK
# keeps both; Chromium's cache is off under Playwright.
FROM_CACHE = {
    ("chromium", "dedicated"): False,
    ("chromium", "shared"): False,
    ("firefox", "dedicated"): True,
    ("firefox", "shared"): False,
    ("webkit", "dedicated"): True,
    ("webkit", "shared"): True,
}


@pytest.mark.parametrize("kind", ["dedicated", "shared"])
def test_back_to_a_page_its_events_still_arrive(shop: Shop, kind: str) -> None:
    tag = SHARED if kind == "shared" else LOADER_TAG
    tab = shop.open("<p>first</p>", before=SHOWN, tag=tag)
    # Each page is left only once its start is done (api.internal.ready(): adoption included);
    # a page left while it still imports a runtime chunk logs a warning of ours.
    shop.wait_for_engine()
    tab.evaluate(VIEW, "before")
    shop.wait_until_stored(1)
    shop.open("<p>next</p>", path="/test/next.html", tag=tag)
    shop.wait_for_engine()
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
