"""nosto-tagging: a nostojs-compatible tagging engine that runs in Python.

``nosto_tagging.core`` is the pure core (models, session rules, request building, retry policy,
the page/worker protocol, the API table): plain Python that runs the same in CPython and in
Pyodide. ``nosto_tagging.worker`` is the worker shell, the only package that touches ``js``.
CPython only: ``sandbox`` (the local Nosto: collector, demo storefront, viewer), ``bundle`` (the
build), ``testing`` (the QA plugin) and ``cli``.

For merchants' back ends: :func:`customer_reference` (``nosto_tagging.reference``), imported on
first use so that the browser, which never needs it, does not load it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from nosto_tagging.reference import customer_reference

__version__ = "0.1.0"

__all__ = ["__version__", "customer_reference"]


def __getattr__(name: str) -> Any:
    if name == "customer_reference":
        from nosto_tagging.reference import customer_reference

        return customer_reference
    raise AttributeError(f"module 'nosto_tagging' has no attribute {name!r}")
