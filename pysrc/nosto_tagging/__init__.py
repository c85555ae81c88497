"""nosto-tagging: a nostojs-compatible tagging engine that runs in Python.

The core (models, session rules, request building) is plain Python and runs the same in
CPython and in Pyodide. ``nosto_tagging.browser`` is the only package that touches ``js``;
``nosto_tagging.sandbox`` is the CPython-only local Nosto (collector, demo storefront).
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
