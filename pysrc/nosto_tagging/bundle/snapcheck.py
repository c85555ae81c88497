"""Prove at build time that the runtime's ``snapshot.mjs`` can snapshot the started engine and
restore it, with the very Pyodide build that ships (under Node, ``snapcheck.mjs``).

Browsers make their own snapshot (a plain start keeps one in Cache Storage): none is shipped.
This step fails the build when a Pyodide or wheel bump breaks that mechanism (pydantic_core's
library not restored, a JavaScript object Python holds that cannot be named, ...), and records
the snapshot's size. Results are cached by the runtime folder's content hash.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from pathlib import Path
from typing import Any

from nosto_tagging.bundle.errors import BuildError
from nosto_tagging.bundle.node import run_node

HERE = Path(__file__).parent
NODE_TIMEOUT = 300.0
# Run after each start: the engine imported, a model validated, modules the snapshot does not
# hold imported from the files installed after a restore, the str hash seed, and whether the
# engine rehearsed its first action before the snapshot (nosto_tagging.core.rehearsal).
SCRIPT = """
import json, sys
lazy = "email.utils" in sys.modules
rehearsed = sys.modules["nosto_tagging.core.rehearsal"].done
import email.utils, pydantic.color
from pydantic import BaseModel
class Item(BaseModel):
    quantity: int
json.dumps({
    "engine": "nosto_tagging.worker.shell" in sys.modules,
    "lazy_in_snapshot": lazy,
    "rehearsed": rehearsed,
    "quantity": Item.model_validate_json('{"quantity": "2"}').quantity,
    "color": pydantic.color.Color("red").as_hex(),
    "hash": hash("nosto"),
})
"""


def _check(results: dict[str, Any]) -> None:
    plain, restored = results["plain"], results["restored"]
    expected = {
        "engine": True,
        "rehearsed": True,
        "lazy_in_snapshot": False,
        "quantity": 2,
        "color": "#f00",
    }
    for name, value in expected.items():
        if restored.get(name) != value or plain.get(name) != value:
            raise BuildError(
                f"the restored engine misbehaves under Node: {name} is {restored.get(name)!r} "
                f"(plain start: {plain.get(name)!r}, expected {value!r}); see web/snapshot/"
            )
    if restored["hash"] != plain["hash"]:
        raise BuildError("the str hash seed differs between a plain start and a restore")


def check_snapshot(runtime: Path, cache_dir: Path) -> dict[str, Any]:
    """Make and restore a snapshot of ``runtime`` (a sealed runtime folder); return its figures."""
    slot = cache_dir / "snapshot-check" / f"{runtime.name}.json"
    try:
        return dict(json.loads(slot.read_text()))
    except (OSError, ValueError):
        pass
    with tempfile.TemporaryDirectory(prefix="nosto-snapcheck-") as tmp:
        spec = {
            "runtime": f"{runtime.resolve()}/",
            "script": SCRIPT,
            "snapshot": str(Path(tmp) / "engine.snapshot"),
            "results": str(Path(tmp) / "results.json"),
        }
        (Path(tmp) / "spec.json").write_text(json.dumps(spec))
        run_node(
            [str(HERE / "snapcheck.mjs"), str(Path(tmp) / "spec.json")],
            "making and restoring a memory snapshot of the engine (Pyodide under Node)",
            NODE_TIMEOUT,
            "The engine's memory snapshot does not work with this Pyodide or these wheels; "
            "see web/snapshot/ and the memory snapshot in docs/performance.md.",
        )
        try:
            results = json.loads((Path(tmp) / "results.json").read_text())
        except (OSError, ValueError) as error:
            raise BuildError(f"snapcheck.mjs wrote no usable results ({error})") from error
        _check(results)
        data = (Path(tmp) / "engine.snapshot").read_bytes()
    figures = {
        "bytes": len(data),  # as kept in Cache Storage: zero pages left out
        "memory_bytes": int.from_bytes(data[8:12], "little"),  # the wasm memory it restores
        "gzip_bytes": len(gzip.compress(data, 6)),
        "node_plain_ms": results["plainMs"],
        "node_restored_ms": results["restoredMs"],
    }
    slot.parent.mkdir(parents=True, exist_ok=True)
    slot.write_text(json.dumps(figures, indent=1))
    return figures
