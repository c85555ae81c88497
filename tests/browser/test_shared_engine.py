"""The shared engine (``data-engine="shared"``): one interpreter for the pages of a visit."""

from __future__ import annotations

from playwright.sync_api import Page

from tests.browser.conftest import Shop

SHARED_TAG = (
    '<script src="/bundle/nosto.test.js" data-account="demo" data-endpoint="/ev1"'
    ' data-engine="shared" async></script>'
)


def engine_id(page: Page) -> str:
    ready = "nostojs(api => api.internal.ready().then(() => api.internal.engine()))"
    return str(page.evaluate(ready))


def view_product(page: Page, product: str) -> None:
    page.evaluate(
        "p => nostojs(api => api.defaultSession().viewProduct(p).setPlacements([]).load())", product
    )


def test_navigations_in_a_tab_reuse_one_interpreter(shop: Shop) -> None:
    ids = []
    for n in range(5):
        page = shop.open("<p>page</p>", path=f"/test/page{n}.html", tag=SHARED_TAG)
        ids.append(engine_id(page))
        view_product(page, f"p{n}")
    stored = shop.wait_until_stored(5)
    print(ids, shop.console)
    assert len(set(ids)) == 1
    assert sorted(r["query"].get("product", "") for r in stored)
