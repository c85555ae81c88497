"""What a worker script that cannot be used adds to a page's start, in Chromium.

    python3 -m benchmarks.worker_miss              # 3 rounds
    python3 -m benchmarks.worker_miss --rounds 5

A page without ``data-engine`` whose ``nosto.js`` is on its own origin asks for the shared
engine's worker script first; where it is missing (a 404 here: ``data-worker`` names a path the
sandbox does not serve), the page starts its own engine after the miss, and the tab's later pages
start it at once (the miss is remembered in ``sessionStorage``). This compares the tab's first
page of that kind (``missed``) with a page of ``data-engine="dedicated"`` (``dedicated``): each
load is a new tab (``sessionStorage`` is per tab) of one browser profile per mode and round,
first with the HTTP cache empty (``cold``), then twice with it warm. Serving as the sandbox does.

The measure is what separates the two from the page's own engine's start: from the request of
the first module ``nosto.js`` imports (``shared.mjs`` or ``host.mjs``, with ``policy.mjs`` and
``adoption.mjs``) to the request of ``engine.py`` (Resource Timing), the first thing the page's
own engine asks for once ``host.mjs`` has been evaluated and started it. For ``missed`` that
includes ``shared.mjs``, the Web Lock, the worker's 404 and ``host.mjs`` (the tab's first page of
the shared engine loads it beside ``shared.mjs``). Everything after that request is the same in
both. "Added" is the median of ``missed`` minus the median of ``dedicated``; the page's
ready (``api.internal.ready()``) is shown beside it, on a busy machine far noisier.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

from benchmarks.startup import launch_args
from benchmarks.startup_pages import OUR_TAG, STUB
from benchmarks.startup_site import link_or_copy
from nosto_tagging.testing import running_sandbox

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUNDLE_DIR = REPO_ROOT / "build" / "bundle"
SITE_DIR = REPO_ROOT / "build" / "benchmarks" / "worker-miss-site"
TAGS = {
    "dedicated": OUR_TAG,
    "missed": OUR_TAG.replace(
        ' data-engine="dedicated"', ' data-worker="/not-uploaded/nosto-worker.js"'
    ),
}
VISITS = ("cold", "warm", "warm")
ACTION = "<script>nostojs(api => api.defaultSession().viewFrontPage().update())</script>"
# Once the engine answered: ready (ms from navigation start) and each module's (and the
# engine's entry's) request start and responseEnd.
READY = """() => new Promise((resolve) => nostojs((api) => api.internal.ready().then(() => {
  const modules = {};
  for (const e of performance.getEntriesByType("resource")) {
    const name = e.name.split("/").pop();
    if (name.endsWith(".mjs") || name === "engine.py") modules[name] = [e.startTime, e.responseEnd];
  }
  resolve({ ready: performance.now(), modules });
})))"""


def prepare_site(bundle: Path, root: Path) -> None:
    """A copy of the built ``bundle`` plus ``bench/<mode>.html``."""
    if not (bundle / "build-info.json").is_file():
        raise SystemExit(f"{bundle} is not a built bundle: run `.venv/bin/nosto-tagging build`")
    shutil.rmtree(root, ignore_errors=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(bundle, root, copy_function=link_or_copy)
    (root / "bench").mkdir()
    for mode, tag in TAGS.items():
        (root / "bench" / f"{mode}.html").write_text(
            "<!doctype html><meta charset='utf-8'><link rel='icon' href='data:,'>"
            f"{STUB}{tag}{ACTION}",
            encoding="utf-8",
        )


def until_own_engine(modules: dict[str, list[float]]) -> float:
    """From the first engine module's request to the own engine's request of engine.py (ms)."""
    first = min(at for name, (at, _) in modules.items() if name in ("shared.mjs", "host.mjs"))
    return modules["engine.py"][0] - first


def measure(rounds: int, bundle: Path, log: Any) -> dict[str, dict[str, list[float]]]:
    prepare_site(bundle, SITE_DIR)
    found: dict[str, dict[str, list[float]]] = {
        f"{mode} {visit}": {"until_own": [], "ready": []} for mode in TAGS for visit in VISITS
    }
    with (
        tempfile.TemporaryDirectory(prefix="nosto-miss-") as tmp,
        running_sandbox(Path(tmp) / "db.sqlite3", SITE_DIR) as sandbox,
        sync_playwright() as playwright,
    ):
        for number in range(1, rounds + 1):
            for mode in TAGS if number % 2 else list(TAGS)[::-1]:
                profile = tempfile.mkdtemp(prefix="nosto-miss-profile-")
                context = playwright.chromium.launch_persistent_context(profile, **launch_args())
                try:
                    for visit in VISITS:
                        page = context.new_page()  # a new tab: nothing remembered
                        page.goto(f"{sandbox.origin}/bundle/bench/{mode}.html?{time.time()}")
                        answer = page.evaluate(READY)
                        page.close()
                        took = until_own_engine(answer["modules"])
                        found[f"{mode} {visit}"]["until_own"].append(took)
                        found[f"{mode} {visit}"]["ready"].append(answer["ready"])
                        print(f"[round {number}] {mode:9s} {visit}: until engine.py {took:.0f} ms,"
                              f" ready {answer['ready']:.0f} ms", file=log)  # fmt: skip
                finally:
                    context.close()
                    shutil.rmtree(profile, ignore_errors=True)
    return found


def table(found: dict[str, dict[str, list[float]]]) -> str:
    lines = [
        "| HTTP cache | first module to engine.py asked for: dedicated / missed (ms) | added (ms) "
        "| ready: dedicated / missed (ms) |",
        "|---|---:|---:|---:|",
    ]
    for visit in ("cold", "warm"):
        own = found[f"dedicated {visit}"]
        missed = found[f"missed {visit}"]
        a, b = statistics.median(own["until_own"]), statistics.median(missed["until_own"])
        ready = f"{statistics.median(own['ready']):.0f} / {statistics.median(missed['ready']):.0f}"
        lines.append(f"| {visit} | {a:.0f} / {b:.0f} | {b - a:+.0f} | {ready} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m benchmarks.worker_miss", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--rounds", type=int, default=3, help="rounds (>= 1)")
    parser.add_argument("--bundle", type=Path, default=DEFAULT_BUNDLE_DIR, help="built bundle")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be >= 1")
    print(table(measure(args.rounds, args.bundle, sys.stderr)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
