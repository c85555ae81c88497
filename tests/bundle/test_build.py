"""A real ``build_bundle`` into a temporary directory (downloads come from the shared cache),
and the sandbox serving it: hashed runtime folder, precompressed files, cache headers.

Slow the first time on a machine (npm/PyPI downloads, byte-compiling and brotli 11), seconds after.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import re
import shutil
import warnings
import zipfile
from collections.abc import Iterator
from pathlib import Path

import brotli  # type: ignore[import-not-found]
import pytest

with warnings.catch_warnings():
    # starlette 0.52's testclient names anyio.abc.BlockingPortal, an alias anyio 4.12+ deprecates.
    warnings.filterwarnings(
        "ignore", "The anyio.abc.BlockingPortal alias is deprecated", DeprecationWarning
    )
    from starlette.testclient import TestClient

from nosto_tagging import __version__
from nosto_tagging.bundle import BuildError, build_bundle
from nosto_tagging.bundle.closure import _probe
from nosto_tagging.bundle.fetch import extract_npm, fetch_npm
from nosto_tagging.bundle.hashdir import hashed_dir_name
from nosto_tagging.bundle.loader import ENTRIES, bundle_loader
from nosto_tagging.bundle.pins import esbuild_pin, load_pins
from nosto_tagging.bundle.precompress import is_compressible, is_sibling
from nosto_tagging.sandbox import build_app
from nosto_tagging.sandbox.static import accepted_encodings
from tests.checkout import CACHE_DIR, WEB_DIR

LOADER_BUDGET_BROTLI = 6 * 1024  # the loader stays within 6 KB brotli

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None or shutil.which("npm") is None,
    reason="the bundle build needs Node.js 20 and npm on PATH",
)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def web_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real web/ sources if they are there, else stand-ins (the loader is not under test)."""
    if all((WEB_DIR / "page" / name).is_file() for name in ENTRIES):
        return WEB_DIR
    stub = tmp_path_factory.mktemp("web")
    (stub / "page").mkdir()
    for name in ENTRIES:
        (stub / "page" / name).write_text("window.nostoLoaded = NOSTO_BUILD.version;\n")
    return stub


@pytest.fixture(scope="module")
def bundle(tmp_path_factory: pytest.TempPathFactory, web_dir: Path) -> Path:
    out = tmp_path_factory.mktemp("build") / "bundle"
    assert build_bundle(out, web_dir=web_dir, cache_dir=CACHE_DIR, stream=io.StringIO()) == out
    return out


@pytest.fixture(scope="module")
def runtime(bundle: Path) -> Path:
    """The bundle's one content-hashed runtime folder."""
    [folder] = [p for p in bundle.iterdir() if p.is_dir()]
    return folder


