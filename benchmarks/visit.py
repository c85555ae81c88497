"""A shopper's visit in Chromium: the dedicated engine (one per page) beside the shared engine.

    python3 -m benchmarks.visit                   # 3 rounds
    python3 -m benchmarks.visit --rounds 5 --out build/benchmarks/visit.json

Starts ``nosto-tagging serve --port 0`` on a temporary database, serving a copy of the built
bundle plus the benchmark's pages (``bench/visit/``). Each round launches Debian's Chromium
(settings from ``playwright.config.toml``) with a fresh profile for every part below, in this
order: the 3 tabs without the tag, then for each mode (the order of the modes alternates between
rounds) the visit, the quick visit and the 3 tabs. A mode is the script tag: ``dedicated`` has
``data-engine="dedicated"`` (each page starts its own engine in a dedicated worker), ``shared``
is the tag without ``data-engine``, as a merchant writes it: with the bundle on the page's
origin, Chromium's pages connect to the origin's SharedWorker (``nosto-worker.js``, beside
``nosto.js``), which runs one interpreter (a page that ran its own engine instead is counted in
"pages that ran their own engine"). Only loopback is contacted; every wait has a deadline.

- **visit**: 5 pages in one tab, one navigation after the other (``page.goto``). Each page
  performs one action at ``DOMContentLoaded`` (a cart view, three product views with ``load()``,
  a cart view), the benchmark waits until the collector stored that page's request, then for
  ``DWELL_MS`` (the shopper reads), then navigates to the next page.
- **quick visit**: the same 5 pages, each left ``QUICK_DWELL_MS`` after its request was stored
  (a shopper clicking through: a page's own engine may be left before it kept its snapshot).
- **3 tabs**: 3 tabs open at once, each a product page with the tag and an action; memory is
  sampled with 1 tab open (its request stored, then ``MEMORY_SETTLE_MS``) and again with 3.
  The same pages without the tag give the browser's own share, subtracted from both.

Ready, the clock: navigation start to the collector receiving the page's request. A shared
worker's Resource Timing is out of the page's reach, so both ends are read on the machine's wall
clock, which the browser and the sandbox share. The page's navigation start is
``performance.timeOrigin`` (Chromium derives it from its monotonic clock with an offset taken
when the process started), corrected by that clock's distance to the wall clock measured in the
same page (``Date.now()`` against ``performance.timeOrigin + performance.now()``, 1 ms
resolution). The collector's end is the stored request's ``received_at`` (wall clock, taken by
the sandbox's recorder thread as it records the request, a few hundred microseconds after it
arrived on an idle machine; truncated to the millisecond). The page's request is found by the
page URL in its body. The same clocks serve both modes: no worker's timeline is needed. As a
check, each load also reads the request's ``requestStart`` from the Resource Timing of the worker
that sent it (the page's dedicated worker, as ``benchmarks.startup`` does, or the SharedWorker's,
evaluated through the DevTools session below) on the page's monotonic clock: the collector's
receipt is expected 1-3 ms later (the table's "check" row); a larger gap would point at a skewed
clock or a busy collector.

Memory: resident set (``VmRSS``, as ``benchmarks.startup`` measures it) summed over the
Chromium renderer processes of the benchmark's browser: they hold the pages, their dedicated
workers and the SharedWorker. Chromium runs the SharedWorker in a renderer of the site: in the
runs so far, the first tab's (the JSON lists every process: that renderer grows by the engine,
the later tabs' hold a page each), so 1 tab is 2 renderers in both modes, the second being the
spare renderer Chromium keeps ready, also there without the tag. Left out, as in
``benchmarks.startup``: the browser process, the GPU and utility processes (network, storage,
audio) and the renderer of Chromium's own UI (``--top-chrome-webui``), which hold no page or
worker of ours; the JSON has their figures too, and the proportional set (``Pss``, from
``smaps_rollup``: a page shared by several processes is split between them) of each kind.
"Added" is the tabs with the tag minus the same number of tabs without it; the ratio is 3 tabs'
added memory over 1 tab's.

Gates, per mode: long tasks on every page (a ``longtask`` observer installed before the page's
scripts); console errors and warnings of the pages, of their dedicated workers and of the
SharedWorker (read through a browser-level DevTools session attached to it, which also counts
how many SharedWorkers were started: 1 per browser in shared mode means every page reused one
engine); the interpreters started (the engine's debug line at each start, from the dedicated
workers, which Playwright reports as the page's, and from the SharedWorker); pages that fell
back to their own engine (their debug line); each event stored exactly once (one stored request
per page's action) and the sandbox's ``duplicates`` count (a request repeating a stored event
id, acknowledged and not stored again).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from playwright.sync_api import BrowserContext, CDPSession, ConsoleMessage, Page, sync_playwright

from benchmarks import results
from benchmarks.startup import launch_args, used_before
from benchmarks.startup_measure import ENTRIES, LONG_TASKS, children, worker_entries
from benchmarks.startup_pages import OUR_TAG, STUB, cart
from benchmarks.startup_site import link_or_copy
from nosto_tagging.testing import Sandbox, running_sandbox

REPO_ROOT = Path(__file__).resolve().parents[1]  # benchmarks run in a checkout
DEFAULT_BUNDLE_DIR = REPO_ROOT / "build" / "bundle"
DEFAULT_OUT = REPO_ROOT / "build" / "benchmarks" / "visit.json"
SITE_DIR = REPO_ROOT / "build" / "benchmarks" / "visit-site"
MODES = ("dedicated", "shared")
TAGS = {"dedicated": OUR_TAG, "shared": OUR_TAG.replace(' data-engine="dedicated"', "")}
TABS = 3
DWELL_MS = 1000.0  # on each page of the visit once its request was stored
QUICK_DWELL_MS = 500.0  # on each page of the quick visit once its request was stored
MEMORY_SETTLE_MS = 2000.0  # after the last tab's request was stored, before sampling memory
READY_DEADLINE_S = 60.0
ENGINE_MODULES = frozenset({"shared.mjs", "host.mjs", "policy.mjs"})  # what the loader imports
POLL_S = 0.025
MB = 1024 * 1024

# Each page of the visit performs one action at DOMContentLoaded (through Nosto's stub, so the
# call is queued until nosto.js runs).
VISIT_ACTIONS = (
    ("front page, cart view", f"api.defaultSession().setCart({json.dumps(cart(1))})"
     ".viewCart().update()"),
    ("product 181503", 'api.defaultSession().viewProduct("181503").setPlacements([]).load()'),
    ("product 181504", 'api.defaultSession().viewProduct("181504").setPlacements([]).load()'),
    ("cart, 2 items", f"api.defaultSession().setCart({json.dumps(cart(2))}).viewCart().update()"),
    ("product 181505", 'api.defaultSession().viewProduct("181505").setPlacements([]).load()'),
)  # fmt: skip
TAB_ACTION = "api.defaultSession().viewProduct(String(181600 + TAB)).setPlacements([]).load()"

# Targets, per mode, as {metric key: limit}, judged on the medians.
TARGETS = {
    "shared": {"ready_later_ms": 100.0, "ready_quick_ms": 150.0, "tabs_ratio": 1.3},
    "dedicated": {"ready_quick_ms": 1000.0},
}


def _page(title: str, tag: str, action: str) -> str:
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>visit benchmark: {title}</title>
<link rel="icon" href="data:,">
{STUB}
{tag}
<script>
document.addEventListener("DOMContentLoaded", function () {{
  var TAB = Number(new URLSearchParams(location.search).get("tab") || 0);
  nostojs(function (api) {{ {action}; }});
}});
</script>
</head>
<body><h1>{title}</h1><p>A storefront page with one action at DOMContentLoaded.</p></body>
</html>
"""


