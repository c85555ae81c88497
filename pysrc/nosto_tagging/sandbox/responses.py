"""The sandbox's JSON answers: ASCII-only, so no stored value can fail to encode.

Starlette's ``JSONResponse`` writes UTF-8 with ``ensure_ascii=False``; a lone surrogate that
arrived as a ``\\ud800`` escape in a request body would then raise while encoding (a 500). Escaped
output is the same JSON to every reader.
"""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse

from nosto_tagging.sandbox.db import dumps


class JSON(JSONResponse):
    """``JSONResponse`` with ASCII output and ``Cache-Control: no-store`` by default."""

    def __init__(self, content: Any, status_code: int = 200, headers: dict[str, str] | None = None):
        super().__init__(content, status_code, {"Cache-Control": "no-store"} | (headers or {}))

    def render(self, content: Any) -> bytes:
        return dumps(content).encode("ascii")
