"""The checkout the tests run in: the loader's sources and what `nosto-tagging build` wrote."""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WEB_DIR = ROOT / "web"  # the loader's sources (build-time inputs)
BUNDLE_DIR = ROOT / "build" / "bundle"  # `nosto-tagging build`'s default output
CACHE_DIR = ROOT / "build" / "cache"  # its downloads and compiled outputs


def runtime_dir() -> str:
    """The runtime folder the build named (``runtime-<hash>/``), from its build-info.json."""
    info = json.loads((BUNDLE_DIR / "build-info.json").read_text(encoding="utf-8"))
    return str(info["runtime_dir"])