@pytest.fixture(scope="module")
def client(bundle: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    db = tmp_path_factory.mktemp("db") / "db.sqlite3"
    with TestClient(build_app(db, bundle, allowed_hosts=["testserver"])) as client:
        yield client


def test_lock_lists_our_wheels_with_the_hashes_of_the_shipped_files(runtime: Path) -> None:
    lock = json.loads((runtime / "pyodide-lock.json").read_text())
    assert lock["info"]["abi_version"] == "2026_0"
    assert set(lock["packages"]) == {
        "nosto-tagging",
        "pydantic",
        "pydantic-core",
        "typing-extensions",
        "typing-inspection",
        "annotated-types",
    }
    for key, entry in lock["packages"].items():
        wheel = runtime / entry["file_name"]
        assert "/" not in entry["file_name"], key  # relative: served next to the lock, no CDN
        assert sha256(wheel) == entry["sha256"], key
    assert lock["packages"]["nosto-tagging"]["depends"] == ["pydantic"]
    assert lock["packages"]["nosto-tagging"]["version"] == __version__


def test_the_runtime_has_the_snapshot_module_and_the_build_checked_a_snapshot_restores(
    bundle: Path, runtime: Path
) -> None:
    text = (runtime / "snapshot.mjs").read_text()
    assert "= NOSTO_SNAPSHOT_MANIFEST" not in text  # defined by the build, not left a free name
    assert not re.search(r'from "\./(runtime|file|store|module|interpreter|zip)\.mjs"', text)
    build_id = re.search(r'BUILD_ID:"([0-9a-f]{64})"', (runtime / "pyodide.mjs").read_text())
    assert build_id is not None and f'buildId: "{build_id[1]}"' in text
    figures = json.loads((bundle / "build-info.json").read_text())["snapshot"]
    assert 20 * 2**20 < figures["memory_bytes"] < 80 * 2**20  # the engine's wasm memory
    assert 10 * 2**20 < figures["bytes"] < figures["memory_bytes"]  # zero pages left out
    assert figures["gzip_bytes"] < figures["bytes"] / 2
    assert not list(runtime.glob("*.snapshot*"))  # browsers make their own: none is shipped


def test_stdlib_is_sourceless_bytecode_stored_uncompressed(runtime: Path) -> None:
    with zipfile.ZipFile(runtime / "python_stdlib.zip") as archive:
        names = set(archive.namelist())
        assert {"json/__init__.pyc", "asyncio/__init__.pyc", "encodings/__init__.pyc"} <= names
        assert "json/__init__.py" not in names
        assert {i.compress_type for i in archive.infolist()} == {zipfile.ZIP_STORED}
        header = archive.read("json/__init__.pyc")[:8]
    assert header[2:4] == b"\r\n" and int.from_bytes(header[4:8], "little") == 0b01


def test_wheels_are_byte_compiled_stored_and_keep_a_valid_record(runtime: Path) -> None:
    wheels = sorted(runtime.glob("*.whl"))
    assert len(wheels) == 6
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


def test_our_wheel_has_no_cpython_only_modules(runtime: Path) -> None:
    wheel = runtime / f"nosto_tagging-{__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "nosto_tagging/__init__.pyc" in names
    assert any(n.startswith("nosto_tagging/worker/") for n in names)
    assert any(n.startswith("nosto_tagging/core/") for n in names)
    for excluded in (
        "nosto_tagging/sandbox/",
        "nosto_tagging/bundle/",
        "nosto_tagging/testing/",
        "nosto_tagging/cli.",
        "nosto_tagging/locations.",
    ):
        assert not [n for n in names if n.startswith(excluded)], excluded


def test_loader_runtime_files_and_build_info(bundle: Path, runtime: Path) -> None:
    nosto_js = (bundle / "nosto.js").read_text()
    assert nosto_js.startswith(f"/*! nosto-tagging {__version__}")
    assert nosto_js.rstrip().endswith(")();")
    engine = ("host.mjs", "dedicated-engine.mjs", "shared-engine.mjs", "snapshot.mjs")
    for name in ("pyodide.mjs", "pyodide.asm.mjs", "pyodide.asm.wasm", *engine):
        assert (runtime / name).is_file(), name
    # no PyScript on the page: the host starts a plain worker, nothing else of the runtime is JS
    assert not (runtime / "pyscript").exists() and not list(runtime.rglob("*.map"))
    assert not list(runtime.glob("*.js"))
    host = (runtime / "host.mjs").read_text()
    for page_layer in ("MutationObserver", "attachShadow", "customElements", "addEventListener"):
        assert page_layer not in host, page_layer
    assert '"./policy.mjs"' in host and "dedicated-engine.mjs" in host
    info = json.loads((bundle / "build-info.json").read_text())
    assert info["versions"]["pyodide"] == "314.0.7"
    assert "polyscript" not in info["versions"]
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


# --- hashed runtime, precompression, the trimmed stdlib, serving ------------------------------


def test_the_runtime_folder_is_named_after_its_content_and_the_loader_points_there(
    bundle: Path, runtime: Path
) -> None:
    assert re.fullmatch(r"runtime-[0-9a-f]{12}", runtime.name)
    assert hashed_dir_name(runtime) == runtime.name
    info = json.loads((bundle / "build-info.json").read_text())
    assert info["runtime_dir"] == f"{runtime.name}/"
    assert f'"{runtime.name}/"' in (bundle / "nosto.js").read_text()
    assert not (bundle / "runtime").exists()


def test_every_compressible_file_has_brotli_and_gzip_siblings_equal_to_it(bundle: Path) -> None:
    originals = [
        p
        for p in bundle.rglob("*")
        if p.is_file() and not is_sibling(p) and p.name != "build-info.json"  # not for browsers
    ]
    checked = 0
    for path in originals:
        data = path.read_bytes()
        br, gz = path.with_name(path.name + ".br"), path.with_name(path.name + ".gz")
        if is_compressible(path) and len(data) >= 1024:
            assert br.is_file() and gz.is_file(), path
        if br.is_file():
            assert brotli.decompress(br.read_bytes()) == data, br
            checked += 1
        if gz.is_file():
            assert gzip.decompress(gz.read_bytes()) == data, gz
    assert checked >= 15


def test_the_loader_stays_within_its_brotli_budget(bundle: Path) -> None:
    size = (bundle / "nosto.js.br").stat().st_size
    assert size <= LOADER_BUDGET_BROTLI, (
        f"nosto.js is {size} bytes brotli, over its 6 KB budget: move work from "
        "web/page/ into the engine (Python), shorten what the page must do itself, or load "
        "code only some pages need as a second chunk"
    )


def test_test_hooks_are_in_the_test_build_only(bundle: Path, web_dir: Path) -> None:
    if web_dir != WEB_DIR:
        pytest.skip("stand-in loader sources")
    production = (bundle / "nosto.js").read_text()
    test_build = (bundle / "nosto.test.js").read_text()
    for hook in ("data-test-clock", '"tick"', "tick:"):
        assert hook not in production
    assert "data-test-clock" in test_build and "tick" in test_build
    assert "internal" in production and "getSettings" in production  # debug members stay


# Hooks only the test build has: the script tag's attributes and the messages they make.
TEST_ONLY_ATTRIBUTES = {"data-test-clock", "data-start-timeout-ms"}
# The debug panel's own markup (hooks for QA automation in its shadow root) and the campaign
# id it reads from campaign HTML: attributes it writes or reads on no script tag.
PANEL_ATTRIBUTES = {
    ("debug.mjs", name)
    for name in ("data-part", "data-product", "data-placement", "data-eid", "data-code",
                 "data-warnings", "data-result-id")
}  # fmt: skip
ATTRIBUTE = re.compile(r"data-[a-z]+(?:-[a-z]+)*")


def documented_attributes() -> set[str]:
    """The script tag's attributes the README's table documents."""
    readme = (WEB_DIR.parent / "README.md").read_text()
    return set(re.findall(r"^\| `(data-[a-z-]+)` \|", readme, re.MULTILINE))


def test_the_production_loader_reads_only_documented_attributes(
    bundle: Path, runtime: Path, web_dir: Path
) -> None:
    if web_dir != WEB_DIR:
        pytest.skip("stand-in loader sources")
    documented = documented_attributes()
    assert {"data-account", "data-endpoint", "data-runtime", "data-engine"} <= documented
    production = [bundle / "nosto.js", *runtime.glob("*.mjs")]
    read = {
        (path.name, name) for path in production for name in ATTRIBUTE.findall(path.read_text())
    }
    assert {(file, name) for file, name in read if name not in documented} == PANEL_ATTRIBUTES
    test_build = set(ATTRIBUTE.findall((bundle / "nosto.test.js").read_text()))
    assert test_build - documented == TEST_ONLY_ATTRIBUTES


def test_the_runtimes_python_holds_no_test_clock_but_the_test_builds_entry(runtime: Path) -> None:
    found = []
    for wheel in runtime.glob("nosto_tagging-*.whl"):
        with zipfile.ZipFile(wheel) as archive:
            found += [name for name in archive.namelist() if b"ManualClock" in archive.read(name)]
            found += [name for name in archive.namelist() if b'"tick"' in archive.read(name)]
            found += [name for name in archive.namelist() if "/testing/" in name]
    found += [path.name for path in runtime.glob("*.py") if b"ManualClock" in path.read_bytes()]
    assert found == ["engine.test.py"]  # the entry nosto.test.js starts with data-test-clock
    assert "engine.test.py" not in (runtime / "host.mjs").read_text()  # the test build names it


def test_a_loader_module_that_does_not_bundle_names_its_file(tmp_path: Path) -> None:
    page = tmp_path / "page"
    page.mkdir()
    (page / "nosto.js").write_text('import { missing } from "./gone.js";\nmissing();\n')
    esbuild = extract_npm(
        fetch_npm(esbuild_pin(load_pins()), CACHE_DIR).path,
        esbuild_pin(load_pins()).sha256,
        CACHE_DIR,
    )
    with pytest.raises(BuildError, match=r"(?s)bundling web/page/nosto.js.*gone\.js"):
        bundle_loader(tmp_path, esbuild / "bin" / "esbuild", "nosto.js", "1.0", "314.0.7")


def test_the_stdlib_is_trimmed_to_the_engines_imports(bundle: Path, runtime: Path) -> None:
    info = json.loads((bundle / "build-info.json").read_text())
    assert {"json", "asyncio", "encodings", "pyodide", "_pyodide", "typing"} <= set(
        info["stdlib_kept"]
    )
    assert {"unittest", "tkinter", "pydoc_data", "xmlrpc"} & set(info["stdlib_dropped"])
    with zipfile.ZipFile(runtime / "python_stdlib.zip") as archive:
        tops = {name.split("/")[0].removesuffix(".pyc") for name in archive.namelist()}
    assert tops == set(info["stdlib_kept"])


def test_the_trimmed_stdlib_runs_the_engine_under_pyodide(runtime: Path) -> None:
    """The build checks this too; here it runs against the files as shipped."""
    pyodide = next((CACHE_DIR / "npm").glob("pyodide-*/package"))
    modules, site = _probe(
        pyodide,
        runtime / "python_stdlib.zip",
        sorted(runtime.glob("*.whl")),
        "running the engine on the shipped stdlib",
    )
    assert "json" in modules and "unittest" not in modules
    assert "pydantic_core" in site and "pyodide_http" not in site


@pytest.mark.parametrize(
    ("header", "allowed"),
    [
        ("gzip, deflate, br, zstd", {"gzip", "deflate", "br", "zstd"}),
        ("gzip;q=1.0, br;q=0", {"gzip"}),
        ("*", {"br", "gzip", "*"}),
        ("*, br;q=0", {"gzip", "*"}),
        ("", set()),
        ("identity", {"identity"}),
    ],
)
def test_accept_encoding_is_read_with_its_q_values(header: str, allowed: set[str]) -> None:
    assert accepted_encodings(header) == allowed


def test_hashed_files_are_immutable_and_served_brotli_as_wasm(
    client: TestClient, runtime: Path
) -> None:
    url = f"/bundle/{runtime.name}/pyodide.asm.wasm"
    response = client.get(url, headers={"Accept-Encoding": "br"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "br"
    assert response.headers["content-type"] == "application/wasm"
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["vary"] == "Accept-Encoding"
    wasm = (runtime / "pyodide.asm.wasm").read_bytes()
    assert int(response.headers["content-length"]) == len(
        (runtime / "pyodide.asm.wasm.br").read_bytes()
    )
    assert response.content == wasm  # httpx decoded the brotli body


@pytest.mark.parametrize(
    ("accept", "encoding", "suffix"),
    [("gzip", "gzip", ".gz"), ("identity", None, ""), ("br;q=0, gzip", "gzip", ".gz")],
)
def test_other_codings_are_negotiated_too(
    client: TestClient, runtime: Path, accept: str, encoding: str | None, suffix: str
) -> None:
    name = "python_stdlib.zip"
    response = client.get(f"/bundle/{runtime.name}/{name}", headers={"Accept-Encoding": accept})
    assert response.headers.get("content-encoding") == encoding
    assert int(response.headers["content-length"]) == (runtime / (name + suffix)).stat().st_size
    assert response.content == (runtime / name).read_bytes()


def test_the_loader_is_no_cache_and_revalidates_with_a_304(client: TestClient) -> None:
    first = client.get("/bundle/nosto.js", headers={"Accept-Encoding": "br"})
    assert first.status_code == 200
    assert first.headers["cache-control"] == "no-cache"
    assert first.headers["content-encoding"] == "br"
    assert first.headers["content-type"].startswith("text/javascript")
    again = client.get(
        "/bundle/nosto.js",
        headers={"Accept-Encoding": "br", "If-None-Match": first.headers["etag"]},
    )
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["cache-control"] == "no-cache"


def test_build_info_gives_the_subresource_integrity_of_nosto_js(bundle: Path) -> None:
    info = json.loads((bundle / "build-info.json").read_text())
    digest = hashlib.sha384((bundle / "nosto.js").read_bytes()).digest()
    assert info["nosto_js_integrity"] == "sha384-" + base64.b64encode(digest).decode()
