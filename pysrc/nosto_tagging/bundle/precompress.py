"""Precompressed siblings: ``X.br`` (brotli 11) and ``X.gz`` (gzip 9) next to compressible files.

A server (the sandbox's ``StaticDir``, or a merchant's CDN, see ``docs/hosting.md``) picks one by
``Accept-Encoding`` and sends it with ``Content-Encoding``; the ``Content-Type`` stays the
original's. A sibling is written only when it is smaller than the original. Compressed outputs
are cached by content hash, so a re-build compresses nothing it has seen before.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import brotli

from nosto_tagging.bundle.errors import BuildError

# Text, wasm and the STORED zips (stdlib, wheels); images and fonts are compressed already.
COMPRESSIBLE = frozenset(
    {".js", ".mjs", ".css", ".json", ".wasm", ".zip", ".whl", ".py", ".html", ".txt", ".svg"}
)
# (Content-Encoding, file suffix), in the order a server prefers them
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))
BROTLI_QUALITY = 11
BROTLI_WINDOW = 24  # the largest window: the wasm and the stdlib zip are megabytes
GZIP_LEVEL = 9


def _brotli(data: bytes) -> bytes:
    return bytes(brotli.compress(data, quality=BROTLI_QUALITY, lgwin=BROTLI_WINDOW))


def _gzip(data: bytes) -> bytes:
    # mtime=0 and no file name in the header: the same input gives the same bytes.
    return gzip.compress(data, compresslevel=GZIP_LEVEL, mtime=0)


COMPRESSORS: dict[str, Callable[[bytes], bytes]] = {".br": _brotli, ".gz": _gzip}


@dataclass(frozen=True)
class Sibling:
    """One precompressed file written next to its original."""

    original: Path
    path: Path
    size: int


def is_compressible(path: Path) -> bool:
    return path.suffix.lower() in COMPRESSIBLE


def is_sibling(path: Path) -> bool:
    """``X.br``/``X.gz`` of a compressible ``X`` (not a file that merely ends in .gz)."""
    return path.suffix in COMPRESSORS and is_compressible(path.with_suffix(""))


def _compressed(data: bytes, suffix: str, cache_dir: Path) -> bytes:
    slot = cache_dir / f"{hashlib.sha256(data).hexdigest()}{suffix}"
    try:
        return slot.read_bytes()
    except OSError:
        pass
    packed = COMPRESSORS[suffix](data)
    cache_dir.mkdir(parents=True, exist_ok=True)
    staged = slot.with_name(f".{slot.name}.{os.getpid()}.partial")
    staged.write_bytes(packed)
    staged.replace(slot)
    return packed


def precompress_file(path: Path, cache_dir: Path) -> list[Sibling]:
    """Write ``path``'s siblings (those smaller than it); the ones written."""
    data = path.read_bytes()
    written = []
    for suffix in COMPRESSORS:
        packed = _compressed(data, suffix, cache_dir)
        if len(packed) < len(data):
            target = path.with_name(path.name + suffix)
            target.write_bytes(packed)
            written.append(Sibling(path, target, len(packed)))
    return written


def precompress_tree(root: Path, cache_dir: Path, workers: int | None = None) -> list[Sibling]:
    """Write the siblings of every compressible file under ``root``; the ones written, sorted.

    ``cache_dir`` keeps the compressed bytes by the original's sha256 (brotli 11 of the wasm
    takes tens of seconds; a cache hit is a file copy).
    """
    files = sorted(p for p in root.rglob("*") if p.is_file() and is_compressible(p))
    try:
        with ThreadPoolExecutor(max_workers=workers or os.cpu_count() or 1) as pool:
            results = list(pool.map(lambda p: precompress_file(p, cache_dir), files))
    except OSError as error:
        raise BuildError(
            f"cannot write precompressed files under {root} or the cache {cache_dir} ({error}); "
            f"check free disk space, or delete {cache_dir} and re-run"
        ) from error
    return sorted((s for found in results for s in found), key=lambda s: s.path)