def prepare_site(bundle: Path, root: Path) -> None:
    """A copy of the built ``bundle`` in ``root`` (replaced) plus ``bench/visit/<mode>/``:
    ``1.html`` .. ``5.html`` (the visit) and ``tab.html``; ``none`` has them without the tag."""
    if not (bundle / "build-info.json").is_file() or not (bundle / "nosto-worker.js").is_file():
        raise SystemExit(
            f"{bundle} is not a built bundle with the shared worker script (no build-info.json "
            f"or nosto-worker.js): run `.venv/bin/nosto-tagging build --out {bundle}` first"
        )
    shutil.rmtree(root, ignore_errors=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(bundle, root, copy_function=link_or_copy)
    for mode, tag in (("none", ""), *TAGS.items()):
        folder = root / "bench" / "visit" / mode
        folder.mkdir(parents=True)
        for number, (title, action) in enumerate(VISIT_ACTIONS, 1):
            (folder / f"{number}.html").write_text(_page(title, tag, action), encoding="utf-8")
        (folder / "tab.html").write_text(_page("product tab", tag, TAB_ACTION), encoding="utf-8")


@dataclass
class Memory:
    """Memory of one browser's processes by kind (``renderer``, ``utility``, ``browser``, ...)."""

    rss_mb: dict[str, float] = field(default_factory=dict)
    pss_mb: dict[str, float] = field(default_factory=dict)
    processes: dict[str, int] = field(default_factory=dict)
    each: list[tuple[str, float, float]] = field(default_factory=list)  # kind, RSS, Pss (MB)


def _descendants(root: int) -> list[int]:
    tree = children()
    found, todo = [], list(tree.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(tree.get(pid, []))
    return found


def _kind(command: bytes) -> str | None:
    """``renderer``, ``utility``, ``gpu-process``, ``zygote``, ``browser``, or ``webui`` (the
    renderer of Chromium's own UI, holding none of the pages); None if not Chromium. Chromium's
    child processes rewrite their command line into one space-separated string."""
    arguments = command.replace(b"\0", b" ").split()
    if not arguments or b"chrom" not in arguments[0]:
        return None
    if b"--top-chrome-webui" in arguments:
        return "webui"
    for argument in arguments:
        if argument.startswith(b"--type="):
            return argument[len(b"--type=") :].decode()
    return "browser"


def measure_memory() -> Memory:
    """Every Chromium process started (indirectly) by this process, by kind. One browser runs
    at a time, so these are the benchmark's browser's."""
    memory = Memory()
    for pid in _descendants(os.getpid()):
        try:
            kind = _kind(Path(f"/proc/{pid}/cmdline").read_bytes())
            if kind is None:
                continue
            status = Path(f"/proc/{pid}/status").read_text()
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            continue  # ended meanwhile
        rss = _kb(status, "VmRSS:") / 1024
        pss = _kb(rollup, "Pss:") / 1024
        memory.rss_mb[kind] = memory.rss_mb.get(kind, 0.0) + rss
        memory.pss_mb[kind] = memory.pss_mb.get(kind, 0.0) + pss
        memory.processes[kind] = memory.processes.get(kind, 0) + 1
        memory.each.append((kind, round(rss, 1), round(pss, 1)))
    return memory


def _kb(text: str, name: str) -> int:
    for line in text.splitlines():
        if line.startswith(name):
            return int(line.split()[1])
    return 0


@dataclass
class Load:
    """One page load: its ready time, long tasks, and the requests stored for its action."""

    url: str
    ready_ms: float
    dcl_ms: float = 0.0  # navigation start to DOMContentLoaded (when the page acts)
    wire_ms: float | None = None  # the request's requestStart in the worker's Resource Timing
    scripts: dict[str, float] = field(default_factory=dict)  # loader, modules: responseEnd
    long_tasks: int = 0
    long_task_ms: float = 0.0
    stored: int = 0  # requests stored for this page's action, counted at the end


@dataclass
class Run:
    """One browser of one mode: a visit or the tabs."""

    mode: str
    part: str  # "visit", "quick" (the quick visit) or "tabs"
    round: int
    loads: list[Load] = field(default_factory=list)
    memory: dict[str, Memory] = field(default_factory=dict)  # "1 tab", "3 tabs"
    console: list[str] = field(default_factory=list)  # errors and warnings, pages and workers
    fallbacks: int = 0  # pages that ran their own engine in shared mode
    engine_starts: list[str] = field(default_factory=list)  # interpreters started (debug lines)
    shared_workers: int = 0  # SharedWorkers started in this browser
    duplicates: int = 0  # requests the collector acknowledged as repeats, in this browser


class Collector:
    """The sandbox's stored requests, read incrementally."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.seen: list[dict[str, Any]] = []
        self.last_id = 0  # the newest stored request's id read so far

    def poll(self) -> None:
        query = urlencode({"since": self.last_id, "account": "bench"})
        fresh = self.sandbox.api("GET", f"/api/requests?{query}")
        self.seen.extend(fresh)
        if fresh:
            self.last_id = max(r["id"] for r in fresh)

    def stored_for(self, url: str, after_id: int = 0) -> list[dict[str, Any]]:
        return [
            r
            for r in self.seen
            if r["id"] > after_id and isinstance(r["body"], dict) and r["body"].get("url") == url
        ]

    def wait_for(self, url: str, after_id: int) -> dict[str, Any]:
        """The first request stored after request ``after_id`` that ``url`` sent (its body
        names it)."""
        deadline = time.monotonic() + READY_DEADLINE_S
        while True:
            found = self.stored_for(url, after_id)
            if found:
                return found[0]
            if time.monotonic() > deadline:
                raise RuntimeError(f"no request from {url} within {READY_DEADLINE_S:.0f} s")
            time.sleep(POLL_S)
            self.poll()

    def duplicates(self) -> int:
        return int(self.sandbox.stats().get("duplicates", 0))


# The debug line of an interpreter's start (web/snapshot.mjs): "engine started plainly (...)"
# or "engine restored from a snapshot (...)".
STARTED = re.compile(r"engine (started plainly|restored from a snapshot)")

# The page's navigation start on the page's wall clock: timeOrigin, moved by the distance
# between the clock it derives from and Date.now().
NAVIGATION_START = """() => {
  const skew = Date.now() - (performance.timeOrigin + performance.now());
  const [navigation] = performance.getEntriesByType("navigation");
  return [performance.timeOrigin + skew, navigation.domContentLoadedEventStart];
}"""
# When the page had the loader and each module it imported (shared.mjs or host.mjs and
# policy.mjs to start the engine; adoption.mjs once the engine runs): responseEnd, ms from
# navigation start.
SCRIPTS = """() => Object.fromEntries(performance.getEntriesByType("resource")
  .filter(e => /nosto\\.js|\\.mjs/.test(e.name))
  .map(e => [new URL(e.name).pathname.split("/").pop(), e.responseEnd]))"""


def _received_ms(request: dict[str, Any]) -> float:
    return datetime.fromisoformat(request["received_at"]).timestamp() * 1000


class SharedWorkers:
    """A browser-level DevTools session watching the browser's SharedWorkers: how many were
    started, their console errors and warnings (each is attached once, when first seen;
    ``Runtime.enable`` replays what it logged before), and their Resource Timing."""

    def __init__(self, context: BrowserContext) -> None:
        browser = context.browser
        if browser is None:
            raise RuntimeError("no browser behind the context: cannot watch shared workers")
        self.cdp: CDPSession = browser.new_browser_cdp_session()
        self.started = 0
        self.console: list[str] = []
        self.engine_starts: list[str] = []
        self._attached: dict[str, str] = {}  # target id: session id
        self._answers: dict[int, Any] = {}
        self._next = 100
        self.cdp.on("Target.targetCreated", self._created)
        self.cdp.on("Target.receivedMessageFromTarget", self._message)
        self.cdp.send("Target.setDiscoverTargets", {"discover": True})

    def _created(self, event: dict[str, Any]) -> None:
        if event["targetInfo"]["type"] == "shared_worker":
            self.started += 1

    def attach(self) -> None:
        """Attach to the shared workers not attached yet."""
        for target in self.cdp.send("Target.getTargets")["targetInfos"]:
            if target["type"] != "shared_worker" or target["targetId"] in self._attached:
                continue
            # Not flattened: the messages come back on this session as events.
            session = self.cdp.send(
                "Target.attachToTarget", {"targetId": target["targetId"], "flatten": False}
            )["sessionId"]
            self._attached[target["targetId"]] = session
            for method in ("Runtime.enable", "Log.enable"):
                self._send(session, method, {})

    def _send(self, session: str, method: str, params: dict[str, Any]) -> int:
        self._next += 1
        message = json.dumps({"id": self._next, "method": method, "params": params})
        self.cdp.send("Target.sendMessageToTarget", {"sessionId": session, "message": message})
        return self._next

    def entries(self, page: Page) -> list[dict[str, Any]]:
        """Every attached shared worker's resource entries, with ``at`` = absolute
        ``requestStart`` (ms epoch), as ``startup_measure`` reads a dedicated worker's."""
        found = []
        for session in self._attached.values():
            number = self._send(session, "Runtime.evaluate", {"expression": f"({ENTRIES})()"})
            for _ in range(100):  # events are dispatched while Playwright waits
                if number in self._answers:
                    break
                page.wait_for_timeout(10)
            answer = self._answers.pop(number, {}).get("result", {}).get("value")
            if not answer:
                continue
            data = json.loads(answer)
            for entry in data["entries"]:
                entry["at"] = data["origin"] + (entry["requestStart"] or entry["start"])
                found.append(entry)
        return found

    def _message(self, event: dict[str, Any]) -> None:
        message = json.loads(event["message"])
        if "id" in message:
            self._answers[message["id"]] = message.get("result", {})
            return
        method, params = message.get("method"), message.get("params", {})
        if method == "Runtime.consoleAPICalled":
            text = " ".join(str(a.get("value", a.get("description", ""))) for a in params["args"])
            if params["type"] in ("error", "warning", "assert"):
                self.console.append(f"shared worker {params['type']}: {text}")
            elif STARTED.search(text):
                self.engine_starts.append(f"shared worker: {text}")
        elif method == "Runtime.exceptionThrown":
            details = params["exceptionDetails"]
            text = details.get("exception", {}).get("description") or details.get("text")
            self.console.append(f"shared worker exception: {text}")
        elif method == "Log.entryAdded" and params["entry"]["level"] in ("error", "warning"):
            self.console.append(f"shared worker log {params['entry']['level']}: "
                                f"{params['entry']['text']}")  # fmt: skip


class Browser:
    """A Chromium with a fresh profile, the benchmark's watchers installed."""

    def __init__(self, playwright: Any, origin: str, run: Run) -> None:
        self.profile = tempfile.mkdtemp(prefix="nosto-visit-profile-")
        self.context: BrowserContext = playwright.chromium.launch_persistent_context(
            self.profile, **launch_args()
        )
        self.context.add_init_script(script=LONG_TASKS)
        for blank in self.context.pages:
            blank.close()
        used_before(self.context, origin)
        self.run = run
        self.workers = SharedWorkers(self.context)

    def new_page(self) -> Page:
        page = self.context.new_page()
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.run.console.append(f"page error: {error}"))
        return page

    def _console(self, message: ConsoleMessage) -> None:
        if message.type in ("error", "warning", "assert"):
            self.run.console.append(f"{message.type}: {message.text} ({message.location})")
        elif "runs its own engine" in message.text:
            self.run.fallbacks += 1
        elif STARTED.search(message.text):  # from the page's dedicated worker
            self.run.engine_starts.append(message.text)

    def close(self) -> None:
        try:
            self.workers.attach()
            self.run.console += self.workers.console
            self.run.shared_workers = self.workers.started
            self.run.engine_starts += self.workers.engine_starts
            self.context.close()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)


