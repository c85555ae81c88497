"""Build the trimmed ``pyodide-lock.json``: Pyodide's own ``info``, and only the wheels we ship.

Each entry's sha256 is recomputed over the shipped (byte-compiled) file: Pyodide checks it.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

from nosto_tagging.bundle.errors import BuildError
from nosto_tagging.bundle.pins import LockMeta

_SEPARATORS = re.compile(r"[-_.]+")


def canonical_name(name: str) -> str:
    """The normalisation Pyodide applies to package names and ``depends`` (PEP 503)."""
    return _SEPARATORS.sub("-", name).lower()


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def lock_entry(meta: LockMeta, version: str, wheel: Path) -> dict[str, Any]:
    """The lock entry of one shipped wheel, hashed as it is on disk now."""
    return {
        "name": meta.name,
        "version": version,
        "file_name": wheel.name,
        "install_dir": "site",
        "sha256": sha256_file(wheel),
        "package_type": "package",
        "imports": list(meta.imports),
        "depends": list(meta.depends),
        "unvendored_tests": False,
        "tool": {},
    }


def check_wheel_abi(file_name: str, info: dict[str, Any]) -> None:
    """Refuse a binary wheel built for another Pyodide ABI than the lock's ``info.abi_version``."""
    platform = file_name.removesuffix(".whl").split("-")[-1]
    if platform == "any":
        return
    expected = f"pyemscripten_{info.get('abi_version')}_{info.get('arch', 'wasm32')}"
    if platform != expected:
        raise BuildError(
            f"wheel {file_name} is built for {platform}, but this Pyodide needs {expected}; "
            "pin a wheel built for this Pyodide ABI in pins.toml (or the matching Pyodide)"
        )


def trim_lock(original: dict[str, Any], entries: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Pyodide's lock with ``packages`` replaced by ``entries`` (keyed by canonical name).

    Every other top-level key (``info``, ``tool``) is kept as is: the loader checks
    ``info.abi_version``. Raises :class:`BuildError` if a ``depends`` cannot be resolved.
    """
    info = original.get("info")
    if not isinstance(info, dict) or "abi_version" not in info:
        raise BuildError(
            "Pyodide's pyodide-lock.json has no info.abi_version; "
            "the pinned pyodide npm package looks broken, re-check its pin in pins.toml"
        )
    for key, entry in entries.items():
        if key != canonical_name(key):
            raise BuildError(
                f"lock key {key!r} is not canonical (use {canonical_name(key)!r}) in pins.toml"
            )
        missing = [d for d in entry["depends"] if canonical_name(d) not in entries]
        if missing:
            raise BuildError(
                f"lock entry {key!r} depends on {missing}, which the bundle does not ship; "
                "add them as [[wheel]] in pins.toml or drop them from `depends`"
            )
        check_wheel_abi(entry["file_name"], info)
    trimmed = {k: v for k, v in original.items() if k != "packages"}
    trimmed["packages"] = dict(sorted(entries.items()))
    return trimmed
