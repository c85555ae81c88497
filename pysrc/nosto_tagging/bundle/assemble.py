"""``build_bundle``: fetch, byte-compile and lay out the self-hosted bundle, step by step.

The tree is written to a sibling staging directory and swapped in at the end, so a failed
build leaves the previous bundle intact.
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

import nosto_tagging
from nosto_tagging.bundle.closure import trim_stdlib
from nosto_tagging.bundle.compile import (
    SITE_PREFIX,
    STDLIB_PREFIX,
    Compiled,
    CompileJob,
    compile_zips,
)
from nosto_tagging.bundle.errors import BuildError
from nosto_tagging.bundle.fetch import extract_npm, fetch_npm, fetch_wheel
from nosto_tagging.bundle.hashdir import hashed_dir_name
from nosto_tagging.bundle.imported import check_every_wheel_imported
from nosto_tagging.bundle.interpreter import MODULE, manifest, write_interpreter_module
from nosto_tagging.bundle.loader import CHUNKS, ENTRIES, bundle_chunk, bundle_loader
from nosto_tagging.bundle.lock import lock_entry, trim_lock
from nosto_tagging.bundle.minify import minify_loader
from nosto_tagging.bundle.node import run_node
from nosto_tagging.bundle.ownwheel import build_own_wheel
from nosto_tagging.bundle.pins import NpmPin, Pins, esbuild_pin, load_pins
from nosto_tagging.bundle.precompress import precompress_file, precompress_tree
from nosto_tagging.bundle.report import Progress, human, summary, write_build_info
from nosto_tagging.bundle.snapcheck import check_snapshot
from nosto_tagging.bundle.worker_script import NAME as WORKER_SCRIPT
from nosto_tagging.bundle.worker_script import worker_script
from nosto_tagging.locations import CHECKOUT_CACHE_DIR, CHECKOUT_WEB_DIR

# The worker's entry of the test build (nosto.test.js with data-test-clock), and the clock it
# runs the engine's timers on: a test module, written into that entry alone, never in the wheel.
TEST_ENTRY = "engine.test.py"
TEST_CLOCK = Path(nosto_tagging.__file__).parent / "testing" / "clock.py"

PYODIDE_FILES = ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm")
STDLIB = "python_stdlib.zip"
STEPS = 9
# The engines' worker modules, copied into the runtime: web/<source> -> runtime/<name>. Each
# starts Python from snapshot.mjs; the page's own engine (host.mjs) or the shared engine's worker
# script (nosto-worker.js) imports it.
WORKER_MODULES = {
    "dedicated-engine.mjs": "dedicated/engine.js",
    "shared-engine.mjs": "shared/engine.js",
}


@dataclass(frozen=True)
class Inputs:
    """Everything fetched or built before compiling: unpacked npm packages and wheel paths."""

    pyodide_dir: Path
    uglify_dir: Path
    esbuild: Path  # the esbuild binary
    wheels: dict[str, Path]  # lock key -> downloaded wheel, pins order
    own: Path


def _check_out(out: Path) -> None:
    if out.exists() and (
        not out.is_dir() or (any(out.iterdir()) and not (out / "build-info.json").is_file())
    ):
        raise BuildError(
            f"{out} exists and is not a previous bundle (no build-info.json); "
            "pick another --out or remove it yourself"
        )


def _replace(out: Path, staging: Path) -> None:
    try:
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
    except OSError as error:
        raise BuildError(
            f"cannot move the new bundle into {out} ({error}); it is complete in {staging}, "
            "close whatever holds the old directory and re-run"
        ) from error


def _copy(src: Path, dst: Path, fix: str = "") -> None:
    """Copy ``src`` (a cached download unless ``fix`` says what to do when it is missing)."""
    if not src.is_file():
        fix = fix or f"delete the cache directory {src.parent} and re-run"
        raise BuildError(f"{src} is missing; {fix}")
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, dst)


def _read_lock(pyodide_dir: Path) -> dict[str, Any]:
    path = pyodide_dir / "pyodide-lock.json"
    hint = f"delete {pyodide_dir.parent} (a fresh unpack) and re-run"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise BuildError(f"cannot read Pyodide's lock file {path} ({error}); {hint}") from error
    if not isinstance(data, dict):
        raise BuildError(f"Pyodide's lock file {path} is not a JSON object; {hint}")
    return data


def _fetch_npm(progress: Progress, pin: NpmPin, cache_dir: Path) -> Path:
    started = time.monotonic()
    fetched = fetch_npm(pin, cache_dir)
    package = extract_npm(fetched.path, pin.sha256, cache_dir)
    state = "cached" if fetched.cached else "downloaded"
    size = human(fetched.path.stat().st_size)
    progress.step(f"fetching {pin.package} {pin.version} ({state}, {size})", started)
    return package


def _gather(pins: Pins, cache_dir: Path, progress: Progress) -> Inputs:
    """Steps 1-3: the npm packages (runtime, bundler, minifier), the pinned wheels, our
    wheel."""
    pyodide_dir = _fetch_npm(progress, pins.pyodide, cache_dir)
    started = time.monotonic()
    fetched = {pin.lock.key: fetch_wheel(pin, cache_dir) for pin in pins.wheels}
    fresh = sum(not f.cached for f in fetched.values())
    progress.step(
        f"fetching {len(fetched)} wheels ({len(fetched) - fresh} cached, {fresh} downloaded)",
        started,
    )
    started = time.monotonic()
    version = nosto_tagging.__version__
    own = build_own_wheel(Path(nosto_tagging.__file__).parent, version, cache_dir / "own")
    progress.step(f"building {own.name} ({human(own.stat().st_size)})", started)
    wheels = {key: f.path for key, f in fetched.items()}
    fetched_uglify = fetch_npm(pins.uglify, cache_dir)
    uglify_dir = extract_npm(fetched_uglify.path, pins.uglify.sha256, cache_dir)
    if not fetched_uglify.cached:
        progress.print(f"      downloaded {pins.uglify.spec} (the loader's minifier)")
    pin = esbuild_pin(pins)
    fetched_esbuild = fetch_npm(pin, cache_dir)
    esbuild = extract_npm(fetched_esbuild.path, pin.sha256, cache_dir) / "bin" / "esbuild"
    if not fetched_esbuild.cached:
        progress.print(f"      downloaded {pin.spec} (the loader's bundler)")
    return Inputs(pyodide_dir, uglify_dir, esbuild, wheels, own)


def _compile(
    inputs: Inputs, pins: Pins, cache_dir: Path, progress: Progress
) -> dict[str, Compiled]:
    """Step 4: the stdlib zip and every wheel, byte-compiled (cached by input hash)."""
    started = time.monotonic()
    jobs = [CompileJob(inputs.pyodide_dir / STDLIB, STDLIB, STDLIB_PREFIX, wheel=False)]
    for wheel in [*inputs.wheels.values(), inputs.own]:
        jobs.append(CompileJob(wheel, wheel.name, SITE_PREFIX, wheel=True))
    runtime = f"pyodide-{pins.pyodide.version}"
    compiled = compile_zips(jobs, inputs.pyodide_dir, runtime, cache_dir)
    count = sum(c.compiled for c in compiled.values())
    hits = sum(c.cached for c in compiled.values())
    progress.step(
        f"byte-compiling {len(jobs)} zips with Pyodide's Python: {count} modules "
        f"({hits}/{len(jobs)} from cache)",
        started,
    )
    for name, result in compiled.items():
        if result.failed:
            shown = "; ".join(result.failed[:3])
            progress.print(f"      {name}: {len(result.failed)} file(s) kept as .py: {shown}")
    return compiled


def _trim(
    inputs: Inputs, compiled: dict[str, Compiled], pins: Pins, cache_dir: Path, progress: Progress
) -> tuple[dict[str, Compiled], dict[str, Any]]:
    """Step 5: the compiled stdlib cut to the engine's import closure (verified under Node);
    every shipped wheel must be imported by the engine there."""
    started = time.monotonic()
    full = compiled[STDLIB]
    wheels = [c.path for name, c in compiled.items() if name != STDLIB]
    trimmed = trim_stdlib(full.path, wheels, inputs.pyodide_dir, cache_dir)
    shipped = {pin.lock.key: pin.lock.imports for pin in pins.wheels}
    shipped[pins.own.key] = pins.own.imports
    check_every_wheel_imported(shipped, trimmed.site)
    before, after = full.path.stat().st_size, trimmed.path.stat().st_size
    state = "cached" if trimmed.cached else "probed and verified under Node"
    progress.step(
        f"trimming the stdlib to the engine's imports: {len(trimmed.kept)} of "
        f"{len(trimmed.kept) + len(trimmed.dropped)} top-level modules, {human(before)} -> "
        f"{human(after)} ({state})",
        started,
    )
    result = dict(compiled)
    result[STDLIB] = Compiled(trimmed.path, full.cached, full.compiled, full.failed)
    return result, {"stdlib_kept": list(trimmed.kept), "stdlib_dropped": list(trimmed.dropped)}


def _lay_out_runtime(
    runtime: Path,
    inputs: Inputs,
    compiled: dict[str, Compiled],
    pins: Pins,
    web_dir: Path,
    progress: Progress,
) -> dict[str, Any]:
    """Step 6: the runtime (Pyodide core, compiled zips, trimmed lock, the page's chunks, the
    engines' worker modules, engine.py)."""
    started = time.monotonic()
    for name in PYODIDE_FILES:
        _copy(inputs.pyodide_dir / name, runtime / name)
    for name, result in compiled.items():
        _copy(result.path, runtime / name)
    entries = {
        pin.lock.key: lock_entry(pin.lock, pin.version, runtime / inputs.wheels[pin.lock.key].name)
        for pin in pins.wheels
    }
    own = runtime / inputs.own.name
    entries[pins.own.key] = lock_entry(pins.own, nosto_tagging.__version__, own)
    lock = trim_lock(_read_lock(inputs.pyodide_dir), entries)
    (runtime / "pyodide-lock.json").write_text(json.dumps(lock, indent=1) + "\n")
    shipped = [runtime / inputs.wheels[pin.lock.key].name for pin in pins.wheels] + [own]
    data = manifest(runtime / "pyodide.mjs", shipped, str(lock["info"].get("python", "")))
    write_interpreter_module(web_dir, inputs.esbuild, runtime / MODULE, data)
    for chunk in CHUNKS:
        text = bundle_chunk(web_dir, inputs.esbuild, chunk, nosto_tagging.__version__)
        (runtime / chunk).write_text(text, encoding="utf-8")
    for name, source in WORKER_MODULES.items():
        _copy(web_dir / source, runtime / name, "make sure the checkout is complete")
    engine = web_dir / "engine.py"
    if engine.is_file():
        _copy(engine, runtime / "engine.py")
    else:
        progress.print(f"      note: {engine} not found, runtime/engine.py not written")
    test_entry = web_dir / TEST_ENTRY
    if test_entry.is_file():  # the test build's entry: the test clock, then web/engine.test.py
        text = TEST_CLOCK.read_text(encoding="utf-8") + "\n\n" + test_entry.read_text("utf-8")
        (runtime / TEST_ENTRY).write_text(text, encoding="utf-8")
    progress.step(
        f"laying out the runtime ({len(entries)} wheels, {len(CHUNKS)} page chunks, "
        f"{len(WORKER_MODULES)} worker modules)",
        started,
    )
    return lock


def _seal_runtime(staging: Path, unsealed: Path, cache_dir: Path, progress: Progress) -> str:
    """Step 7: name the runtime folder after its content and precompress everything in it.

    Returns the folder name with a trailing slash, as the loader joins it to its own URL.
    """
    started = time.monotonic()
    name = hashed_dir_name(unsealed)
    unsealed.rename(staging / name)
    siblings = precompress_tree(staging / name, cache_dir / "precompressed")
    progress.step(
        f"naming the runtime {name}/ and precompressing {len(siblings)} files (brotli, gzip)",
        started,
    )
    return name + "/"


def _check_snapshot(runtime: Path, cache_dir: Path, progress: Progress) -> dict[str, Any]:
    """Step 8: the runtime's snapshot.mjs snapshots the started engine and restores it (Node)."""
    started = time.monotonic()
    figures = check_snapshot(runtime, cache_dir)
    progress.step(
        f"snapshot of the started engine made and restored under Node "
        f"({human(figures['memory_bytes'])} of memory kept in {human(figures['bytes'])}, "
        f"{human(figures['gzip_bytes'])} gzip; not shipped: browsers make their own)",
        started,
    )
    return figures


def _write_loader(
    staging: Path,
    runtime_dir: str,
    lock: dict[str, Any],
    compiled: dict[str, Compiled],
    pins: Pins,
    web_dir: Path,
    cache_dir: Path,
    trim: dict[str, Any],
    inputs: Inputs,
    progress: Progress,
) -> None:
    """Step 9: nosto.js and nosto.test.js (bundled, minified, syntax-checked by node,
    precompressed) and build-info.json."""
    started = time.monotonic()
    version = nosto_tagging.__version__
    for entry in ENTRIES:
        loader = staging / entry
        text = bundle_loader(
            web_dir, inputs.esbuild, entry, version, pins.pyodide.version, runtime_dir
        )
        loader.write_text(minify_loader(text, inputs.uglify_dir), encoding="utf-8")
        run_node(
            ["--check", str(loader)],
            f"syntax-checking the bundled {entry}",
            60.0,
            f"Fix the JavaScript in {web_dir}/page/ and re-run.",
        )
        precompress_file(loader, cache_dir / "precompressed")
    worker = staging / WORKER_SCRIPT
    worker.write_text(worker_script(web_dir, version, runtime_dir), encoding="utf-8")
    precompress_file(worker, cache_dir / "precompressed")
    loader = staging / ENTRIES[0]
    versions = {
        "nosto-tagging": version,
        "pyodide": pins.pyodide.version,
        "python": str(lock["info"].get("python", "")),
        **{pin.project: pin.version for pin in pins.wheels},
    }
    kept = {name: list(c.failed) for name, c in compiled.items() if c.failed}
    integrity = subresource_integrity(loader.read_bytes())
    extra = {
        "runtime_dir": runtime_dir,
        "nosto_js_integrity": integrity,
        "lock_keys": sorted(lock["packages"]),
        "kept_as_source": kept,
        **trim,
    }
    write_build_info(staging, versions, extra)
    progress.step(f"writing nosto.js ({human(loader.stat().st_size)}) and build-info.json", started)
    progress.print(f"      nosto.js integrity (SRI): {integrity}")


def subresource_integrity(data: bytes) -> str:
    """The ``integrity`` attribute of a ``<script>`` that loads exactly ``data``."""
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def build_bundle(
    out: Path,
    *,
    web_dir: Path = CHECKOUT_WEB_DIR,
    cache_dir: Path = CHECKOUT_CACHE_DIR,
    stream: TextIO | None = None,
) -> Path:
    """Build the bundle into ``out`` (replacing a previous bundle there) and return it.

    Downloads are cached (and verified) in ``cache_dir``, as are byte-compiled outputs, so
    a second build only re-copies files. Raises :class:`BuildError` on any failure.
    """
    out, web_dir, cache_dir = out.resolve(), web_dir.absolute(), cache_dir.absolute()
    _check_out(out)
    progress = Progress(STEPS, stream)
    pins = load_pins()
    staging = out.parent / f".{out.name}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    try:
        inputs = _gather(pins, cache_dir, progress)
        compiled = _compile(inputs, pins, cache_dir, progress)
        compiled, trim = _trim(inputs, compiled, pins, cache_dir, progress)
        unsealed = staging / ".runtime"
        lock = _lay_out_runtime(unsealed, inputs, compiled, pins, web_dir, progress)
        runtime_dir = _seal_runtime(staging, unsealed, cache_dir, progress)
        trim["snapshot"] = _check_snapshot(staging / runtime_dir, cache_dir, progress)
        _write_loader(
            staging,
            runtime_dir,
            lock,
            compiled,
            pins,
            web_dir,
            cache_dir,
            trim,
            inputs,
            progress,
        )
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _replace(out, staging)
    progress.print(summary(out))
    progress.print(f"built {out} in {time.monotonic() - progress.started:.1f}s")
    return out
