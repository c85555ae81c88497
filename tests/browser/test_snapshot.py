"""The engine's memory snapshot (web/snapshot/) in Chromium: made by a plain start, kept in
Cache Storage, restored by the next page; refused or restarted plainly when it is bad.

Two kinds of page: the real loader (its dedicated worker, as a storefront runs it), and a test page
whose module worker calls snapshot.mjs's ``loadPyodide`` directly and runs a little Python, so a
test can see what the restored interpreter does (lazy imports) and plant bad snapshots.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import Shop
from tests.browser_settings import SETTINGS
from tests.snapshot_scripts import (
    CACHE,
    COPIES,
    DIGEST,
    KEPT,
    LAZY,
    RUNTIME,
    SPOIL_COPY,
    START_WORKER,
    WORKER,
    WORKER_PATH,
)


def _runtime(shop: Shop) -> str:
    """The runtime folder URL path the bundle's build-info names."""
    page = shop.page
    if page.url == "about:blank":
        shop.open("")
    return str(page.evaluate(RUNTIME))


def _serve_worker(shop: Shop) -> None:
    shop.context.route(
        f"{shop.sandbox.origin}{WORKER_PATH}",
        lambda route: route.fulfill(status=200, content_type="text/javascript", body=WORKER),
    )


def _start(shop: Shop, runtime: str, python: str = LAZY, fails: bool = False) -> Any:
    """Start snapshot.mjs in a new module worker of the test page; the answer of ``python`` (with
    ``fails``: the error the start gave)."""
    shop.open("", path="/test/snapshot.html", tag="")
    timeout = SETTINGS["timeouts"]["engine_ready_ms"]
    result = json.loads(shop.page.evaluate(START_WORKER, [runtime, python, timeout]))
    if fails:
        assert "error" in result, result
        return result["error"]
    assert "error" not in result, result["error"]
    return result


def _wait_for_snapshot(page: Page, runtime: str, unlike: str = "") -> str:
    """Wait until the plain start has kept its snapshot in Cache Storage, body and all, and
    it is not the file whose SHA-256 is ``unlike``; the kept file's SHA-256."""
    deadline = time.monotonic() + SETTINGS["timeouts"]["engine_ready_ms"] / 1000
    while True:
        kept = page.evaluate(KEPT, [CACHE, f"{runtime}engine.snapshot"])
        if kept["size"] > 1 << 20 and kept["digest"] != unlike:
            return str(kept["digest"])
        assert time.monotonic() < deadline, "no new snapshot kept in Cache Storage"
        page.wait_for_timeout(250)  # Cache Storage has no change event to await


def _ours(shop: Shop) -> list[str]:
    """Our worker's console lines (the context reports them too, as the page's)."""
    return [line for line in shop.console if line.startswith("worker") and "nosto-tagging:" in line]


def _ours_when(shop: Shop, done: Callable[[list[str]], bool]) -> list[str]:
    """Our worker's console lines once ``done`` holds for them: a worker's console events reach
    the test on their own channel, possibly after the answer the test awaited (on a busy
    machine); past the engine's start timeout, the lines as they are."""
    deadline = time.monotonic() + SETTINGS["timeouts"]["engine_ready_ms"] / 1000
    while not done(lines := _ours(shop)) and time.monotonic() < deadline:
        shop.page.wait_for_timeout(50)  # console events are delivered while Playwright is called
    return lines


def _count_ours(shop: Shop, text: str, expected: int = 1) -> int:
    """How many of our worker's console lines hold ``text``, once ``expected`` of them do (or
    the start timeout passed)."""
    lines = _ours_when(shop, lambda lines: sum(text in line for line in lines) >= expected)
    return sum(text in line for line in lines)


