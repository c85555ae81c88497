"""Minify the bundled ``nosto.js`` with UglifyJS (the pinned npm ``uglify-js``, run by Node).

Comments, whitespace and the IIFE's long local names are most of the source; without them the
loader fits its budget of 6 KB brotli. UglifyJS is kept over esbuild's own ``--minify``: on the
same bundle its brotli file is smaller (6,069 vs 6,411 bytes when last measured). The ``/*! ... */``
header stays.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from nosto_tagging.bundle.node import run_node

NODE_TIMEOUT = 120.0
# compress (two passes: the second inlines what the first left single-use, 150 B less brotli)
# + mangle; no top-level names leak (all code is inside one IIFE), properties kept.
OPTIONS = ["--compress", "passes=2", "--mangle", "--comments", "/^!/"]


def minify_loader(script: str, uglify_dir: Path) -> str:
    """``script`` minified by ``uglify_dir/bin/uglifyjs``; raises BuildError if it fails."""
    with tempfile.TemporaryDirectory(prefix="nosto-minify-") as tmp:
        source, target = Path(tmp) / "nosto.js", Path(tmp) / "nosto.min.js"
        source.write_text(script, encoding="utf-8")
        run_node(
            [str(uglify_dir / "bin" / "uglifyjs"), str(source), *OPTIONS, "-o", str(target)],
            "minifying nosto.js with uglify-js",
            NODE_TIMEOUT,
            "Fix the JavaScript in web/page/ (the error names the line of the bundled file), "
            f"or delete {uglify_dir.parent} (a fresh unpack) and re-run.",
        )
        return target.read_text(encoding="utf-8").rstrip("\n") + "\n"
