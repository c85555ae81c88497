"""The DOM tagging reader's rules exist once, in ``core/tagging.py``: the build hands them to the
reader's chunk (``NOSTO_TAGGING``), so a class added in Python reaches the page's reader."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from nosto_tagging.bundle import loader
from nosto_tagging.bundle.fetch import extract_npm, fetch_npm
from nosto_tagging.bundle.pins import esbuild_pin, load_pins
from tests.checkout import CACHE_DIR, WEB_DIR

PROBE = """
const m = await import(process.argv[1]);
const nodes = [{ cls: "nosto_extra" }, { cls: "nosto_brand" }];
console.log(JSON.stringify({
  tagging: m.TAGGING_CLASSES, roots: m.ROOT_CLASSES, provided: m.PROVIDED_TAGGING,
  bounds: [m.MAX_NODES, m.MAX_DEPTH, m.MAX_TEXT],
  extraTags: m.carriesTagging(nodes.slice(0, 1), []),
  brandTags: m.carriesTagging(nodes.slice(1), []),
}));
"""


@pytest.mark.skipif(shutil.which("node") is None, reason="needs Node.js to run the chunk")
def test_the_reader_chunk_carries_the_rules_core_tagging_has(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    extra = (*loader.TAGGING_CLASSES, "nosto_extra")
    monkeypatch.setattr(loader, "TAGGING_CLASSES", extra)
    pin = esbuild_pin(load_pins())
    esbuild = extract_npm(fetch_npm(pin, CACHE_DIR).path, pin.sha256, CACHE_DIR)
    chunk = tmp_path / "tagging.mjs"
    chunk.write_text(
        loader.bundle_chunk(WEB_DIR, esbuild / "bin" / "esbuild", "tagging.mjs"), encoding="utf-8"
    )

    done = subprocess.run(
        ["node", "--input-type=module", "-e", PROBE, chunk.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )

    rules = loader.tagging_rules()
    assert json.loads(done.stdout) == {
        "tagging": list(extra),
        "roots": rules["rootClasses"],
        "provided": rules["providedTagging"],
        "bounds": [rules["maxNodes"], rules["maxDepth"], rules["maxText"]],
        "extraTags": True,  # the page's auto-load test follows the Python list
        "brandTags": False,
    }
