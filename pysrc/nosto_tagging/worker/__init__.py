"""The engine's shell in the worker: the only package that touches ``js`` and ``pyodide``."""