def _long_tasks(page: Page, load: Load) -> None:
    durations = page.evaluate("window.__benchLongTasks || []")
    load.long_tasks = len(durations)
    load.long_task_ms = float(sum(durations))


def _open(page: Page, url: str, collector: Collector, workers: SharedWorkers) -> Load:
    """Navigate ``page`` to ``url``; once the collector stored its request, its ready time."""
    collector.poll()
    before = collector.last_id
    page.goto(url, wait_until="commit")
    request = collector.wait_for(url, before)
    started, dcl = page.evaluate(NAVIGATION_START)
    load = Load(url, _received_ms(request) - float(started), float(dcl))
    load.scripts = page.evaluate(SCRIPTS)
    workers.attach()
    load.wire_ms = _wire_ms(page, str(request["event_id"]), workers)
    return load


def _wire_ms(page: Page, event_id: str, workers: SharedWorkers) -> float | None:
    """The request's ``requestStart`` in the Resource Timing of the worker that sent it (the
    page's dedicated worker, or the SharedWorker through DevTools), on the page's clock: how
    ``benchmarks.startup`` times ready, as a check of the wall-clock method. The entry is
    written once the answer has arrived: polled for up to a second."""
    for _ in range(25):
        sent = [
            entry["at"]
            for entry in worker_entries(page) + workers.entries(page)
            if f"eid={event_id}" in entry["name"]
        ]
        if sent:
            return float(min(sent)) - float(page.evaluate("performance.timeOrigin"))
        page.wait_for_timeout(20)
    return None


