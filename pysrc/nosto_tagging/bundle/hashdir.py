"""The content-hashed runtime folder: ``runtime-<12 hex>/``, named after everything inside it.

Any change to any file gives a new folder name, so whatever is inside can be cached forever
(``immutable``); only ``nosto.js``, which names the folder, has to be revalidated.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from nosto_tagging.bundle.lock import sha256_file
from nosto_tagging.bundle.precompress import is_sibling

PREFIX = "runtime-"
DIGITS = 12
# A path segment naming a content-hashed folder; servers treat everything below it as immutable.
HASHED_DIR = re.compile(rf"{PREFIX}[0-9a-f]{{{DIGITS}}}")


def tree_digest(root: Path) -> str:
    """sha256 over every file's relative path and content (precompressed siblings left out).

    Example: a tree with one file ``a.txt`` holding ``x`` always gives the same 64 hex digits.
    """
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and not is_sibling(p)):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(sha256_file(path).encode() + b"\n")
    return digest.hexdigest()


def hashed_dir_name(root: Path) -> str:
    """``runtime-<first 12 hex digits of tree_digest(root)>``."""
    return PREFIX + tree_digest(root)[:DIGITS]


def is_hashed_path(relative: str) -> bool:
    """True if a ``/``-separated path lies inside a content-hashed folder."""
    return any(HASHED_DIR.fullmatch(part) for part in relative.split("/")[:-1])
