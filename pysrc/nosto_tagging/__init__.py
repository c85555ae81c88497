"""nosto-tagging: a nostojs-compatible tagging engine that runs in Python.

``nosto_tagging.core`` is the pure core (models, session rules, request building, retry policy,
the page/worker protocol, the API table): plain Python that runs the same in CPython and in
Pyodide. ``nosto_tagging.worker`` is the worker shell, the only package that touches ``js``.
CPython only: ``sandbox`` (the local Nosto: collector, demo storefront, viewer), ``bundle`` (the
build), ``testing`` (the QA plugin) and ``cli``.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