def test_the_next_page_restores_the_engine_the_first_one_kept(shop: Shop) -> None:
    body = "<script>nostojs(api => api.defaultSession().viewFrontPage().update())</script>"
    shop.open("", tag="")
    runtime = _runtime(shop)
    shop.page.evaluate(  # a snapshot of an older runtime, to be deleted
        "([name, url]) => caches.open(name).then(c => c.put(url, new Response('old')))",
        [CACHE, "/bundle/runtime-000000000000/engine.snapshot"],
    )
    page = shop.open(body)
    shop.wait_for_engine()
    _wait_for_snapshot(page, runtime)
    assert _count_ours(shop, "engine started plainly") >= 1
    keys = page.evaluate(
        "name => caches.open(name).then(c => c.keys()).then(k => k.map(r => r.url))", CACHE
    )
    keys = [key.removeprefix(shop.sandbox.origin) for key in keys]
    assert f"{runtime}engine.snapshot" in keys
    assert all(key.startswith(runtime) for key in keys)  # the older runtime's entry is deleted

    shop.console.clear()
    shop.open(body.replace("viewFrontPage()", "viewCart()"))
    shop.wait_for_engine()
    assert _count_ours(shop, "engine restored from a snapshot") >= 1
    assert len(shop.wait_until_stored(2)) == 2  # the restored engine builds and sends
    assert shop.page_errors == []


def test_modules_the_snapshot_does_not_hold_import_after_a_restore(shop: Shop) -> None:
    _serve_worker(shop)
    runtime = _runtime(shop)
    plain = _start(shop, runtime)
    _wait_for_snapshot(shop.page, runtime)
    restored = _start(shop, runtime)
    lines = _ours_when(shop, lambda lines: any("restored from a snapshot" in ln for ln in lines))
    assert any("engine started plainly" in line for line in lines)
    assert any("engine restored from a snapshot" in line for line in lines)
    assert restored["before"] == {"email.utils": False, "pydantic.color": False, "difflib": False}
    assert restored["quantity"] == 2 and restored["color"] == "#f00" and restored["shell"]
    assert restored["hash"] == plain["hash"]  # the str hash seed is fixed per build


# Replace the kept snapshot by a bad one; the bad file's SHA-256.
PLANT = f"""
async ([name, url, change]) => {{
  const cache = await caches.open(name);
  const file = new Uint8Array(await (await cache.match(url)).arrayBuffer());
  const header = new Uint32Array(file.buffer, 0, 8);
  const body = file.subarray(32 + header[1]);
  const {{ checksum }} = await import(url.replace("engine.snapshot", "snapshot.mjs"));
  let planted = file;
  if (change === "truncated") planted = file.subarray(0, file.length - 65536);
  if (change === "corrupt") body[body.length >> 1] ^= 0xff;
  if (change === "other build") {{
    const meta = new TextDecoder().decode(file.subarray(32, 32 + header[1]));
    const other = new TextEncoder().encode(meta.replace(/"buildId":"[0-9a-f]/, '"buildId":"x'));
    file.set(other, 32);
  }}
  if (change === "fails after instantiation") {{
    new Uint32Array(body.buffer, body.byteOffset, 12)[4] ^= 1;  // Pyodide's own build id
    header[3] = checksum(body);
  }}
  await cache.put(url, new Response(planted));
  return ({DIGEST})(planted);
}}
"""


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ("other build", "snapshot refused (made by another build"),
        ("truncated", "snapshot refused (truncated)"),
        ("corrupt", "snapshot refused (corrupt (checksum))"),
        ("fails after instantiation", "snapshot restore failed (Snapshot build id mismatch"),
    ],
)
def test_a_bad_snapshot_gives_a_plain_start_and_one_debug_line(
    shop: Shop, change: str, reason: str
) -> None:
    _serve_worker(shop)
    runtime = _runtime(shop)
    _start(shop, runtime)
    _wait_for_snapshot(shop.page, runtime)
    planted = shop.page.evaluate(PLANT, [CACHE, f"{runtime}engine.snapshot", change])
    shop.console.clear()

    answer = _start(shop, runtime)
    assert answer["quantity"] == 2 and answer["shell"]  # nothing lost: the engine runs
    if change != "fails after instantiation":
        # Refused before Pyodide read it: the one instantiation started Python plainly.
        assert answer["instantiations"] == 1
    else:
        assert answer["instantiations"] == 2  # the restart instantiates the module it kept
    lines = _ours_when(shop, lambda lines: len(lines) >= 2)
    assert len(lines) == 2, lines  # the reason, then the plain start
    assert reason in lines[0] and "plain start" in lines[0]
    assert "engine started plainly" in lines[1]
    assert all(line.startswith("worker debug:") for line in lines)  # console.debug
    kept = shop.page.evaluate(
        "([name, url]) => caches.open(name).then(c => c.keys()).then(k => k.map(r => r.url))",
        [CACHE, runtime],
    )
    kept = [url.removeprefix(shop.sandbox.origin) for url in kept if "engine.snapshot" in url]
    if change == "fails after instantiation":
        # Marked: this browser makes no snapshot of this runtime again.
        assert kept == [f"{runtime}engine.snapshot.refused"]
    else:
        # A refused file is replaced by a good one: another file, which the next start restores.
        _wait_for_snapshot(shop.page, runtime, unlike=planted)
        shop.console.clear()
        assert _start(shop, runtime)["quantity"] == 2
        assert _count_ours(shop, "engine restored from a snapshot") >= 1


