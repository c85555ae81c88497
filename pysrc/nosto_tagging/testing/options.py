"""The QA plugin's settings: which bundle the sandbox serves.

Registered for every pytest run in an environment where nosto-tagging is installed (the
``pytest11`` entry point), so that ``--nosto-bundle`` works on the command line whichever
``conftest.py`` opts in to the fixtures and wherever pytest's rootdir is. It adds no fixture.

Where the bundle comes from, first found wins:

1. ``--nosto-bundle DIR`` on the command line (relative to the directory pytest was started in);
2. the environment variable ``NOSTO_BUNDLE`` (relative to the same);
3. ``nosto_bundle = DIR`` in the ini file (``pytest.ini``, ``pyproject.toml``'s
   ``[tool.pytest.ini_options]``, ...), relative to that file;
4. the bundle installed with the package (``locations.default_bundle_dir``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from nosto_tagging.locations import default_bundle_dir

BUNDLE_OPTION = "--nosto-bundle"
BUNDLE_ENV = "NOSTO_BUNDLE"
BUNDLE_INI = "nosto_bundle"


def pytest_addoption(parser: pytest.Parser) -> None:
    help_text = (
        "bundle directory the Nosto sandbox serves (default: the bundle installed with "
        "nosto-tagging)"
    )
    parser.getgroup("nosto", "nosto-tagging sandbox").addoption(
        BUNDLE_OPTION, type=Path, default=None, metavar="DIR", help=help_text
    )
    parser.addini(BUNDLE_INI, help_text + f"; {BUNDLE_OPTION} and ${BUNDLE_ENV} win over it")


def bundle_dir(config: pytest.Config) -> Path:
    """The bundle the sandbox serves, as ``config`` and the environment say (see above)."""
    started_in = config.invocation_params.dir
    given: Path | None = config.getoption(BUNDLE_OPTION, default=None)
    if given is not None:
        return started_in / given
    from_env = os.environ.get(BUNDLE_ENV)
    if from_env:
        return started_in / from_env
    try:
        from_ini = str(config.getini(BUNDLE_INI))
    except ValueError:  # the entry point did not load (PYTEST_DISABLE_PLUGIN_AUTOLOAD)
        from_ini = ""
    if from_ini:
        base = config.inipath.parent if config.inipath else config.rootpath
        return base / from_ini
    return default_bundle_dir()
