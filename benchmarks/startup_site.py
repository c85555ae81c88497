"""The directory the startup benchmark serves as ``/bundle/``, and the sandbox that serves it.

The site is a copy of the built bundle (so a rebuild during the run changes nothing) plus
``bench/``: the benchmark's pages and the bare-Pyodide baseline, whose runtime is the stock npm
files and PyPI wheels of the same pins, in its own content-hashed, precompressed folder: it is
served exactly like ours, so the comparison is about the runtime, not the serving.
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from benchmarks.startup_pages import BASELINE_JS, BASELINE_WORKER, page
from nosto_tagging.bundle.fetch import extract_npm, fetch_npm, fetch_wheel
from nosto_tagging.bundle.hashdir import hashed_dir_name
from nosto_tagging.bundle.lock import lock_entry, trim_lock
from nosto_tagging.bundle.pins import load_pins
from nosto_tagging.bundle.precompress import precompress_tree

STOCK_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "python_stdlib.zip")
BASELINE_PACKAGES = frozenset(
    {"pydantic", "pydantic-core", "typing-extensions", "typing-inspection", "annotated-types"}
)


@dataclass(frozen=True)
class Site:
    root: Path
    runtime_dir: str  # ours, from build-info.json
    baseline_dir: str  # bench/runtime-<hash>/


def link_or_copy(src: str, dst: str) -> None:
    """Hard-link a bundle file into a benchmark site (copy across filesystems)."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def _baseline_runtime(bench: Path, cache_dir: Path) -> str:
    """Stock Pyodide + the pinned PyPI wheels + a lock listing them, hashed and precompressed."""
    pins = load_pins()
    pyodide = extract_npm(fetch_npm(pins.pyodide, cache_dir).path, pins.pyodide.sha256, cache_dir)
    unsealed = bench / ".runtime"
    unsealed.mkdir(parents=True)
    for name in STOCK_FILES:
        shutil.copyfile(pyodide / name, unsealed / name)
    entries = {}
    for pin in pins.wheels:
        if pin.lock.key in BASELINE_PACKAGES:
            wheel = unsealed / pin.file
            shutil.copyfile(fetch_wheel(pin, cache_dir).path, wheel)
            entries[pin.lock.key] = lock_entry(pin.lock, pin.version, wheel)
    stock_lock = json.loads((pyodide / "pyodide-lock.json").read_text())
    lock = trim_lock(stock_lock, entries)
    (unsealed / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
    name = hashed_dir_name(unsealed)
    unsealed.rename(bench / name)
    precompress_tree(bench / name, cache_dir / "precompressed")
    return f"{name}/"


def prepare_site(bundle: Path, root: Path, cache_dir: Path) -> Site:
    """Write the site into ``root`` (replacing it) from the built ``bundle``."""
    info_path = bundle / "build-info.json"
    if not info_path.is_file():
        raise SystemExit(
            f"{bundle} is not a built bundle (no build-info.json): run "
            f"`python3 -m nosto_tagging.cli build --out {bundle}` first"
        )
    runtime_dir = json.loads(info_path.read_text()).get("runtime_dir")
    if not runtime_dir:
        raise SystemExit(f"{info_path} names no runtime_dir: rebuild the bundle")
    shutil.rmtree(root, ignore_errors=True)
    root.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(bundle, root, copy_function=link_or_copy)
    bench = root / "bench"
    bench.mkdir()
    baseline_dir = _baseline_runtime(bench, cache_dir)
    for kind in ("none", "ours", "ours-test", "baseline", "host"):
        (bench / f"{kind}.html").write_text(page(kind, runtime_dir), encoding="utf-8")
    (bench / "baseline.js").write_text(
        BASELINE_JS.replace("__RUNTIME_DIR__", json.dumps(baseline_dir)), encoding="utf-8"
    )
    (bench / "baseline-worker.mjs").write_text(BASELINE_WORKER, encoding="utf-8")
    return Site(root, runtime_dir, f"bench/{baseline_dir}")
