"""State-changing /api/ calls need ``Content-Type: application/json`` and ``X-Nosto-Sandbox: 1``,
and their bodies are capped; reads need neither."""

from __future__ import annotations

import json

import pytest
from starlette.testclient import TestClient

from nosto_tagging.sandbox import writes
from nosto_tagging.testing import sandbox as qa_sandbox

from .conftest import WRITE_HEADERS

FAULT = json.dumps({"status": 503})


def faults(client: TestClient) -> list[object]:
    return client.get("/api/faults").json()["faults"]


@pytest.mark.parametrize(
    ("headers", "status", "missing"),
    [
        ({}, 403, "Content-Type: application/json and X-Nosto-Sandbox: 1"),
        ({"Content-Type": "text/plain"}, 403, "Content-Type: application/json and X-Nosto"),
        ({"Content-Type": "application/json"}, 403, "the headers X-Nosto-Sandbox: 1 ("),
        ({"Content-Type": "application/json", "X-Nosto-Sandbox": "yes"}, 403, "X-Nosto-Sandbox"),
        ({"Content-Type": "text/plain", "X-Nosto-Sandbox": "1"}, 415, "Content-Type: applicati"),
        (
            {"Content-Type": "application/x-www-form-urlencoded", "X-Nosto-Sandbox": "1"},
            415,
            "the headers Content-Type: application/json (",
        ),
    ],
)
def test_a_fault_without_the_headers_is_refused_and_not_added(
    client: TestClient, headers: dict[str, str], status: int, missing: str
) -> None:
    response = client.post("/api/faults", content=FAULT, headers=headers)

    assert response.status_code == status
    [error] = response.json()["errors"]
    assert error.startswith("POST requests to /api/ change the sandbox and need")
    assert missing in error
    assert "curl -X POST -H 'Content-Type: application/json' -H 'X-Nosto-Sandbox: 1'" in error
    assert faults(client) == []


def test_with_both_headers_a_fault_is_added(client: TestClient) -> None:
    headers = {"Content-Type": "application/json; charset=utf-8", "X-Nosto-Sandbox": "1"}

    response = client.post("/api/faults", content=FAULT, headers=headers)

    assert response.status_code == 201, response.text
    assert len(faults(client)) == 1


def test_clearing_faults_needs_the_headers_too(client: TestClient) -> None:
    client.post("/api/faults", content=FAULT, headers=WRITE_HEADERS)

    refused = client.delete("/api/faults")
    assert refused.status_code == 403
    assert "DELETE requests to /api/" in refused.json()["errors"][0]
    assert len(faults(client)) == 1

    assert client.delete("/api/faults", headers=WRITE_HEADERS).json()["cleared"] == 1


def test_reads_need_no_header(client: TestClient) -> None:
    for path in ("/api/faults", "/api/requests", "/api/stats"):
        assert client.get(path).status_code == 200, path


def test_a_body_over_the_cap_is_refused_with_413(client: TestClient) -> None:
    padded = json.dumps({"status": 503, "account": "a" * writes.MAX_BODY_BYTES})

    response = client.post("/api/faults", content=padded, headers=WRITE_HEADERS)

    assert response.status_code == 413
    assert f"over the {writes.MAX_BODY_BYTES} bytes /api/ accepts" in response.json()["errors"][0]
    assert faults(client) == []


def test_a_streamed_body_over_the_cap_is_refused_too(client: TestClient) -> None:
    chunks = (b"x" * 4096 for _ in range(writes.MAX_BODY_BYTES // 4096 + 2))  # no Content-Length

    response = client.post("/api/faults", content=chunks, headers=WRITE_HEADERS)

    assert response.status_code == 413


def test_a_body_at_the_cap_reaches_the_endpoint(client: TestClient) -> None:
    body = json.dumps({"status": 503, "account": "a"})
    body += " " * (writes.MAX_BODY_BYTES - len(body))

    response = client.post("/api/faults", content=body, headers=WRITE_HEADERS)

    assert response.status_code == 201, response.text
    assert response.json()["fault"]["account"] == "a"


def test_the_qa_plugin_sends_the_header_the_sandbox_asks_for() -> None:
    assert qa_sandbox.WRITE_HEADER == writes.HEADER
