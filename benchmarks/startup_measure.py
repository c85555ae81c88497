"""One page load in Chromium, measured: ready time, main-thread cost, bytes, memory, latency.

Clocks: every time is on the page's clock, in ms from navigation start. The action's request is
sent by a worker, so its Resource Timing entry lives in the worker's timeline; it is moved to the
page's clock with the two ``performance.timeOrigin`` values (both are on the same monotonic
clock in Chromium). "On the wire" is the entry's ``requestStart``.

Main-thread cost comes from CDP ``Performance.getMetrics`` (``ScriptDuration``,
``TaskDuration``: the page's main thread only, workers excluded) and a ``longtask``
PerformanceObserver installed before the page's own scripts. Memory is the resident set of the
browser's renderer processes (``/proc``), which also hold the page's workers.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, Page

LONG_TASKS = """
window.__benchLongTasks = [];
try {
  new PerformanceObserver(function (list) {
    list.getEntries().forEach(function (e) { window.__benchLongTasks.push(e.duration); });
  }).observe({ type: "longtask", buffered: true });
} catch (e) { /* no longtask support */ }
"""
ENTRIES = """() => JSON.stringify({
  origin: performance.timeOrigin,
  entries: performance.getEntriesByType("resource").map(e => ({
    name: e.name, start: e.startTime, requestStart: e.requestStart, end: e.responseEnd,
    transfer: e.transferSize, body: e.encodedBodySize }))
})"""
LATENCY_LOOP = """async ([cart, calls]) => {
  const out = [];
  for (let i = 0; i < calls; i++) {
    const at = performance.timeOrigin + performance.now();
    const eids = window.benchAct(cart);
    await window.benchSettled(eids);
    out.push([eids, at]);
  }
  return out;
}"""
MB = 1024 * 1024
ACTING = frozenset({"ours", "baseline"})  # pages whose action reaches /ev1
CARDS = 4000
CARDS_QUIET_MS = 1000.0
# A storefront appending product cards (an infinite scroll, a filtered listing): one element
# per card, each appended on its own, in a task of the page's own (a timer), not in one of
# DevTools' evaluations, which ScriptDuration does not count.
APPEND_CARDS = """count => new Promise(resolve => setTimeout(() => {
  const list = document.createElement("section");
  document.body.append(list);
  for (let i = 0; i < count; i++) {
    const card = document.createElement("article");
    card.className = "product-card";
    card.innerHTML = `<a href="/products/${i}"><img src="data:," alt="" width="160" height="160">
      <h3>Product ${i}</h3></a><p class="price">${(10 + i % 90).toFixed(2)} EUR</p>
      <button type="button" data-product-id="${i}">Add to cart</button>`;
    list.append(card);
  }
  resolve();
}))"""
# Two animation frames and a task: what observers, custom elements and frames do after the
# insertion has run.
SETTLE_FRAMES = """() => new Promise(resolve => requestAnimationFrame(() =>
  requestAnimationFrame(() => setTimeout(resolve))))"""
ENGINE_READY = """() => new Promise(resolve => nostojs(api => api.internal.ready().then(() =>
  resolve())))"""


@dataclass
class Visit:
    """What one page load measured; ``None`` where it does not apply (no engine on the page)."""

    kind: str
    visit: str
    ready_ms: float | None = None
    round_number: int = 0
    script_ms: float = 0.0
    task_ms: float = 0.0
    long_tasks: int = 0
    long_task_ms: float = 0.0
    transfer_bytes: int = 0
    network_requests: int = 0
    runtime_transfer_bytes: int = 0
    runtime_network_requests: int = 0
    revalidations: int = 0
    renderer_rss_mb: float = 0.0
    latency_ms: dict[str, list[float]] = field(default_factory=dict)
    resources: list[dict[str, Any]] = field(default_factory=list)


def children() -> dict[int, list[int]]:
    """Every process's children, by parent pid (from /proc)."""
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(parent, []).append(int(entry.name))
    return tree


def renderer_rss_mb() -> float:
    """Resident memory of every Chromium renderer started (indirectly) by this process."""
    tree = children()
    todo, total = [os.getpid()], 0
    while todo:
        pid = todo.pop()
        todo.extend(tree.get(pid, []))
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes()
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        if b"--type=renderer" not in command:
            continue
        for line in status.splitlines():
            if line.startswith("VmRSS:"):
                total += int(line.split()[1]) * 1024
    return total / MB


def _timeline(target: Any) -> tuple[float, list[dict[str, Any]]]:
    data = json.loads(target.evaluate(ENTRIES))
    return float(data["origin"]), list(data["entries"])


def worker_entries(page: Page) -> list[dict[str, Any]]:
    """Every worker's resource entries, with ``at`` = absolute ``requestStart`` (ms epoch)."""
    found = []
    for worker in page.workers:
        origin, entries = _timeline(worker)
        for entry in entries:
            entry["at"] = origin + (entry["requestStart"] or entry["start"])
            entry["where"] = "worker"
            found.append(entry)
    return found


def sent_entries(page: Page) -> list[dict[str, Any]]:
    """The page's own resource entries and its workers', with ``at`` as in ``worker_entries``."""
    origin, entries = _timeline(page)
    for entry in entries:
        entry["at"] = origin + (entry["requestStart"] or entry["start"])
        entry["where"] = "page"
    return entries + worker_entries(page)


