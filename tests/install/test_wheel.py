"""The wheel as QA teams get it, away from this checkout.

``python -m build`` makes the sdist and, from it, the wheel; the wheel goes into a fresh virtual
environment in a temporary directory with pytest-playwright from PyPI; there, the installed
``nosto-tagging serve`` runs, and a QA project made of the README's own ``conftest.py`` and tests
passes in Debian's Chromium through pytest-playwright's ``page``, alone and with pytest-xdist's
``-n 3`` (``parallel_qa_tests.py``). Node.js and npm are replaced by stand-ins that fail loudly:
nothing installed may need them.

About two minutes: the bundle build reuses ``build/cache``, pip its own cache.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tarfile
import urllib.request
import zipfile
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from tests.checkout import CACHE_DIR, ROOT

CHROMIUM = Path("/usr/bin/chromium")
README = ROOT / "README.md"
PARALLEL_TESTS = Path(__file__).with_name("parallel_qa_tests.py")
PARALLEL_CONFTEST = Path(__file__).with_name("parallel_qa_conftest.py")
WORKERS = 3
WHEEL_SIZE = re.compile(
    r"built (nosto_tagging-\S+\.whl): ([\d.]+) MB, of which the bundle \(prebuilt/\) ([\d.]+) MB"
)
LEFTOVER_DIRS = {"tests", "cache", "build", "dist", "node_modules", ".pytest_cache"}
INSTALL_TIMEOUT_S = 600
RUN_TIMEOUT_S = 300

pytestmark = [
    pytest.mark.skipif(
        shutil.which("node") is None or shutil.which("npm") is None,
        reason="building the wheel builds the bundle: it needs Node.js 20 and npm on PATH",
    ),
    pytest.mark.skipif(not CHROMIUM.exists(), reason="the QA project drives Debian's chromium"),
]


def run(command: list[str | Path], **kwargs: object) -> subprocess.CompletedProcess[str]:
    """``command``, its output captured; fails the test with the output's tail if it fails."""
    done = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        check=False,
        **kwargs,  # type: ignore[call-overload]
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{command} exited {done.returncode}:\n{output[-4000:]}"
    return done


@dataclass(frozen=True)
class Dist:
    wheel: Path
    sdist: Path
    log: str


@dataclass(frozen=True)
class Install:
    """The fresh environment, and what a machine with Python only has on its PATH."""

    venv: Path
    site_packages: Path
    home: Path  # the directory commands run in, outside any checkout
    env: dict[str, str]
    node_ran: Path  # written by the node/npm stand-ins if anything calls them


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Dist:
    out = tmp_path_factory.mktemp("dist")
    done = run(
        [sys.executable, "-m", "build", "--outdir", out, ROOT],
        env=os.environ | {"NOSTO_BUILD_CACHE": str(CACHE_DIR)},
        timeout=INSTALL_TIMEOUT_S,
    )
    [wheel] = out.glob("*.whl")
    [sdist] = out.glob("*.tar.gz")
    return Dist(wheel, sdist, done.stdout + done.stderr)


@pytest.fixture(scope="module")
def install(dist: Dist, tmp_path_factory: pytest.TempPathFactory) -> Install:
    base = tmp_path_factory.mktemp("qa-machine")
    venv = base / "venv"
    run([sys.executable, "-m", "venv", venv], timeout=INSTALL_TIMEOUT_S)
    # The Playwright this checkout drives Debian's Chromium with, and the pytest-xdist it pins;
    # pip's cache has them.
    packages = [
        dist.wheel,
        "pytest-playwright",
        f"playwright=={version('playwright')}",
        f"pytest-xdist=={version('pytest-xdist')}",
    ]
    run([venv / "bin" / "python", "-m", "pip", "install", "-q", *packages],
        timeout=INSTALL_TIMEOUT_S)  # fmt: skip
    [site_packages] = (venv / "lib").glob("python3*/site-packages")
    fakes = base / "no-node"
    fakes.mkdir()
    node_ran = base / "node-ran"
    for name in ("node", "npm", "npx"):
        fake = fakes / name
        fake.write_text(f'#!/bin/sh\necho "$0 $*" >> {node_ran}\nexit 1\n')
        fake.chmod(0o755)
    home = base / "home"
    home.mkdir()
    env = {
        "PATH": f"{venv / 'bin'}:{fakes}:/usr/bin:/bin",
        "HOME": str(home),
        "XDG_CACHE_HOME": str(home / ".cache"),
        "LANG": "C.UTF-8",
    }
    return Install(venv, site_packages, home, env, node_ran)


