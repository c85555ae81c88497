"""Bundle the loader: the ES modules in ``web/page/`` into one classic-script IIFE, by esbuild.

Two entries: ``nosto.js`` (production, the one file a page names) and ``nosto.test.js`` (the same
plus the hooks only tests use: ``data-test-clock``, ``api.internal.tick`` and
``data-start-timeout-ms``). What the page
needs to know of the Python side is not copied by hand: the build passes it to esbuild as the
one constant ``NOSTO_BUILD`` (:func:`page_build`): the version, the runtime folder, the
protocol's marker and empty response (``core.protocol.describe()``) and the API table
(``loader_table()``). The DOM tagging reader's chunk gets the tagging rules of
``core/tagging.py`` the same way, as ``NOSTO_TAGGING`` (:func:`tagging_rules`), and the shared
engine's chunk the worker script's stamp, as ``NOSTO_WORKER_STAMP`` (``worker_script.stamp``).
``minify.py`` makes the shipped file of the bundle.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from nosto_tagging import __version__
from nosto_tagging.bundle.errors import BuildError
from nosto_tagging.bundle.node import tail
from nosto_tagging.bundle.worker_script import stamp
from nosto_tagging.core.api import EMAIL_SHAPED, loader_table
from nosto_tagging.core.protocol import describe
from nosto_tagging.core.tagging import (
    MAX_DEPTH,
    MAX_NODES,
    MAX_TEXT,
    PROVIDED_TAGGING,
    ROOT_CLASSES,
    TAGGING_CLASSES,
)

PAGE_DIR = "page"  # web/page/: the loader's modules
ENTRIES = ("nosto.js", "nosto.test.js")  # production, and with the test hooks
# Chunks: page code only some pages load, as ES modules in the runtime folder (content-hashed
# with it): web/page/<source> -> runtime/<name>.
CHUNKS = {
    "tagging.mjs": "tagging.js",  # the DOM tagging reader (page-tagging.js loads it)
    # the engine's messages, sending and leaving, closed pages' leftovers (install.js, loaded
    # while the engine starts)
    "adoption.mjs": "delivery.js",
    "shared.mjs": "shared.js",  # the shared engine's page side (engine-start.js chooses it)
    "host.mjs": "host.js",  # the page's own engine, a dedicated worker (engine-start.js, shared.js)
    "policy.mjs": "policy.js",  # the Trusted Types policy, one per page (host.mjs, shared.mjs)
    "debug.mjs": "debug.js",  # the debug panel (?nostodebug=true; adoption.mjs loads it)
}
# Runtime modules a chunk imports by URL, one instance per page: never bundled in.
SHARED_MODULES = ("./policy.mjs", "./host.mjs", "./debug.mjs")
TARGET = "es2020"  # what the page may use: ?. and ?? are fine, top-level await is not
BUNDLE_TIMEOUT = 60.0


def page_table(table: dict[str, Any]) -> tuple[dict[str, dict[str, str]], str]:
    """The API table as the page reads it: each group as ``{kind: "name name ..."}``, and the
    private calls as ``"group:method ..."``."""
    groups: dict[str, dict[str, str]] = {}
    for group, members in table.items():
        if group == "private":
            continue
        kinds: dict[str, list[str]] = {}
        for name, kind in members.items():
            kinds.setdefault(kind, []).append(name)
        groups[group] = {kind: " ".join(names) for kind, names in kinds.items()}
    calls = [
        f"{group}:{method}" for group, methods in table["private"].items() for method in methods
    ]
    return groups, " ".join(calls)


def page_build(version: str, runtime_dir: str) -> dict[str, Any]:
    """``NOSTO_BUILD``: everything the page's modules take from the build."""
    protocol = describe()
    groups, private = page_table(loader_table())
    return {
        "version": version,
        "runtimeDir": runtime_dir,
        "protocol": {
            "marker": protocol["marker"],
            "emptyActionResponse": protocol["emptyActionResponse"],
        },
        "table": groups,
        "private": private,
        "email": EMAIL_SHAPED,
    }


