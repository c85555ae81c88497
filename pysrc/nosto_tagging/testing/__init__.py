"""A pytest plugin for QA suites that check what storefront pages send to Nosto.

Opt in from a ``conftest.py``::

    pytest_plugins = ["nosto_tagging.testing"]

Fixtures:

- ``nosto_sandbox``: the session's sandbox (``nosto-tagging serve`` on a free port with its own
  database), checkpointed at the start of each test and with faults cleared after it. Under
  pytest-xdist (``pytest -n N``) each worker is a session of its own, so each has its own server
  and database: a test sees only its own pages' requests, and a fault it sets reaches only them;
- ``fresh_nosto_sandbox``: a sandbox of its own for one test (a new server and database);
- ``nosto_sandbox_server``: the session-scoped server behind ``nosto_sandbox``.

``--nosto-bundle DIR``, the environment variable ``NOSTO_BUNDLE`` or ``nosto_bundle = DIR`` in
the ini file pick the bundle the sandbox serves (default: the one installed with the package);
see :mod:`nosto_tagging.testing.options`.

:class:`Sandbox` has the helpers: ``requests``, ``wait_for_requests``, ``visitor``, ``stats``,
``assert_no_duplicates``, ``assert_no_invalid_payloads``, ``assert_no_warnings``,
``set_fault``/``clear_faults``.
"""

from __future__ import annotations

import fcntl
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from nosto_tagging.testing.options import bundle_dir
from nosto_tagging.testing.sandbox import Sandbox, SandboxError, running_sandbox

# The options plugin, for an environment that does not load entry points
# (PYTEST_DISABLE_PLUGIN_AUTOLOAD=1); pytest skips it when the entry point loaded it already.
pytest_plugins = ["nosto_tagging.testing.options"]

__all__ = [
    "Sandbox",
    "SandboxError",
    "fresh_nosto_sandbox",
    "nosto_sandbox",
    "nosto_sandbox_server",
    "running_sandbox",
]


@pytest.fixture(scope="session")
def nosto_sandbox_server(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> Iterator[Sandbox]:
    """One sandbox for the whole session (its database under pytest's temporary directory,
    which pytest-xdist makes one per worker; the server on a port the system picks)."""
    db_path = tmp_path_factory.mktemp("nosto-sandbox") / "requests.sqlite3"
    bundle = bundle_dir(pytestconfig)
    with ExitStack() as stack:
        with _building_if_missing(bundle):
            sandbox = stack.enter_context(running_sandbox(db_path, bundle))
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
    bundle = bundle_dir(pytestconfig)
    with ExitStack() as stack:
        with _building_if_missing(bundle):
            sandbox = stack.enter_context(running_sandbox(tmp_path / "requests.sqlite3", bundle))
        yield sandbox


@contextmanager
def _building_if_missing(bundle: Path) -> Iterator[None]:
    """Hold a lock next to ``bundle`` while a sandbox starts if the bundle is missing.

    ``serve`` builds a missing bundle before it listens; parallel workers (pytest-xdist) would
    all build it into the same directory at once. The first to take the lock builds it; the
    others start once it is there.
    """
    if (bundle / "nosto.js").is_file():
        yield
        return
    bundle.parent.mkdir(parents=True, exist_ok=True)
    with (bundle.parent / f".{bundle.name}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
