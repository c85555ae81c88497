"""The rehearsal a plain start runs before making its snapshot: a cart page's first action on
made-up data, through the same decoding, engine and encoding as a page's calls."""

from __future__ import annotations

import json

from nosto_tagging.core import rehearsal


def test_the_rehearsal_builds_the_cart_request_and_only_returns_it() -> None:
    [message] = rehearsal.rehearse()
    built = json.loads(message)
    assert built["kind"] == "built"
    assert built["url"].startswith("https://collector.invalid/ev1?")
    body = json.loads(built["body"])
    assert body["page_type"] == "cart"
    assert [line["product_id"] for line in body["cart"]] == ["1"]
    assert rehearsal.done
