"""Build output for people and tools: a progress line per step, a size table, build-info.json."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from nosto_tagging.bundle.lock import sha256_file
from nosto_tagging.bundle.precompress import is_sibling


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


def summary(out: Path) -> str:
    """The size table: one row per file with its raw size and what a brotli client downloads
    (the size of the precompressed ``.br`` sibling; the raw size where the build wrote none)."""
    shown: dict[str, tuple[int, int]] = {}
    for path in sorted(out.rglob("*")):
        if not path.is_file() or is_sibling(path):
            continue
        brotli = path.with_name(path.name + ".br")
        packed = (brotli if brotli.is_file() else path).stat().st_size
        shown[path.relative_to(out).as_posix()] = (path.stat().st_size, packed)
    width = max(len(k) for k in shown) + 2
    lines = [f"{'file':<{width}}{'raw':>10}{'brotli':>11}"]
    total = [0, 0]
    for key, (raw, packed) in shown.items():
        lines.append(f"{key:<{width}}{human(raw):>10}{human(packed):>11}")
        total[0] += raw
        total[1] += packed
    lines.append(f"{'total':<{width}}{human(total[0]):>10}{human(total[1]):>11}")
    return "\n".join(lines)
