"""The browser settings every browser test reads: ``playwright.config.toml`` at the root."""

from __future__ import annotations

import tomllib
from typing import Any

from tests.checkout import ROOT

SETTINGS: dict[str, Any] = tomllib.loads((ROOT / "playwright.config.toml").read_text())