def run_visit(playwright: Any, origin: str, mode: str, number: int, collector: Collector) -> Run:
    """5 pages of ``mode`` in one tab, one after the other, each read for ``DWELL_MS``."""
    return _visit(playwright, origin, mode, number, collector, "visit", DWELL_MS)


def run_quick(playwright: Any, origin: str, mode: str, number: int, collector: Collector) -> Run:
    """The visit's 5 pages, each left ``QUICK_DWELL_MS`` after its request was stored."""
    return _visit(playwright, origin, mode, number, collector, "quick", QUICK_DWELL_MS)


def _visit(
    playwright: Any,
    origin: str,
    mode: str,
    number: int,
    collector: Collector,
    part: str,
    dwell_ms: float,
) -> Run:
    run = Run(mode, part, number)
    before = collector.duplicates()
    browser = Browser(playwright, origin, run)
    try:
        page = browser.new_page()
        for page_number in range(1, len(VISIT_ACTIONS) + 1):
            url = f"{origin}/bundle/bench/visit/{mode}/{page_number}.html?round={number}&{part}"
            load = _open(page, url, collector, browser.workers)
            page.wait_for_timeout(dwell_ms)
            _long_tasks(page, load)
            run.loads.append(load)
    finally:
        browser.close()
    _count_stored(run, collector, before)
    return run


