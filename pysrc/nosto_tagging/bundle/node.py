"""Find and run Node.js: it runs the Pyodide byte-compiler and syntax-checks nosto.js."""

from __future__ import annotations

import shutil
import subprocess

from nosto_tagging.bundle.errors import BuildError

MIN_NODE_MAJOR = 18
_INSTALL_HINT = (
    "install Node.js 20 (https://nodejs.org or your package manager) and put `node` on PATH"
)


def node_binary() -> str:
    node = shutil.which("node")
    if node is None:
        raise BuildError(
            f"Node.js is needed to byte-compile the runtime, but `node` is not on PATH; "
            f"{_INSTALL_HINT}"
        )
    try:
        version = subprocess.run(
            [node, "--version"], capture_output=True, text=True, check=True, timeout=30
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError) as error:
        raise BuildError(f"`{node} --version` failed ({error}); {_INSTALL_HINT}") from error
    try:
        major = int(version.lstrip("v").split(".")[0])
    except ValueError:
        major = 0
    if major < MIN_NODE_MAJOR:
        raise BuildError(
            f"Node.js {version} is too old (need >= {MIN_NODE_MAJOR}); {_INSTALL_HINT}"
        )
    return node


def tail(text: str, lines: int = 15, width: int = 300) -> str:
    """The last ``lines`` lines, each cut to ``width`` (minified JS makes huge lines)."""
    kept = text.strip().splitlines()[-lines:]
    return "\n".join(line if len(line) <= width else line[:width] + " [...]" for line in kept)


def run_node(args: list[str], what: str, timeout: float, hint: str) -> str:
    """Run ``node ARGS``; return stdout, or raise a BuildError with the stderr tail and ``hint``."""
    node = node_binary()
    try:
        done = subprocess.run(
            [node, *args], capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise BuildError(
            f"{what}: node did not finish within {timeout:.0f}s; re-run the build, and if it hangs "
            "again check that Pyodide is not trying to reach a CDN (no network is needed)"
        ) from error
    except OSError as error:
        raise BuildError(f"{what}: cannot run {node} ({error}); {_INSTALL_HINT}") from error
    if done.returncode != 0:
        raise BuildError(
            f"{what}: node exited with status {done.returncode}:\n"
            f"{tail(done.stderr or done.stdout)}\n{hint}"
        )
    return done.stdout
