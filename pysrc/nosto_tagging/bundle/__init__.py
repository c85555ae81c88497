"""``nosto-tagging build``: assemble the self-hosted Pyodide bundle (CPython only).

Pins live in ``pins.toml``; see :func:`build_bundle` for the output layout's entry point.
"""

from nosto_tagging.bundle.assemble import build_bundle
from nosto_tagging.bundle.errors import BuildError

__all__ = ["BuildError", "build_bundle"]
