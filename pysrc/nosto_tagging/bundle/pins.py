"""Read ``pins.toml``: the npm tarballs and PyPI wheels the bundle ships, each with its sha256.

Also holds the lock metadata (key, name, imports, depends) each wheel gets in pyodide-lock.json.
"""

from __future__ import annotations

import platform
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from nosto_tagging.bundle.errors import BuildError

PINS_PATH = Path(__file__).with_name("pins.toml")
_SHA256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class LockMeta:
    """How a wheel appears in pyodide-lock.json: ``packages[key] = {name, imports, depends}``."""

    key: str
    name: str
    imports: tuple[str, ...]
    depends: tuple[str, ...]


@dataclass(frozen=True)
class NpmPin:
    """An npm package, fetched with ``npm pack PACKAGE@VERSION``."""

    package: str
    version: str
    sha256: str

    @property
    def spec(self) -> str:
        return f"{self.package}@{self.version}"

    @property
    def tarball(self) -> str:
        """The file name ``npm pack`` writes: ``@scope/name`` becomes ``scope-name``."""
        return f"{self.package.lstrip('@').replace('/', '-')}-{self.version}.tgz"


@dataclass(frozen=True)
class WheelPin:
    """A wheel from PyPI; ``platform`` is set for binary (Emscripten) wheels only."""

    file: str
    sha256: str
    project: str
    version: str
    platform: str | None
    lock: LockMeta


@dataclass(frozen=True)
class Pins:
    pyodide: NpmPin
    uglify: NpmPin  # build tool: minifies nosto.js
    esbuild: dict[str, NpmPin]  # build tool: bundles nosto.js; `<system>-<machine>` -> pin
    wheels: tuple[WheelPin, ...]
    own: LockMeta


def _fail(path: Path, what: str) -> BuildError:
    return BuildError(f"{path}: {what}; fix the manifest (see the comment at its top)")


def _str(table: dict[str, Any], key: str, path: Path, where: str) -> str:
    value = table.get(key)
    if not isinstance(value, str) or not value:
        raise _fail(path, f"{where}: `{key}` must be a non-empty string")
    return value


def _sha(table: dict[str, Any], path: Path, where: str) -> str:
    value = _str(table, "sha256", path, where)
    if not _SHA256.fullmatch(value):
        raise _fail(path, f"{where}: `sha256` must be 64 lowercase hex digits, got {value!r}")
    return value


def _names(table: dict[str, Any], key: str, path: Path, where: str) -> tuple[str, ...]:
    value = table.get(key)
    if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
        raise _fail(path, f"{where}: `{key}` must be a list of strings")
    return tuple(value)


def _lock_meta(table: dict[str, Any], path: Path, where: str) -> LockMeta:
    return LockMeta(
        key=_str(table, "key", path, where),
        name=_str(table, "name", path, where),
        imports=_names(table, "imports", path, where),
        depends=_names(table, "depends", path, where),
    )


def _npm(data: dict[str, Any], which: str, path: Path, group: str = "npm") -> NpmPin:
    table = data.get(group, {}).get(which)
    if not isinstance(table, dict):
        raise _fail(path, f"missing table [{group}.{which}]")
    where = f"[{group}.{which}]"
    return NpmPin(
        package=_str(table, "package", path, where),
        version=_str(table, "version", path, where),
        sha256=_sha(table, path, where),
    )


def _wheel(table: dict[str, Any], index: int, path: Path) -> WheelPin:
    where = f"[[wheel]] #{index + 1}"
    file = _str(table, "file", path, where)
    project = _str(table, "project", path, where)
    version = _str(table, "version", path, where)
    if not file.endswith(".whl"):
        raise _fail(path, f"{where}: `file` must name a .whl, got {file!r}")
    parts = file[: -len(".whl")].split("-")
    if len(parts) < 5 or parts[1] != version:
        raise _fail(path, f"{where}: file {file!r} does not carry version {version!r}")
    if parts[0].lower() != project.replace("-", "_").lower():
        raise _fail(path, f"{where}: file {file!r} does not belong to project {project!r}")
    platform = table.get("platform")
    if platform is not None and (not isinstance(platform, str) or parts[-1] != platform):
        raise _fail(path, f"{where}: `platform` must equal the wheel's platform tag {parts[-1]!r}")
    return WheelPin(
        file=file,
        sha256=_sha(table, path, where),
        project=project,
        version=version,
        platform=platform,
        lock=_lock_meta(table, path, where),
    )


def esbuild_pin(pins: Pins, system: str | None = None, machine: str | None = None) -> NpmPin:
    """The esbuild binary package for this build machine (or the given one)."""
    key = f"{(system or platform.system()).lower()}-{machine or platform.machine()}"
    pin = pins.esbuild.get(key)
    if pin is None:
        raise BuildError(
            f"no esbuild pin for this machine ({key}); pinned: {sorted(pins.esbuild)}. Add an "
            f"[esbuild.{key}] table to {PINS_PATH} naming esbuild's package for it (e.g. "
            "@esbuild/darwin-arm64) at the same version, and its sha256 (the build prints it)"
        )
    return pin


def load_pins(path: Path = PINS_PATH) -> Pins:
    """Parse and validate the manifest; every problem is a :class:`BuildError`."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise BuildError(f"cannot read the pins manifest {path}: {error}") from error
    except tomllib.TOMLDecodeError as error:
        raise _fail(path, f"invalid TOML ({error})") from error
    wheels = data.get("wheel")
    if not isinstance(wheels, list) or not wheels:
        raise _fail(path, "no [[wheel]] entries")
    own = data.get("self")
    if not isinstance(own, dict):
        raise _fail(path, "missing table [self] (the lock entry of our own wheel)")
    pins = Pins(
        pyodide=_npm(data, "pyodide", path),
        uglify=_npm(data, "uglify", path),
        esbuild={key: _npm(data, key, path, "esbuild") for key in data.get("esbuild", {})},
        wheels=tuple(_wheel(table, i, path) for i, table in enumerate(wheels)),
        own=_lock_meta(own, path, "[self]"),
    )
    if not pins.esbuild:
        raise _fail(path, "no [esbuild.<system>-<machine>] table (the loader's bundler)")
    keys = [w.lock.key for w in pins.wheels] + [pins.own.key]
    duplicates = sorted({k for k in keys if keys.count(k) > 1})
    if duplicates:
        raise _fail(path, f"duplicate lock keys {duplicates}")
    return pins
