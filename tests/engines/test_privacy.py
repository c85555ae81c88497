"""Consent in every engine: Global Privacy Control and Do-Not-Track, set before the page's own
scripts run, send without a visitor id, make no cookie, and the page cannot undo them."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from .conftest import Shop

SIGNALS = {
    "gpc": "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})",
    "dnt": "Object.defineProperty(Navigator.prototype, 'doNotTrack', {get: () => '1'})",
}
LOAD = (
    "<script>nostojs(api => { api.visit.setDoNotTrack(false);"
    " api.defaultSession().viewFrontPage().load(); })</script>"
)


@pytest.mark.parametrize("signal", list(SIGNALS))
def test_a_privacy_signal_sends_without_a_visitor_and_sets_no_cookie(
    shop: Shop, signal: str
) -> None:
    tab = shop.open(LOAD, before=SIGNALS[signal])
    shop.sandbox.wait_for_requests(1, timeout_s=60, page_type="front")
    sent = [parse_qs(urlsplit(line.split(" ", 1)[1]).query) for line in shop.server.forwarded]
    visitors = [query.get("c", [""])[0] for query in sent if "m" in query]  # /ev1 requests
    assert visitors == [""]  # the collector makes up an id for it: the browser sent none
    assert tab.evaluate("() => nostojs(api => api.visit.isDoNotTrack())") is True
    assert "2c.cId" not in tab.cookies()
    assert shop.errors() == [] and shop.our_console_errors() == []
