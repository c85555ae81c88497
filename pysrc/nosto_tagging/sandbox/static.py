"""Static files served the way ``docs/hosting.md`` asks a merchant's CDN to serve the bundle.

- Content types browsers insist on (``application/wasm`` for streaming compilation, JavaScript
  for module scripts), whatever the host's mimetypes tables say.
- Files inside a content-hashed folder (``runtime-<12 hex>/``) are ``immutable`` for a year;
  everything else is ``no-cache`` and revalidates (``ETag``/``Last-Modified`` → 304, Starlette's).
- A precompressed sibling (``X.br``, ``X.gz``, written by the build) is sent instead of ``X`` when
  the request's ``Accept-Encoding`` allows it, with ``Content-Encoding`` and ``X``'s content type;
  every file that has siblings is sent with ``Vary: Accept-Encoding``.
"""

from __future__ import annotations

import mimetypes
import os

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

from nosto_tagging.bundle.hashdir import is_hashed_path
from nosto_tagging.bundle.precompress import ENCODINGS

CACHE_CONTROL = "no-cache"
IMMUTABLE = "public, max-age=31536000, immutable"
# Content-Encoding -> sibling suffix, in order of preference.
SIBLINGS = ENCODINGS  # the precompressed files the build writes next to each file

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


def accepted_encodings(header: str) -> set[str]:
    """The codings an ``Accept-Encoding`` value allows: ``"gzip, br;q=0"`` → ``{"gzip"}``.

    ``*`` allows every coding not listed with ``q=0``.
    """
    allowed: set[str] = set()
    refused: set[str] = set()
    for item in header.split(","):
        name, _, params = item.strip().partition(";")
        name = name.strip().lower()
        if not name:
            continue
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        (allowed if quality > 0 else refused).add(name)
    if "*" in allowed:
        allowed |= {coding for coding, _ in SIBLINGS} - refused
    return allowed - refused


def cache_control(relative: str) -> str:
    """``immutable`` for files inside a content-hashed folder, else ``no-cache``."""
    return IMMUTABLE if is_hashed_path(relative) else CACHE_CONTROL


class StaticDir(StaticFiles):
    """``StaticFiles`` with :func:`content_type`, :func:`cache_control` and ``.br``/``.gz``."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        request_headers = Headers(scope=scope)
        original = os.fspath(full_path)
        relative = os.path.relpath(original, self.directory or ".").replace(os.sep, "/")
        headers = {"Cache-Control": cache_control(relative)}
        served, served_stat = original, stat_result
        siblings = [(coding, original + suffix) for coding, suffix in SIBLINGS]
        present = [(coding, path) for coding, path in siblings if os.path.isfile(path)]
        if present:
            headers["Vary"] = "Accept-Encoding"
            allowed = accepted_encodings(request_headers.get("accept-encoding", ""))
            chosen = next(((c, p) for c, p in present if c in allowed), None)
            if chosen is not None:
                headers["Content-Encoding"] = chosen[0]
                served, served_stat = chosen[1], os.stat(chosen[1])
        response = FileResponse(
            served,
            status_code=status_code,
            stat_result=served_stat,
            media_type=content_type(original),
            headers=headers,
        )
        if self.is_not_modified(response.headers, request_headers):
            return NotModifiedResponse(response.headers)
        return response