def installed_files(install: Install) -> set[str]:
    """What is under site-packages/nosto_tagging, byte-code caches aside."""
    package = install.site_packages / "nosto_tagging"
    return {
        path.relative_to(package).as_posix()
        for path in package.rglob("*")
        if "__pycache__" not in path.parts
    }


def readme_files() -> dict[str, str]:
    """The README's Python blocks that start with a file name comment (``# conftest.py``)."""
    blocks = re.findall(r"```python\n# (\S+\.py)\n(.*?)```", README.read_text(), re.DOTALL)
    return {name: body for name, body in blocks}


def run_qa_project(install: Install, project: Path, *options: str) -> str:
    """pytest run in ``project`` with the installed wheel; its output, the test failed if it
    failed."""
    done = subprocess.run(
        [install.venv / "bin" / "python", "-m", "pytest", "-v", "-p", "no:cacheprovider",
         *options],
        cwd=project,
        env=install.env,
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )  # fmt: skip
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-6000:]
    return output


def assert_a_sandbox_of_its_own_per_worker(records: list[dict[str, Any]]) -> None:
    """What ``parallel_qa_conftest.py`` recorded shows one server and database per worker, and
    no test's page stored where a test of another worker looked."""
    workers = {r["worker"] for r in records}
    assert workers == {f"gw{n}" for n in range(WORKERS)}, records
    # one sandbox per worker: a server and a database file of its own
    for key in ("origin", "db"):
        per_worker = {w: {r[key] for r in records if r["worker"] == w} for w in workers}
        assert all(len(seen) == 1 for seen in per_worker.values()), per_worker
        assert len(set().union(*per_worker.values())) == WORKERS, per_worker
    # each test saw the requests of one visitor, its page's, and no two tests the same one
    assert all(len(r["visitors"]) == 1 for r in records), records
    worker_of = {r["visitors"][0]: r["worker"] for r in records}
    assert len(worker_of) == len(records), records
    for record in records:
        stored_by_others = {
            v
            for v in record["stored_visitors"]
            if worker_of.get(v, record["worker"]) != record["worker"]
        }
        assert not stored_by_others, f"{record['test']} ran where other workers' pages were stored"


def test_the_build_makes_one_pure_wheel_and_reports_its_size(dist: Dist) -> None:
    assert dist.wheel.name == "nosto_tagging-0.1.0-py3-none-any.whl"
    match = WHEEL_SIZE.search(dist.log)
    assert match, dist.log[-3000:]
    assert match.group(1) == dist.wheel.name
    total, bundle = float(match.group(2)), float(match.group(3))
    assert abs(total - dist.wheel.stat().st_size / 2**20) < 0.1
    assert bundle / total > 0.95  # the runtime is nearly all of it
    assert total < 30
    with tarfile.open(dist.sdist) as sdist:
        names = {name.split("/", 1)[1] for name in sdist.getnames() if "/" in name}
    # the sdist builds the same wheel: it has the loader's sources and the build step
    assert {"setup.py", "web/page/nosto.js", "web/page/facade.js", "web/engine.py"} <= names
    assert not [n for n in names if n.startswith(("tests", "build/", "benchmarks", "dist"))]


def test_the_wheel_holds_the_bundle_the_pages_and_nothing_else(dist: Dist) -> None:
    with zipfile.ZipFile(dist.wheel) as wheel:
        names = wheel.namelist()
    assert {
        "nosto_tagging/prebuilt/nosto.js",
        "nosto_tagging/prebuilt/nosto.js.br",
        "nosto_tagging/prebuilt/build-info.json",
        "nosto_tagging/sandbox/web/demo/index.html",
        "nosto_tagging/sandbox/web/demo/catalog.json",
        "nosto_tagging/sandbox/web/viewer/index.html",
        "nosto_tagging/sandbox/web/common/dom.js",
        "nosto_tagging/testing/__init__.py",
    } <= set(names)
    runtime = [n for n in names if re.match(r"nosto_tagging/prebuilt/runtime-[0-9a-f]{12}/", n)]
    assert {n.rsplit("/", 1)[1] for n in runtime} >= {
        "pyodide.asm.wasm",
        "pyodide.asm.wasm.br",
        "pyodide.asm.wasm.gz",
        "python_stdlib.zip",
        "pyodide-lock.json",
    }
    top = {n.split("/")[0] for n in names}
    assert top == {"nosto_tagging", "nosto_tagging-0.1.0.dist-info"}