def run_tabs(playwright: Any, origin: str, mode: str, number: int, collector: Collector) -> Run:
    """``TABS`` tabs of ``mode`` (``none``: without the tag) opened one after the other and
    kept open; memory with the first one open, then with all."""
    run = Run(mode, "tabs", number)
    before = collector.duplicates()
    browser = Browser(playwright, origin, run)
    try:
        pages = []
        for tab in range(1, TABS + 1):
            page = browser.new_page()
            pages.append(page)
            url = f"{origin}/bundle/bench/visit/{mode}/tab.html?tab={tab}&round={number}"
            if mode == "none":
                page.goto(url, wait_until="load")  # the stub keeps the call: nothing is sent
                run.loads.append(Load(url, 0.0))
            else:
                run.loads.append(_open(page, url, collector, browser.workers))
            if tab in (1, TABS):
                page.wait_for_timeout(MEMORY_SETTLE_MS)
                run.memory[f"{tab} tab{'s' if tab > 1 else ''}"] = measure_memory()
        for page, load in zip(pages, run.loads, strict=True):
            _long_tasks(page, load)
    finally:
        browser.close()
    _count_stored(run, collector, before)
    return run


def _count_stored(run: Run, collector: Collector, duplicates_before: int) -> None:
    collector.poll()
    for load in run.loads:
        load.stored = len(collector.stored_for(load.url))
    run.duplicates = collector.duplicates() - duplicates_before


