"""The pure core: models, session rules, request building, retry policy, the page/worker protocol.

Imports only the standard library and pydantic (no ``js``, no ``pyodide``, no Starlette, no
repository paths), so it runs the same in CPython and in Pyodide and is tested in milliseconds.
"""
