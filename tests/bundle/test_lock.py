"""The bundle builder's pure parts: pins.toml reading, lock trimming and re-hashing, the zip
rewriter's RECORD handling, our wheel's contents, the download hash check, precompressed
siblings, the content-hashed runtime folder and the stdlib trim (all in CPython).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import sys
import zipfile
from pathlib import Path
from typing import Any

import brotli  # type: ignore[import-not-found]
import pytest

from nosto_tagging.bundle import BuildError
from nosto_tagging.bundle.closure import MARGIN, _write_trimmed, top_level
from nosto_tagging.bundle.fetch import _fetch
from nosto_tagging.bundle.hashdir import hashed_dir_name, is_hashed_path, tree_digest
from nosto_tagging.bundle.loader import page_table
from nosto_tagging.bundle.lock import canonical_name, lock_entry, trim_lock
from nosto_tagging.bundle.ownwheel import build_own_wheel
from nosto_tagging.bundle.pins import PINS_PATH, LockMeta, esbuild_pin, load_pins
from nosto_tagging.bundle.precompress import is_sibling, precompress_file, precompress_tree
from nosto_tagging.bundle.pyc import recompile_zip

INFO = {
    "abi_version": "2026_0",
    "arch": "wasm32",
    "platform": "emscripten_5_0_3",
    "python": "3.14.2",
}


def fake_wheel(path: Path, files: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return path


def meta(key: str, depends: tuple[str, ...] = ()) -> LockMeta:
    return LockMeta(key=key, name=key, imports=(key.replace("-", "_"),), depends=depends)


def entry(tmp_path: Path, key: str, file: str, depends: tuple[str, ...] = ()) -> dict[str, Any]:
    wheel = fake_wheel(tmp_path / file, {f"{key}/__init__.py": b"x = 1\n"})
    return lock_entry(meta(key, depends), "1.0", wheel)


# --- pins.toml ---------------------------------------------------------------------------


def test_committed_pins_parse_with_the_expected_lock_graph() -> None:
    pins = load_pins()
    assert pins.pyodide.spec == "pyodide@314.0.7"
    assert pins.uglify.spec == "uglify-js@3.19.3"  # build tool: minifies nosto.js
    # build tool: bundles nosto.js; the native binary for the build machine
    assert esbuild_pin(pins, "Linux", "x86_64").spec == "@esbuild/linux-x64@0.28.2"
    assert esbuild_pin(pins, "Linux", "aarch64").tarball == "esbuild-linux-arm64-0.28.2.tgz"
    with pytest.raises(BuildError, match=r"no esbuild pin for this machine \(darwin-arm64\)"):
        esbuild_pin(pins, "Darwin", "arm64")
    by_key = {w.lock.key: w for w in pins.wheels}
    assert set(by_key) == {
        "pydantic",
        "pydantic-core",
        "typing-extensions",
        "typing-inspection",
        "annotated-types",
    }
    assert by_key["pydantic-core"].lock.name == "pydantic_core"
    assert by_key["pydantic-core"].platform == "pyemscripten_2026_0_wasm32"
    assert by_key["pydantic"].lock.depends == (
        "typing-extensions",
        "pydantic_core",
        "annotated-types",
        "typing-inspection",
    )
    assert pins.own.depends == ("pydantic",)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (('sha256 = "653a', 'sha256 = "XYZa'), "64 lowercase hex"),
        (('file = "pydantic-2.14.4-', 'file = "pydantic-2.14.3-'), "does not carry version"),
        (("[self]", "[other]"), "missing table [self]"),
        (('key = "annotated-types"', 'key = "pydantic"'), "duplicate lock keys"),
        (("[npm.uglify]", "[npm.uglif]"), "[npm.uglify]"),
    ],
)
def test_a_broken_manifest_names_the_problem(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    text = PINS_PATH.read_text()
    assert change[0] in text
    broken = tmp_path / "pins.toml"
    broken.write_text(text.replace(change[0], change[1], 1))
    with pytest.raises(BuildError, match=re.escape(message)):
        load_pins(broken)


# --- the trimmed lock --------------------------------------------------------------------


def test_lock_entry_hashes_the_shipped_file(tmp_path: Path) -> None:
    wheel = fake_wheel(tmp_path / "a_b-1.0-py3-none-any.whl", {"a_b/__init__.py": b""})
    got = lock_entry(LockMeta("a-b", "a_b", ("a_b",), ("c",)), "1.0", wheel)
    assert got == {
        "name": "a_b",
        "version": "1.0",
        "file_name": "a_b-1.0-py3-none-any.whl",
        "install_dir": "site",
        "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(),
        "package_type": "package",
        "imports": ["a_b"],
        "depends": ["c"],
        "unvendored_tests": False,
        "tool": {},
    }
    fake_wheel(wheel, {"a_b/__init__.py": b"changed = True\n"})
    assert lock_entry(meta("a-b"), "1.0", wheel)["sha256"] != got["sha256"]


def test_trim_keeps_info_and_only_our_packages(tmp_path: Path) -> None:
    original = {
        "info": INFO,
        "tool": {"x": 1},
        "packages": {"numpy": {"depends": []}, "pydantic": {"depends": []}},
    }
    entries = {
        "pydantic-core": entry(
            tmp_path, "pydantic-core", "p-1.0-cp314-cp314-pyemscripten_2026_0_wasm32.whl"
        ),
        "pydantic": entry(tmp_path, "pydantic", "q-1.0-py3-none-any.whl", ("pydantic_core",)),
    }
    trimmed = trim_lock(original, entries)
    assert trimmed["info"] == INFO
    assert trimmed["tool"] == {"x": 1}
    assert list(trimmed["packages"]) == ["pydantic", "pydantic-core"]
    assert original["packages"].keys() == {"numpy", "pydantic"}  # input untouched


def test_trim_refuses_unresolvable_depends(tmp_path: Path) -> None:
    entries = {"a": entry(tmp_path, "a", "a-1.0-py3-none-any.whl", ("missing-thing",))}
    with pytest.raises(BuildError, match=r"depends on \['missing-thing'\]"):
        trim_lock({"info": INFO, "packages": {}}, entries)


def test_trim_refuses_non_canonical_keys_and_foreign_abis(tmp_path: Path) -> None:
    with pytest.raises(BuildError, match="not canonical"):
        trim_lock({"info": INFO}, {"Typing_Ext": entry(tmp_path, "t", "t-1.0-py3-none-any.whl")})
    foreign = entry(tmp_path, "c", "c-1.0-cp313-cp313-pyodide_2025_0_wasm32.whl")
    with pytest.raises(BuildError, match="needs pyemscripten_2026_0_wasm32"):
        trim_lock({"info": INFO}, {"c": foreign})
    with pytest.raises(BuildError, match="abi_version"):
        trim_lock({"packages": {}}, {})


def test_canonical_name_matches_pyodide() -> None:
    assert canonical_name("pydantic_core") == "pydantic-core"
    assert canonical_name("Typing.Extensions") == "typing-extensions"


# --- the zip rewriter, our wheel, the loader, the download check -----------------------------


def test_recompile_zip_makes_sourceless_stored_entries_and_a_matching_record(
    tmp_path: Path,
) -> None:
    src = fake_wheel(
        tmp_path / "w-1.0-py3-none-any.whl",
        {
            "w/__init__.py": b"VALUE = 41 + 1\n",
            "w/broken.py": b"def (:\n",
            "w/py.typed": b"",
            "w-1.0.dist-info/METADATA": b"Name: w\n",
            "w-1.0.dist-info/RECORD": b"w/__init__.py,sha256=x,15\n",
        },
    )
    dst = tmp_path / "out.whl"
    stats = recompile_zip(str(src), str(dst), "/site/", wheel=True)
    assert stats["compiled"] == 1
    assert [f.split(":")[0] for f in stats["failed"]] == ["w/broken.py"]  # type: ignore[union-attr]
    with zipfile.ZipFile(dst) as archive:
        names = archive.namelist()
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
        record = archive.read("w-1.0.dist-info/RECORD").decode().splitlines()
        pyc = archive.read("w/__init__.pyc")
    assert "w/__init__.py" not in names and "w/broken.py" in names
    assert int.from_bytes(pyc[4:8], "little") == 0b01  # hash-based, unchecked
    assert [line.split(",")[0] for line in record] == [
        "w/__init__.pyc",
        "w/broken.py",
        "w/py.typed",
        "w-1.0.dist-info/METADATA",
        "w-1.0.dist-info/RECORD",
    ]
    assert record[0].endswith(f",{len(pyc)}") and record[-1] == "w-1.0.dist-info/RECORD,,"


def test_own_wheel_leaves_out_cpython_only_parts(tmp_path: Path) -> None:
    package = tmp_path / "nosto_tagging"
    for name in (
        "__init__.py",
        "py.typed",
        "locations.py",
        "cli.py",
        "core/models.py",
        "worker/__init__.py",
        "sandbox/app.py",
        "bundle/pins.toml",
        "core/__pycache__/models.cpython-311.pyc",
    ):
        (package / name).parent.mkdir(parents=True, exist_ok=True)
        (package / name).write_text("# x\n")
    wheel = build_own_wheel(package, "9.9", tmp_path / "dist")
    assert wheel.name == "nosto_tagging-9.9-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        record = archive.read("nosto_tagging-9.9.dist-info/RECORD").decode()
    assert names == {
        "nosto_tagging/__init__.py",
        "nosto_tagging/py.typed",
        "nosto_tagging/core/models.py",
        "nosto_tagging/worker/__init__.py",
        "nosto_tagging-9.9.dist-info/METADATA",
        "nosto_tagging-9.9.dist-info/WHEEL",
        "nosto_tagging-9.9.dist-info/RECORD",
    }
    assert "nosto_tagging/core/models.py,sha256=" in record
    assert build_own_wheel(package, "9.9", tmp_path / "again").read_bytes() == wheel.read_bytes()


def test_the_page_reads_the_api_table_grouped_by_kind() -> None:
    table = {
        "api": {"listen": "P", "customer": "N", "visit.setCustomerId": "V", "load": "UP"},
        "session": {"setCart": "S", "setCustomer": "S", "viewCart": "A"},
        "private": {"session": ["setCustomer"], "api": ["customer"]},
    }
    groups, private = page_table(table)
    assert groups == {
        "api": {"P": "listen", "N": "customer", "V": "visit.setCustomerId", "UP": "load"},
        "session": {"S": "setCart setCustomer", "A": "viewCart"},
    }
    assert private == "session:setCustomer api:customer"


def test_a_download_with_another_hash_is_refused_and_a_good_cache_is_reused(
    tmp_path: Path,
) -> None:
    staging = tmp_path / "staging"
    staging.mkdir()
    write = [sys.executable, "-c", f"open({str(staging / 'f.whl')!r}, 'wb').write(b'evil')"]
    good = hashlib.sha256(b"good").hexdigest()
    bad = hashlib.sha256(b"evil").hexdigest()
    with pytest.raises(BuildError) as caught:
        _fetch("f.whl", good, tmp_path, write, "test download", "hint", staging)
    assert all(part in str(caught.value) for part in ("f.whl", good, bad))
    assert not (tmp_path / "downloads" / "f.whl").exists()

    (tmp_path / "downloads").mkdir()
    (tmp_path / "downloads" / "f.whl").write_bytes(b"good")
    fail = [sys.executable, "-c", "raise SystemExit(3)"]
    fetched = _fetch("f.whl", good, tmp_path, fail, "test download", "hint", staging)
    assert fetched.cached and fetched.path.read_bytes() == b"good"


# --- precompressed siblings, the hashed runtime folder, the stdlib trim -----------------------


def test_precompressed_siblings_decompress_to_the_original_and_are_cached(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "sub").mkdir(parents=True)
    text = b"function f(){return 42}\n" * 400
    (site / "a.js").write_bytes(text)
    (site / "sub" / "b.wasm").write_bytes(bytes(range(256)) * 64)
    (site / "tiny.json").write_bytes(b"{}")  # compressed would be larger: no sibling
    (site / "photo.png").write_bytes(text)  # not a compressible kind
    cache = tmp_path / "cache"
    written = precompress_tree(site, cache)
    assert sorted(p.path.relative_to(site).as_posix() for p in written) == [
        "a.js.br",
        "a.js.gz",
        "sub/b.wasm.br",
        "sub/b.wasm.gz",
    ]
    assert brotli.decompress((site / "a.js.br").read_bytes()) == text
    assert gzip.decompress((site / "a.js.gz").read_bytes()) == text
    assert is_sibling(site / "a.js.br") and not is_sibling(site / "a.js")
    cached = sorted(p.name for p in cache.iterdir())
    (site / "a.js.br").unlink()
    precompress_file(site / "a.js", cache)  # a cache hit writes the same bytes
    assert brotli.decompress((site / "a.js.br").read_bytes()) == text
    assert sorted(p.name for p in cache.iterdir()) == cached


def test_the_runtime_folder_name_follows_every_file_but_not_the_siblings(tmp_path: Path) -> None:
    (tmp_path / "chunks").mkdir()
    (tmp_path / "pyodide.mjs").write_text("export {}")
    (tmp_path / "chunks" / "core.js").write_text("1")
    name = hashed_dir_name(tmp_path)
    assert re.fullmatch(r"runtime-[0-9a-f]{12}", name)
    (tmp_path / "pyodide.mjs.br").write_bytes(b"x")
    assert hashed_dir_name(tmp_path) == name
    (tmp_path / "chunks" / "core.js").write_text("2")
    assert hashed_dir_name(tmp_path) != name
    assert len(tree_digest(tmp_path)) == 64
    assert is_hashed_path(f"{name}/chunks/core.js")
    assert not is_hashed_path("nosto.js") and not is_hashed_path("runtime/pyodide.mjs")
    assert not is_hashed_path(name)  # the folder itself is not a file inside it


@pytest.mark.parametrize(
    ("entry", "name"),
    [("json/decoder.pyc", "json"), ("typing.pyc", "typing"), ("json/", "json"), ("x.py", "x")],
)
def test_stdlib_entries_belong_to_their_top_level_module(entry: str, name: str) -> None:
    assert top_level(entry) == name


def test_the_trim_keeps_whole_packages_and_drops_the_rest(tmp_path: Path) -> None:
    src = fake_wheel(
        tmp_path / "stdlib.zip",
        {
            "json/__init__.pyc": b"1",
            "json/decoder.pyc": b"2",
            "typing.pyc": b"3",
            "unittest/__init__.pyc": b"4",
            "xml/dom/minidom.pyc": b"5",
        },
    )
    kept, dropped = _write_trimmed(src, tmp_path / "out.zip", frozenset({"json", "typing"}))
    assert (kept, dropped) == (["json", "typing"], ["unittest", "xml"])
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert archive.namelist() == ["json/__init__.pyc", "json/decoder.pyc", "typing.pyc"]
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
    assert {"encodings", "traceback", "asyncio"} <= MARGIN