def run_round(
    playwright: Any, origin: str, number: int, collector: Collector, log: Any
) -> list[Run]:
    runs = [run_tabs(playwright, origin, "none", number, collector)]
    _describe(runs[-1], log)
    for mode in MODES if number % 2 else MODES[::-1]:
        for part in (run_visit, run_quick, run_tabs):
            runs.append(part(playwright, origin, mode, number, collector))
            _describe(runs[-1], log)
    return runs


def _describe(run: Run, log: Any) -> None:
    parts = [f"[round {run.round}] {run.mode:9s} {run.part:5s}"]
    if run.mode != "none":
        parts.append("ready " + " ".join(f"{load.ready_ms:.0f}" for load in run.loads) + " ms")
    for name, memory in run.memory.items():
        parts.append(f"{name}: renderers {memory.rss_mb.get('renderer', 0):.0f} MB "
                     f"({memory.processes.get('renderer', 0)})")  # fmt: skip
    parts.append(f"long tasks {sum(load.long_tasks for load in run.loads)}")
    parts.append(f"console {len(run.console)}")
    if run.mode != "none":
        parts.append(f"stored per action {sorted({load.stored for load in run.loads})}")
        parts.append(f"duplicates {run.duplicates}")
    if run.shared_workers or run.mode == "shared":
        parts.append(f"shared workers {run.shared_workers}, fallbacks {run.fallbacks}")
    print(", ".join(parts), file=log)
    for line in run.console:
        print(f"    {line}", file=log)


def _median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def _renderers(run: Run, when: str, measure: str = "rss_mb") -> float:
    return float(getattr(run.memory[when], measure).get("renderer", 0.0))


def _engine_modules(load: Load) -> float:
    """When the page had the modules that start its engine (``ENGINE_MODULES``)."""
    return max(
        (at for name, at in load.scripts.items() if name in ENGINE_MODULES), default=math.nan
    )


