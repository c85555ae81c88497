"""Ready in every engine a shopper uses, and where our start-up spends its time.

In Chromium, Firefox ESR and WebKitGTK (the drivers of ``browsers/drivers.py``), each round gives
ours and the bare-Pyodide baseline a fresh browser context each (the order alternates between
rounds): the page cold, then a repeat visit, the next page in the same tab (the same page at
another URL; ours: once the first visit's engine kept its memory snapshot, so the repeat visit
restores it). Ours is
``ours-test.html``: the test build's tag, whose ``api.internal.marks()`` says when the engine's
worker reached each step of its start-up.

Ready, the clock: navigation start to the collector's receipt of the first action's request,
both on the machine's wall clock, as ``benchmarks.visit`` measures it (the page's
``performance.timeOrigin`` moved by its distance to ``Date.now()``, against the stored request's
``received_at``). Besides it, "on the wire": the ``requestStart`` of that ``/ev1`` request in the
page's Resource Timing (with its own engine the page makes each attempt).

The first action's promise: from the call (when ``nosto.js`` ran the queued callback, which is
when the loader's ``RESPONSE_TIMEOUT_MS`` starts) to its settling; one that took 5 s or more
resolved empty, at the timeout.

Phases (ours): each worker mark (``worker`` = the worker's time origin; ``start``, ``glue``, ...
from ``web/snapshot/``; ``shell`` = the engine's entry script) on the page's clock, in ms from
navigation start, then the page's ``ready`` and the request's ``requestStart``; medians over
rounds. Main-thread script, memory and long tasks need DevTools: they are measured in Chromium
only (``startup_measure.py``).
"""

from __future__ import annotations

import statistics
import time
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from browsers.drivers import Chromium, Engine, Firefox, Tab, WebKit

from nosto_tagging.testing import Sandbox

ENGINES = ("chromium", "firefox", "webkit")
TITLES = {"chromium": "Chromium", "firefox": "Firefox ESR", "webkit": "WebKitGTK"}
RESPONSE_TIMEOUT_MS = 5000.0  # web/page/pending.js: an action's promise resolves empty then
READY_DEADLINE_S = 60.0
SETTLED_DEADLINE_MS = 20000
SNAPSHOTS = "nosto-tagging-snapshots"  # the Cache Storage the engine keeps its snapshot in
POLL_S = 0.025

# Goals on the median over rounds, by (engine, visit).
TARGETS = {("chromium", "cold"): 1500.0, ("chromium", "warm"): 500.0, ("webkit", "cold"): 3000.0}

# The page's navigation start on the wall clock, its time origin, the first /ev1 request's
# requestStart in its Resource Timing, the first action's call and settling, the engine's ready.
PAGE = """() => {
  const skew = Date.now() - (performance.timeOrigin + performance.now());
  const sent = performance.getEntriesByType("resource").filter((e) => e.name.includes("/ev1"));
  return { origin: performance.timeOrigin, wall: performance.timeOrigin + skew,
    wire: sent.length ? Math.min(...sent.map((e) => e.requestStart || e.startTime)) : null,
    first: window.benchFirstCall || null, ready: window.benchReady ?? null };
}"""
SETTLED = "() => !!(window.benchFirstCall && window.benchFirstCall.settled !== null)"
STARTED = """() => nostojs((api) => api.internal.ready().then(() =>
  ({ start: api.internal.start(), marks: api.internal.marks() })))"""
# The kept snapshot file is whole: its size is what its header words say (web/snapshot/file.mjs).
KEPT = """async ([name, url]) => {
  const found = await (await caches.open(name)).match(url);
  if (!found) return false;
  const blob = await found.blob();
  if (blob.size < 32) return false;
  const header = new Uint32Array(await blob.slice(0, 32).arrayBuffer());
  return blob.size === 32 + header[1] + header[4];
}"""

