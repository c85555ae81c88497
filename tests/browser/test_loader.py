"""The loader's promises to the page: never waits for Python, never throws, journals everything."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Browser

from nosto_tagging.testing import running_sandbox
from tests.checkout import BUNDLE_DIR

from .conftest import LOADER_TAG, Shop, shop_on


def test_nostojs_runs_callbacks_at_once_and_queued_ones_first_in_order(shop: Shop) -> None:
    page = shop.open(
        "<script>window.order = []; nostojs(() => order.push('queued-1'));"
        "nostojs(() => order.push('queued-2'));</script>"
    )
    page.wait_for_function("() => window.nostojs && window.nostojs.nostoTagging")
    result = page.evaluate(
        """async () => {
            const api = await new Promise(nostojs);
            let ranNow = false;
            const returned = nostojs(() => { ranNow = true; return 42; });
            return { order, ranNow, value: await returned, same: api === await new Promise(nostojs),
                     session: api.defaultSession() === api.defaultSession() };
        }"""
    )
    assert result == {
        "order": ["queued-1", "queued-2"],
        "ranNow": True,
        "value": 42,
        "same": True,
        "session": True,
    }


def test_calls_made_before_the_engine_is_ready_are_journaled_and_delivered(shop: Shop) -> None:
    page = shop.open("<script>nostojs(api => api.defaultSession().viewFrontPage().load())</script>")
    journal = page.evaluate("() => nostojs(api => api.internal.journal())")
    assert [(call["target"], call["method"]) for call in journal][:1] == [
        ("session", "viewFrontPage")
    ]
    first = journal[0]
    assert set(first) == {"eid", "time", "url", "referrer", "target", "method", "args", "seq",
                          "page", "private", "visitor", "dnt"}  # fmt: skip
    [stored] = shop.wait_until_stored(1)
    assert stored["event_id"] == journal[1]["eid"]


def test_invalid_input_logs_one_error_keeps_the_cart_and_the_chain_goes_on(shop: Shop) -> None:
    page = shop.open("")
    shop.wait_for_engine()
    page.evaluate(
        """() => nostojs(api => {
            const session = api.defaultSession();
            session.setCart({items: [{product_id: "1", name: "Sock", quantity: 1, unit_price: 5,
                                      price_currency_code: "EUR"}]});
            return session.setCart({items: [{product_id: "1", quantity: "lots"}]})
                          .viewCart().update();
        })"""
    )
    [stored] = shop.wait_until_stored(1)
    assert stored["body"]["cart"] == [
        {
            "product_id": "1",
            "name": "Sock",
            "quantity": 1,
            "unit_price": 5,
            "price_currency_code": "EUR",
        }
    ]
    errors = [line for line in shop.console if " error: " in line]
    assert len(errors) == 1
    assert "setCart" in errors[0] and "items[0].quantity: 'lots'" in errors[0]
    assert shop.page_errors == []


def console_until(shop: Shop, seen: Callable[[str], bool], timeout_s: float = 30.0) -> None:
    """Wait until a console line of the page or its worker satisfies ``seen``."""
    deadline = time.monotonic() + timeout_s
    while not any(seen(line) for line in shop.console):
        assert time.monotonic() < deadline, f"no such console line in {shop.console}"
        shop.page.wait_for_timeout(50)  # Playwright's sync API delivers events while called


def test_values_json_cannot_hold_do_not_break_the_page(shop: Shop) -> None:
    page = shop.open("")
    shop.wait_for_engine()
    page.evaluate(
        """() => nostojs(api => {
            const loop = {}; loop.self = loop;
            return api.defaultSession().setCart(loop).setCustomer(() => 1)
                      .setCart({items: [{product_id: "1", name: "x", unit_price: NaN,
                                         price_currency_code: "EUR"}]})
                      .viewProduct(document.body).update();
        })"""
    )
    # Calls are applied in order: once a last bad call is reported, the others have been.
    page.evaluate("() => nostojs(api => api.defaultSession().setResponseMode(5))")
    console_until(shop, lambda line: "setResponseMode" in line)
    assert shop.page_errors == []
    errors = [line for line in shop.console if " error: " in line]
    assert len(errors) == 6 and "setResponseMode" in errors[-1]


def test_an_engine_that_cannot_start_leaves_the_page_unaffected(shop: Shop) -> None:
    page = shop.open(
        "<script>nostojs(api => api.defaultSession().viewFrontPage().load())</script>",
        tag='<script src="/bundle/nosto.js" data-account="demo" data-endpoint="/ev1" '
        'data-runtime="/missing-runtime/" async></script>',
    )
    page.wait_for_function("() => window.nostojs && window.nostojs.nostoTagging")
    response = page.evaluate("() => nostojs(api => api.defaultSession().viewCart().update())")
    assert response["page_views"] == 0  # resolved empty after the timeout, never rejected
    assert page.evaluate("() => nostojs(api => api.internal.journal().length)") == 4
    ours = [line for line in shop.console if "nosto-tagging" in line]
    assert len(ours) == 1 and "could not start" in ours[0]
    assert shop.page_errors == []


def test_a_second_inclusion_is_a_no_op(shop: Shop) -> None:
    tag = (
        '<script src="/bundle/nosto.js" data-account="demo" data-endpoint="/ev1"'
        ' data-engine="dedicated"></script>'
    )
    page = shop.open(
        "<script>nostojs(api => api.defaultSession().viewFrontPage().load())</script>",
        tag=tag + tag.replace("nosto.js", "nosto.js?again"),
    )
    first = page.evaluate("() => nostojs(api => api)")
    assert first is not None
    shop.wait_for_engine()
    page.wait_for_timeout(300)
    assert len(shop.wait_until_stored(1)) == 1
    assert sum(1 for url in shop.requests if url.endswith("engine.py")) == 1


def test_a_missing_account_is_reported_once_and_nothing_is_sent(shop: Shop) -> None:
    page = shop.open(
        "<script>nostojs(api => api.defaultSession().viewFrontPage().load())</script>",
        tag='<script src="/bundle/nosto.js"></script>',
    )
    page.wait_for_timeout(500)
    ours = [line for line in shop.console if "nosto-tagging" in line]
    assert len(ours) == 1 and "data-account" in ours[0]
    assert not any("/ev1" in url for url in shop.requests)


@pytest.mark.parametrize(
    ("missing", "why"),
    [
        ("pyodide.asm.wasm", "(Python did not start ("),
        ("dedicated-engine.mjs", "dedicated-engine.mjs ("),  # "cannot load <its URL> (<why>)"
        ("engine.py", "engine.py answered 404)"),
    ],
)
def test_a_runtime_file_that_cannot_load_is_reported_once_with_why(
    browser: Browser, tmp_path: Path, missing: str, why: str
) -> None:
    broken = tmp_path / "bundle"
    shutil.copytree(BUNDLE_DIR, broken)
    for file in broken.glob(f"runtime*/{missing}*"):  # and its precompressed copies
        file.unlink()
    with (
        running_sandbox(tmp_path / "db.sqlite3", broken) as sandbox,
        shop_on(browser, sandbox) as shop,
    ):
        page = shop.open(
            "<script>nostojs(api => api.defaultSession().viewFrontPage().load())</script>",
            tag=LOADER_TAG.replace("nosto.js", "nosto.test.js").replace(
                " async>", ' data-start-timeout-ms="4000" async>'
            ),
        )
        console_until(shop, lambda line: "could not start" in line)
        ours = [line for line in shop.console if "nosto-tagging" in line]
        assert len(ours) == 1 and why in ours[0], ours  # not the time-out
        assert [line for line in shop.console if line.startswith("page error")] == ours
        assert page.evaluate("() => nostojs(api => api.internal.journal().length)") == 2
        assert shop.page_errors == []