def test_a_start_keeps_decoded_copies_of_the_runtime_files_which_the_next_one_reads(
    shop: Shop,
) -> None:
    # The HTTP cache keeps the runtime's files brotli-compressed and decodes them on every read;
    # the first start keeps decoded copies in Cache Storage, the next reads those instead.
    runtime, fetched = _first_start(shop)
    assert {"pyodide.asm.wasm", "python_stdlib.zip"} < set(fetched)
    assert any(name.endswith(".whl") for name in fetched)

    shop.console.clear()
    answer = _start(shop, runtime)
    assert answer["fetched"] == []  # every one of them read from its copy
    assert answer["quantity"] == 2 and answer["color"] == "#f00"  # wheels and stdlib whole
    assert _count_ours(shop, "engine restored from a snapshot") == 1


def _first_start(shop: Shop) -> tuple[str, list[str]]:
    """A plain start of the test page's worker, once its snapshot and the decoded copies of the
    files it fetched are kept: the runtime's path and the names of those files."""
    _serve_worker(shop)
    runtime = _runtime(shop)
    fetched: list[str] = _start(shop, runtime)["fetched"]
    _wait_for_snapshot(shop.page, runtime)
    assert _wait_for_copies(shop, runtime, fetched) == dict.fromkeys(fetched, True)
    return runtime, fetched


def _wait_for_copies(shop: Shop, runtime: str, names: list[str]) -> dict[str, bool]:
    """Wait until a copy of each of ``names`` is kept and is the served file (or the start
    timeout passed); the copies kept: name -> whether it is the served file."""
    deadline = time.monotonic() + SETTINGS["timeouts"]["engine_ready_ms"] / 1000
    while True:
        copies: dict[str, bool] = shop.page.evaluate(COPIES, [CACHE, runtime])
        if all(copies.get(name) for name in names) or time.monotonic() > deadline:
            return copies
        shop.page.wait_for_timeout(250)  # Cache Storage has no change event to await


@pytest.mark.parametrize(
    ("prefix", "at", "error"),
    [
        ("pyodide.asm.wasm", 64, "CompileError"),  # Pyodide would wait for ever on it
        ("pydantic-2", -4096, "Error: not a zip archive"),  # its central directory gone
    ],
)
def test_a_bad_copy_is_refused_read_from_the_network_and_kept_anew(
    shop: Shop, prefix: str, at: int, error: str
) -> None:
    runtime, fetched = _first_start(shop)
    [name] = [name for name in fetched if name.startswith(prefix)]
    shop.page.evaluate(SPOIL_COPY, [CACHE, f"{runtime}{name}", at])
    assert shop.page.evaluate(COPIES, [CACHE, runtime])[name] is False

    shop.console.clear()
    answer = _start(shop, runtime)
    assert answer["quantity"] == 2 and answer["shell"]
    assert answer["fetched"] == [name]  # the one bad copy, from the network
    assert _count_ours(shop, f"copy of {name} refused ({error}") == 1
    assert _count_ours(shop, "engine restored from a snapshot") == 1
    assert _wait_for_copies(shop, runtime, fetched) == dict.fromkeys(fetched, True)


