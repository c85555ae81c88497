"""The browser settings every browser test reads: ``playwright.config.toml`` at the root."""

from __future__ import annotations

import tomllib
from typing import Any

from nosto_tagging.paths import REPO_ROOT

SETTINGS: dict[str, Any] = tomllib.loads((REPO_ROOT / "playwright.config.toml").read_text())
