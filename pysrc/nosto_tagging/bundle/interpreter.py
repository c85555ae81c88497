"""``snapshot.mjs`` in the runtime: the interpreter module polyscript's XWorker loads (its
``version`` option).

``web/snapshot.mjs`` wraps Pyodide's ``loadPyodide``: it installs the wheels itself, loads
pydantic_core's shared library at fixed positions and starts from a memory snapshot kept in
Cache Storage when it has one. The build fills in its manifest: Pyodide's build id (a snapshot of
another build is refused), the str hash seed (fixed per build, so a snapshot made in one page
hashes like a plain start), the wheels, the shared library and the modules to import first.
"""

from __future__ import annotations

import hashlib
import json
import re
import zipfile
from pathlib import Path
from typing import Any

from nosto_tagging.bundle.errors import BuildError

MODULE = "snapshot.mjs"
PLACEHOLDER = "/*NOSTO_SNAPSHOT_MANIFEST*/ {}"
SITE = "/lib/python{major}.{minor}/site-packages"
# What the snapshot holds imported: the worker shell (the engine, pydantic models built), its
# transport and the shared engine's hub. web/engine.py itself imports polyscript, which exists
# only in polyscript's worker.
ENGINE_IMPORTS = (
    "nosto_tagging.worker.shell",
    "nosto_tagging.worker.transport",
    "nosto_tagging.worker.shared",
)
_BUILD_ID = re.compile(r'BUILD_ID:"([0-9a-f]{64})"')


def pyodide_build_id(pyodide_mjs: Path) -> str:
    """The build id Pyodide writes into (and checks in) every memory snapshot."""
    found: set[str] = set(_BUILD_ID.findall(pyodide_mjs.read_text(encoding="utf-8")))
    if len(found) != 1:
        raise BuildError(
            f"found {len(found)} BUILD_ID values in {pyodide_mjs}, expected 1; "
            "this Pyodide release is not supported by web/snapshot.mjs"
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
    }


def write_interpreter_module(source: Path, target: Path, data: dict[str, Any]) -> None:
    """Copy ``web/snapshot.mjs`` to ``target`` with its manifest filled in."""
    text = source.read_text(encoding="utf-8")
    if text.count(PLACEHOLDER) != 1:
        raise BuildError(f"{source} must contain {PLACEHOLDER!r} exactly once")
    target.write_text(text.replace(PLACEHOLDER, json.dumps(data, sort_keys=True)), "utf-8")
