"""What ``test_wheel.py`` appends to the README's ``conftest.py`` in the parallel QA project.

After each test, it writes which xdist worker ran it, the sandbox it saw, the visitors whose
requests arrived during the test (its own pages') and every visitor that sandbox ever stored.
"""

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from nosto_tagging.testing import Sandbox

RECORDS = Path(__file__).parent / "records"


@pytest.fixture(autouse=True)
def record_what_the_sandbox_saw(
    request: pytest.FixtureRequest, nosto_sandbox: Sandbox
) -> Iterator[None]:
    yield
    record = {
        "test": request.node.nodeid,
        "worker": os.environ.get("PYTEST_XDIST_WORKER"),
        "origin": nosto_sandbox.origin,
        "db": str(nosto_sandbox.db_path),
        "visitors": sorted({r["visitor"] for r in nosto_sandbox.requests()}),
        "stored_visitors": sorted({r["visitor"] for r in nosto_sandbox.requests(since=0)}),
    }
    RECORDS.mkdir(exist_ok=True)
    name = hashlib.sha256(request.node.nodeid.encode()).hexdigest()[:16]
    (RECORDS / f"{name}.json").write_text(json.dumps(record))
