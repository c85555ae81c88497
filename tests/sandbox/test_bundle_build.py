"""A real ``build_bundle`` into a temporary directory (downloads come from the shared cache).

Slow the first time on a machine (npm/PyPI downloads, byte-compiling under Node), seconds after.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from nosto_tagging import __version__
from nosto_tagging.bundle import build_bundle
from nosto_tagging.paths import WEB_DIR

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="the bundle build needs Node.js 20 and npm on PATH",
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def web_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real web/ sources if they are there, else stand-ins (the loader is not under test)."""
    if all((WEB_DIR / name).is_file() for name in ("protocol.js", "loader.js")):
        return WEB_DIR
    stub = tmp_path_factory.mktemp("web")
    (stub / "protocol.js").write_text("var PROTOCOL = 1;\n")
    (stub / "loader.js").write_text("window.nostoLoaded = PROTOCOL;\n")
    return stub


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, web_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("build") / "bundle"
    assert build_bundle(out, web_dir=web_dir, stream=io.StringIO()) == out
    return out


def test_lock_lists_our_wheels_with_the_hashes_of_the_shipped_files(bundle: Path) -> None:
    lock = json.loads((bundle / "runtime" / "pyodide-lock.json").read_text())
    assert lock["info"]["abi_version"] == "2026_0"
    assert set(lock["packages"]) == {
        "nosto-tagging",
        "pydantic",
        "pydantic-core",
        "typing-extensions",
        "typing-inspection",
        "annotated-types",
        "pyodide-http",
    }
    for key, entry in lock["packages"].items():
        wheel = bundle / "runtime" / entry["file_name"]
        assert "/" not in entry["file_name"], key  # relative: served next to the lock, no CDN
        assert sha256(wheel) == entry["sha256"], key
    assert lock["packages"]["nosto-tagging"]["depends"] == ["pydantic", "pyodide-http"]
    assert lock["packages"]["nosto-tagging"]["version"] == __version__


def test_stdlib_is_sourceless_bytecode_stored_uncompressed(bundle: Path) -> None:
    with zipfile.ZipFile(bundle / "runtime" / "python_stdlib.zip") as archive:
        names = set(archive.namelist())
        assert {"json/__init__.pyc", "asyncio/__init__.pyc", "encodings/__init__.pyc"} <= names
        assert "json/__init__.py" not in names
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
        header = archive.read("json/__init__.pyc")[:8]
    assert header[2:4] == b"\r\n" and int.from_bytes(header[4:8], "little") == 0b01


def test_wheels_are_byte_compiled_stored_and_keep_a_valid_record(bundle: Path) -> None:
    wheels = sorted((bundle / "runtime").glob("*.whl"))
    assert len(wheels) == 7
    for wheel in wheels:
        with zipfile.ZipFile(wheel) as archive:
            assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
            names = archive.namelist()
            assert not [n for n in names if n.endswith(".py")], wheel.name
            record = next(n for n in names if n.endswith(".dist-info/RECORD"))
            for line in archive.read(record).decode().splitlines():
                name, digest, size = line.rsplit(",", 2)
                if name != record:
                    assert int(size) == archive.getinfo(name).file_size, (wheel.name, name)
                    assert digest.startswith("sha256="), (wheel.name, name)


def test_our_wheel_has_no_cpython_only_modules(bundle: Path) -> None:
    wheel = bundle / "runtime" / f"nosto_tagging-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "nosto_tagging/__init__.pyc" in names
    assert any(n.startswith("nosto_tagging/browser/") for n in names)
    for excluded in ("nosto_tagging/sandbox/", "nosto_tagging/bundle/", "nosto_tagging/cli."):
        assert not [n for n in names if n.startswith(excluded)], excluded


def test_loader_runtime_files_and_build_info(bundle: Path) -> None:
    nosto_js = (bundle / "nosto.js").read_text()
    assert nosto_js.startswith(f"/*! nosto-tagging {__version__}")
    assert nosto_js.rstrip().endswith("})();")
    runtime = bundle / "runtime"
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", "pyscript/core.js"):
        assert (runtime / name).is_file(), name
    assert not list((runtime / "pyscript").glob("*.map"))
    info = json.loads((bundle / "build-info.json").read_text())
    assert info["versions"]["pyodide"] == "314.0.7"
    listed = {f["path"]: f for f in info["files"]}
    on_disk = {p.relative_to(bundle).as_posix() for p in bundle.rglob("*") if p.is_file()} - {
        "build-info.json"
    }
    assert set(listed) == on_disk
    assert listed["nosto.js"]["sha256"] == sha256(bundle / "nosto.js")


def test_a_second_build_is_identical_and_replaces_the_first(bundle: Path, web_dir: Path) -> None:
    before = json.loads((bundle / "build-info.json").read_text())["files"]
    (bundle / "stray.txt").write_text("left over")
    build_bundle(bundle, web_dir=web_dir, stream=io.StringIO())
    assert json.loads((bundle / "build-info.json").read_text())["files"] == before
    assert not (bundle / "stray.txt").exists()
