"""The shared engine (``data-engine="shared"``) in every engine: one interpreter for two open
tabs, each with a session of its own; navigations in the only tab lose nothing, and whether
they keep the interpreter is the browser's SharedWorker lifetime (recorded per engine)."""

from __future__ import annotations

from typing import Any

from .conftest import Shop
from .pages import LOADER_TAG

SHARED = LOADER_TAG.replace('data-engine="dedicated"', 'data-engine="shared"')
VIEW = "p => nostojs(api => api.defaultSession().viewProduct(p).setPlacements([]).update())"
# Does a navigation in the only open tab find the previous page's shared worker still running?
# Chromium and WebKitGTK keep it for the next page of the tab; Firefox ends it with the page.
KEPT_ACROSS_NAVIGATIONS = {"chromium": True, "firefox": False, "webkit": True}


def viewed(stored: list[dict[str, Any]]) -> list[str]:
    return sorted(e[1] for r in stored for e in r["body"].get("events", []) if e[0] == "vp")


def fallbacks(shop: Shop) -> list[str]:
    return [line for line in shop.console() if "runs its own engine" in line]


def test_two_open_tabs_share_one_engine_and_each_keeps_its_own_session(shop: Shop) -> None:
    first = shop.open("<p>one</p>", tag=SHARED)
    second = shop.open("<p>two</p>", path="/test/two.html", tab=shop.new_tab(), tag=SHARED)
    assert shop.wait_for_engine(first) == shop.wait_for_engine(second)
    first.evaluate(
        "() => nostojs(api => api.defaultSession().setCart({items: [{product_id: 'sku-1',"
        " sku_id: 'sku-1', name: 'Shirt', quantity: 1, unit_price: 10,"
        " price_currency_code: 'EUR'}]}).viewCart().update())"
    )
    second.evaluate(VIEW, "p2")
    stored = shop.wait_until_stored(2)
    assert viewed(stored) == ["p2"]
    [cart] = [r for r in stored if r["page_type"] == "cart"]
    assert [line["product_id"] for line in cart["body"]["cart"]] == ["sku-1"]
    assert "cart" not in next(r for r in stored if r["page_type"] == "product")["body"]
    assert fallbacks(shop) == [] and shop.errors() == [] and shop.our_console_errors() == []


def test_navigations_in_the_only_tab_lose_nothing(shop: Shop) -> None:
    engines = []
    for n in range(3):
        tab = shop.open("<p>page</p>", path=f"/test/page{n}.html", tag=SHARED)
        engines.append(shop.wait_for_engine(tab))
        tab.evaluate(VIEW, f"p{n}")
    stored = shop.wait_until_stored(3)
    assert viewed(stored) == ["p0", "p1", "p2"]
    assert len({r["event_id"] for r in stored}) == 3
    kept = len(set(engines)) == 1
    assert kept is KEPT_ACROSS_NAVIGATIONS[shop.engine.name], engines
    assert fallbacks(shop) == [] and shop.errors() == [] and shop.our_console_errors() == []
