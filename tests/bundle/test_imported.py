"""The build refuses a shipped wheel the engine never imports (bundle/imported.py)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from nosto_tagging.bundle.errors import BuildError
from nosto_tagging.bundle.imported import check_every_wheel_imported, unimported_wheels
from nosto_tagging.bundle.pins import load_pins

SHIPPED = {
    "pydantic": ("pydantic",),
    "pydantic-core": ("pydantic_core",),
    "pyodide-http": ("pyodide_http",),
    "nosto-tagging": ("nosto_tagging",),
}


def test_a_wheel_imported_only_through_another_counts_as_imported() -> None:
    # pydantic_core is loaded by pydantic, never by our code: still in sys.modules.
    seen = ["nosto_tagging", "pydantic", "pydantic_core", "pyodide_http"]
    assert unimported_wheels(SHIPPED, seen) == []
    check_every_wheel_imported(SHIPPED, seen)


def test_a_wheel_nothing_imports_fails_the_build_with_its_name() -> None:
    seen = ["nosto_tagging", "pydantic", "pydantic_core", "typing_extensions"]
    assert unimported_wheels(SHIPPED, seen) == ["pyodide-http"]
    with pytest.raises(BuildError, match=r"pyodide-http \(pyodide_http\).*pins\.toml"):
        check_every_wheel_imported(SHIPPED, seen)


def test_a_wheel_with_several_top_level_modules_needs_only_one_of_them() -> None:
    shipped = {"two": ("alpha", "beta"), "none": ("gamma",)}
    assert unimported_wheels(shipped, ["beta"]) == ["none"]


def test_every_committed_pin_is_imported_when_the_engine_imports_its_own_closure() -> None:
    # The engine's pure core imported in a fresh CPython: the top-level modules it pulls in
    # (the Pyodide run of the build sees the same third-party ones, plus the worker's `js`).
    probe = (
        "import importlib, pkgutil, sys\n"
        "import nosto_tagging.core as core\n"
        "for module in pkgutil.iter_modules(core.__path__):\n"
        "    importlib.import_module(f'nosto_tagging.core.{module.name}')\n"
        "print(' '.join(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    seen = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout.split()
    assert "nosto_tagging" in seen and "pydantic_core" in seen
    pins = load_pins()
    shipped = {pin.lock.key: pin.lock.imports for pin in pins.wheels}
    shipped[pins.own.key] = pins.own.imports
    assert unimported_wheels(shipped, seen) == []
