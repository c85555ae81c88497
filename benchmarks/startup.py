"""Startup and main-thread budget of the bundle, against a bare-Pyodide worker, in Chromium; ready
and the steps of the start in Chromium, Firefox and WebKit.

    python3 -m benchmarks.startup                 # 5 rounds, 200 calls per latency series
    python3 -m benchmarks.startup --rounds 7 --calls 300 --out build/benchmarks/startup.json
    python3 -m benchmarks.startup --no-fallbacks  # without the bad-snapshot loads (~25 s a round)
    python3 -m benchmarks.startup --engines chromium,webkit  # the engines of the last part

Starts ``nosto-tagging serve --port 0`` on a temporary database, serving a copy of the built
bundle plus the benchmark's pages (``benchmarks/startup_pages.py``). Each round launches
Debian's Chromium (settings from ``playwright.config.toml``) with a fresh profile, has it use
cookies and Web Storage once on another origin (see ``used_before``), and loads, in new tabs:
the page without any tag, our page cold and then warm (a repeat visit: HTTP cache and
code caches filled; our first visit's tab stays open, after its figures are taken, until its
engine's memory snapshot is kept, so that the repeat visit restores it), the baseline cold and
warm (the order of ours and the baseline alternates between rounds); then, unless
``--no-fallbacks``, our page once per kind of bad snapshot kept (``startup_fallbacks.py``:
plain start, another build's, truncated, corrupt, failing after instantiation). It prints a line
per page load, then the table of medians over the rounds, and writes every figure as JSON.
Then, in each engine of ``--engines`` (Chromium, Firefox ESR, WebKitGTK: ``browsers/drivers.py``),
``--rounds`` rounds of ours and the baseline, cold and repeat visit, timed to the collector's
receipt, with the steps of our start (``startup_engines.py``; about 20 s a round per engine).
Bounded: ``--rounds`` x 10 page loads, each with a deadline, and ``--calls`` x 2 latency calls
on each warm page, then ``--rounds`` x 4 page loads per engine; only loopback is contacted. The
default run takes about 10 minutes (about 5 of them in the three engines).

What is measured (see ``startup_measure.py`` for how):
- ready: navigation start to the action's request on the wire (``requestStart`` of the
  ``/ev1`` entry in the Resource Timing of the page or worker that sent it, on the page's clock);
- main thread: ``ScriptDuration``/``TaskDuration`` of the page (CDP) and long tasks, minus the
  same page without the tag;
- bytes and requests that hit the network (``transferSize`` > 0), first and repeat visit;
- renderer memory: resident set of the renderer processes 1 s after ready, on the first visit
  (cold) and on the repeat visit (warm: ours restored from the snapshot), minus the page without
  the tag; garbage not yet collected counts (the worker collects it when V8 decides);
- fallbacks: ready of each bad-snapshot load, and its difference to the plain start of the same
  round (median over rounds, with the range of rounds beside it), against the fallback gates
  (+50 ms refused, +250 ms failed);
- action latency: ``setCart`` of 1 and of 50 items + ``viewCart().update()``, from the call
  to the request's ``requestStart``, p50/p99 over ``--calls`` calls on the warm page;
- 4,000 product cards: the main-thread script time of appending them to the page without the
  tag and to our page once its engine is ready (what the tag makes a storefront's own DOM work
  cost, e.g. through a document observer), side by side.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import tomllib
from dataclasses import asdict
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from benchmarks import results, startup_engines
from benchmarks.startup_fallbacks import FAILED, PLAIN, REFUSED, measure_fallbacks, wait_until_kept
from benchmarks.startup_measure import CARDS, LONG_TASKS, Visit, measure_cards, measure_visit
from benchmarks.startup_pages import cart
from benchmarks.startup_site import Site, prepare_site
from nosto_tagging.testing import running_sandbox

REPO_ROOT = Path(__file__).resolve().parents[1]  # benchmarks run in a checkout
DEFAULT_BUNDLE_DIR = REPO_ROOT / "build" / "bundle"
CACHE_DIR = REPO_ROOT / "build" / "cache"
CONFIG = REPO_ROOT / "playwright.config.toml"
DEFAULT_OUT = REPO_ROOT / "build" / "benchmarks" / "startup.json"
SITE_DIR = REPO_ROOT / "build" / "benchmarks" / "site"
SETTLE_MS = 1000.0  # after the action: the page handles the answer, late work shows up
HOST_SETTLE_MS = 3000.0  # the host-only page has no action: wait for its worker to boot
READY_DEADLINE_MS = 60000.0
LATENCY_CARTS = {"setCart 1 item": cart(1), "setCart 50 items": cart(50)}
KB = 1024
MB = 1024 * 1024

# Targets as metric key -> (limit, kind). A goal is judged on the median over rounds; a gate on
# the worst round where one is measured (WORST_OF), since a gate must hold on every load.
TARGETS = {
    "ready_cold_ms": (1500.0, "goal"),
    "ready_warm_ms": (500.0, "goal"),
    "script_added_ms": (50.0, "gate"),
    "long_tasks": (0.0, "gate"),
    "first_visit_mb": (6.0, "gate"),
    "repeat_runtime_bytes": (0.0, "gate"),
    "loader_brotli_kb": (6.0, "gate"),
    "memory_added_mb": (150.0, "goal"),
    "memory_added_warm_mb": (120.0, "goal"),
    "latency_1_p50_ms": (5.0, "goal"),
    "latency_1_p99_ms": (20.0, "goal"),
    "latency_50_p50_ms": (5.0, "goal"),
    "latency_50_p99_ms": (20.0, "goal"),
}
# A gate's figure of the worst single load, where the median is not what the gate is about.
WORST_OF = {"script_added_ms": "script_added_worst_ms", "first_visit_mb": "first_visit_worst_mb"}


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def _median(values: list[float]) -> float:
    return float(statistics.median(values)) if values else float("nan")


def launch_args() -> dict[str, Any]:
    settings = tomllib.loads(CONFIG.read_text())
    launch = settings["launch"]
    return {
        "executable_path": launch["executable_path"],
        "headless": launch["headless"],
        "args": launch["args"],
        **settings.get("context", {}),
    }


# A shopper's browser has used cookies and Web Storage before. A new profile has not: its first
# access on any page creates their databases, a wait of up to 30 ms inside the first script to
# touch them, which only the page with our tag (the only one storing anything) would pay.
USED_BEFORE = """() => {
  localStorage.setItem("used", "1"); sessionStorage.setItem("used", "1");
  document.cookie = "used=1; path=/";
  return document.cookie;
}"""


def used_before(context: Any, origin: str) -> None:
    """Use cookies and Web Storage once on another origin (``localhost``, not ``127.0.0.1``)."""
    page = context.new_page()
    try:
        page.goto(origin.replace("://127.0.0.1", "://localhost", 1) + "/bundle/bench/none.html")
        page.evaluate(USED_BEFORE)
    finally:
        page.close()


def _describe(visit: Visit) -> str:
    parts = []
    if visit.ready_ms is not None:
        parts.append(f"ready {visit.ready_ms:6.0f} ms")
    parts.append(f"script {visit.script_ms:5.1f} ms")
    parts.append(f"long tasks {visit.long_tasks}")
    parts.append(f"{visit.transfer_bytes / MB:5.2f} MB in {visit.network_requests:2d} requests")
    parts.append(f"renderer {visit.renderer_rss_mb:4.0f} MB")
    for name, values in visit.latency_ms.items():
        parts.append(f"{name} p50 {_percentile(values, 0.5):.1f} ms")
    return ", ".join(parts)


def _visit_all(
    playwright: Any,
    origin: str,
    plan: list[tuple[str, str]],
    prefixes: dict[str, tuple[str, ...]],
    number: int,
    calls: int,
    log: Any,
    then: Any = None,
) -> list[Visit]:
    """Load the pages of ``plan`` in order, in one browser with a fresh profile; then call
    ``then(context)`` (if given) for more visits in the same profile."""
    visits: list[Visit] = []
    snapshot_url = f"/bundle/{prefixes['ours'][0]}engine.snapshot"

    def kept(page: Any) -> None:
        # Our first visit's tab stays open until its worker has kept the engine's snapshot
        # (written as soon as it is made), so that the repeat visit restores it.
        wait_until_kept(page, snapshot_url)

    profile = tempfile.mkdtemp(prefix="nosto-bench-profile-")
    try:
        context = playwright.chromium.launch_persistent_context(profile, **launch_args())
        try:
            context.add_init_script(script=LONG_TASKS)
            for blank in context.pages:
                blank.close()
            used_before(context, origin)
            for kind, visit_name in plan:
                if visit_name == "cards":
                    visit = measure_cards(context, f"{origin}/bundle/bench/{kind}.html", kind)
                    visits.append(visit)
                    print(f"[round {number}] {kind:8s} {CARDS} cards: script "
                          f"{visit.script_ms:5.1f} ms", file=log)  # fmt: skip
                    continue
                visit = measure_visit(
                    context,
                    f"{origin}/bundle/bench/{kind}.html",
                    kind,
                    visit_name,
                    runtime_prefixes=prefixes[kind],
                    settle_ms=SETTLE_MS if kind != "host" else HOST_SETTLE_MS,
                    ready_deadline_ms=READY_DEADLINE_MS,
                    latency_carts=LATENCY_CARTS
                    if visit_name == "warm" and kind != "host"
                    else None,
                    calls=calls,
                    before_close=kept if (kind, visit_name) == ("ours", "cold") else None,
                )
                visits.append(visit)
                print(f"[round {number}] {kind:8s} {visit_name}: {_describe(visit)}", file=log)
            if then is not None:
                visits += then(context)
        finally:
            context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    return visits


def run_round(
    playwright: Any,
    origin: str,
    site: Site,
    number: int,
    calls: int,
    log: Any,
    fallbacks: bool = True,
) -> list[Visit]:
    """A fresh profile for none, ours and the baseline (cold, then warm; the order of ours and
    the baseline alternates), then (``fallbacks``) our page with each kind of bad snapshot kept
    (``startup_fallbacks.py``); another profile for the host-only page (cold, then warm) and the
    4,000 cards appended without and with the tag (alternating)."""
    prefixes = {
        "ours": (site.runtime_dir,),
        "baseline": (site.baseline_dir,),
        "none": ("runtime-",),
        "host": (site.runtime_dir,),
    }
    order = ["ours", "baseline"] if number % 2 else ["baseline", "ours"]
    plan = [("none", "cold")] + [(kind, v) for kind in order for v in ("cold", "warm")]

    def bad_snapshots(context: Any) -> list[Visit]:
        found = measure_fallbacks(context, origin, site.runtime_dir, number, READY_DEADLINE_MS)
        for visit in found:
            print(f"[round {number}] fallback {visit.visit}: ready {visit.ready_ms:6.0f} ms",
                  file=log)  # fmt: skip
        return found

    then = bad_snapshots if fallbacks else None
    visits = _visit_all(playwright, origin, plan, prefixes, number, calls, log, then)
    cards = [("none", "cards"), ("ours", "cards")]
    alone = [("host", "cold"), ("host", "warm"), *(cards if number % 2 else cards[::-1])]
    return visits + _visit_all(playwright, origin, alone, prefixes, number, calls, log)


def summarize(visits: list[Visit], loader_brotli: int) -> dict[str, Any]:
    """Medians over rounds of each metric, for ``ours`` and ``baseline``."""
    rounds: dict[tuple[str, str], list[Visit]] = {}
    for visit in visits:
        rounds.setdefault((visit.kind, visit.visit), []).append(visit)
    none = rounds.get(("none", "cold"), [])
    none_script = _median([v.script_ms for v in none])
    none_rss = _median([v.renderer_rss_mb for v in none])
    summary: dict[str, Any] = {}
    for kind in ("ours", "baseline"):
        cold, warm = rounds.get((kind, "cold"), []), rounds.get((kind, "warm"), [])
        both = cold + warm
        row = {
            "ready_cold_ms": _median([v.ready_ms or 0.0 for v in cold]),
            "ready_warm_ms": _median([v.ready_ms or 0.0 for v in warm]),
            "script_cold_ms": _median([v.script_ms for v in cold]),
            "script_warm_ms": _median([v.script_ms for v in warm]),
            "script_added_ms": max(
                _median([v.script_ms for v in cold]), _median([v.script_ms for v in warm])
            )
            - none_script,
            "script_added_worst_ms": max((v.script_ms for v in both), default=0.0) - none_script,
            "task_cold_ms": _median([v.task_ms for v in cold]),
            "long_tasks": float(max((v.long_tasks for v in both), default=0)),
            "long_task_ms": float(max((v.long_task_ms for v in both), default=0.0)),
            "first_visit_mb": _median([v.transfer_bytes / MB for v in cold]),
            "first_visit_worst_mb": max((v.transfer_bytes / MB for v in cold), default=0.0),
            "first_visit_requests": _median([float(v.network_requests) for v in cold]),
            "repeat_visit_kb": _median([v.transfer_bytes / KB for v in warm]),
            "repeat_visit_requests": _median([float(v.network_requests) for v in warm]),
            "repeat_runtime_bytes": float(max((v.runtime_transfer_bytes for v in warm), default=0)),
            "memory_cold_mb": _median([v.renderer_rss_mb for v in cold]),
            "memory_added_mb": _median([v.renderer_rss_mb for v in cold]) - none_rss,
            "memory_warm_mb": _median([v.renderer_rss_mb for v in warm]),
            "memory_added_warm_mb": _median([v.renderer_rss_mb for v in warm]) - none_rss,
        }
        for name, key in (("setCart 1 item", "latency_1"), ("setCart 50 items", "latency_50")):
            series = [v.latency_ms[name] for v in warm if name in v.latency_ms]
            row[f"{key}_p50_ms"] = _median([_percentile(s, 0.5) for s in series])
            row[f"{key}_p99_ms"] = _median([_percentile(s, 0.99) for s in series])
        summary[kind] = row
    summary["ours"]["loader_brotli_kb"] = loader_brotli / KB
    summary["none"] = {"script_cold_ms": none_script, "memory_cold_mb": none_rss}
    alone = [rounds.get(("host", v), []) for v in ("cold", "warm")]
    summary["host_only"] = {
        "script_cold_ms": _median([v.script_ms for v in alone[0]]),
        "script_warm_ms": _median([v.script_ms for v in alone[1]]),
        "long_tasks": float(max((v.long_tasks for v in alone[0] + alone[1]), default=0)),
    }
    fallbacks = _fallbacks([v for v in visits if v.kind == "fallback"])
    if fallbacks:
        summary["fallbacks"] = fallbacks
    cards = {kind: _median([v.script_ms for v in rounds.get((kind, "cards"), [])])
             for kind in ("none", "ours")}  # fmt: skip
    summary["cards"] = {
        "count": float(CARDS),
        "script_without_tag_ms": cards["none"],
        "script_with_tag_ms": cards["ours"],
        "script_added_ms": cards["ours"] - cards["none"],
    }
    return summary


def _fallbacks(visits: list[Visit]) -> dict[str, float]:
    """Median ready of each fallback kind, and the median over rounds of its difference to the
    plain start of the same round."""
    ready: dict[str, dict[int, float]] = {}
    for visit in visits:
        ready.setdefault(visit.visit, {})[visit.round_number] = visit.ready_ms or 0.0
    plain = ready.get(PLAIN, {})
    row: dict[str, float] = {}
    for kind, by_round in ready.items():
        row[f"{kind} ready_ms"] = _median(list(by_round.values()))
        if kind != PLAIN:
            added = [ms - plain[n] for n, ms in by_round.items() if n in plain]
            row[f"{kind} added_ms"] = _median(added)
            row[f"{kind} added_min_ms"] = min(added, default=0.0)
            row[f"{kind} added_max_ms"] = max(added, default=0.0)
    return row


# What a bad snapshot may add to a plain start: a refusal reads a header, a failure restarts.
FALLBACK_BOUNDS = {**dict.fromkeys(REFUSED, 50.0), FAILED: 250.0}
FALLBACK_LABELS = {
    "another build": "a snapshot of another build, refused",
    "truncated": "a truncated snapshot, refused",
    "corrupt": "a corrupt snapshot, refused",
    FAILED: "a snapshot failing after instantiation, plain restart",
}


ROWS = (
    ("ready, cold (ms)", "ready_cold_ms", "{:.0f}"),
    ("ready, warm / repeat visit (ms)", "ready_warm_ms", "{:.0f}"),
    ("main-thread script, cold (ms)", "script_cold_ms", "{:.1f}"),
    ("main-thread script, warm (ms)", "script_warm_ms", "{:.1f}"),
    ("  added vs page without tag, cold or warm (ms)", "script_added_ms", "{:.1f}"),
    ("  added vs page without tag, worst load (ms)", "script_added_worst_ms", "{:.1f}"),
    ("long tasks (count, worst load)", "long_tasks", "{:.0f}"),
    ("first visit, on the wire (MB)", "first_visit_mb", "{:.2f}"),
    ("first visit, requests", "first_visit_requests", "{:.0f}"),
    ("repeat visit, on the wire (KB)", "repeat_visit_kb", "{:.1f}"),
    ("repeat visit, requests", "repeat_visit_requests", "{:.0f}"),
    ("repeat visit, runtime bytes", "repeat_runtime_bytes", "{:.0f}"),
    ("loader nosto.js (KB brotli)", "loader_brotli_kb", "{:.2f}"),
    ("renderer memory, cold: first visit, 1 s after ready (MB)", "memory_cold_mb", "{:.0f}"),
    ("  added vs page without tag, cold (MB)", "memory_added_mb", "{:.0f}"),
    (
        "renderer memory, warm: repeat visit (ours restored), 1 s after ready (MB)",
        "memory_warm_mb",
        "{:.0f}",
    ),
    ("  added vs page without tag, warm (MB)", "memory_added_warm_mb", "{:.0f}"),
    ("setCart 1 item, p50 (ms)", "latency_1_p50_ms", "{:.1f}"),
    ("setCart 1 item, p99 (ms)", "latency_1_p99_ms", "{:.1f}"),
    ("setCart 50 items, p50 (ms)", "latency_50_p50_ms", "{:.1f}"),
    ("setCart 50 items, p99 (ms)", "latency_50_p99_ms", "{:.1f}"),
)


def _verdict(row: dict[str, float], key: str) -> str:
    """``goal <= 1500: ok`` on the median; a gate on its worst load where one is measured."""
    target = TARGETS.get(key)
    if target is None:
        return ""
    limit, kind = target
    worst = WORST_OF.get(key) if kind == "gate" else None
    value = row.get(worst, row[key]) if worst else row[key]
    mark = "ok" if value <= limit else "MISSED" if kind == "goal" else "FAILED"
    on = f" (worst load {value:.4g})" if worst and worst in row else ""
    return f"{kind} <= {limit:g}{on}: {mark}"


def table(summary: dict[str, Any]) -> str:
    """The Markdown table of ours vs the baseline, with ratios and the targets; then, where the
    run measured them, ready in every engine."""
    lines = _main_table(summary)
    alone = summary.get("host_only")
    if alone:
        lines.append(
            f"| engine host alone (host.mjs starting our worker, no loader): main-thread "
            f"script, cold / warm (ms); long tasks (worst load) | {alone['script_cold_ms']:.1f} / "
            f"{alone['script_warm_ms']:.1f}; {alone['long_tasks']:.0f} | - | - | |"
        )
    lines += _fallback_lines(summary.get("fallbacks", {}))
    cards = summary.get("cards")
    if cards:
        lines.append(
            f"| appending {cards['count']:,.0f} product cards: main-thread script, without / "
            f"with the tag (ms); added | {cards['script_without_tag_ms']:.1f} / "
            f"{cards['script_with_tag_ms']:.1f}; {cards['script_added_ms']:+.1f} | - | - | |"
        )
    engines = summary.get("engines")
    if engines:
        lines += [
            "",
            startup_engines.table(engines),
            "",
            "Main-thread script, memory and long tasks need DevTools: the table above, in "
            "Chromium only.",
        ]
    return "\n".join(lines)


def _fallback_lines(row: dict[str, float]) -> list[str]:
    """Rows of the fallback loads: ready and the difference to a plain start (same round)."""
    if f"{PLAIN} ready_ms" not in row:
        return []
    lines = [
        f"| repeat visit with no snapshot kept (plain start): ready (ms) | "
        f"{row[f'{PLAIN} ready_ms']:.0f} | - | - | |"
    ]
    for kind, label in FALLBACK_LABELS.items():
        if f"{kind} ready_ms" not in row:
            continue
        added = row[f"{kind} added_ms"]
        low, high = row.get(f"{kind} added_min_ms", added), row.get(f"{kind} added_max_ms", added)
        bound = FALLBACK_BOUNDS[kind]
        # A difference of two loads on shared cores moves by about +-100 ms: the gate is judged
        # on the median of the rounds' differences, with their range stated beside it.
        verdict = f"gate <= +{bound:g} on the median: {'ok' if added <= bound else 'FAILED'}"
        lines.append(
            f"| repeat visit with {label}: ready (ms); added vs plain start (median of "
            f"per-round differences; range) | {row[f'{kind} ready_ms']:.0f}; {added:+.0f} "
            f"({low:+.0f}..{high:+.0f}) | - | - | {verdict} |"
        )
    return lines


def _main_table(summary: dict[str, Any]) -> list[str]:
    """The rows comparing ours with the baseline, with ratios and the targets."""
    lines = [
        "| metric (median over rounds) | ours | bare Pyodide | ours / bare | target |",
        "|---|---:|---:|---:|---|",
    ]
    for label, key, fmt in ROWS:
        ours = summary["ours"].get(key)
        base = summary["baseline"].get(key)
        if ours is None:
            continue
        shown_base = fmt.format(base) if base is not None else "-"
        ratio = f"{ours / base:.2f}" if base else "-"
        verdict = _verdict(summary["ours"], key)
        lines.append(f"| {label} | {fmt.format(ours)} | {shown_base} | {ratio} | {verdict} |")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m benchmarks.startup", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=5, help="fresh browser profiles (>= 1)")
    parser.add_argument("--calls", type=int, default=200, help="calls per latency series")
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE_DIR, help="built bundle")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON results file")
    parser.add_argument(
        "--fallbacks",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="load our page once per kind of bad snapshot each round (about 25 s a round)",
    )
    parser.add_argument(
        "--engines",
        default=",".join(startup_engines.ENGINES),
        help="engines timed to the collector's receipt, with the steps of our start "
        "(comma-separated, of chromium,firefox,webkit; empty: none)",
    )
    args = parser.parse_args(argv)
    if args.rounds < 1 or not 1 <= args.calls <= 2000:
        parser.error("--rounds must be >= 1 and --calls between 1 and 2000")
    engines = [name for name in args.engines.split(",") if name]
    if not set(engines) <= set(startup_engines.ENGINES):
        parser.error(f"--engines: of {','.join(startup_engines.ENGINES)}")
    log = sys.stderr
    started = time.monotonic()
    print(f"preparing {SITE_DIR} from {args.bundle}", file=log)
    site = prepare_site(args.bundle, SITE_DIR, CACHE_DIR)
    loader_brotli = (site.root / "nosto.js.br").stat().st_size
    environment = results.environment()
    code = results.measured_code()
    visits: list[Visit] = []
    engine_visits: list[startup_engines.EngineVisit] = []
    versions: dict[str, str] = {}
    with (
        tempfile.TemporaryDirectory(prefix="nosto-bench-") as tmp,
        running_sandbox(Path(tmp) / "db.sqlite3", site.root) as sandbox,
        sync_playwright() as playwright,
    ):
        print(f"sandbox at {sandbox.origin}; {args.rounds} rounds", file=log)
        for number in range(1, args.rounds + 1):
            visits += run_round(
                playwright, sandbox.origin, site, number, args.calls, log, args.fallbacks
            )
        receipts = startup_engines.Receipts(sandbox)
        for name in engines:
            with startup_engines.started(name, playwright, CONFIG) as engine:
                versions[name] = engine.version
                for number in range(1, args.rounds + 1):
                    engine_visits += startup_engines.run_engine_round(
                        engine, sandbox.origin, site.runtime_dir, receipts, number, log
                    )
    environment["load_average_after"] = os.getloadavg()
    summary = summarize(visits, loader_brotli)
    if engine_visits:
        summary["engines"] = startup_engines.summarize(engine_visits, versions)
    rendered = table(summary)
    print(rendered)
    if engine_visits:
        print("\n" + startup_engines.phases(summary["engines"]))
    load = environment["load_average"][0]
    if load > 1.5:
        print(f"note: load average was {load:.1f} at the start: other work shared the CPUs")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    result = {
        "command": "python3 -m benchmarks.startup " + " ".join(argv or sys.argv[1:]),
        "rounds": args.rounds,
        "calls": args.calls,
        "runtime_dir": site.runtime_dir,
        "baseline_dir": site.baseline_dir,
        "code": code,
        "environment": environment,
        "seconds": round(time.monotonic() - started, 1),
        "summary": summary,
        "table": rendered,
        "visits": [asdict(v) for v in visits],
        "engine_visits": [asdict(v) for v in engine_visits],
    }
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out} ({result['seconds']} s)", file=log)
    return 0


if __name__ == "__main__":
    sys.exit(main())
