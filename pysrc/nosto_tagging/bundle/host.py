"""The engine's host in the runtime: polyscript's XWorker bundled alone into ``host.mjs``.

PyScript's ``core.js`` imports polyscript's page layer (a document-wide MutationObserver, a
patched ``Element.prototype.attachShadow``, custom elements, and a runner for any
``<script type="py">`` that appears, fetching Pyodide from a CDN). ``polyscript/xworker`` is its
worker machinery without that layer. The build unpacks the pinned ``[[host]]`` packages into a
``node_modules`` tree, bundles ``web/page/host.js`` from it with esbuild, and copies next to
``host.mjs`` the chunks the worker's code imports at run time (its code is a string in
``esm/worker/xworker.js`` that imports them relative to the module holding it).
"""

from __future__ import annotations

import hashlib
import re
import shutil
import tempfile
from pathlib import Path

from nosto_tagging.bundle.errors import BuildError
from nosto_tagging.bundle.fetch import extract_npm, fetch_npm
from nosto_tagging.bundle.loader import PAGE_DIR, SHARED_MODULES, run_esbuild
from nosto_tagging.bundle.pins import HostPin

HOST = "host.mjs"  # in the runtime folder
SOURCE = "host.js"  # in web/page/
WORKER_CODE = Path("esm") / "worker" / "xworker.js"
# Chromium compiles a function lazily, on the main thread, the first time it runs; evaluating
# host.mjs runs most of its functions. V8's explicit compile hint (Chromium 136+) asks for the
# whole file to be compiled while it streams in; measured, the page's main-thread time is the
# same with or without it, within the noise (docs/performance.md). Other engines read a comment.
COMPILE_HINT = "//# allFunctionsCalledOnLoad\n"
# Imported on demand by modules the bundle holds, never on the main thread (a TOML config, a zip
# in `files`, the package graph the worker reads): kept out of host.mjs as written.
LAZY = ("./3rd-party/*", "./pyodide_graph.js")
# `import("./name.js")` in the worker's code, which polyscript resolves next to its own module.
WORKER_IMPORT = re.compile(r'import\(\\?"\./([A-Za-z0-9_.-]+\.js)\\?"\)')


def host_tree(pins: tuple[HostPin, ...], cache_dir: Path) -> Path:
    """The ``node_modules`` folder holding every pinned host package at its paths (cached)."""
    key = hashlib.sha256(
        "\n".join(f"{p.npm.spec} {p.npm.sha256} {' '.join(p.paths)}" for p in pins).encode()
    ).hexdigest()[:16]
    root = cache_dir / "host" / key
    modules = root / "node_modules"
    if (root / ".complete").is_file():
        return modules
    root.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix="tree-", dir=root.parent))
    try:
        for pin in pins:
            package = extract_npm(fetch_npm(pin.npm, cache_dir).path, pin.npm.sha256, cache_dir)
            for folder in pin.paths:
                shutil.copytree(package, staged / "node_modules" / folder)
        (staged / ".complete").write_text(key)
        shutil.rmtree(root, ignore_errors=True)
        staged.rename(root)
    except OSError as error:
        raise BuildError(
            f"cannot lay out polyscript's packages in {root} ({error}); delete it and re-run"
        ) from error
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return modules


def worker_chunks(polyscript: Path) -> list[str]:
    """The file names the worker's code imports from polyscript's ``dist/``, sorted."""
    try:
        text = (polyscript / WORKER_CODE).read_text(encoding="utf-8")
    except OSError as error:
        raise BuildError(
            f"cannot read polyscript's {WORKER_CODE} ({error}); delete the cache's host/ "
            "folder and re-run"
        ) from error
    return sorted(set(WORKER_IMPORT.findall(text)))


def bundle_host(web_dir: Path, esbuild: Path, modules: Path) -> str:
    """``web/page/host.js`` and polyscript's XWorker as one ES module, minified, hinted."""
    source = web_dir / PAGE_DIR / SOURCE
    if not source.is_file():
        raise BuildError(f"{source} is missing; make sure the checkout is complete")
    with tempfile.TemporaryDirectory(prefix="nosto-bundle-") as tmp:
        out = Path(tmp) / HOST
        options = [
            "--format=esm",
            "--minify",
            *(f"--external:{path}" for path in (*LAZY, *SHARED_MODULES)),
        ]
        run_esbuild(
            esbuild, source, out, options, f"web/{PAGE_DIR}/{SOURCE}", {"NODE_PATH": str(modules)}
        )
        return COMPILE_HINT + out.read_text(encoding="utf-8")


def write_host(runtime: Path, web_dir: Path, esbuild: Path, modules: Path) -> list[str]:
    """Write ``host.mjs`` and the worker's chunks into ``runtime``; return the chunks' names."""
    (runtime / HOST).write_text(bundle_host(web_dir, esbuild, modules), encoding="utf-8")
    chunks = worker_chunks(modules / "polyscript")
    for name in chunks:
        found = modules / "polyscript" / "dist" / name
        if not found.is_file():
            raise BuildError(
                f"polyscript's worker imports {name} but its dist/ has no such file; check the "
                "polyscript pin in pins.toml"
            )
        shutil.copyfile(found, runtime / name)
    return chunks
