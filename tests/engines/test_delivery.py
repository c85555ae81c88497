"""A collector outage in every engine: what the page accepted while ``/ev1`` failed is kept in
the outbox, survives a reload and arrives exactly once when the collector is back."""

from __future__ import annotations

import time
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
    deadline = time.monotonic() + 30
    while shop.sandbox.since_checkpoint()["faulted"] < 1:  # the outage met by an attempt
        assert time.monotonic() < deadline, "no attempt reached the failing collector"
        time.sleep(0.05)  # the sandbox's counts have no change event to await
    # Nosto answers again as the page is left with both bodies unsent: the next page's engine,
    # restored from the snapshot within a few hundred ms, resends them at once, and a resend
    # that met the outage would wait for its retry's back-off.
    shop.sandbox.clear_faults()
    tab.goto(url)
    stored = shop.wait_until_stored(2)
    names = Counter(name for r in stored for name in r["body"].get("elements", []))
    assert names == Counter(["during-outage-1", "during-outage-2"])
    assert len({r["event_id"] for r in stored}) == 2
    assert shop.errors() == []
