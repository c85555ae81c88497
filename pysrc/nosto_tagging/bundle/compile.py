"""Byte-compile the stdlib zip and the wheels with Pyodide's Python under Node (``compile.mjs``).

Outputs are cached under ``CACHE_DIR/compiled/<key>/`` keyed by the input's sha256, the
compiler sources and the Pyodide version, so a re-build only runs Node for new inputs.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from nosto_tagging.bundle.errors import BuildError
from nosto_tagging.bundle.lock import sha256_file
from nosto_tagging.bundle.node import run_node

HERE = Path(__file__).parent
COMPILER_FILES = (HERE / "compile.mjs", HERE / "pyc.py")
STDLIB_PREFIX = "/lib/python3.14/"
SITE_PREFIX = "/lib/python3.14/site-packages/"
NODE_TIMEOUT = 900.0


@dataclass(frozen=True)
class CompileJob:
    """Compile ``src`` into a file named ``name``; ``prefix`` + entry = traceback path."""

    src: Path
    name: str
    prefix: str
    wheel: bool


@dataclass(frozen=True)
class Compiled:
    path: Path
    cached: bool
    compiled: int
    failed: tuple[str, ...]


def _key(job: CompileJob, runtime: str) -> str:
    digest = hashlib.sha256()
    for part in (sha256_file(job.src), job.name, job.prefix, str(job.wheel), runtime):
        digest.update(part.encode() + b"\0")
    for path in COMPILER_FILES:
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def _cached(slot: Path, name: str) -> Compiled | None:
    """A cache slot is valid if its stats exist and the output still has the recorded hash."""
    try:
        stats = json.loads((slot / "stats.json").read_text())
        output = slot / name
        if sha256_file(output) != stats["sha256"]:
            return None
    except (OSError, ValueError, KeyError):
        return None
    return Compiled(output, True, int(stats["compiled"]), tuple(stats["failed"]))


def compile_zips(
    jobs: list[CompileJob], pyodide_dir: Path, runtime: str, cache_dir: Path
) -> dict[str, Compiled]:
    """Compile every job (one Node process for all cache misses); results keyed by job name."""
    root = cache_dir / "compiled"
    done: dict[str, Compiled] = {}
    missing: list[tuple[CompileJob, Path]] = []
    for job in jobs:
        slot = root / _key(job, runtime)
        hit = _cached(slot, job.name)
        if hit is not None:
            done[job.name] = hit
        else:
            missing.append((job, slot))
    if not missing:
        return done
    root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="compile-", dir=root) as tmp:
        work = Path(tmp)
        spec = {
            "pyodideDir": str(pyodide_dir),
            "script": str(HERE / "pyc.py"),
            "results": str(work / "results.json"),
            "jobs": [
                {
                    "src": str(job.src),
                    "dst": str(work / f"{i}.zip"),
                    "prefix": job.prefix,
                    "wheel": job.wheel,
                }
                for i, (job, _) in enumerate(missing)
            ],
        }
        (work / "jobs.json").write_text(json.dumps(spec))
        names = ", ".join(job.name for job, _ in missing[:3]) + (", ..." if missing[3:] else "")
        run_node(
            [str(HERE / "compile.mjs"), str(work / "jobs.json")],
            f"byte-compiling {len(missing)} zip(s) ({names}) with Pyodide under Node",
            NODE_TIMEOUT,
            f"If the error is in Pyodide itself, delete {cache_dir / 'npm'} (a fresh unpack) and "
            "re-run; a Python traceback points at pyc.py.",
        )
        try:
            results = json.loads((work / "results.json").read_text())["results"]
        except (OSError, ValueError, KeyError) as error:
            raise BuildError(
                f"compile.mjs finished but wrote no usable results ({error}); re-run the build"
            ) from error
        for i, ((job, slot), result) in enumerate(zip(missing, results, strict=True)):
            staged = work / f"slot-{i}"
            staged.mkdir()
            output = staged / job.name
            shutil.move(work / f"{i}.zip", output)
            stats = {
                "compiled": result["compiled"],
                "failed": result["failed"],
                "sha256": sha256_file(output),
                "ms": result["ms"],
            }
            (staged / "stats.json").write_text(json.dumps(stats, indent=1))
            shutil.rmtree(slot, ignore_errors=True)
            staged.rename(slot)
            done[job.name] = Compiled(
                slot / job.name, False, stats["compiled"], tuple(stats["failed"])
            )
    return done
