"""Download the pinned npm tarballs and wheels into the cache, verifying each sha256.

A cached file is reused only when its hash matches the pin; a download with another hash is
refused. Downloads use the ordinary clients: ``npm pack`` and ``pip download``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nosto_tagging.bundle.errors import BuildError
from nosto_tagging.bundle.lock import sha256_file
from nosto_tagging.bundle.node import tail
from nosto_tagging.bundle.pins import NpmPin, WheelPin

DOWNLOAD_TIMEOUT = 600.0


@dataclass(frozen=True)
class Fetched:
    path: Path
    cached: bool


def npm_command(pin: NpmPin, dest: Path) -> list[str]:
    return ["npm", "pack", pin.spec, "--pack-destination", str(dest), "--silent"]


def pip_command(pin: WheelPin, dest: Path) -> list[str]:
    command = [
        sys.executable,
        "-m",
        "pip",
        "download",
        "--no-deps",
        "--only-binary=:all:",
        "--disable-pip-version-check",
        "--python-version",
        "3.14",
        "-d",
        str(dest),
    ]
    if pin.platform:
        command += ["--platform", pin.platform, "--implementation", "cp", "--abi", "cp314"]
    return [*command, f"{pin.project}=={pin.version}"]


def _run(command: list[str], what: str, hint: str) -> None:
    try:
        done = subprocess.run(
            command, capture_output=True, text=True, timeout=DOWNLOAD_TIMEOUT, check=False
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BuildError(f"{what} failed ({error}); {hint}") from error
    if done.returncode != 0:
        raise BuildError(
            f"{what} failed (exit {done.returncode}):\n{tail(done.stderr or done.stdout)}\n{hint}"
        )


def verify(path: Path, expected: str) -> None:
    actual = sha256_file(path)
    if actual != expected:
        raise BuildError(
            f"{path.name}: sha256 mismatch, expected {expected}, got {actual}. The download does "
            "not match pins.toml: if you meant to change the version, update its sha256 there; "
            "otherwise check your registry/proxy (the file was not used)"
        )


def _fetch(
    file: str, sha256: str, cache_dir: Path, command: list[str], what: str, hint: str, staging: Path
) -> Fetched:
    target = cache_dir / "downloads" / file
    if target.is_file() and sha256_file(target) == sha256:
        return Fetched(target, True)
    _run(command, what, hint)
    downloaded = staging / file
    if not downloaded.is_file():
        found = sorted(p.name for p in staging.iterdir())
        raise BuildError(f"{what} did not produce {file} (got {found}); check the pin in pins.toml")
    verify(downloaded, sha256)
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(downloaded, target)
    return Fetched(target, False)


def fetch_npm(pin: NpmPin, cache_dir: Path) -> Fetched:
    cached = cache_dir / "downloads" / pin.tarball
    if not (cached.is_file() and sha256_file(cached) == pin.sha256) and not shutil.which("npm"):
        raise BuildError(
            f"`npm` is needed to download {pin.spec} but is not on PATH; "
            "install Node.js 20 (it ships npm) and re-run"
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="npm-", dir=cache_dir) as tmp:
        return _fetch(
            pin.tarball,
            pin.sha256,
            cache_dir,
            npm_command(pin, Path(tmp)),
            f"`npm pack {pin.spec}`",
            "check access to the npm registry (npm config get registry) and re-run",
            Path(tmp),
        )


def fetch_wheel(pin: WheelPin, cache_dir: Path) -> Fetched:
    cache_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="pip-", dir=cache_dir) as tmp:
        command = pip_command(pin, Path(tmp))
        return _fetch(
            pin.file,
            pin.sha256,
            cache_dir,
            command,
            f"`pip download {pin.project}=={pin.version}`",
            "check access to PyPI (pip config list) and re-run",
            Path(tmp),
        )


def extract_npm(tarball: Path, sha256: str, cache_dir: Path) -> Path:
    """Unpack an npm tarball once; returns its ``package/`` directory."""
    root = cache_dir / "npm" / f"{tarball.name.removesuffix('.tgz')}-{sha256[:12]}"
    package = root / "package"
    if (root / ".complete").is_file() and package.is_dir():
        return package
    root.parent.mkdir(parents=True, exist_ok=True)
    staged = Path(tempfile.mkdtemp(prefix="extract-", dir=root.parent))
    try:
        with tarfile.open(tarball) as archive:
            archive.extractall(staged, filter="data")
        if not (staged / "package").is_dir():
            raise BuildError(f"{tarball.name} has no package/ directory; is it an npm tarball?")
        (staged / ".complete").write_text(sha256)
        shutil.rmtree(root, ignore_errors=True)
        staged.rename(root)
    except (OSError, tarfile.TarError) as error:
        raise BuildError(
            f"cannot unpack {tarball} ({error}); delete {root} and {tarball} and re-run"
        ) from error
    finally:
        shutil.rmtree(staged, ignore_errors=True)
    return package