def test_a_runtime_file_the_network_cannot_give_fails_the_start_and_keeps_the_snapshot(
    shop: Shop,
) -> None:
    # The wasm's copy is bad and the server answers 404 for the file: the start fails, saying
    # why; the snapshot is neither deleted nor refused, and the next start restores it. Chromium
    # only: Playwright's routing turns the HTTP cache off, and in the other engines the file
    # would come from that cache, never reaching a server that refuses it.
    runtime, _ = _first_start(shop)
    kept = _wait_for_snapshot(shop.page, runtime)
    shop.page.evaluate(SPOIL_COPY, [CACHE, f"{runtime}pyodide.asm.wasm", 64])
    shop.context.route("**/pyodide.asm.wasm", lambda route: route.fulfill(status=404))
    assert _start(shop, runtime, fails=True).startswith("Error: Python did not start (")
    shop.context.unroute("**/pyodide.asm.wasm")
    assert shop.page.evaluate(KEPT, [CACHE, f"{runtime}engine.snapshot"])["digest"] == kept

    shop.console.clear()
    answer = _start(shop, runtime)
    assert answer["quantity"] == 2 and answer["shell"]
    assert _count_ours(shop, "engine restored from a snapshot") == 1


DRAWS = "import json, random\njson.dumps({'draws': [random.random() for _ in range(4)]})"


def test_each_restored_engine_draws_its_own_random_numbers(shop: Shop) -> None:
    # The retry jitter is random.random(): engines restored from one snapshot must not share it.
    _serve_worker(shop)
    runtime = _runtime(shop)
    _start(shop, runtime)
    _wait_for_snapshot(shop.page, runtime)
    shop.console.clear()
    first, second = (_start(shop, runtime, DRAWS) for _ in range(2))
    assert _count_ours(shop, "engine restored from a snapshot", 2) == 2
    assert first["draws"] != second["draws"]
    assert not set(first["draws"]) & set(second["draws"])


# Which of the given strings occur in the kept snapshot file (its memory as Latin-1 text).
FIND_IN_SNAPSHOT = """async ([name, url, needles]) => {
  const found = await (await caches.open(name)).match(url);
  const text = new TextDecoder("latin1").decode(await found.arrayBuffer());
  return needles.filter(needle => text.includes(needle));
}"""


def test_a_snapshot_holds_no_page_or_shopper_data(shop: Shop) -> None:
    email, token = "snapshot-shopper@example.com", "page-token-5d1e0b7c"
    page = shop.open(
        "<script>nostojs(api => api.defaultSession()"
        f".setCustomer({{email: '{email}', first_name: 'Snapshotta'}})"
        ".viewCart().update())</script>",
        path=f"/test/{token}.html",
    )
    [stored] = shop.wait_until_stored(1)  # the engine had the page's data before the file was kept
    assert stored["body"]["customer"]["email"] == email
    runtime = _runtime(shop)
    _wait_for_snapshot(page, runtime)
    # The engine's own code is in it (the search finds what is there); the page's data is not.
    found = page.evaluate(
        FIND_IN_SNAPSHOT,
        [CACHE, f"{runtime}engine.snapshot", ["nosto_tagging.core", email, token, "Snapshotta"]],
    )
    assert found == ["nosto_tagging.core"]


DEDICATED_TAG = (
    '<script src="/bundle/nosto.js" data-account="demo" data-endpoint="/ev1"'
    ' data-engine="dedicated" async></script>'
)
# How long a quick shopper stays on a page once its request is stored at the collector.
QUICK_STAY_MS = 500


def test_a_page_left_soon_after_its_request_leaves_a_snapshot_for_the_next(shop: Shop) -> None:
    # A shopper who browses quickly: the first page (a plain start, Cache Storage empty) is left
    # half a second after its request was stored; the next page's own engine is restored.
    body = "<script>nostojs(api => api.defaultSession().viewFrontPage().update())</script>"
    page = shop.open(body, tag=DEDICATED_TAG)
    shop.wait_until_stored(1)
    page.wait_for_timeout(QUICK_STAY_MS)  # the shopper's stay, not a wait for our code
    assert _count_ours(shop, "engine started plainly") >= 1
    shop.console.clear()

    shop.open(
        body.replace("viewFrontPage()", "viewCart()"), path="/test/cart.html", tag=DEDICATED_TAG
    )
    shop.wait_for_engine()
    lines = _ours_when(shop, lambda lines: any("restored from a snapshot" in ln for ln in lines))
    assert any("engine restored from a snapshot" in line for line in lines), lines
    assert len(shop.wait_until_stored(2)) == 2
    assert shop.page_errors == []
