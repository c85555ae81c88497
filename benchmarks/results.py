"""What a benchmark's JSON says of where it ran: the machine, its load, and the code measured.

Every published figure names the commit it measured (``benchmarks/publish.py`` refuses figures
of a work tree with uncommitted changes to the code, so a table always describes code in git).
"""

from __future__ import annotations

import os
import platform
import subprocess
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# What a benchmark measures: a change under these paths makes earlier figures stale.
MEASURED_PATHS = ("web", "pysrc", "benchmarks", "setup.py", "pyproject.toml")


def environment() -> dict[str, Any]:
    """The machine, and its load average as the run starts."""
    return {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
    }


def measured_code(root: Path = REPO_ROOT) -> dict[str, Any]:
    """The commit checked out and whether the measured paths differ from it (``clean``).

    Outside a git checkout both are unknown (``None``).
    """

    def git(*args: str) -> str | None:
        try:
            done = subprocess.run(
                ["git", *args], cwd=root, capture_output=True, text=True, check=True, timeout=30
            )
        except (OSError, subprocess.SubprocessError):
            return None
        return done.stdout.strip()

    commit = git("rev-parse", "HEAD")
    changes = git("status", "--porcelain", "--", *MEASURED_PATHS)
    return {
        "commit": commit,
        "date": git("show", "-s", "--format=%cI", "HEAD") if commit else None,
        "clean": None if changes is None else changes == "",
    }
