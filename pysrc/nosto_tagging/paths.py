"""Where the project's files live: the ``web/`` sources and the default build outputs.

The package is used from a checkout (``pip install -e .``); ``web/`` sits beside ``pysrc/``.
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
WEB_DIR = REPO_ROOT / "web"
DEFAULT_BUNDLE_DIR = REPO_ROOT / "build" / "bundle"
DEFAULT_DB_PATH = REPO_ROOT / "build" / "sandbox.sqlite3"
CACHE_DIR = REPO_ROOT / "build" / "cache"