def summarize(runs: list[Run]) -> dict[str, dict[str, float]]:
    """Medians over rounds, per mode."""
    none = [r for r in runs if r.mode == "none"]
    summary: dict[str, dict[str, float]] = {}
    for mode in MODES:
        visits = [r for r in runs if r.mode == mode and r.part == "visit"]
        quick = [r for r in runs if r.mode == mode and r.part == "quick"]
        tabs = [r for r in runs if r.mode == mode and r.part == "tabs"]
        mine = visits + quick + tabs
        later = [load.ready_ms for r in visits for load in r.loads[1:]]
        quick_later = [load.ready_ms for r in quick for load in r.loads[1:]]
        row = {
            "ready_first_ms": _median([r.loads[0].ready_ms for r in visits]),
            "ready_later_ms": _median(later),
            "ready_later_worst_ms": max(later, default=float("nan")),
            "ready_quick_ms": _median(quick_later),
            "ready_quick_worst_ms": max(quick_later, default=float("nan")),
            "engines_quick": _median([float(len(r.engine_starts)) for r in quick]),
            "dcl_later_ms": _median([load.dcl_ms for r in visits for load in r.loads[1:]]),
            "loader_later_ms": _median(
                [load.scripts.get("nosto.js", math.nan) for r in visits for load in r.loads[1:]]
            ),
            "module_later_ms": _median(
                [_engine_modules(load) for r in visits for load in r.loads[1:]]
            ),
            "wire_later_ms": _median(
                [load.wire_ms for r in visits for load in r.loads[1:] if load.wire_ms is not None]
            ),
            "ready_tab_ms": _median([load.ready_ms for r in tabs for load in r.loads]),
            "collector_after_wire_ms": _median(
                [load.ready_ms - load.wire_ms for r in mine for load in r.loads if load.wire_ms]
            ),
            "engines_visit": _median([float(len(r.engine_starts)) for r in visits]),
            "engines_tabs": _median([float(len(r.engine_starts)) for r in tabs]),
        }
        for measure, key in (("rss_mb", "memory"), ("pss_mb", "pss")):
            for when, name in (("1 tab", "one"), ("3 tabs", "three")):
                row[f"{key}_{name}_mb"] = _median([_renderers(r, when, measure) for r in tabs])
                row[f"{key}_{name}_added_mb"] = row[f"{key}_{name}_mb"] - _median(
                    [_renderers(r, when, measure) for r in none]
                )
            row[f"{key}_ratio"] = row[f"{key}_three_added_mb"] / row[f"{key}_one_added_mb"]
        row["tabs_ratio"] = row["memory_ratio"]
        row["renderers_one"] = _median([r.memory["1 tab"].processes["renderer"] for r in tabs])
        row["renderers_three"] = _median([r.memory["3 tabs"].processes["renderer"] for r in tabs])
        loads = [load for r in mine for load in r.loads]
        row["long_tasks"] = float(max((load.long_tasks for load in loads), default=0))
        row["console"] = float(sum(len(r.console) for r in mine))
        row["stored_min"] = float(min(load.stored for load in loads))
        row["stored_max"] = float(max(load.stored for load in loads))
        row["duplicates"] = float(sum(r.duplicates for r in mine))
        row["fallbacks"] = float(sum(r.fallbacks for r in mine))
        row["shared_workers_max"] = float(max(r.shared_workers for r in mine))
        summary[mode] = row
    summary["none"] = {
        "memory_one_mb": _median([_renderers(r, "1 tab") for r in none]),
        "memory_three_mb": _median([_renderers(r, "3 tabs") for r in none]),
        "renderers_three": _median([r.memory["3 tabs"].processes["renderer"] for r in none]),
    }
    return summary


ROWS = (
    ("visit, page 1: ready (ms)", "ready_first_ms", "{:.0f}"),
    ("visit, pages 2..5: ready (ms)", "ready_later_ms", "{:.0f}"),
    ("visit, pages 2..5: ready, worst page of all rounds (ms)", "ready_later_worst_ms", "{:.0f}"),
    ("  navigation start to DOMContentLoaded (ms)", "dcl_later_ms", "{:.0f}"),
    ("  navigation start to nosto.js loaded (ms)", "loader_later_ms", "{:.0f}"),
    (
        "  navigation start to shared.mjs or host.mjs, and policy.mjs, loaded (ms)",
        "module_later_ms",
        "{:.0f}",
    ),
    ("  navigation start to requestStart in the worker (ms)", "wire_later_ms", "{:.0f}"),
    (
        "quick visit (each page left 0.5 s after its request), pages 2..5: ready (ms)",
        "ready_quick_ms",
        "{:.0f}",
    ),
    ("  worst page of all rounds (ms)", "ready_quick_worst_ms", "{:.0f}"),
    ("interpreters started: quick visit of 5 pages", "engines_quick", "{:.0f}"),
    ("3 tabs: ready of a tab (ms)", "ready_tab_ms", "{:.0f}"),
    (
        "check: collector receipt - requestStart in the worker (ms)",
        "collector_after_wire_ms",
        "{:.1f}",
    ),
    ("interpreters started: visit of 5 pages / 3 tabs", "engines_visit", "{:.0f}"),
    ("1 tab: renderer memory (MB)", "memory_one_mb", "{:.0f}"),
    ("  added vs the page without the tag (MB)", "memory_one_added_mb", "{:.0f}"),
    ("3 tabs: renderer memory (MB)", "memory_three_mb", "{:.0f}"),
    ("  added vs the pages without the tag (MB)", "memory_three_added_mb", "{:.0f}"),
    ("3 tabs / 1 tab, memory added", "tabs_ratio", "{:.2f}"),
    ("Pss added, 1 tab / 3 tabs (MB)", "pss_three_added_mb", "{:.0f}"),
    ("  3 tabs / 1 tab, Pss added", "pss_ratio", "{:.2f}"),
    ("renderer processes, 1 tab / 3 tabs", "renderers_three", "{:.0f}"),
    ("long tasks (worst page)", "long_tasks", "{:.0f}"),
    ("console errors and warnings (pages and workers, all rounds)", "console", "{:.0f}"),
    ("requests stored per action (min / max)", "stored_max", "{:.0f}"),
    ("duplicates at the collector (all rounds)", "duplicates", "{:.0f}"),
    ("pages that ran their own engine (all rounds)", "fallbacks", "{:.0f}"),
    ("SharedWorkers started per browser (max)", "shared_workers_max", "{:.0f}"),
)


