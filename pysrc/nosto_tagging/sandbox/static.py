"""Static files with the content types browsers insist on and ``Cache-Control: no-cache``.

Revalidation (``ETag``/``Last-Modified`` → 304) is Starlette's ``StaticFiles``.
"""

from __future__ import annotations

import mimetypes
import os

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

CACHE_CONTROL = "no-cache"

# Not left to the host's mimetypes tables: module scripts and wasm streaming need these.
CONTENT_TYPES = {
    ".js": "text/javascript",
    ".mjs": "text/javascript",
    ".wasm": "application/wasm",
    ".whl": "application/octet-stream",
    ".zip": "application/octet-stream",
    ".json": "application/json",
    ".html": "text/html",
    ".css": "text/css",
    ".svg": "image/svg+xml",
}


def content_type(path: str | os.PathLike[str]) -> str:
    """The ``Content-Type`` a file is served with."""
    name = os.fspath(path)
    known = CONTENT_TYPES.get(os.path.splitext(name)[1].lower())
    if known is not None:
        return known
    guessed, encoding = mimetypes.guess_type(name)
    if guessed is None or encoding is not None:
        return "application/octet-stream"
    return guessed


class StaticDir(StaticFiles):
    """``StaticFiles`` serving every file with :func:`content_type` and no-cache."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = FileResponse(
            full_path,
            status_code=status_code,
            stat_result=stat_result,
            media_type=content_type(full_path),
            headers={"Cache-Control": CACHE_CONTROL},
        )
        if self.is_not_modified(response.headers, Headers(scope=scope)):
            return NotModifiedResponse(response.headers)
        return response
