"""Publish benchmark figures: the tables of README.md and docs/performance.md, from JSON.

    python3 -m benchmarks.publish build/benchmarks/startup.json build/benchmarks/visit.json
    python3 -m benchmarks.publish          # write the tables again from docs/benchmarks/*.json

Each benchmark writes its figures with the commit it measured (``benchmarks/results.py``).
Publishing keeps a run's summary (not its per-load figures) as ``docs/benchmarks/<name>.json``
and writes every table that stands between ``<!-- figures:NAME -->`` and ``<!-- /figures -->``
in the documents from those files. ``tests/docs`` checks that each table is what this module
renders from the kept summaries, so no figure is typed by hand, and that each names a commit of
this repository. A run of a work tree with uncommitted changes to the measured code is refused.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import startup, startup_engines, visit
from benchmarks.results import REPO_ROOT

KEPT = REPO_ROOT / "docs" / "benchmarks"
DOCUMENTS = (REPO_ROOT / "README.md", REPO_ROOT / "docs" / "performance.md")
BLOCK = re.compile(r"(<!-- figures:(?P<name>[a-z-]+) -->\n)(?P<body>.*?)(<!-- /figures -->)", re.S)
KEPT_FIELDS = (
    "command",
    "code",
    "environment",
    "rounds",
    "calls",
    "dwell_ms",
    "seconds",
    "summary",
)

# The README's short table, from the startup benchmark: (label, key, format).
SHORT_ROWS = (
    ("Python ready, first visit (ms)", "ready_cold_ms", "{:.0f}"),
    ("Python ready, repeat visit (ms)", "ready_warm_ms", "{:.0f}"),
    ("main-thread script added, worst load (ms)", "script_added_worst_ms", "{:.1f}"),
    ("downloaded on the first visit (MB)", "first_visit_mb", "{:.2f}"),
    ("renderer memory added, first visit (MB)", "memory_added_mb", "{:.0f}"),
    ("renderer memory added, repeat visit (MB)", "memory_added_warm_mb", "{:.0f}"),
)


def load(name: str) -> dict[str, Any]:
    return json.loads((KEPT / f"{name}.json").read_text())


def _measured(run: dict[str, Any]) -> str:
    code, env = run["code"], run["environment"]
    before = env["load_average"][0]
    after = env.get("load_average_after", env["load_average"])[0]
    return (
        f"Measured by `{run['command'].strip()}` at commit `{code['commit'][:10]}` "
        f"({code['date'][:10]}), {run['rounds']} rounds on {env['cpus']} cores, load average "
        f"{before:.1f} at the start and {after:.1f} at the end."
    )


def render_startup() -> str:
    run = load("startup")
    return f"{_measured(run)}\n\n{startup.table(run['summary'])}\n"


def render_phases() -> str:
    """The steps of our start per engine, from the startup run's engine rounds."""
    run = load("startup")
    engines = run["summary"].get("engines")
    if not engines:
        return (
            "The kept startup run has no engine rounds: `python3 -m benchmarks.startup` "
            "measures them (`--engines`).\n"
        )
    return f"{_measured(run)}\n\n{startup_engines.phases(engines)}\n"


def render_visit() -> str:
    run = load("visit")
    return f"{_measured(run)}\n\n{visit.table(run['summary'])}\n"


def render_short() -> str:
    """Ours against bare Pyodide, then a visit's later pages per engine, with links to more."""
    runs = {"startup": load("startup"), "visit": load("visit")}
    ours, bare = runs["startup"]["summary"]["ours"], runs["startup"]["summary"]["baseline"]
    lines = [
        "| median of the rounds | nosto-tagging | bare Pyodide | ratio |",
        "|---|---:|---:|---:|",
    ]
    for label, key, fmt in SHORT_ROWS:
        ratio = f"{ours[key] / bare[key]:.2f}" if bare.get(key) else "-"
        shown = fmt.format(bare[key]) if key in bare else "-"
        lines.append(f"| {label} | {fmt.format(ours[key])} | {shown} | {ratio} |")
    lines.append(f"| `nosto.js` (KB brotli) | {ours['loader_brotli_kb']:.2f} | - | - |")
    webkit = runs["startup"]["summary"].get("engines", {}).get("webkit")
    if webkit and webkit["ours"].get("ready_cold_ms") and webkit["baseline"].get("ready_cold_ms"):
        mine, theirs = webkit["ours"]["ready_cold_ms"], webkit["baseline"]["ready_cold_ms"]
        lines.append(
            f"| Python ready, first visit, WebKitGTK, to the collector's receipt (ms) | "
            f"{mine:.0f} | {theirs:.0f} | {mine / theirs:.2f} |"
        )
    shared = runs["visit"]["summary"]
    dedicated, one = shared["dedicated"]["ready_later_ms"], shared["shared"]["ready_later_ms"]
    lines.append(
        f"| a visit's pages 2..5 ready, own engine / shared engine (ms) | "
        f"{dedicated:.0f} / {one:.0f} | - | {one / dedicated:.2f} |"
    )
    commits = sorted({runs[n]["code"]["commit"][:10] for n in runs})
    busiest = max(runs[n]["environment"]["load_average"][0] for n in runs)
    return (
        "\n".join(lines)
        + f"\n\nMeasured at commit {', '.join(f'`{c}`' for c in commits)} on the 2-core machine "
        f"the project is developed on (load average up to {busiest:.1f} as a run began); every "
        "figure, method and what was tried: [docs/performance.md](docs/performance.md).\n"
    )


RENDERERS: dict[str, Callable[[], str]] = {
    "startup": render_startup,
    "phases": render_phases,
    "visit": render_visit,
    "short": render_short,
}


def blocks(text: str) -> list[tuple[str, str]]:
    """(name, body) of each figures block of a document."""
    return [(m["name"], m["body"]) for m in BLOCK.finditer(text)]


def rewrite(text: str) -> str:
    return BLOCK.sub(lambda m: m[1] + RENDERERS[m["name"]]() + m[4], text)


def keep(path: Path) -> str:
    """Keep a run's summary as docs/benchmarks/<name>.json; its name from its command."""
    run = json.loads(path.read_text())
    name = run["command"].split()[2].removeprefix("benchmarks.")
    if name not in ("startup", "visit"):
        raise SystemExit(f"{path}: not a figures file of benchmarks.startup or benchmarks.visit")
    if run.get("code", {}).get("clean") is not True:
        raise SystemExit(
            f"{path}: measured a work tree with uncommitted changes to the code (or no git "
            "checkout): commit them, run the benchmark again, then publish"
        )
    kept = {key: run[key] for key in KEPT_FIELDS if key in run}
    KEPT.mkdir(parents=True, exist_ok=True)
    (KEPT / f"{name}.json").write_text(json.dumps(kept, indent=1) + "\n")
    return name


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m benchmarks.publish", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("runs", nargs="*", type=Path, help="JSON files a benchmark wrote")
    args = parser.parse_args(argv)
    for path in args.runs:
        print(f"kept {path} as docs/benchmarks/{keep(path)}.json", file=sys.stderr)
    for document in DOCUMENTS:
        text = document.read_text()
        document.write_text(rewrite(text))
        print(f"wrote {len(blocks(text))} tables into {document.name}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
