"""The decoded copies of the runtime's files, in every engine: a bad copy is refused, read again
from the network and kept anew; a start that fails on one says why, on the page too, and the
next start reads the files from the network.

Starts are made by a module worker of a test page that calls snapshot.mjs's ``loadPyodide``
directly (tests/snapshot_scripts.py). Each start opens a page of its own URL: WebKit's WebDriver
empties the origin's Cache Storage when a URL is opened again.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.browser_settings import SETTINGS
from tests.snapshot_scripts import (
    CACHE,
    COPIES,
    DROP_SNAPSHOT,
    LAZY,
    PYTHON_EXITED,
    RUNTIME,
    SNAPSHOT_KEPT,
    SPOIL_COPY,
    START_WORKER,
    WORKER,
    WORKER_PATH,
)

from .conftest import Shop

CART = "<script>nostojs(api => api.defaultSession().viewCart().update())</script>"
# The copies once each of `names` is kept and is the served file.
COPIES_WHOLE = (
    f"async ([name, runtime, names]) => {{ const copies = await ({COPIES})([name, runtime]);"
    " return names.every((n) => copies[n]) && copies; }"
)


def _start(shop: Shop, runtime: str, fails: bool = False) -> Any:
    """Start snapshot.mjs in a new module worker of a new test page; the worker's answer (with
    ``fails``: the error the start gave)."""
    shop.server.add_script(WORKER_PATH, WORKER)
    shop.open("", path=f"/test/snapshot-{len(shop.server.pages)}.html", tag="")
    timeout = SETTINGS["timeouts"]["engine_ready_ms"]
    answer = json.loads(shop.tab.evaluate(START_WORKER, [runtime, LAZY, timeout]))
    if fails:
        assert "error" in answer, answer
        return answer["error"]
    assert "error" not in answer, answer
    return answer


def _first_start(shop: Shop) -> tuple[str, list[str]]:
    """A plain start, once its snapshot and the copies of the files it fetched are kept: the
    runtime's path and the names of those files."""
    shop.open("", path="/test/first.html", tag="")
    runtime = str(shop.tab.evaluate(RUNTIME))
    fetched: list[str] = _start(shop, runtime)["fetched"]
    assert {"pyodide.asm.wasm", "python_stdlib.zip"} < set(fetched)
    shop.tab.wait_for(SNAPSHOT_KEPT)
    shop.tab.wait_for(COPIES_WHOLE, [CACHE, runtime, fetched])
    return runtime, fetched


@pytest.mark.parametrize(
    ("prefix", "at"),
    [("pyodide.asm.wasm", 64), ("pydantic-2", -4096)],  # fails to compile; no zip archive
    ids=["wasm", "wheel"],
)
def test_a_bad_copy_is_refused_read_from_the_network_and_kept_anew(
    shop: Shop, prefix: str, at: int
) -> None:
    runtime, fetched = _first_start(shop)
    [name] = [name for name in fetched if name.startswith(prefix)]
    shop.tab.evaluate(SPOIL_COPY, [CACHE, f"{runtime}{name}", at])
    assert shop.tab.evaluate(COPIES, [CACHE, runtime])[name] is False

    answer = _start(shop, runtime)
    assert answer["quantity"] == 2 and answer["shell"]
    assert answer["fetched"] == [name]  # the one bad copy, from the network
    assert shop.tab.wait_for(COPIES_WHOLE, [CACHE, runtime, fetched])[name] is True


def test_a_start_that_fails_on_a_bad_copy_says_why_and_the_next_reads_the_network(
    shop: Shop,
) -> None:
    # The standard library's copy is not checked: Python exits on a bad one while it starts.
    runtime, fetched = _first_start(shop)
    _spoil_standard_library(shop, runtime)
    assert _start(shop, runtime, fails=True).startswith(f"Error: {PYTHON_EXITED}")
    answer = _start(shop, runtime)
    assert answer["quantity"] == 2 and answer["shell"]
    assert answer["fetched"] == fetched  # every copy deleted, each file from the network


def test_a_start_that_fails_is_reported_by_the_page_with_its_reason(shop: Shop) -> None:
    runtime, _ = _first_start(shop)
    _spoil_standard_library(shop, runtime)
    tab = shop.open(CART, path="/test/cart.html")
    line = tab.wait_for(
        "() => window.__seen.console.find((line) => line.includes('could not start'))"
    )
    assert f"({PYTHON_EXITED}" in line, line  # not the page's own time-out
    assert shop.errors() == []


def _spoil_standard_library(shop: Shop, runtime: str) -> None:
    """Leave the next start no snapshot and a bad copy of the standard library."""
    shop.tab.evaluate(DROP_SNAPSHOT, [CACHE, f"{runtime}engine.snapshot"])
    shop.tab.evaluate(SPOIL_COPY, [CACHE, f"{runtime}python_stdlib.zip", -4096])