def tagging_rules() -> dict[str, Any]:
    """``NOSTO_TAGGING``: what the DOM tagging reader (``tagging.js``) takes from
    ``core/tagging.py``: the classes that make a page carry tagging, every class a read starts
    from, the provider names that make a page carry tagging, and the bounds of one read."""
    return {
        "taggingClasses": list(TAGGING_CLASSES),
        "rootClasses": list(ROOT_CLASSES),
        "providedTagging": list(PROVIDED_TAGGING),
        "maxNodes": MAX_NODES,
        "maxDepth": MAX_DEPTH,
        "maxText": MAX_TEXT,
    }


def chunk_defines(name: str, web_dir: Path, version: str) -> list[str]:
    """The ``--define`` options of the chunk ``name``."""
    if name == "tagging.mjs":
        return [f"--define:NOSTO_TAGGING={json.dumps(tagging_rules(), separators=(',', ':'))}"]
    if name == "shared.mjs":
        return [f"--define:NOSTO_WORKER_STAMP={json.dumps(stamp(web_dir, version))}"]
    return []


def header(version: str, pyodide_version: str, runtime_dir: str) -> str:
    return (
        f"/*! nosto-tagging {version} | nostojs-compatible loader; the Python engine runs on "
        f"Pyodide {pyodide_version} from ./{runtime_dir} */"
    )


def run_esbuild(
    esbuild: Path,
    source: Path,
    out: Path,
    options: list[str],
    what: str,
    env: dict[str, str] | None = None,
    target: str = TARGET,
) -> None:
    """Bundle ``source`` into ``out``; ``env`` adds to the environment (e.g. ``NODE_PATH``)."""
    command = [str(esbuild), str(source), "--bundle", f"--target={target}", *options,
               "--log-level=warning", f"--outfile={out}"]  # fmt: skip
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=BUNDLE_TIMEOUT,
            check=False,
            env={**os.environ, **env} if env else None,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BuildError(
            f"cannot run esbuild ({error}); delete {esbuild.parent.parent} (a fresh unpack) "
            "and re-run"
        ) from error
    if done.returncode != 0 or done.stderr.strip():
        raise BuildError(
            f"bundling {what} with esbuild failed:\n{tail(done.stderr)}\n"
            f"Fix the JavaScript in {source.parent} (the error names file and line) and re-run."
        )


def _source(web_dir: Path, name: str) -> Path:
    source = web_dir / PAGE_DIR / name
    if not source.is_file():
        raise BuildError(
            f"{source} is missing; the loader is bundled from web/{PAGE_DIR}/, make sure the "
            "checkout is complete"
        )
    return source


def bundle_chunk(web_dir: Path, esbuild: Path, name: str, version: str = __version__) -> str:
    """The chunk ``name`` of :data:`CHUNKS` of the build ``version``: an ES module, minified
    by esbuild."""
    source = _source(web_dir, CHUNKS[name])
    with tempfile.TemporaryDirectory(prefix="nosto-bundle-") as tmp:
        out = Path(tmp) / name
        options = [
            "--format=esm",
            "--minify",
            *(f"--external:{m}" for m in SHARED_MODULES),
            *chunk_defines(name, web_dir, version),
        ]
        run_esbuild(esbuild, source, out, options, f"web/{PAGE_DIR}/{name}")
        return out.read_text(encoding="utf-8")


def bundle_loader(
    web_dir: Path,
    esbuild: Path,
    entry: str,
    version: str,
    pyodide_version: str,
    runtime_dir: str = "runtime/",
) -> str:
    """``web/page/<entry>`` and the modules it imports as one IIFE (not minified)."""
    source = _source(web_dir, entry)
    build = json.dumps(page_build(version, runtime_dir), separators=(",", ":"))
    with tempfile.TemporaryDirectory(prefix="nosto-bundle-") as tmp:
        out = Path(tmp) / entry
        options = [
            "--format=iife",
            f"--define:NOSTO_BUILD={build}",
            f"--banner:js={header(version, pyodide_version, runtime_dir)}",
        ]
        run_esbuild(esbuild, source, out, options, f"web/{PAGE_DIR}/{entry}")
        return out.read_text(encoding="utf-8")
