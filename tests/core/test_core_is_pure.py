"""The core imports nothing of the browser, the server or the repository.

Each module of ``nosto_tagging.core`` is imported in a fresh interpreter in which ``js``,
``pyodide``, Starlette, uvicorn and the CPython-only parts of the package cannot be imported.
"""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import nosto_tagging.core

BLOCKED = (
    "js",
    "pyodide",
    "starlette",
    "uvicorn",
    "nosto_tagging.locations",
    "nosto_tagging.sandbox",
    "nosto_tagging.bundle",
    "nosto_tagging.testing",
    "nosto_tagging.worker",
    "nosto_tagging.cli",
)

PROGRAM = """
import importlib, importlib.abc, sys
BLOCKED = {blocked!r}
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in BLOCKED):
            raise ImportError(f"the core imported {{name}}")
        return None
sys.meta_path.insert(0, Block())
for name in {modules!r}:
    importlib.import_module(name)
print("ok")
"""


def core_modules() -> list[str]:
    return sorted(
        info.name
        for info in pkgutil.walk_packages(nosto_tagging.core.__path__, "nosto_tagging.core.")
    )


def test_every_core_module_imports_with_browser_server_and_repository_blocked() -> None:
    modules = core_modules()
    assert "nosto_tagging.core.engine" in modules and "nosto_tagging.core.models" in modules
    program = PROGRAM.format(blocked=BLOCKED, modules=modules)
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "ok"


def test_the_blocker_does_block() -> None:
    program = PROGRAM.format(blocked=BLOCKED, modules=["nosto_tagging.locations"])
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode != 0 and "the core imported nosto_tagging.locations" in done.stderr
