"""A repeat visit in every engine: the first page starts the engine plainly and keeps a snapshot
in Cache Storage; the next page's engine is restored from it and sends as the first did, also
when the first page is left soon after its request was stored."""

from __future__ import annotations

import time
from typing import Any

from tests.snapshot_scripts import SNAPSHOT_KEPT

from .conftest import Shop
from .pages import LOADER_TAG

FRONT = "<script>nostojs(api => api.defaultSession().viewFrontPage().update())</script>"
CART = "<script>nostojs(api => api.defaultSession().viewCart().update())</script>"
START = "() => nostojs(api => api.internal.ready().then(() => api.internal.start()))"
# The worker's start-up marks on the page's clock (ms from navigation start), in time order.
MARKS = """() => nostojs(api => api.internal.ready().then(() =>
  Object.entries(api.internal.marks()).map(([step, at]) => [step, at - performance.timeOrigin])
    .sort((a, b) => a[1] - b[1])))"""
# Steps each kind of start passes, in this order (others, such as opening the snapshot and
# checking its pages, run beside them).
PLAIN_STEPS = ["worker", "start", "glue", "wasm start", "wasm ready", "python", "imported",
               "snapshot made", "shell"]  # fmt: skip
RESTORED_STEPS = ["worker", "start", "glue", "wasm start", "wasm ready", "pages copied",
                  "restored", "installed", "shell"]  # fmt: skip

# The decoded copies of the runtime's large files, kept beside the snapshot by the first start.
COPIED = (
    "async () => { const info = await (await fetch('/bundle/build-info.json')).json();"
    " const keys = await (await caches.open('nosto-tagging-snapshots')).keys();"
    " const names = keys.map(r => r.url).filter(u => u.includes(info.runtime_dir))"
    "   .map(u => u.split('/').pop());"
    " return ['pyodide.asm.wasm', 'python_stdlib.zip'].every(n => names.includes(n))"
    "   && names.some(n => n.endsWith('.whl')); }"
)


def test_the_next_page_is_restored_from_the_snapshot_the_first_one_kept(shop: Shop) -> None:
    tab = shop.open(FRONT)
    assert tab.evaluate(START) == "plain"
    assert_steps(tab.evaluate(MARKS), PLAIN_STEPS, absent={"restored", "pages copied"})
    tab.wait_for(SNAPSHOT_KEPT)
    tab.wait_for(COPIED)

    shop.open(CART, path="/test/cart.html")
    assert tab.evaluate(START) == "restored"
    restored = tab.evaluate(MARKS)
    assert_steps(restored, RESTORED_STEPS, absent={"python", "imported", "snapshot made"})
    at = dict(restored)
    assert at["start"] < at["snapshot opened"] < at["wasm start"]
    assert at["snapshot opened"] < at["wasm compiled"] < at["wasm ready"]  # compiled from then
    assert at["snapshot checked"] < at["pages copied"] and at["library"] < at["pages copied"]
    front, cart = shop.wait_until_stored(2)
    assert (front["page_type"], cart["page_type"]) == ("front", "cart")
    assert shop.errors() == [] and shop.our_console_errors() == []


def assert_steps(marks: list[list[Any]], steps: list[str], absent: set[str]) -> None:
    """The page has the worker's start-up marks: ``steps`` in this order, after navigation
    start and within a minute of it, none of ``absent``."""
    order = [step for step, _ in marks]
    assert [step for step in order if step in steps] == steps, order
    assert not absent & set(order), order
    assert all(0 < at < 60_000 for _, at in marks), marks


DEDICATED = LOADER_TAG  # the page's own engine (pages.py)
assert 'data-engine="dedicated"' in DEDICATED
QUICK_STAY_S = 0.5  # a quick shopper's stay on a page once its request is stored


def test_a_page_left_half_a_second_after_its_request_leaves_a_snapshot(shop: Shop) -> None:
    tab = shop.open(FRONT, tag=DEDICATED)
    assert tab.evaluate(START) == "plain"
    shop.wait_until_stored(1)
    time.sleep(QUICK_STAY_S)  # the shopper's stay, not a wait for our code

    shop.open(CART, path="/test/cart.html", tag=DEDICATED)
    assert tab.evaluate(START) == "restored"
    front, cart = shop.wait_until_stored(2)
    assert (front["page_type"], cart["page_type"]) == ("front", "cart")
    assert shop.errors() == [] and shop.our_console_errors() == []


SHARED = LOADER_TAG.replace('data-engine="dedicated"', 'data-engine="shared"')
ENGINE = "() => nostojs(api => api.internal.ready().then(() => api.internal.engine()))"


def test_a_quick_bounce_with_the_shared_engine_never_starts_python_plainly_again(
    shop: Shop,
) -> None:
    # Where the browser ends the shared worker with its last page (Firefox), the next page's
    # worker is restored from the snapshot; where it keeps it, the next page uses that one.
    tab = shop.open(FRONT, tag=SHARED)
    first = tab.evaluate(ENGINE)
    assert tab.evaluate(START) == "plain"
    shop.wait_until_stored(1)
    time.sleep(QUICK_STAY_S)  # the shopper's stay, not a wait for our code

    shop.open(CART, path="/test/cart.html", tag=SHARED)
    kept = tab.evaluate(ENGINE) == first
    assert kept or tab.evaluate(START) == "restored"
    assert len(shop.wait_until_stored(2)) == 2
    assert shop.errors() == [] and shop.our_console_errors() == []