def test_pip_show_lists_no_test_data_caches_or_build_leftovers(install: Install) -> None:
    shown = run(
        [install.venv / "bin" / "python", "-m", "pip", "show", "-f", "nosto-tagging"],
        timeout=RUN_TIMEOUT_S,
    ).stdout
    files = [line.strip() for line in shown.split("Files:", 1)[1].splitlines() if line.strip()]
    assert "nosto_tagging/prebuilt/nosto.js" in files
    assert "nosto_tagging/sandbox/web/demo/index.html" in files
    leftovers = [
        name
        for name in files
        if LEFTOVER_DIRS & set(name.split("/"))
        or any(part.startswith(".") and part != ".." for part in name.split("/"))
        or name.endswith((".sqlite3", ".partial", ".tgz", ".tar.gz", ".log", ".png"))
        or ".egg-info" in name
    ]
    assert leftovers == []
    outside = [n for n in files if n.startswith("..")]
    assert outside == ["../../../bin/nosto-tagging"]


def test_serve_runs_from_the_install_and_writes_only_to_the_user_cache(install: Install) -> None:
    before = installed_files(install)
    command = [str(install.venv / "bin" / "nosto-tagging"), "serve", "--port", "0"]
    with subprocess.Popen(
        command, cwd=install.home, env=install.env, stdout=subprocess.PIPE, text=True
    ) as process:
        try:
            assert process.stdout is not None
            line = process.stdout.readline()
            assert line.startswith("serving http://127.0.0.1:"), line
            origin = line.split()[1]
            with urllib.request.urlopen(f"{origin}/bundle/nosto.js", timeout=10) as answer:
                served = answer.read()
            with urllib.request.urlopen(f"{origin}/", timeout=10) as answer:
                front = answer.read().decode()
            for page in ("/events", "/classic/"):
                with urllib.request.urlopen(f"{origin}{page}", timeout=10) as answer:
                    assert answer.status == 200, page
        finally:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
    assert process.returncode == 0
    assert served == (install.site_packages / "nosto_tagging/prebuilt/nosto.js").read_bytes()
    assert 'src="/bundle/nosto.js"' in front
    assert (install.home / ".cache" / "nosto-tagging" / "sandbox.sqlite3").is_file()
    assert sorted(p.name for p in install.home.iterdir()) == [".cache"]
    assert installed_files(install) == before
    assert not install.node_ran.exists(), install.node_ran.read_text()


def test_build_outside_a_checkout_says_it_needs_one(install: Install) -> None:
    command = [install.venv / "bin" / "nosto-tagging", "build", "--out", "bundle"]
    done = subprocess.run(
        command, cwd=install.home, env=install.env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 1
    assert "needs a checkout of nosto-tagging" in done.stderr
    assert "`nosto-tagging serve` without --bundle uses it" in done.stderr
    assert not (install.home / "bundle").exists()


def test_the_readme_qa_project_passes_against_the_installed_sandbox(install: Install) -> None:
    files = readme_files()
    assert set(files) == {"conftest.py", "test_nosto.py"}
    project = install.home / "qa"
    project.mkdir()
    for name, body in files.items():
        (project / name).write_text(body)
    before = installed_files(install)

    output = run_qa_project(install, project)
    assert "test_adding_to_cart_tells_nosto[chromium] PASSED" in output
    assert "test_the_shop_survives_a_failing_nosto[chromium] PASSED" in output
    assert "2 passed" in output
    assert installed_files(install) == before
    assert not install.node_ran.exists(), install.node_ran.read_text()


def test_a_qa_project_run_in_parallel_sees_only_its_own_requests_in_each_test(
    install: Install,
) -> None:
    files = readme_files()
    project = install.home / "qa-parallel"
    project.mkdir()
    for name, body in files.items():
        (project / name).write_text(body)
    with (project / "conftest.py").open("a") as conftest:
        conftest.write("\n\n" + PARALLEL_CONFTEST.read_text())
    shutil.copy(PARALLEL_TESTS, project / "test_own_requests.py")
    before = installed_files(install)

    output = run_qa_project(install, project, "-n", str(WORKERS))
    assert f"created: {WORKERS}/{WORKERS} workers" in output
    assert "6 passed" in output  # two on each worker (xdist's first round)
    records = [json.loads(p.read_text()) for p in (project / "records").glob("*.json")]
    assert len(records) == 6
    assert_a_sandbox_of_its_own_per_worker(records)
    assert installed_files(install) == before
    assert not install.node_ran.exists(), install.node_ran.read_text()
