"""The QA plugin under pytest-xdist when the bundle it is told to serve is not built yet.

``serve`` builds a missing bundle before it listens; each worker starts a sandbox of its own,
and the first builds the bundle while the others wait for it. A real ``pytest -n 2`` runs in a
subprocess at the checkout's root (building needs the loader's sources), on a QA project whose
tests fetch ``nosto.js`` from their worker's sandbox.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.checkout import ROOT

QA_TEST = """
import urllib.request
from pathlib import Path

import pytest


@pytest.mark.parametrize("n", range(2))
def test_serves_the_bundle_built_for_the_run(nosto_sandbox, n):
    with urllib.request.urlopen(nosto_sandbox.url("/bundle/nosto.js")) as answer:
        served = answer.read()
    assert served == (Path(__file__).parent / "bundle" / "nosto.js").read_bytes()
"""


def test_workers_build_a_missing_bundle_once_and_all_serve_it(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text('pytest_plugins = ["nosto_tagging.testing"]\n')
    (tmp_path / "test_qa.py").write_text(QA_TEST)
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-s", "-n", "2"]
    command += ["--rootdir", str(tmp_path), "--nosto-bundle", str(tmp_path / "bundle")]

    done = subprocess.run(
        [*command, str(tmp_path)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    assert "2 passed" in done.stdout
    assert output.count("nosto.js is missing; building the bundle") == 1, output[-4000:]
    assert (tmp_path / "bundle" / "build-info.json").is_file()
