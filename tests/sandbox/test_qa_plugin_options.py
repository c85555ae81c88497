"""The QA plugin's bundle setting, given on the command line, in the environment or in an ini
file, with pytest started outside the QA project (so its rootdir is not where pytest runs).

Each run is a real pytest in a subprocess whose test fetches ``/bundle/nosto.js`` from the
sandbox the plugin started, and checks it is the one of the bundle the setting named.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

QA_TEST = """
import os, urllib.request

def test_serves_the_named_bundle(nosto_sandbox):
    with urllib.request.urlopen(nosto_sandbox.url("/bundle/nosto.js")) as answer:
        assert answer.read().decode() == os.environ["EXPECTED_BUNDLE"]
"""


@pytest.fixture
def layout(tmp_path: Path) -> Path:
    """``project/`` (ini file, conftest, test), ``bundles/{ini,env,cli}`` and ``elsewhere/``."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "pytest.ini").write_text("[pytest]\nnosto_bundle = ../bundles/ini\n")
    (project / "conftest.py").write_text('pytest_plugins = ["nosto_tagging.testing"]\n')
    (project / "test_qa.py").write_text(QA_TEST)
    for name in ("ini", "env", "cli"):
        bundle = tmp_path / "bundles" / name
        bundle.mkdir(parents=True)
        (bundle / "nosto.js").write_text(name)
    (tmp_path / "elsewhere").mkdir()
    return tmp_path


def run_pytest(
    layout: Path, expected: str, *options: str, env: dict[str, str] | None = None
) -> None:
    """pytest on ``project/`` started in ``elsewhere/``; its test expects ``expected``."""
    environ = {k: v for k, v in os.environ.items() if k != "NOSTO_BUNDLE"}
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *options]
    done = subprocess.run(
        [*command, "../project"],
        cwd=layout / "elsewhere",
        env=environ | {"EXPECTED_BUNDLE": expected} | (env or {}),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert f"rootdir: {layout / 'project'}" in done.stdout


def test_the_ini_file_names_the_bundle_relative_to_itself(layout: Path) -> None:
    run_pytest(layout, "ini")


def test_the_environment_wins_over_the_ini_file(layout: Path) -> None:
    run_pytest(layout, "env", env={"NOSTO_BUNDLE": "../bundles/env"})


def test_the_command_line_wins_over_both(layout: Path) -> None:
    run_pytest(
        layout, "cli", "--nosto-bundle", "../bundles/cli", env={"NOSTO_BUNDLE": "../bundles/env"}
    )
