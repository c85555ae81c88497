"""The shared engine's worker script, ``nosto-worker.js``, beside ``nosto.js``.

A page with ``data-engine="shared"`` runs the visit's engine in a ``SharedWorker``, whose script
must come from the storefront's own origin: the merchant serves this file there (``data-worker``
names it when the bundle is hosted elsewhere). It is small, and stamped with the version it
serves: ``<version> <runtime folder>``, which a page of any other build refuses in the
handshake (``web/page/shared.js`` computes the same stamp from its runtime's URL). The source
is ``web/shared/worker.js``; the engine it starts is ``runtime/shared-engine.mjs``
(``web/shared/engine.js``), copied into the runtime.
"""

from __future__ import annotations

import json
from pathlib import Path

from nosto_tagging.bundle.errors import BuildError

NAME = "nosto-worker.js"  # at the bundle's root
SOURCE = Path("shared") / "worker.js"  # in web/
ENGINE_SOURCE = Path("shared") / "engine.js"  # in web/
ENGINE = "shared-engine.mjs"  # in the runtime


def stamp(version: str, runtime_dir: str) -> str:
    """What a worker script and a page must agree on: ``"0.1.0 runtime-1a2b3c4d5e6f"``."""
    return f"{version} {runtime_dir.strip('/')}"


def _read(web_dir: Path, source: Path) -> str:
    try:
        return (web_dir / source).read_text(encoding="utf-8")
    except OSError as error:
        raise BuildError(
            f"cannot read {web_dir / source} ({error}); is the checkout complete?"
        ) from error


def worker_script(web_dir: Path, version: str, runtime_dir: str) -> str:
    """``web/shared/worker.js`` with its version stamp and runtime folder filled in."""
    text = _read(web_dir, SOURCE)
    filled = text.replace('"%VERSION%"', json.dumps(stamp(version, runtime_dir))).replace(
        '"%RUNTIME_DIR%"', json.dumps(runtime_dir)
    )
    if "%VERSION%" in filled or "%RUNTIME_DIR%" in filled or filled == text:
        raise BuildError(f'{web_dir / SOURCE} lacks its "%VERSION%" or "%RUNTIME_DIR%" slot')
    return filled


def write_engine(web_dir: Path, runtime: Path) -> None:
    """Copy the shared engine's module into the runtime (before it is sealed)."""
    (runtime / ENGINE).write_text(_read(web_dir, ENGINE_SOURCE), encoding="utf-8")
