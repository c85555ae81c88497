"""A pytest plugin for QA suites that check what storefront pages send to Nosto.

Opt in from a ``conftest.py``::

    pytest_plugins = ["nosto_tagging.testing"]

Fixtures:

- ``nosto_sandbox``: the session's sandbox (``nosto-tagging serve`` on a free port with its own
  database), checkpointed at the start of each test and with faults cleared after it;
- ``fresh_nosto_sandbox``: a sandbox of its own for one test (a new server and database);
- ``nosto_sandbox_server``: the session-scoped server behind ``nosto_sandbox``.

``--nosto-bundle DIR`` (or the environment variable ``NOSTO_BUNDLE``) picks the bundle the
sandbox serves (default ``build/bundle``, built if missing). The option exists only when the
plugin is loaded early: with ``-p nosto_tagging.testing`` or from the root ``conftest.py``.

:class:`Sandbox` has the helpers: ``requests``, ``wait_for_requests``, ``visitor``, ``stats``,
``assert_no_duplicates``, ``assert_no_invalid_payloads``, ``assert_no_warnings``,
``set_fault``/``clear_faults``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nosto_tagging.paths import DEFAULT_BUNDLE_DIR
from nosto_tagging.testing.sandbox import Sandbox, SandboxError, running_sandbox

BUNDLE_ENV = "NOSTO_BUNDLE"

__all__ = [
    "Sandbox",
    "SandboxError",
    "fresh_nosto_sandbox",
    "nosto_sandbox",
    "nosto_sandbox_server",
    "running_sandbox",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--nosto-bundle",
        type=Path,
        default=None,
        help=f"bundle directory the Nosto sandbox serves (default {DEFAULT_BUNDLE_DIR})",
    )


def _bundle_dir(config: pytest.Config) -> Path:
    option = config.getoption("--nosto-bundle", default=None)
    if option is not None:
        return Path(option)
    return Path(os.environ.get(BUNDLE_ENV) or DEFAULT_BUNDLE_DIR)


@pytest.fixture(scope="session")
def nosto_sandbox_server(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[Sandbox]:
    """One sandbox for the whole session (its database under pytest's temporary directory)."""
    db_path = tmp_path_factory.mktemp("nosto-sandbox") / "requests.sqlite3"
    with running_sandbox(db_path, _bundle_dir(pytestconfig)) as sandbox:
        yield sandbox


@pytest.fixture
def nosto_sandbox(nosto_sandbox_server: Sandbox) -> Iterator[Sandbox]:
    """The session's sandbox, checkpointed now; faults set by the test are cleared after it."""
    nosto_sandbox_server.checkpoint()
    yield nosto_sandbox_server
    nosto_sandbox_server.clear_faults()


@pytest.fixture
def fresh_nosto_sandbox(tmp_path: Path, pytestconfig: pytest.Config) -> Iterator[Sandbox]:
    """A sandbox with its own server and empty database, for this test only."""
    with running_sandbox(tmp_path / "requests.sqlite3", _bundle_dir(pytestconfig)) as sandbox:
        yield sandbox
