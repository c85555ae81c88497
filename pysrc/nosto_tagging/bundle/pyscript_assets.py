"""PyScript's files in the runtime, the chunks its entry evaluates at load marked for eager
compilation.

Chromium compiles a function lazily, on the main thread, the first time it runs. Evaluating
PyScript's ``core.js`` runs many of the functions of the chunk it imports, so that compilation
lands in the one task that evaluates the module. V8's explicit compile hint, the magic comment
``//# allFunctionsCalledOnLoad`` at the top of a file (Chromium 136+), has the whole file compiled
while it streams in, off the main thread. Any other engine reads a comment.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from nosto_tagging.bundle.errors import BuildError

ENTRY = "core.js"
COMPILE_HINT = "//# allFunctionsCalledOnLoad\n"
# ``import"./x.js"`` and ``... from"./x.js"``; not ``import("./x.js")``, which loads on demand.
STATIC_IMPORT = re.compile(r'(?:\bfrom|\bimport)\s*"\./([^"/]+\.js)"')
SUFFIXES = frozenset({".js", ".css"})


def evaluated_at_load(dist: Path, entry: str = ENTRY) -> set[str]:
    """The file names of ``entry`` and of every chunk it imports statically, transitively."""
    found, todo = set(), [entry]
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        try:
            text = (dist / name).read_text(encoding="utf-8")
        except OSError as error:
            raise BuildError(
                f"cannot read PyScript's {dist / name} ({error}); delete {dist.parent.parent} "
                "(a fresh unpack) and re-run"
            ) from error
        todo.extend(STATIC_IMPORT.findall(text))
    return found


def copy_pyscript(dist: Path, target: Path) -> list[str]:
    """Copy PyScript's ``.js``/``.css`` files from ``dist`` into ``target``, with the compile
    hint on top of the chunks evaluated at load; return the names of those chunks, sorted."""
    if not (dist / ENTRY).is_file():
        raise BuildError(f"{dist} has no {ENTRY}; delete {dist.parent.parent} and re-run")
    hinted = evaluated_at_load(dist)
    target.mkdir(parents=True, exist_ok=True)
    for path in sorted(dist.iterdir()):
        if path.suffix not in SUFFIXES or not path.is_file():
            continue
        if path.name in hinted:
            text = path.read_text(encoding="utf-8")
            (target / path.name).write_text(COMPILE_HINT + text, encoding="utf-8")
        else:
            shutil.copyfile(path, target / path.name)
    return sorted(hinted)
