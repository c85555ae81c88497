"""The manifest the build writes into the runtime's snapshot.mjs (bundle/interpreter.py)."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from nosto_tagging.bundle.errors import BuildError
from nosto_tagging.bundle.interpreter import (
    COPIED,
    ENGINE_IMPORTS,
    manifest,
    pyodide_build_id,
    shared_library,
)

BUILD_ID = "ab" * 32
SO = "pkg/_native.cpython-314-wasm32-emscripten.so"


def _wheel(path: Path, members: dict[str, bytes], compress: int = zipfile.ZIP_STORED) -> Path:
    with zipfile.ZipFile(path, "w", compress) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def _pyodide(tmp_path: Path, *ids: str) -> Path:
    path = tmp_path / "pyodide.mjs"
    path.write_text("".join(f'x={{checkAPIVersion:!0,BUILD_ID:"{i}"}};' for i in ids))
    return path


def test_the_build_id_is_read_from_pyodide_mjs(tmp_path: Path) -> None:
    assert pyodide_build_id(_pyodide(tmp_path, BUILD_ID, BUILD_ID)) == BUILD_ID
    with pytest.raises(BuildError, match="found 0 BUILD_ID values"):
        pyodide_build_id(_pyodide(tmp_path))
    with pytest.raises(BuildError, match="found 2 BUILD_ID values"):
        pyodide_build_id(_pyodide(tmp_path, BUILD_ID, "cd" * 32))


def test_the_one_shared_library_is_found_and_compressed_members_are_refused(
    tmp_path: Path,
) -> None:
    native = _wheel(tmp_path / "a.whl", {"pkg/__init__.pyc": b"x", SO: b"\0asm"})
    pure = _wheel(tmp_path / "b.whl", {"other/__init__.pyc": b"y"})
    assert shared_library([pure, native]) == SO
    with pytest.raises(BuildError, match=r"expected one shared library.*\[\]"):
        shared_library([pure])
    deflated = _wheel(tmp_path / "c.whl", {"other/x.pyc": b"z" * 100}, zipfile.ZIP_DEFLATED)
    with pytest.raises(BuildError, match=r"other/x\.pyc is compressed"):
        shared_library([native, deflated])


def test_the_manifest_names_wheels_library_imports_and_a_hash_seed_fixed_per_build(
    tmp_path: Path,
) -> None:
    native = _wheel(tmp_path / "a-1-py3-none-any.whl", {SO: b"\0asm"})
    pure = _wheel(tmp_path / "b-1-py3-none-any.whl", {"b/__init__.pyc": b"y"})
    pyodide = _pyodide(tmp_path, BUILD_ID)
    data = manifest(pyodide, [pure, native], "3.14.2")
    assert data["buildId"] == BUILD_ID
    assert data["site"] == "/lib/python3.14/site-packages"
    assert data["so"] == SO
    assert data["wheels"] == ["a-1-py3-none-any.whl", "b-1-py3-none-any.whl"]
    assert data["imports"] == list(ENGINE_IMPORTS)
    # What a start keeps decoded copies of in Cache Storage: the wasm, the stdlib, the wheels.
    assert data["copies"] == [*COPIED, "a-1-py3-none-any.whl", "b-1-py3-none-any.whl"]
    assert manifest(pyodide, [native, pure], "3.14.2")["hashSeed"] == data["hashSeed"]
    _wheel(pure, {"b/__init__.pyc": b"changed"})
    assert manifest(pyodide, [pure, native], "3.14.2")["hashSeed"] != data["hashSeed"]
