"""Trim the standard library to what the engine imports, with a margin, and prove it still runs.

The closure is found by running the engine in Pyodide under Node (``probe.mjs`` + ``probe.py``:
import every module of our wheel, drive a config, calls, a send, an error
report) and reading ``sys.modules``. Kept: every top-level package or module seen there (whole
packages, not just the submodules used), plus :data:`MARGIN`. The trimmed zip is then booted
by the same probe, so a module the engine needs but the trim dropped fails the build, not a
shopper's page. The probe also reports the site-packages modules it loaded, so the build can
refuse a wheel the engine never imports (``imported.py``). Results are cached by the inputs'
hashes.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from nosto_tagging.bundle.errors import BuildError
from nosto_tagging.bundle.lock import sha256_file
from nosto_tagging.bundle.node import run_node

HERE = Path(__file__).parent
PROBE_FILES = (HERE / "probe.mjs", HERE / "probe.py")
NODE_TIMEOUT = 300.0
# Imported late or only on paths the probe does not take (error reports, dates and numbers
# pydantic parses from strings, tracebacks, the interpreter's own helpers): kept regardless.
MARGIN = frozenset(
    {
        "__future__",
        "_colorize",
        "_compat_pickle",
        "_markupbase",
        "_opcode_metadata",
        "_py_warnings",
        "_pydatetime",
        "_pydecimal",
        "_pyodide",
        "_strptime",
        "_sysconfigdata__emscripten_wasm32-emscripten",
        "_weakrefset",
        "annotationlib",
        "ast",
        "asyncio",
        "base64",
        "bisect",
        "calendar",
        "codeop",
        "collections",
        "colorsys",
        "concurrent",
        "contextlib",
        "contextvars",
        "copy",
        "copyreg",
        "dataclasses",
        "datetime",
        "decimal",
        "difflib",
        "dis",
        "email",
        "encodings",
        "enum",
        "fnmatch",
        "fractions",
        "functools",
        "gzip",
        "gettext",
        "hashlib",
        "heapq",
        "hmac",
        "html",
        "http",
        "importlib",
        "inspect",
        "ipaddress",
        "json",
        "keyword",
        "linecache",
        "locale",
        "logging",
        "mimetypes",
        "numbers",
        "opcode",
        "operator",
        "pathlib",
        "pickle",
        "pkgutil",
        "platform",
        "pprint",
        "pyodide",
        "queue",
        "random",
        "re",
        "reprlib",
        "secrets",
        "selectors",
        "shlex",
        "shutil",
        "signal",
        "site-packages",
        "statistics",
        "string",
        "struct",
        "sysconfig",
        "tempfile",
        "textwrap",
        "threading",
        "token",
        "tokenize",
        "traceback",
        "types",
        "typing",
        "urllib",
        "uuid",
        "warnings",
        "weakref",
        "zipfile",
        "zoneinfo",
    }
)


@dataclass(frozen=True)
class Trimmed:
    """The trimmed stdlib zip and what went into it."""

    path: Path
    kept: tuple[str, ...]
    dropped: tuple[str, ...]
    cached: bool
    site: tuple[str, ...]  # top-level modules the engine loaded from site-packages


def top_level(entry: str) -> str:
    """``json/decoder.pyc`` → ``json``; ``typing.pyc`` → ``typing``."""
    head = entry.partition("/")[0]
    for suffix in (".pyc", ".py"):
        if head.endswith(suffix) and "/" not in entry:
            return head.removesuffix(suffix)
    return head


def _probe(
    pyodide_dir: Path, stdlib: Path, wheels: list[Path], what: str
) -> tuple[list[str], list[str]]:
    """Run the probe; return the stdlib and the site-packages top-level modules it loaded."""
    with tempfile.TemporaryDirectory(prefix="nosto-probe-") as tmp:
        spec = {
            "pyodideDir": str(pyodide_dir),
            "stdlib": str(stdlib),
            "wheels": [str(w) for w in wheels],
            "script": str(HERE / "probe.py"),
            "results": str(Path(tmp) / "results.json"),
        }
        (Path(tmp) / "spec.json").write_text(json.dumps(spec))
        run_node(
            [str(HERE / "probe.mjs"), str(Path(tmp) / "spec.json")],
            what,
            NODE_TIMEOUT,
            "The engine failed under Pyodide with this standard library; a ModuleNotFoundError "
            "names a module to add to MARGIN in nosto_tagging/bundle/closure.py.",
        )
        try:
            results = json.loads((Path(tmp) / "results.json").read_text())
            modules, site = results["modules"], results["site"]
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise BuildError(f"{what}: probe.mjs wrote no usable results ({error})") from error
    return [str(m) for m in modules], [str(m) for m in site]


def _write_trimmed(src: Path, dst: Path, keep: frozenset[str]) -> tuple[list[str], list[str]]:
    kept: set[str] = set()
    dropped: set[str] = set()
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info in zin.infolist():
            name = top_level(info.filename)
            if name in keep:
                kept.add(name)
                out = zipfile.ZipInfo(info.filename, info.date_time)
                out.external_attr = info.external_attr
                out.compress_type = zipfile.ZIP_STORED  # HTTP compression applies to the zip
                zout.writestr(out, zin.read(info))
            else:
                dropped.add(name)
    return sorted(kept), sorted(dropped)


def _key(*parts: str) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode() + b"\0")
    for path in (*PROBE_FILES, Path(__file__)):
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def trim_stdlib(
    stdlib: Path,
    wheels: list[Path],
    pyodide_dir: Path,
    cache_dir: Path,
) -> Trimmed:
    """The compiled ``stdlib`` zip cut to the engine's import closure + :data:`MARGIN`, verified.

    ``wheels`` are the shipped (compiled) wheels. Raises :class:`BuildError` if the engine
    cannot run on the full or on the trimmed standard library.
    """
    inputs = [sha256_file(stdlib), *(sha256_file(w) for w in wheels)]
    slot = cache_dir / "stdlib-trimmed" / _key(*inputs)
    output = slot / stdlib.name
    try:
        stats = json.loads((slot / "stats.json").read_text())
        if sha256_file(output) == stats["sha256"]:
            return Trimmed(
                output, tuple(stats["kept"]), tuple(stats["dropped"]), True, tuple(stats["site"])
            )
    except (OSError, ValueError, KeyError):
        pass
    used, _ = _probe(
        pyodide_dir, stdlib, wheels, "finding the engine's imports (Pyodide under Node)"
    )
    keep = frozenset(used) | MARGIN
    slot.mkdir(parents=True, exist_ok=True)
    staged = slot / f".{stdlib.name}.partial"
    kept, dropped = _write_trimmed(stdlib, staged, keep)
    _, site = _probe(pyodide_dir, staged, wheels, "running the engine on the trimmed stdlib")
    staged.replace(output)
    stats = {
        "sha256": sha256_file(output),
        "kept": kept,
        "dropped": dropped,
        "used": used,
        "site": site,
    }
    (slot / "stats.json").write_text(json.dumps(stats, indent=1))
    return Trimmed(output, tuple(kept), tuple(dropped), False, tuple(site))
