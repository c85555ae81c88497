"""Build output for people and tools: a progress line per step, a size table, build-info.json."""

from __future__ import annotations

import gzip
import hashlib
import json
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from nosto_tagging.bundle.lock import sha256_file


class Progress:
    """Prints ``[i/N] message (duration)`` to a stream (stderr by default)."""

    def __init__(self, total: int, stream: TextIO | None = None) -> None:
        self.total = total
        self.stream = stream if stream is not None else sys.stderr
        self.index = 0
        self.started = time.monotonic()

    def step(self, message: str, since: float) -> None:
        self.index += 1
        elapsed = time.monotonic() - since
        print(f"[{self.index}/{self.total}] {message} ({elapsed:.1f}s)", file=self.stream)

    def print(self, message: str) -> None:
        print(message, file=self.stream)


def human(size: int) -> str:
    value = float(size)
    for unit in ("B", "KB", "MB"):
        if value < 1024 or unit == "MB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1024
    raise AssertionError("unreachable")


def compressor() -> tuple[str, Callable[[bytes], int]]:
    """Brotli (quality 9) if the module is importable, else gzip -9: label and size function."""
    try:
        import brotli  # type: ignore[import-not-found]
    except ImportError:
        return "gzip-9", lambda data: len(gzip.compress(data, compresslevel=9, mtime=0))
    return "brotli-9", lambda data: len(brotli.compress(data, quality=9))


def file_list(out: Path) -> list[dict[str, Any]]:
    return [
        {"path": p.relative_to(out).as_posix(), "size": p.stat().st_size, "sha256": sha256_file(p)}
        for p in sorted(out.rglob("*"))
        if p.is_file() and p.name != "build-info.json"
    ]


def write_build_info(out: Path, versions: dict[str, str], extra: dict[str, Any]) -> Path:
    info = {
        "versions": versions,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        **extra,
        "files": file_list(out),
    }
    path = out / "build-info.json"
    path.write_text(json.dumps(info, indent=2) + "\n", encoding="utf-8")
    return path


def _load_sizes(path: Path | None) -> dict[str, int]:
    if path is None:
        return {}
    try:
        sizes = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return sizes if isinstance(sizes, dict) else {}


def summary(
    out: Path, sizes_cache: Path | None = None, group: tuple[str, ...] = ("runtime/pyscript",)
) -> str:
    """The size table: one row per file, directories in ``group`` folded into one row.

    Compressed sizes are remembered in ``sizes_cache`` (by content hash) to keep re-builds fast.
    """
    label, compressed = compressor()
    known = _load_sizes(sizes_cache)
    rows: dict[str, list[int]] = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file():
            continue
        name = path.relative_to(out).as_posix()
        folded = next((g for g in group if name.startswith(g + "/")), None)
        key = f"{folded}/ (*)" if folded else name
        data = path.read_bytes()
        digest = f"{label}:{hashlib.sha256(data).hexdigest()}"
        if digest not in known:
            known[digest] = compressed(data)
        row = rows.setdefault(key, [0, 0, 0])
        row[0] += 1
        row[1] += len(data)
        row[2] += known[digest]
    if sizes_cache is not None:
        sizes_cache.parent.mkdir(parents=True, exist_ok=True)
        sizes_cache.write_text(json.dumps(known))
    shown = {key.replace("(*)", f"({row[0]} files)"): row for key, row in rows.items()}
    width = max(len(k) for k in shown) + 2
    lines = [f"{'file':<{width}}{'raw':>10}{label:>11}"]
    total = [0, 0]
    for key, (_, raw, packed) in shown.items():
        lines.append(f"{key:<{width}}{human(raw):>10}{human(packed):>11}")
        total[0] += raw
        total[1] += packed
    lines.append(f"{'total':<{width}}{human(total[0]):>10}{human(total[1]):>11}")
    return "\n".join(lines)
