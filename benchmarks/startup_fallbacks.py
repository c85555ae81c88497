"""Start-ups with a bad memory snapshot kept, against a plain start, in one browser profile.

The fallback bounds: a snapshot made by another build, truncated or corrupt is refused
before the wasm is instantiated (at most 50 ms more than a plain start); one that fails after
instantiation restarts plainly (at most 250 ms more). After a round's cold and warm visits (the
warm one restores the snapshot the cold one kept), our page is loaded once per kind below, each
time with Cache Storage changed first by a page of the same origin (``PLANT``, as
``tests/browser/test_snapshot.py`` does): ``plain`` deletes the snapshot; the others rewrite the
kept file. A load that starts plainly keeps a new snapshot as soon as it is made: the tab stays
open until it is written, so that the next kind has a good file to spoil. The kind that fails
after instantiation marks the runtime (no snapshot is made again in that profile): it comes last.
Ready is measured as for every other load (``startup_measure.py``); the HTTP and code caches
are warm for every kind, so the differences are the fallback's own cost.
"""

from __future__ import annotations

import time
from typing import Any

from playwright.sync_api import BrowserContext

from benchmarks.startup_measure import Visit, wait_for_action

CACHE = "nosto-tagging-snapshots"
PLAIN = "plain"
REFUSED = ("another build", "truncated", "corrupt")
FAILED = "fails after instantiation"
KEPT_DEADLINE_S = 30.0

# Rewrites the kept snapshot file and answers the SHA-256 of what it planted. The format is
# web/snapshot.mjs's: 8 header words, the JSON meta, then the non-zero pages of Pyodide's
# snapshot, the first starting with Pyodide's header (its build id in words 4 to 11).
PLANT = """
async ([name, url, change]) => {
  const digest = async (bytes) =>
    String(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
  const cache = await caches.open(name);
  if (change === "plain") {
    await cache.delete(url);
    return "";
  }
  const file = new Uint8Array(await (await cache.match(url)).arrayBuffer());
  const header = new Uint32Array(file.buffer, 0, 8);
  const body = file.subarray(32 + header[1]);
  let planted = file;
  if (change === "truncated") planted = file.subarray(0, file.length - 65536);
  if (change === "corrupt") body[body.length >> 1] ^= 0xff;
  if (change === "another build") {
    const meta = new TextDecoder().decode(file.subarray(32, 32 + header[1]));
    const other = new TextEncoder().encode(meta.replace(/"buildId":"[0-9a-f]/, '"buildId":"x'));
    file.set(other, 32);
  }
  if (change === "fails after instantiation") {
    const { checksum } = await import(url.replace("engine.snapshot", "snapshot.mjs"));
    new Uint32Array(body.buffer, body.byteOffset, 12)[4] ^= 1;  // Pyodide's own build id
    header[3] = checksum(body);
  }
  await cache.put(url, new Response(planted));
  return digest(planted);
}
"""
# The SHA-256 of the kept snapshot file, or "" when there is none.
KEPT = """async ([name, url]) => {
  const found = await (await caches.open(name)).match(url);
  if (!found) return "";
  return String(new Uint8Array(await crypto.subtle.digest("SHA-256", await found.arrayBuffer())));
}"""


def plan(number: int) -> list[str]:
    """The kinds of one round: plain and the refused ones in an order that turns with the
    round, then the one that fails after instantiation."""
    turning = [PLAIN, *REFUSED]
    shift = number % len(turning)
    return turning[shift:] + turning[:shift] + [FAILED]


def wait_until_kept(page: Any, url: str, planted: str = "") -> None:
    """Wait until a snapshot file other than ``planted`` (a SHA-256 from ``PLANT``) is kept at
    ``url`` (a path), asking from ``page`` (of the same origin)."""
    deadline = time.monotonic() + KEPT_DEADLINE_S
    while page.evaluate(KEPT, [CACHE, url]) in ("", planted):
        if time.monotonic() > deadline:
            raise RuntimeError(f"no snapshot kept at {url} within {KEPT_DEADLINE_S:.0f} s")
        page.wait_for_timeout(200)  # Cache Storage has no change event to await


def measure_fallbacks(
    context: BrowserContext, origin: str, runtime_dir: str, number: int, deadline_ms: float
) -> list[Visit]:
    """One load of our page per kind of ``plan(number)``; ``Visit.visit`` names the kind."""
    snapshot_url = f"/bundle/{runtime_dir}engine.snapshot"
    visits = []
    for kind in plan(number):
        planter = context.new_page()
        try:
            planter.goto(f"{origin}/bundle/bench/none.html")
            wait_until_kept(planter, snapshot_url)
            planted = planter.evaluate(PLANT, [CACHE, snapshot_url, kind])
        finally:
            planter.close()
        page = context.new_page()
        try:
            page.goto(f"{origin}/bundle/bench/ours.html", wait_until="domcontentloaded")
            first = wait_for_action(page, deadline_ms)
            if first is None:
                raise RuntimeError(f"{kind}: no /ev1 request within {deadline_ms:.0f} ms")
            ready = first["at"] - float(page.evaluate("performance.timeOrigin"))
            visits.append(Visit("fallback", kind, ready_ms=ready, round_number=number))
            if kind != FAILED:
                wait_until_kept(page, snapshot_url, planted)  # the worker writes it
        finally:
            page.close()
    return visits