# The steps of a start, in the order a table lists them: (mark, what happened by then).
STEPS = (
    ("worker", "worker created (navigation, nosto.js, host.mjs)"),
    ("start", "interpreter module runs (the worker's snapshot.mjs)"),
    ("glue", "runtime's JS glue loaded (pyodide.asm.mjs)"),
    ("snapshot opened", "snapshot opened: its header read and checked"),
    ("wasm start", "wasm instantiation asked for (Pyodide's set-up done)"),
    ("wasm compiled", "wasm compiled (from the snapshot's opening, beside the glue)"),
    ("wasm ready", "wasm instantiated"),
    ("library", "pydantic_core's library compiled (beside the wasm)"),
    ("library loaded", "pydantic_core's library loaded (pre-run hook, after instantiation)"),
    ("snapshot checked", "snapshot's pages read and checksummed (beside the wasm)"),
    ("pages copied", "snapshot's pages copied into the wasm memory"),
    ("restored", "Python restored"),
    ("installed", "wheels' files written again, random reseeded"),
    ("python", "Python started"),
    ("imported", "wheels installed, engine imported"),
    ("snapshot made", "snapshot made (kept in Cache Storage meanwhile)"),
    ("shell", "engine's entry script runs (engine.py)"),
    ("page ready", "the page has the engine's ready"),
    ("on the wire", "the action's request on the wire (requestStart)"),
    ("received", "the collector received it"),
)


@dataclass
class EngineVisit:
    """One page load in one engine; times in ms from navigation start."""

    engine: str
    kind: str  # "ours" or "baseline"
    visit: str  # "cold" or "warm"
    round_number: int
    ready_ms: float  # the collector's receipt
    wire_ms: float | None = None  # requestStart in the page's Resource Timing
    called_ms: float | None = None  # the first action called
    settled_ms: float | None = None  # its promise settled
    start: str = ""  # ours: "plain" or "restored"
    marks: dict[str, float] = field(default_factory=dict)

    @property
    def answered_ms(self) -> float | None:
        """The first action's promise, from the call to its settling."""
        if self.called_ms is None or self.settled_ms is None:
            return None
        return self.settled_ms - self.called_ms


