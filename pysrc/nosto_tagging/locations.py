"""Where nosto-tagging reads its files and where it writes, installed or in a checkout.

Read-only, installed with the package and found with :mod:`importlib.resources`:

- the sandbox's pages, ``nosto_tagging/sandbox/web/`` (``demo/``, ``viewer/``, ``common/``);
- the built bundle a wheel carries, ``nosto_tagging/prebuilt/`` (``nosto.js``, the hashed
  runtime); an editable install from a checkout has none and uses ``build/bundle``.

Writable: a directory the user names (``--db``, ``--bundle``, ``--out``, ``--cache``), else the
per-user cache directory (:func:`user_cache_dir`), never the installed package. The build's
defaults (``build/bundle``, ``build/cache``, the loader sources in ``web/``) are relative to the
current directory: ``nosto-tagging build`` runs at the root of a checkout.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

PACKAGE = "nosto_tagging"
PREBUILT = "prebuilt"  # the bundle inside a wheel: nosto_tagging/prebuilt/
CHECKOUT_BUNDLE_DIR = Path("build", "bundle")  # where `nosto-tagging build` writes by default
CHECKOUT_CACHE_DIR = Path("build", "cache")  # its downloads and compiled outputs
CHECKOUT_WEB_DIR = Path("web")  # the loader's sources: its modules in page/, engine.py


def _installed(*parts: str) -> Path:
    """A directory installed inside the package, as a filesystem path (pip installs unzipped)."""
    found = resources.files(PACKAGE).joinpath(*parts)
    if not isinstance(found, Path):
        raise RuntimeError(
            f"nosto_tagging is imported from an archive ({found}); the sandbox serves files "
            "from disk: install it with pip"
        )
    return found


def sandbox_web_dir() -> Path:
    """The sandbox's pages: ``demo/``, ``viewer/`` and ``common/`` (what both share)."""
    return _installed("sandbox", "web")


def packaged_bundle_dir() -> Path | None:
    """The bundle the installed wheel carries, or None (an editable install from a checkout)."""
    bundle = _installed(PREBUILT)
    return bundle if (bundle / "nosto.js").is_file() else None


def default_bundle_dir() -> Path:
    """The bundle ``serve`` and the QA plugin use unless told otherwise.

    The wheel's own bundle; in a checkout (no bundle installed), ``build/bundle`` under the
    current directory, which ``serve`` builds if it is missing.
    """
    return packaged_bundle_dir() or CHECKOUT_BUNDLE_DIR.absolute()


def user_cache_dir() -> Path:
    """The per-user directory for what nosto-tagging writes when not told where.

    ``~/.cache/nosto-tagging`` on Linux (``$XDG_CACHE_HOME`` if set), the platform's own
    elsewhere.
    """
    import platformdirs  # not at the top: the wheel's build imports this module without it

    return platformdirs.user_cache_path("nosto-tagging", appauthor=False)


def default_db_path() -> Path:
    """The sandbox database ``serve`` uses without ``--db``."""
    return user_cache_dir() / "sandbox.sqlite3"


def checkout_web_dir(web_dir: Path = CHECKOUT_WEB_DIR) -> Path:
    """``web_dir`` (the loader's sources), absolute; a clear error if it is not there.

    The sources are not installed with the package: only a checkout can build the bundle.
    """
    if not web_dir.is_dir():
        raise FileNotFoundError(
            f"the loader's sources ({web_dir.absolute()}) are not there: building the bundle "
            "needs a checkout of nosto-tagging; run it at the checkout's root (or name them with "
            "`nosto-tagging build --web DIR`). An installed wheel carries its bundle already: "
            "`nosto-tagging serve` without --bundle uses it"
        )
    return web_dir.absolute()