def _cell(row: dict[str, float], key: str, fmt: str) -> str:
    if key == "renderers_three":
        return f"{row['renderers_one']:.0f} / {row['renderers_three']:.0f}"
    if key == "stored_max":
        return f"{row['stored_min']:.0f} / {row['stored_max']:.0f}"
    if key == "pss_three_added_mb":
        return f"{row['pss_one_added_mb']:.0f} / {row['pss_three_added_mb']:.0f}"
    if key == "engines_visit":
        return f"{row['engines_visit']:.0f} / {row['engines_tabs']:.0f}"
    return "-" if math.isnan(row[key]) else fmt.format(row[key])


def _target(summary: dict[str, dict[str, float]], key: str) -> str:
    """Each mode's target of ``key`` and whether its median met it."""
    said = []
    for mode in ("shared", "dedicated"):
        limit = TARGETS[mode].get(key)
        if limit is None:
            continue
        value = summary[mode][key]
        verdict = "" if math.isnan(value) else f": {'ok' if value <= limit else 'MISSED'}"
        said.append(f"{mode} <= {limit:g}{verdict}")
    return "; ".join(said)


def table(summary: dict[str, dict[str, float]]) -> str:
    """The Markdown table of both modes, the ratio shared / dedicated and the targets. A row
    whose figure a summary lacks (a run of an earlier benchmark) is left out."""
    lines = [
        "| metric (median over rounds) | dedicated | shared | shared / dedicated | target |",
        "|---|---:|---:|---:|---|",
    ]
    dedicated, shared = summary["dedicated"], summary["shared"]
    for label, key, fmt in ROWS:
        if key not in dedicated or key not in shared:
            continue
        base, value = dedicated[key], shared[key]
        simple = key.endswith(("_ms", "_mb")) and not key.startswith("pss_")
        ratio = f"{value / base:.2f}" if simple and base and not math.isnan(value) else "-"
        target = _target(summary, key)
        lines.append(
            f"| {label} | {_cell(dedicated, key, fmt)} | {_cell(shared, key, fmt)} | {ratio} "
            f"| {target} |"
        )
    none = summary["none"]
    lines.append(
        f"| without the tag: renderer memory, 1 tab / 3 tabs (MB) | "
        f"{none['memory_one_mb']:.0f} / {none['memory_three_mb']:.0f} | | | |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m benchmarks.visit", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds (>= 1)")
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE_DIR, help="built bundle")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")
    log = sys.stderr
    started = time.monotonic()
    prepare_site(args.bundle, SITE_DIR)
    environment = results.environment()
    code = results.measured_code()
    runs: list[Run] = []
    with (
        tempfile.TemporaryDirectory(prefix="nosto-visit-") as tmp,
        running_sandbox(Path(tmp) / "db.sqlite3", SITE_DIR) as sandbox,
        sync_playwright() as playwright,
    ):
        print(f"sandbox at {sandbox.origin}; {args.rounds} rounds", file=log)
        collector = Collector(sandbox)
        for number in range(1, args.rounds + 1):
            runs += run_round(playwright, sandbox.origin, number, collector, log)
    environment["load_average_after"] = os.getloadavg()
    summary = summarize(runs)
    rendered = table(summary)
    print(rendered)
    load = environment["load_average"][0]
    if load > 1.5:
        print(f"note: load average was {load:.1f} at the start: other work shared the CPUs")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "command": "python3 -m benchmarks.visit " + " ".join(argv or sys.argv[1:]),
        "rounds": args.rounds,
        "dwell_ms": DWELL_MS,
        "quick_dwell_ms": QUICK_DWELL_MS,
        "memory_settle_ms": MEMORY_SETTLE_MS,
        "code": code,
        "environment": environment,
        "seconds": round(time.monotonic() - started, 1),
        "summary": summary,
        "table": rendered,
        "runs": [asdict(run) for run in runs],
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out} ({result['seconds']} s)", file=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
