"""A collector outage in every engine: what the page accepted while ``/ev1`` failed is kept in
the outbox, survives a reload and arrives exactly once when the collector is back."""

from __future__ import annotations

from collections import Counter

from .conftest import Shop

UPDATES = (
    "() => nostojs(api => { for (const n of ['during-outage-1', 'during-outage-2'])"
    " api.defaultSession().viewOther().setPlacements([n]).update(); })"
)


def test_a_collector_outage_and_a_reload_lose_nothing(shop: Shop) -> None:
    url = shop.server.add("/test/page.html", "")
    tab = shop.tab
    tab.goto(url)
    shop.wait_for_engine()
    shop.sandbox.set_fault(status=503, count=None)
    tab.evaluate(UPDATES)
    tab.wait_for("() => nostojs(api => Object.keys(api.internal.outbox()).length === 2)")
    tab.goto(url)  # the page is left while the collector still fails
    shop.sandbox.clear_faults()
    stored = shop.wait_until_stored(2)
    names = Counter(name for r in stored for name in r["body"].get("elements", []))
    assert names == Counter(["during-outage-1", "during-outage-2"])
    assert len({r["event_id"] for r in stored}) == 2
    assert shop.sandbox.since_checkpoint()["faulted"] >= 2
    assert shop.errors() == []
