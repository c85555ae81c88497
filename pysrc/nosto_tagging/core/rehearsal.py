"""A rehearsal of a page's first action on made-up data, for the memory snapshot.

A page's first action uses much that importing the engine does not load or build: the first
validation runs pydantic's plugin lookup (``importlib.metadata`` reading the installed
distributions), among others. A plain start rehearses after importing the engine and before
making the snapshot (``web/snapshot/interpreter.mjs``; the build's manifest names this module),
so that all of it is in the snapshot and a restored engine's first action does not pay for it.
Everything here is made up and thrown away: no page data exists yet, nothing is sent or posted.
"""

from __future__ import annotations

import json
from typing import Any

from nosto_tagging.core import protocol
from nosto_tagging.core.engine import Built, Engine, EngineConfig

_TIME = 1_795_000_000_000.0  # page milliseconds; any fixed instant
_URL = "https://shop.invalid/cart"
_ITEM = {
    "product_id": "1",
    "sku_id": "1-1",
    "name": "Shirt",
    "quantity": 2,
    "unit_price": 12.5,
    "price_currency_code": "EUR",
}
# Whether this interpreter rehearsed (a restored one: before its snapshot was made).
done = False

_CALLS: tuple[tuple[str, str, list[Any]], ...] = (
    ("session", "setCart", [{"items": [_ITEM]}]),
    ("session", "setCustomer", [{"email": "a@b.invalid", "first_name": "A", "last_name": "B"}]),
    ("session", "viewCart", []),
    ("action:r3", "update", []),
)


def rehearse() -> list[str]:
    """Apply a cart page's calls from their wire form to a throwaway engine and encode what
    it builds as the shell would; the messages are returned, never posted."""
    global done
    messages = []
    engine = Engine(EngineConfig("rehearsal", "https://collector.invalid/ev1", ""))
    for number, (target, method, args) in enumerate(_CALLS, 1):
        wire = json.dumps(
            {
                "kind": "calls",
                "calls": [
                    {
                        "eid": f"r{number}",
                        "time": _TIME + number,
                        "url": _URL,
                        "referrer": "",
                        "target": target,
                        "method": method,
                        "args": args,
                        "seq": number,
                    }
                ],
            }
        )
        raw = protocol.decode(wire)["calls"][0]
        for output in engine.apply(protocol.Call.from_wire(raw)):
            if isinstance(output, Built):
                request = output.request
                messages.append(
                    protocol.encode(
                        "built", eid=request.eid, url=request.url, body=request.body_text()
                    )
                )
    done = True
    return messages
