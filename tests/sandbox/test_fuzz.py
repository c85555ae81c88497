"""Bad input: fuzzed bodies never crash the collector, never get a 500, never corrupt storage.

Bounded: a fixed number of examples per property, no deadline surprises (``derandomize`` keeps
runs repeatable in CI).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from starlette.testclient import TestClient

from nosto_tagging.sandbox import build_app

from .conftest import CART, TEST_HOSTS

FUZZ = settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
KEYS = st.sampled_from(
    [
        "page_type",
        "events",
        "elements",
        "cart",
        "customer",
        "order",
        "url",
        "response_mode",
        "categories",
        "search_terms",
        "current_variant_id",
        "custom_fields",
        "x",
    ]
)
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(KEYS | st.text(), inner, max_size=5)
    ),
    max_leaves=30,
)
BODIES = st.dictionaries(KEYS, JSON_VALUES, max_size=8)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    directory = tmp_path_factory.mktemp("fuzz")
    (directory / "bundle").mkdir()
    (directory / "bundle" / "nosto.js").write_text("")
    with TestClient(
        build_app(directory / "db.sqlite3", directory / "bundle", allowed_hosts=TEST_HOSTS)
    ) as client:
        client.post(
            "/ev1",
            params={"m": "demo", "c": "keeper", "eid": "kept"},
            content=json.dumps({"page_type": "cart", "cart": CART}),
        )
        yield client


def assert_survived(client: TestClient, response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code == 200:
        answer = response.json()
        assert {"visit", "customer", "pv", "cs", "ct", "recommendations"} <= set(answer)
    kept = client.get("/api/requests", params={"visitor": "keeper"}).json()
    assert [entry["body"]["cart"] for entry in kept] == [CART]
    assert client.get("/api/visitors/keeper").json()["cart_size"] == 3


@FUZZ
@given(body=BODIES)
def test_random_json_bodies_are_answered_or_rejected_never_500(
    fuzzed: TestClient, body: dict[str, Any]
) -> None:
    response = fuzzed.post("/ev1", params={"m": "demo", "c": "fuzz"}, content=json.dumps(body))
    assert_survived(fuzzed, response)
    assert fuzzed.get("/api/requests", params={"visitor": "fuzz", "tail": "5"}).status_code == 200


@FUZZ
@given(raw=st.binary(max_size=300))
def test_random_bytes_are_rejected_never_500(fuzzed: TestClient, raw: bytes) -> None:
    response = fuzzed.post("/ev1", params={"m": "demo", "c": "fuzz"}, content=raw)
    assert_survived(fuzzed, response)


@pytest.mark.parametrize(
    "content",
    [
        b'{"page_type": "front", "url": "\xff\xfe"}',  # invalid UTF-8
        b'{"url": "\\ud800", "elements": ["\\udfff"], "x": "\\ud83d"}',  # lone surrogates
        b"[" * 5000 + b"]" * 5000,  # deeper than Python's recursion limit
        b'{"x": ' + b"[" * 70 + b"1" + b"]" * 70 + b"}",  # deeper than MAX_DEPTH (64)
        json.dumps({"elements": ["e"] * 1001}).encode(),  # huge arrays
        json.dumps({"cart": [CART[0]] * 1001}).encode(),
        json.dumps({"events": [["vp", "1"]] * 3000}).encode(),
        b'{"cart": [{"product_id": "1", "name": "x", "unit_price": 1e400, '
        b'"price_currency_code": "EUR"}]}',
        b'{"pv": NaN}',
        b'{"n": ' + b"9" * 5000 + b"}",  # an integer too long to convert
        b'{"customer": {"email": ["a"]}, "cart": {"items": []}}',
        b'{"page_type": "front"}{"page_type": "front"}',
        b"\xef\xbb\xbf{}",  # a byte order mark
        b"",
    ],
)
def test_known_nasty_bodies_are_handled(fuzzed: TestClient, content: bytes) -> None:
    response = fuzzed.post("/ev1", params={"m": "demo", "c": "fuzz"}, content=content)
    assert_survived(fuzzed, response)
    assert fuzzed.get("/api/requests", params={"visitor": "fuzz", "tail": "3"}).status_code == 200
    assert fuzzed.get("/api/visitors/fuzz").status_code in (200, 404)


def test_lone_surrogates_are_refused_in_fields_and_kept_escaped_elsewhere(
    fuzzed: TestClient,
) -> None:
    in_field = b'{"page_type": "front", "url": "\\ud800"}'
    elsewhere = b'{"page_type": "front", "x": "\\udfff"}'
    refused = fuzzed.post("/ev1", params={"m": "demo", "c": "lone", "eid": "s1"}, content=in_field)
    kept = fuzzed.post("/ev1", params={"m": "demo", "c": "lone", "eid": "s2"}, content=elsewhere)

    assert refused.status_code == 400
    assert refused.json()["errors"][0].startswith("url")
    assert kept.status_code == 200
    [entry] = fuzzed.get("/api/requests", params={"visitor": "lone"}).json()
    assert entry["body"]["x"] == "\udfff"


def test_a_crafted_database_path_error_is_explained(tmp_path: Path) -> None:
    (tmp_path / "bundle").mkdir()
    blocker = tmp_path / "file"
    blocker.write_text("")
    app = build_app(blocker / "db.sqlite3", tmp_path / "bundle")
    with pytest.raises(RuntimeError, match="pass --db with a writable file path"), TestClient(app):
        pass
