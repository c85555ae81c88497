"""``snapshot.mjs`` in the runtime: the interpreter module both engines' workers start Python
from (``dedicated-engine.mjs``, ``shared-engine.mjs``).

``web/snapshot/snapshot.mjs`` wraps Pyodide's ``loadPyodide``: it installs the wheels itself,
loads pydantic_core's shared library at fixed positions and starts from a memory snapshot kept in
Cache Storage when it has one. The build bundles it and the modules it imports into the one file
the worker fetches, with its manifest defined: Pyodide's build id (a snapshot of another build is
refused), the str hash seed (fixed per build, so a snapshot made in one page hashes like a plain
start), the wheels, the shared library and the modules to import.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from nosto_tagging.bundle.errors import BuildError
from nosto_tagging.bundle.loader import run_esbuild

MODULE = "snapshot.mjs"
SOURCE_DIR = "snapshot"  # web/snapshot/: the module's entry (snapshot.mjs) and its parts
MANIFEST_NAME = "NOSTO_SNAPSHOT_MANIFEST"
# Files of the runtime the module imports: left as imports, next to it in the runtime folder.
RUNTIME_IMPORTS = ("./pyodide.mjs", "./pyodide.asm.mjs")
# The worker's module runs only where Pyodide does (module workers, WebAssembly): it may use
# top-level await, which the page's scripts may not.
WORKER_TARGET = "es2022"
SITE = "/lib/python{major}.{minor}/site-packages"
# What the snapshot holds imported: the worker shell (the engine, pydantic models built), its
# transport and the shared engine's hub. web/engine.py itself imports `page`, the dedicated
# worker's channel, which exists only there.
ENGINE_IMPORTS = (
    "nosto_tagging.worker.shell",
    "nosto_tagging.worker.transport",
    "nosto_tagging.worker.shared",
)
# Run after the imports, before the snapshot is made: a page's first action on made-up data, so
# that what it loads and builds on first use is in the snapshot (nosto_tagging.core.rehearsal).
ENGINE_REHEARSAL = "nosto_tagging.core.rehearsal"
# Files of the runtime that every start reads whole, besides the wheels: a start keeps decoded
# copies of them in Cache Storage beside the snapshot (web/snapshot/copies.mjs).
COPIED = ("pyodide.asm.wasm", "python_stdlib.zip")
_BUILD_ID = re.compile(r'BUILD_ID:"([0-9a-f]{64})"')


def pyodide_build_id(pyodide_mjs: Path) -> str:
    """The build id Pyodide writes into (and checks in) every memory snapshot."""
    found: set[str] = set(_BUILD_ID.findall(pyodide_mjs.read_text(encoding="utf-8")))
    if len(found) != 1:
        raise BuildError(
            f"found {len(found)} BUILD_ID values in {pyodide_mjs}, expected 1; "
            "this Pyodide release is not supported by web/snapshot/"
        )
    return found.pop()


def shared_library(wheels: list[Path]) -> str:
    """The one ``.so`` member of the shipped wheels, relative to site-packages."""
    found = []
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            for info in archive.infolist():
                if info.compress_type != zipfile.ZIP_STORED:
                    raise BuildError(
                        f"{wheel.name}: {info.filename} is compressed; snapshot.mjs reads "
                        "stored members only (see nosto_tagging/bundle/pyc.py)"
                    )
                if info.filename.endswith(".so"):
                    found.append(info.filename)
    if len(found) != 1:
        raise BuildError(f"expected one shared library in the wheels, found {found}")
    return found[0]


def manifest(pyodide_mjs: Path, wheels: list[Path], python: str) -> dict[str, Any]:
    """What ``snapshot.mjs`` needs to know about this runtime."""
    major, minor = python.split(".")[:2]
    digest = hashlib.sha256()
    for wheel in sorted(wheels):
        digest.update(wheel.name.encode() + b"\0" + wheel.read_bytes())
    build_id = pyodide_build_id(pyodide_mjs)
    digest.update(build_id.encode())
    return {
        "buildId": build_id,
        "hashSeed": int.from_bytes(digest.digest()[:4], "big"),
        "site": SITE.format(major=major, minor=minor),
        "so": shared_library(wheels),
        "wheels": sorted(wheel.name for wheel in wheels),
        "imports": list(ENGINE_IMPORTS),
        "rehearsal": ENGINE_REHEARSAL,
        "copies": [*COPIED, *sorted(wheel.name for wheel in wheels)],
    }


def write_interpreter_module(
    web_dir: Path, esbuild: Path, target: Path, data: dict[str, Any]
) -> None:
    """Bundle ``web/snapshot/snapshot.mjs`` into ``target`` with its manifest defined."""
    options = [
        "--format=esm",
        f"--define:{MANIFEST_NAME}={json.dumps(data, sort_keys=True)}",
        "--external:node:*",
        *(f"--external:{name}" for name in RUNTIME_IMPORTS),
    ]
    run_esbuild(
        esbuild, web_dir / SOURCE_DIR / MODULE, target, options, f"web/{SOURCE_DIR}",
        target=WORKER_TARGET,
    )  # fmt: skip
