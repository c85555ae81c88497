"""The page's own engine in every engine: a runtime module or entry that cannot run is reported
once by the page, with the file and why, never as the start's time-out, and the page sees no
exception. (tests/browser/test_loader.py has the same for missing files, in Chromium.)"""

from __future__ import annotations

import pytest

from tests.checkout import runtime_dir

from .conftest import Shop

CART = "<script>nostojs(api => api.defaultSession().viewCart().update())</script>"
STARTED = "() => window.__seen.console.find((line) => line.includes('could not start'))"


@pytest.mark.parametrize(
    ("file", "source", "why"),
    [
        # "cannot load <its URL> (<what its evaluation threw>)"
        ("dedicated-engine.mjs", "throw new Error('planted');", "dedicated-engine.mjs (planted)"),
        ("engine.py", "raise RuntimeError('planted')", "RuntimeError: planted"),
    ],
)
def test_a_runtime_file_that_cannot_run_is_reported_with_why(
    shop: Shop, file: str, source: str, why: str
) -> None:
    shop.server.add_script(f"/bundle/{runtime_dir()}{file}", source)
    line = str(shop.open(CART, path="/test/cart.html").wait_for(STARTED))
    assert why in line, line
    assert len(shop.our_console_errors()) == 1
    assert shop.errors() == []
