"""The loader's modules (web/page/), and the snapshot file's format (web/snapshot/file.mjs),
under Node's test runner, against a fake window.

Each ``*.test.mjs`` here runs in milliseconds; the build's data (the API table, the protocol and
the page's view of both, ``NOSTO_BUILD``) is handed over in the environment, as the build does.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from nosto_tagging.bundle.loader import loader_table, page_build
from nosto_tagging.core.protocol import describe

HERE = Path(__file__).parent
NODE_TESTS = sorted(HERE.glob("*.test.mjs"))


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the loader")
@pytest.mark.parametrize("path", NODE_TESTS, ids=[p.name for p in NODE_TESTS])
def test_loader_module(path: Path) -> None:
    env = {
        **os.environ,
        "NOSTO_PAGE_BUILD": json.dumps(page_build("0.0.0", "runtime/")),
        "NOSTO_LOADER_TABLE": json.dumps(loader_table()),
        "NOSTO_PROTOCOL": json.dumps(describe()),
    }
    done = subprocess.run(
        ["node", "--test", "--test-reporter=spec", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
