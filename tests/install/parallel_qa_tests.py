"""A QA project's tests that check each test sees only its own requests (not collected here).

``test_wheel.py`` copies this file into a QA project as ``test_own_requests.py`` and runs it with
``pytest -n 3`` beside the README's tests. Each test drives a page of its own product, adds it
to the cart ``adds`` times and asserts exactly what its page sent, and nothing else, arrived
since it began (``parallel_qa_conftest.py`` records what each test saw).
"""

import pytest
from playwright.sync_api import Page, expect

from nosto_tagging.testing import Sandbox

CASES = [("181503", 1), ("181510", 2), ("181520", 3), ("34552", 2)]


@pytest.mark.parametrize(("product_id", "adds"), CASES)
def test_each_test_sees_its_own_requests_only(
    nosto_sandbox: Sandbox, page: Page, product_id: str, adds: int
) -> None:
    page.goto(nosto_sandbox.url(f"/product/{product_id}"))
    [view] = nosto_sandbox.wait_for_requests(1, page_type="product")
    visitor = view["visitor"]
    for count in range(1, adds + 1):
        page.click("#add-to-cart")
        expect(page.locator("#cart-count")).to_have_text(str(count))
        nosto_sandbox.wait_for_requests(count, page_type="cart")

    mine = nosto_sandbox.requests()  # everything since this test began, unfiltered
    expected = [("product", visitor)] + [("cart", visitor)] * adds
    assert [(r["page_type"], r["visitor"]) for r in mine] == expected
    assert {line["product_id"] for r in mine[1:] for line in r["body"]["cart"]} == {product_id}
    nosto_sandbox.assert_no_invalid_payloads()
    nosto_sandbox.assert_no_duplicates()
