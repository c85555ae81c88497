"""Rewrite a zip (``python_stdlib.zip`` or a wheel): each ``X.py`` becomes a sourceless ``X.pyc``.

Runs inside Pyodide's Python 3.14 (the right bytecode magic) via ``compile.mjs``: stdlib only,
no package imports. Output entries are STORED so HTTP compression applies to the whole file.
"""

from __future__ import annotations

import base64
import csv
import hashlib
import importlib.util
import io
import warnings
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc  # type: ignore[attr-defined]

# -OO: no docstrings, no asserts (the bundle's code asserts only internal invariants). A
# sourceless .pyc is loaded whatever the interpreter's own optimization level is.
OPTIMIZE = 2


def compile_source(source: bytes, dfile: str) -> bytes:
    """Unchecked hash-based pyc: valid whatever the mtimes, never compared with a source."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        code = compile(source, dfile, "exec", dont_inherit=True, optimize=OPTIMIZE)
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
    return "sha256=" + digest.decode("ascii")


def _record(entries: list[tuple[str, bytes]], record_name: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for name, data in entries:
        if name != record_name and not name.endswith("/"):
            writer.writerow([name, _record_hash(data), len(data)])
    writer.writerow([record_name, "", ""])
    return out.getvalue().encode("utf-8")


def _is_record(name: str) -> bool:
    head, _, tail = name.partition("/")
    return head.endswith(".dist-info") and tail == "RECORD"


def recompile_zip(src: str, dst: str, dfile_prefix: str, wheel: bool) -> dict[str, object]:
    """Write ``dst``: ``src`` with sources compiled (those that fail stay ``.py``), STORED.

    ``dfile_prefix`` + the entry name is the file name recorded in the code objects (what
    tracebacks show). For wheels the ``*.dist-info/RECORD`` is rewritten to match.
    Returns ``{"compiled": n, "failed": ["name: error", ...]}``.
    """
    failed: list[str] = []
    entries: list[tuple[zipfile.ZipInfo, str, bytes]] = []
    with zipfile.ZipFile(src) as zin:
        for info in zin.infolist():
            name = info.filename
            if "__pycache__/" in name or name.endswith(".pyc"):
                continue
            data = b"" if info.is_dir() else zin.read(info)
            if name.endswith(".py"):
                try:
                    data = compile_source(data, dfile_prefix + name)
                    name += "c"
                except (SyntaxError, ValueError) as error:
                    failed.append(f"{name}: {type(error).__name__}: {error}")
            entries.append((info, name, data))
    if wheel:
        records = [i for i, (_, name, _) in enumerate(entries) if _is_record(name)]
        if len(records) != 1:
            raise ValueError(f"not a wheel: expected one *.dist-info/RECORD, found {len(records)}")
        info, name, _ = entries[records[0]]
        body = _record([(n, d) for _, n, d in entries], name)
        entries[records[0]] = (info, name, body)
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_STORED) as zout:
        for info, name, data in entries:
            out = zipfile.ZipInfo(name, info.date_time)
            out.external_attr = info.external_attr
            out.compress_type = zipfile.ZIP_STORED
            zout.writestr(out, data)
    compiled = sum(1 for _, name, _ in entries if name.endswith(".pyc"))
    return {"compiled": compiled, "failed": failed}
