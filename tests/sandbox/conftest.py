"""Fixtures for the sandbox tests: a fake bundle directory and a client on a fresh database."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    # starlette 0.52's testclient names anyio.abc.BlockingPortal, an alias anyio 4.12+ deprecates.
    warnings.filterwarnings(
        "ignore", "The anyio.abc.BlockingPortal alias is deprecated", DeprecationWarning
    )
    from starlette.testclient import TestClient

from nosto_tagging.sandbox import build_app
from tests.examples import SHIRT, SHOE

CART = [SHIRT, SHOE]
# TestClient's requests say Host: testserver.
TEST_HOSTS = ["testserver"]
# What state-changing /api/ calls must carry (nosto_tagging.sandbox.writes).
WRITE_HEADERS = {"Content-Type": "application/json", "X-Nosto-Sandbox": "1"}


@pytest.fixture
def bundle_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "bundle"
    directory.mkdir()
    (directory / "nosto.js").write_text("window.fakeBundle = true;\n")
    (directory / "loader.mjs").write_text("export const loaded = true;\n")
    (directory / "pyodide.asm.wasm").write_bytes(b"\0asm\1\0\0\0")
    (directory / "engine-0.1.0-py3-none-any.whl").write_bytes(b"PK\3\4")
    (directory / "pyodide-lock.json").write_text("{}")
    return directory


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "state" / "db.sqlite3"


@pytest.fixture
def client(db_path: Path, bundle_dir: Path) -> Iterator[TestClient]:
    with TestClient(build_app(db_path, bundle_dir, allowed_hosts=TEST_HOSTS)) as client:
        yield client


def post(
    client: TestClient,
    body: dict[str, Any],
    content_type: str = "text/plain;charset=UTF-8",
    **params: str,
) -> Any:
    """POST ``body`` to /ev1 as the browser does; ``m=demo&c=visitor-1`` unless overridden."""
    query = {"m": "demo", "c": "visitor-1"} | params
    return client.post(
        "/ev1", params=query, content=json.dumps(body), headers={"Content-Type": content_type}
    )
