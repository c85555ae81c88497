"""Build our own ``nosto_tagging-<version>-py3-none-any.whl`` for the browser, with zipfile.

It holds what the worker runs, named in ``SHIPPED`` (an allow-list): the package's
``__init__``, the pure ``core/`` and the worker shell ``worker/``. Everything else (``sandbox/``,
``bundle/``, ``testing/``, ``cli.py``, ``paths.py``) stays in CPython. Entries carry a fixed
date so the same sources give the same wheel.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

PACKAGE = "nosto_tagging"
PROJECT = "nosto-tagging"
SHIPPED = frozenset({"__init__.py", "py.typed", "core", "worker"})
_DATE = (1980, 1, 1, 0, 0, 0)


def wheel_name(version: str) -> str:
    return f"{PACKAGE}-{version}-py3-none-any.whl"


def package_files(package_dir: Path) -> list[Path]:
    """Files of the package that ship to the browser, sorted, relative to ``package_dir``."""
    files = []
    for path in sorted(package_dir.rglob("*")):
        relative = path.relative_to(package_dir)
        if (
            path.is_file()
            and relative.parts[0] in SHIPPED
            and "__pycache__" not in relative.parts
            and path.suffix not in {".pyc", ".pyo"}
        ):
            files.append(relative)
    return files


def _metadata(version: str) -> str:
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {PROJECT}\n"
        f"Version: {version}\n"
        "Summary: nostojs-compatible tagging engine (browser part, for Pyodide)\n"
        "Requires-Dist: pydantic\n"
    )


def _wheel_file() -> str:
    return (
        "Wheel-Version: 1.0\n"
        "Generator: nosto-tagging build\n"
        "Root-Is-Purelib: true\n"
        "Tag: py3-none-any\n"
    )


def _hash(data: bytes) -> str:
    return "sha256=" + base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()


def build_own_wheel(package_dir: Path, version: str, dest_dir: Path) -> Path:
    """Write the wheel into ``dest_dir`` and return its path."""
    dist_info = f"{PACKAGE}-{version}.dist-info"
    entries = [
        (f"{PACKAGE}/{relative.as_posix()}", (package_dir / relative).read_bytes())
        for relative in package_files(package_dir)
    ]
    entries.append((f"{dist_info}/METADATA", _metadata(version).encode()))
    entries.append((f"{dist_info}/WHEEL", _wheel_file().encode()))
    record = "".join(f"{name},{_hash(data)},{len(data)}\n" for name, data in entries)
    entries.append((f"{dist_info}/RECORD", (record + f"{dist_info}/RECORD,,\n").encode()))
    dest_dir.mkdir(parents=True, exist_ok=True)
    target = dest_dir / wheel_name(version)
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, _DATE)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return target
