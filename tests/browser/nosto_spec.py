"""The API spec: ``dist/client/nosto.d.ts`` of ``@nosto/nosto-js@2.11.3``, fetched with npm once.

Kept in ``build/cache/spec`` and checked against a pinned hash, like the runtime.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import tarfile

from nosto_tagging.paths import CACHE_DIR

PACKAGE = "@nosto/nosto-js@2.11.3"
TARBALL = "nosto-nosto-js-2.11.3.tgz"
SHA256 = "91eaf2a002ed2434adede6cb8448b2460d8e32d4f289077b9a6caecaca732833"
MEMBER = "package/dist/client/nosto.d.ts"


def nosto_dts() -> str:
    """The text of ``nosto.d.ts`` (npm pack on first use; the hash is always checked)."""
    folder = CACHE_DIR / "spec"
    tarball = folder / TARBALL
    if not tarball.exists():
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["npm", "pack", PACKAGE, "--pack-destination", str(folder)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()
    if digest != SHA256:
        raise RuntimeError(
            f"{tarball} has sha256 {digest}, expected {SHA256}; delete it to refetch"
        )
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(MEMBER)
        assert member is not None
        return member.read().decode()


def interface_methods(dts: str, name: str) -> dict[str, str]:
    """``{method: return type}`` of one ``interface`` block of the d.ts."""
    block = re.search(rf"^interface {name} \{{\n(.*?)^\}}", dts, re.MULTILINE | re.DOTALL)
    assert block, f"interface {name} not found in nosto.d.ts"
    methods = re.findall(r"^    (\w+)\(.*\): (.+);$", block.group(1), re.MULTILINE)
    properties = re.findall(r"^    (\w+): \(.*\) => (.+);$", block.group(1), re.MULTILINE)
    return dict(methods + properties)