class Receipts:
    """The requests the sandbox stored for the benchmark's account, by id."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def _after(self, since: int) -> list[dict[str, Any]]:
        query = urlencode({"since": since, "account": "bench"})
        return list(self.sandbox.api("GET", f"/api/requests?{query}"))

    def newest(self) -> int:
        """The id of the newest request stored so far (0: none)."""
        found = self.sandbox.api("GET", "/api/requests?" + urlencode({"tail": 1}))
        return max((int(r["id"]) for r in found), default=0)

    def first_after(self, since: int) -> dict[str, Any]:
        deadline = time.monotonic() + READY_DEADLINE_S
        while True:
            found = self._after(since)
            if found:
                return min(found, key=lambda r: int(r["id"]))
            if time.monotonic() > deadline:
                raise RuntimeError(f"no request stored within {READY_DEADLINE_S:.0f} s")
            time.sleep(POLL_S)


def _received_ms(request: dict[str, Any]) -> float:
    return datetime.fromisoformat(request["received_at"]).timestamp() * 1000


@contextmanager
def started(name: str, playwright: Any, config: Path) -> Iterator[Engine]:
    """The engine ``name``, stopped afterwards (Chromium: Debian's, as ``config`` launches it)."""
    if name == "chromium":
        settings = tomllib.loads(config.read_text())
        launch = settings["launch"]
        browser = playwright.chromium.launch(
            executable_path=launch["executable_path"],
            headless=launch["headless"],
            args=launch["args"],
        )
        try:
            yield Chromium(browser, {"context": settings.get("context", {})})
        finally:
            browser.close()
        return
    engine: Engine = Firefox() if name == "firefox" else WebKit()
    try:
        yield engine
    finally:
        engine.close()


def load(
    tab: Tab, url: str, receipts: Receipts, engine: str, kind: str, visit: str, number: int
) -> EngineVisit:
    """Open ``url`` in ``tab``; once the collector stored its request, what the page saw."""
    before = receipts.newest()
    tab.goto(url)
    request = receipts.first_after(before)
    tab.wait_for(SETTLED, timeout_ms=SETTLED_DEADLINE_MS)
    page = tab.evaluate(PAGE)
    first = page["first"] or {}
    found = EngineVisit(
        engine,
        kind,
        visit,
        number,
        ready_ms=_received_ms(request) - float(page["wall"]),
        wire_ms=page["wire"],
        called_ms=first.get("called"),
        settled_ms=first.get("settled"),
    )
    if kind == "ours":
        answer = tab.evaluate(STARTED)
        found.start = str(answer["start"])
        origin = float(page["origin"])
        found.marks = {name: float(at) - origin for name, at in (answer["marks"] or {}).items()}
        if page["ready"] is not None:
            found.marks["page ready"] = float(page["ready"])
        if page["wire"] is not None:
            found.marks["on the wire"] = float(page["wire"])
        found.marks["received"] = found.ready_ms
    return found


def run_engine_round(
    engine: Engine,
    origin: str,
    runtime_dir: str,
    receipts: Receipts,
    number: int,
    log: Any,
) -> list[EngineVisit]:
    """Ours and the baseline (order alternating), each in a fresh context: cold, then a repeat
    visit: the shopper's next page (the same page at another URL) in the same tab, ours once
    its snapshot is kept. (In WebKitGTK's WebDriver session a reload, which opening the same URL
    again is, empties Cache Storage; a second window WebDriver opens started plainly too.)"""
    pages = {"ours": "ours-test.html", "baseline": "baseline.html"}
    visits = []
    for kind in ("ours", "baseline") if number % 2 else ("baseline", "ours"):
        url = f"{origin}/bundle/bench/{pages[kind]}"
        kept = runtime_dir if kind == "ours" else None
        visits += visit_twice(engine, url, receipts, kind, number, kept)
        for visit in visits[-2:]:
            answered = visit.answered_ms
            shown = f"{answered:6.0f}" if answered is not None else "     -"
            print(
                f"[round {number}] {engine.name:8s} {kind:8s} {visit.visit}: ready "
                f"{visit.ready_ms:6.0f} ms, first action answered in {shown} ms"
                + (f", {visit.start}" if visit.start else ""),
                file=log,
            )
    return visits


def visit_twice(
    engine: Engine,
    url: str,
    receipts: Receipts,
    kind: str,
    number: int,
    runtime_dir: str | None = None,
) -> list[EngineVisit]:
    """In a fresh context: ``url`` cold, then the next page (``url?next``) in the same tab,
    once the snapshot of ``runtime_dir`` (ours) is kept."""
    context = engine.context()
    try:
        tab = context.tab()
        cold = load(tab, url, receipts, engine.name, kind, "cold", number)
        if runtime_dir is not None:
            tab.wait_for(KEPT, [SNAPSHOTS, f"/bundle/{runtime_dir}engine.snapshot"])
        warm = load(tab, f"{url}?next", receipts, engine.name, kind, "warm", number)
    finally:
        context.close()
    return [cold, warm]


def _median(values: list[float]) -> float | None:
    return float(statistics.median(values)) if values else None


def _spans(marks: dict[str, float]) -> dict[str, float]:
    """Each step's time since the step above it (in ``STEPS`` order) in the same load."""
    spans, previous = {}, None
    for step, _ in STEPS:
        if step in marks:
            if previous is not None:
                spans[step] = marks[step] - previous
            previous = marks[step]
    return spans


def summarize(visits: list[EngineVisit], versions: dict[str, str]) -> dict[str, Any]:
    """Per engine: medians of ready and on the wire, ours and the baseline, cold and warm; the
    first action's promise on cold starts (slowest; how many reached the timeout); how ours
    started; the medians of each step's mark, and of its time since the step above in the same
    load, cold and warm."""
    summary: dict[str, Any] = {}
    for engine in ENGINES:
        mine = [v for v in visits if v.engine == engine]
        if not mine:
            continue
        row: dict[str, Any] = {"version": versions.get(engine, "").rsplit("/", 1)[-1]}
        for kind in ("ours", "baseline"):
            figures: dict[str, Any] = {}
            for visit in ("cold", "warm"):
                these = [v for v in mine if (v.kind, v.visit) == (kind, visit)]
                figures[f"ready_{visit}_ms"] = _median([v.ready_ms for v in these])
                figures[f"wire_{visit}_ms"] = _median(
                    [v.wire_ms for v in these if v.wire_ms is not None]
                )
                answered = [v.answered_ms for v in these if v.answered_ms is not None]
                figures[f"answered_{visit}_worst_ms"] = max(answered, default=None)
                figures[f"timeouts_{visit}"] = sum(a >= RESPONSE_TIMEOUT_MS for a in answered)
                figures[f"loads_{visit}"] = len(these)
                if kind == "ours":
                    figures[f"starts_{visit}"] = sorted({v.start for v in these})
                    figures[f"phases_{visit}"] = {
                        step: _median([v.marks[step] for v in these if step in v.marks])
                        for step, _ in STEPS
                        if any(step in v.marks for v in these)
                    }
                    spans = [_spans(v.marks) for v in these]
                    figures[f"spans_{visit}"] = {
                        step: _median([s[step] for s in spans if step in s])
                        for step, _ in STEPS
                        if any(step in s for s in spans)
                    }
            row[kind] = figures
        summary[engine] = row
    return summary


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _verdicts(engine: str, visit: str, ours: dict[str, Any]) -> str:
    found = []
    limit = TARGETS.get((engine, visit))
    ready = ours.get(f"ready_{visit}_ms")
    if limit is not None and ready is not None:
        found.append(f"goal <= {limit:g}: {'ok' if ready <= limit else 'MISSED'}")
    if visit == "cold":
        timeouts = ours.get("timeouts_cold", 0)
        found.append(f"no promise at 5 s: {'ok' if timeouts == 0 else 'FAILED'}")
    return "; ".join(found)


def table(engines: dict[str, Any]) -> str:
    """Ready per engine, ours against bare Pyodide, with the targets."""
    lines = [
        "| engine (navigation start to the collector's receipt; median over rounds) | ours "
        "(ms) | bare Pyodide (ms) | ours / bare | ours: on the wire (ms) | ours: first "
        "action answered, slowest load (ms); at 5 s | target |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]
    for engine in ENGINES:
        row = engines.get(engine)
        if not row:
            continue
        ours, bare = row["ours"], row["baseline"]
        for visit, label in (("cold", "ready, cold"), ("warm", "ready, repeat visit")):
            mine, theirs = ours.get(f"ready_{visit}_ms"), bare.get(f"ready_{visit}_ms")
            ratio = f"{mine / theirs:.2f}" if mine is not None and theirs else "-"
            answered = (
                f"{_ms(ours.get(f'answered_{visit}_worst_ms'))}; "
                f"{ours.get(f'timeouts_{visit}', 0)} of {ours.get(f'loads_{visit}', 0)}"
            )
            lines.append(
                f"| {TITLES[engine]} {row['version']}: {label} | {_ms(mine)} | {_ms(theirs)} | "
                f"{ratio} | {_ms(ours.get(f'wire_{visit}_ms'))} | {answered} | "
                f"{_verdicts(engine, visit, ours)} |"
            )
    return "\n".join(lines)


def phases(engines: dict[str, Any]) -> str:
    """One table per engine: when each step of our start was reached, first and repeat visit."""
    parts = []
    for engine in ENGINES:
        row = engines.get(engine)
        if not row:
            continue
        ours = row["ours"]
        columns = [ours.get("phases_cold", {}), ours.get("phases_warm", {})]
        spans = [ours.get("spans_cold", {}), ours.get("spans_warm", {})]
        starts = [", ".join(ours.get(f"starts_{v}", [])) or "-" for v in ("cold", "warm")]
        lines = [
            f"{TITLES[engine]} {row['version']}:",
            "",
            f"| step: median ms from navigation start (+ since the step above, median of the "
            f"loads) | first visit "
            f"({starts[0]}) | repeat visit ({starts[1]}) |",
            "|---|---:|---:|",
        ]
        for step, label in STEPS:
            if not any(step in column for column in columns):
                continue
            cells = []
            for column, span in zip(columns, spans, strict=True):
                at, since = column.get(step), span.get(step)
                shown = "-" if at is None else f"{at:.0f}"
                cells.append(shown + (f" ({since:+.0f})" if since is not None else ""))
            lines.append(f"| {label} | {cells[0]} | {cells[1]} |")
        parts.append("\n".join(lines))
    return "\n\n".join(parts)
