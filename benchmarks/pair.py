"""Two built bundles side by side, as the startup benchmark's engine rows load our page.

    python3 -m benchmarks.pair BUNDLE_A BUNDLE_B                    # 8 rounds, Chromium
    python3 -m benchmarks.pair A B --rounds 10 --engines firefox,webkit --out pair.json

Each bundle is served by a sandbox of its own. Every round loads our page (``ours-test.html``)
with each bundle, the order alternating between rounds, each in a fresh browser context: the
page cold, then the next page in the same tab once the engine's snapshot is kept (a restore).
For each engine and visit it prints the median over rounds of ready (navigation start to the
collector's receipt) of A and of B, B / A, and the median of each start-up step (the worker's
marks, as in the phase tables of docs/performance.md). This machine is noisy: a bundle paired
with itself shows what a ratio is worth (with eight rounds in Chromium, 0.93 to 1.07).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from contextlib import ExitStack
from dataclasses import asdict
from pathlib import Path

from playwright.sync_api import sync_playwright

from benchmarks import startup_engines
from benchmarks.startup import CACHE_DIR, CONFIG, SITE_DIR
from benchmarks.startup_engines import ENGINES, STEPS, EngineVisit, Receipts, summarize, visit_twice
from benchmarks.startup_site import prepare_site
from nosto_tagging.testing import running_sandbox

NAMES = ("A", "B")


def report(visits: dict[str, list[EngineVisit]], engines: list[str]) -> str:
    """Medians of ready and of each step, A against B, per engine and visit (each bundle's
    figures as ``startup_engines.summarize`` takes them for our page)."""
    summaries = {name: summarize(visits[name], {}) for name in NAMES}
    lines = []
    for engine in engines:
        for visit in ("cold", "warm"):
            chosen = {
                name: [v for v in visits[name] if v.engine == engine and v.visit == visit]
                for name in NAMES
            }
            if not all(chosen.values()):
                continue
            ours = [summaries[name][engine]["ours"] for name in NAMES]
            a, b = (figures[f"ready_{visit}_ms"] for figures in ours)
            starts = ", ".join(sorted({v.start for name in NAMES for v in chosen[name]}))
            ratio = f"B / A {b / a:.2f}"
            lines.append(f"{engine} {visit} ({starts}): A {a:.0f} ms, B {b:.0f} ms, {ratio}")
            for name in NAMES:
                shown = ", ".join(f"{v.ready_ms:.0f}" for v in chosen[name])
                lines.append(f"    {name}: {shown}")
            lines.append("         A      B  step (median ms from navigation start)")
            a_phases, b_phases = (figures[f"phases_{visit}"] for figures in ours)
            for step, title in STEPS:
                if step in a_phases and step in b_phases:
                    lines.append(
                        f"    {a_phases[step]:6.0f} {b_phases[step]:6.0f}  {step}: {title}"
                    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m benchmarks.pair", description=(__doc__ or "").split("\n\n")[0]
    )
    parser.add_argument("a", type=Path, help="a built bundle (build/bundle, or a copy of it)")
    parser.add_argument("b", type=Path, help="the bundle to compare with it")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument(
        "--engines", default="chromium", help=f"comma-separated, of {', '.join(ENGINES)}"
    )
    parser.add_argument("--out", type=Path, help="write every load's figures here (JSON)")
    args = parser.parse_args(argv)
    engines = [name.strip() for name in args.engines.split(",") if name.strip()]
    unknown = sorted(set(engines) - set(ENGINES))
    if unknown or args.rounds < 1:
        parser.error(f"unknown engines {unknown}" if unknown else "--rounds must be 1 or more")
    sites = {
        name: prepare_site(bundle, SITE_DIR.parent / f"pair-{name.lower()}", CACHE_DIR)
        for name, bundle in zip(NAMES, (args.a, args.b), strict=True)
    }
    visits: dict[str, list[EngineVisit]] = {name: [] for name in NAMES}
    with ExitStack() as stack:
        tmp = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        boxes = {
            name: stack.enter_context(running_sandbox(tmp / f"{name}.db", site.root))
            for name, site in sites.items()
        }
        receipts = {name: Receipts(box) for name, box in boxes.items()}
        playwright = stack.enter_context(sync_playwright())
        for engine_name in engines:
            with startup_engines.started(engine_name, playwright, CONFIG) as engine:
                for number in range(args.rounds):
                    for name in NAMES if number % 2 == 0 else NAMES[::-1]:
                        url = f"{boxes[name].origin}/bundle/bench/ours-test.html"
                        runtime_dir = sites[name].runtime_dir
                        cold, warm = visit_twice(
                            engine, url, receipts[name], "ours", number, runtime_dir
                        )
                        visits[name] += [cold, warm]
                        print(
                            f"[round {number}] {engine_name} {name}: cold {cold.ready_ms:.0f} "
                            f"ms ({cold.start}), next page {warm.ready_ms:.0f} ms ({warm.start})",
                            file=sys.stderr,
                            flush=True,
                        )
    if args.out:
        bundles = {name: str(path) for name, path in zip(NAMES, (args.a, args.b), strict=True)}
        found = {name: [asdict(v) for v in visits[name]] for name in NAMES}
        args.out.write_text(json.dumps({"bundles": bundles, "visits": found}, indent=1) + "\n")
    print(report(visits, engines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
