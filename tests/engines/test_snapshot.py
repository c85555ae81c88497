"""A repeat visit in every engine: the first page starts the engine plainly and keeps a snapshot
in Cache Storage; the next page's engine is restored from it and sends as the first did."""

from __future__ import annotations

from .conftest import Shop

FRONT = "<script>nostojs(api => api.defaultSession().viewFrontPage().update())</script>"
CART = "<script>nostojs(api => api.defaultSession().viewCart().update())</script>"
START = "() => nostojs(api => api.internal.ready().then(() => api.internal.start()))"
# Cache Storage has no change event: polled in the page until the kept file is whole.
KEPT = (
    "async () => { const info = await (await fetch('/bundle/build-info.json')).json();"
    " const found = await (await caches.open('nosto-tagging-snapshots'))"
    "   .match('/bundle/' + info.runtime_dir + 'engine.snapshot');"
    " return found ? (await found.arrayBuffer()).byteLength > (1 << 20) : false; }"
)


def test_the_next_page_is_restored_from_the_snapshot_the_first_one_kept(shop: Shop) -> None:
    tab = shop.open(FRONT)
    assert tab.evaluate(START) == "plain"
    tab.wait_for(KEPT)

    shop.open(CART, path="/test/cart.html")
    assert tab.evaluate(START) == "restored"
    front, cart = shop.wait_until_stored(2)
    assert (front["page_type"], cart["page_type"]) == ("front", "cart")
    assert shop.errors() == [] and shop.our_console_errors() == []
