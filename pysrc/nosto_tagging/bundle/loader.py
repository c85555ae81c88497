"""Assemble ``nosto.js``: ``web/protocol.js`` + ``web/loader.js`` inside one strict-mode IIFE.

Both sources must be classic scripts (no top-level ``import``/``export``): nosto.js is loaded
with a plain ``<script>`` tag, like Nosto's own. ``minify.py`` makes the shipped file of it.
"""

from __future__ import annotations

import re
from pathlib import Path

from nosto_tagging.bundle.errors import BuildError

SOURCES = ("protocol.js", "loader.js")
_MODULE_SYNTAX = re.compile(r"^\s*(export\s|import\s*[\w{*\"'])", re.MULTILINE)


def assemble_loader(
    web_dir: Path, version: str, pyodide_version: str, runtime_dir: str = "runtime/"
) -> str:
    parts = []
    for name in SOURCES:
        path = web_dir / name
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as error:
            raise BuildError(
                f"cannot read {path} ({error}); the loader is assembled from web/{SOURCES[0]} "
                f"and web/{SOURCES[1]}, make sure both exist"
            ) from error
        match = _MODULE_SYNTAX.search(text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            raise BuildError(
                f"{path}:{line} uses ES module syntax ({match.group(0).strip()!r}); nosto.js is a "
                "classic script, so share code through the IIFE scope instead of import/export"
            )
        parts.append(f"// ---- web/{name} ----\n{text.rstrip()}\n")
    header = (
        f"/*! nosto-tagging {version} | nostojs-compatible loader; the Python engine runs on "
        f"Pyodide {pyodide_version} from ./{runtime_dir} */\n"
    )
    script = header + '(function () {\n"use strict";\n' + "\n".join(parts) + "})();\n"
    script = script.replace("__NOSTO_TAGGING_VERSION__", version)
    return script.replace("__NOSTO_RUNTIME_DIR__", runtime_dir)