def wait_for_action(page: Page, deadline_ms: float) -> dict[str, Any] | None:
    """The first ``/ev1`` request the page or a worker of it sent (polled every 20 ms): with
    its own engine the page makes each attempt, the bare-Pyodide worker sends itself."""
    waited = 0.0
    while waited < deadline_ms:
        sent = [e for e in sent_entries(page) if "/ev1" in e["name"]]
        if sent:
            return min(sent, key=lambda e: e["at"])
        page.wait_for_timeout(20)
        waited += 20
    return None


def _count_bytes(visit: Visit, page: Page, runtime_prefixes: tuple[str, ...]) -> None:
    entries = _timeline(page)[1]
    for entry in entries:
        entry["where"] = "page"
    entries += worker_entries(page)
    for entry in entries:
        if "/ev1" in entry["name"]:
            continue
        path = entry["name"].split("/bundle/", 1)[-1]
        visit.resources.append(
            {k: entry[k] for k in ("name", "where", "transfer", "body")} | {"path": path}
        )
        if entry["transfer"] <= 0:
            continue  # served from the cache
        visit.transfer_bytes += entry["transfer"]
        visit.network_requests += 1
        if entry["transfer"] < 1024 and entry["body"] > 0 and not path.startswith("runtime"):
            visit.revalidations += 1  # headers only: a 304
        if path.startswith(runtime_prefixes):
            visit.runtime_transfer_bytes += entry["transfer"]
            visit.runtime_network_requests += 1


def _latency(page: Page, cart: dict[str, Any], calls: int) -> list[float]:
    for target in (page, *page.workers):
        target.evaluate("performance.setResourceTimingBufferSize(10000)")
        target.evaluate("performance.clearResourceTimings()")
    made = page.evaluate(LATENCY_LOOP, [cart, calls])
    sent: dict[str, float] = {}
    for entry in sent_entries(page):
        if "eid=" in entry["name"]:
            eid = entry["name"].split("eid=", 1)[1].split("&", 1)[0]
            sent[eid] = entry["at"]
    latencies = []
    for eids, at in made:
        matched = [sent[eid] for eid in eids if eid in sent]
        if not matched:
            raise RuntimeError(f"no request on the wire for the call with event ids {eids}")
        latencies.append(matched[0] - at)
    return latencies


def _script_ms(cdp: Any) -> float:
    metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
    return 1000 * float(metrics.get("ScriptDuration", 0.0))


def measure_cards(context: BrowserContext, url: str, kind: str, cards: int = CARDS) -> Visit:
    """Load ``url``, wait for our engine where the page has the tag, then append ``cards``
    product cards: ``script_ms`` is the main-thread script time from the append until the
    page has settled (CDP ``ScriptDuration``, before and after)."""
    visit = Visit(kind, "cards")
    page = context.new_page()
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(url, wait_until="load")
        if kind in ACTING:
            page.evaluate(ENGINE_READY)
        # The same quiet second on both pages: the renderer's own after-load work (compiling,
        # caching, collecting garbage) is done before the clock starts.
        page.wait_for_timeout(CARDS_QUIET_MS)
        page.evaluate(SETTLE_FRAMES)
        before = _script_ms(cdp)
        page.evaluate(APPEND_CARDS, cards)
        page.evaluate(SETTLE_FRAMES)
        visit.script_ms = _script_ms(cdp) - before
        if page.evaluate("document.querySelectorAll('.product-card').length") != cards:
            raise RuntimeError(f"{kind}: the page does not hold the {cards} cards appended")
    finally:
        page.close()
    return visit


def measure_visit(
    context: BrowserContext,
    url: str,
    kind: str,
    visit_name: str,
    *,
    runtime_prefixes: tuple[str, ...],
    settle_ms: float,
    ready_deadline_ms: float,
    latency_carts: dict[str, dict[str, Any]] | None = None,
    calls: int = 0,
    before_close: Callable[[Page], None] | None = None,
) -> Visit:
    """Load ``url`` in a new tab of ``context``; measure; call ``before_close(page)`` if given;
    close the tab."""
    visit = Visit(kind, visit_name)
    page = context.new_page()
    try:
        cdp = context.new_cdp_session(page)
        cdp.send("Performance.enable")
        page.goto(url, wait_until="domcontentloaded")
        if kind in ACTING:
            first = wait_for_action(page, ready_deadline_ms)
            if first is None:
                raise RuntimeError(f"{kind}: no /ev1 request within {ready_deadline_ms:.0f} ms")
            page_origin = float(page.evaluate("performance.timeOrigin"))
            visit.ready_ms = first["at"] - page_origin
        page.wait_for_timeout(settle_ms)
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        visit.script_ms = 1000 * float(metrics.get("ScriptDuration", 0.0))
        visit.task_ms = 1000 * float(metrics.get("TaskDuration", 0.0))
        long_tasks = page.evaluate("window.__benchLongTasks || []")
        visit.long_tasks = len(long_tasks)
        visit.long_task_ms = float(sum(long_tasks))
        _count_bytes(visit, page, runtime_prefixes)
        visit.renderer_rss_mb = renderer_rss_mb()
        for name, cart in (latency_carts or {}).items():
            visit.latency_ms[name] = _latency(page, cart, calls)
        if before_close is not None:
            before_close(page)
    finally:
        page.close()
    return visit
