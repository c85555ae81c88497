"""The shared engine's worker script, ``nosto-worker.js``, beside ``nosto.js``.

A page on the shared engine (the default where it can work) runs the visit's engine in a
``SharedWorker``, whose script must come from the storefront's own origin: the merchant serves
this file there (``data-worker`` names it when the bundle is hosted elsewhere). It is small. Two
checks in the page's hello keep a page and a worker script of different builds apart:

- the stamp (:func:`stamp`): the version and a digest of the worker script's source. The build
  fills it into the worker script and hands it to the page's ``shared.mjs`` chunk (an esbuild
  define); the worker refuses a page with another. It is not the runtime folder's name: that
  folder holds ``shared.mjs`` and is named after its content, so the chunk cannot carry it.
- the runtime folder: the worker script knows the one it was built with, and refuses a page
  whose runtime (``?runtime=`` of its URL) is another, so the engine it starts is the page's.

The source is ``web/shared/worker.js``; the engine it starts is ``runtime/shared-engine.mjs``
(``web/shared/engine.js``, copied into the runtime by the build).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from nosto_tagging.bundle.errors import BuildError

NAME = "nosto-worker.js"  # at the bundle's root
SOURCE = Path("shared") / "worker.js"  # in web/


def stamp(web_dir: Path, version: str) -> str:
    """What a worker script and a page's ``shared.mjs`` must agree on: the version and the
    first 12 hex digits of the SHA-256 of ``web/shared/worker.js``, ``"0.1.0 1a2b3c4d5e6f"``."""
    digest = hashlib.sha256(_read(web_dir, SOURCE).encode("utf-8")).hexdigest()
    return f"{version} {digest[:12]}"


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
    filled = text.replace('"%VERSION%"', json.dumps(stamp(web_dir, version))).replace(
        '"%RUNTIME_DIR%"', json.dumps(runtime_dir)
    )
    if "%VERSION%" in filled or "%RUNTIME_DIR%" in filled or filled == text:
        raise BuildError(f'{web_dir / SOURCE} lacks its "%VERSION%" or "%RUNTIME_DIR%" slot')
    return filled
