"""Fault controls: /ev1 answers a status, hangs or sends garbage for the next N requests."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest
from starlette.testclient import TestClient

from .conftest import WRITE_HEADERS, post


def fault(client: TestClient, **spec: Any) -> dict[str, Any]:
    response = client.post("/api/faults", json=spec, headers=WRITE_HEADERS)
    assert response.status_code == 201, response.text
    return response.json()["fault"]


def stored(client: TestClient) -> list[str]:
    return [entry["event_id"] for entry in client.get("/api/requests").json()]


def test_a_status_fault_answers_that_status_for_the_next_n_requests(client: TestClient) -> None:
    fault(client, status=503, retry_after=2, count=2)

    first, second = post(client, {}, eid="1"), post(client, {}, eid="2")
    third = post(client, {}, eid="3")

    assert (first.status_code, second.status_code, third.status_code) == (503, 503, 200)
    assert first.headers["retry-after"] == "2"
    assert "fault 1" in first.json()["errors"][0]
    assert stored(client) == ["3"]  # faulted requests are not stored
    assert client.get("/api/stats").json()["faulted"] == 2


def test_faults_are_listed_with_what_is_left_and_cleared(client: TestClient) -> None:
    fault(client, status=500, count=3)
    post(client, {}, eid="1")

    [listed] = client.get("/api/faults").json()["faults"]
    assert (listed["kind"], listed["status"], listed["remaining"], listed["served"]) == (
        "status",
        500,
        2,
        1,
    )
    assert client.delete("/api/faults", headers=WRITE_HEADERS).json() == {
        "cleared": 1,
        "faults": [],
    }
    assert post(client, {}, eid="2").status_code == 200


def test_a_fault_until_cleared_never_runs_out(client: TestClient) -> None:
    fault(client, status=429, count=None)

    assert [post(client, {}, eid=str(n)).status_code for n in range(5)] == [429] * 5
    client.delete("/api/faults", headers=WRITE_HEADERS)
    assert post(client, {}, eid="5").status_code == 200


def test_a_fault_can_target_one_visitor(client: TestClient) -> None:
    fault(client, status=503, visitor="unlucky")

    assert post(client, {}, eid="1", c="lucky").status_code == 200
    assert post(client, {}, eid="2", c="unlucky").status_code == 503


def test_a_hang_answers_504_after_the_time_and_stores_nothing(client: TestClient) -> None:
    fault(client, hang=0.3)

    started = time.monotonic()
    response = post(client, {}, eid="1")

    assert time.monotonic() - started >= 0.3
    assert response.status_code == 504
    assert stored(client) == []


@pytest.mark.parametrize(
    ("kind", "content_type"),
    [
        ("html", "text/html"),
        ("truncated_json", "application/json"),
        ("wrong_content_type", "text/html"),
        ("empty", "application/json"),
    ],
)
def test_garbage_is_a_200_whose_body_is_not_nostos_json(
    client: TestClient, kind: str, content_type: str
) -> None:
    fault(client, garbage=kind)

    response = post(client, {}, eid="1")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith(content_type)
    assert stored(client) == []


def test_a_delay_takes_the_request_as_usual_once_it_is_over(client: TestClient) -> None:
    fault(client, delay=600)
    answer: list[Any] = []
    sender = threading.Thread(target=lambda: answer.append(post(client, {}, eid="1")), daemon=True)
    sender.start()
    while client.get("/api/faults").json()["faults"] != []:  # taken: served, none left
        time.sleep(0.01)
    assert stored(client) == []  # still waiting
    assert answer == []

    client.delete("/api/faults", headers=WRITE_HEADERS)  # clearing ends the delay
    sender.join(timeout=10)

    assert answer[0].status_code == 200 and answer[0].json()["pv"] == 1
    assert stored(client) == ["1"]
    assert client.get("/api/stats").json()["faulted"] == 1


def test_unasked_placements_get_campaigns_in_an_answer_that_is_stored_as_usual(
    client: TestClient,
) -> None:
    fault(client, unasked=["front-2", "<b>"])

    answer = post(client, {"elements": ["front-1"]}, eid="1").json()
    usual = client.get("/api/requests").json()[0]["response"]

    assert set(answer["recommendations"]) == {"front-1", "front-2", "<b>"}
    assert "did not ask for" in answer["recommendations"]["front-2"]
    assert "&lt;b&gt;" in answer["recommendations"]["<b>"]
    assert set(usual["recommendations"]) == {"front-1"}
    assert stored(client) == ["1"]


@pytest.mark.parametrize(
    "spec",
    [
        {},
        {"status": 503, "hang": 1},
        {"status": 99},
        {"garbage": "xml"},
        {"hang": 601},
        {"retry_after": 1, "hang": 1},
        {"status": 503, "count": 0},
        {"status": 503, "colour": 1},
        {"delay": 1, "unasked": ["x"]},
        {"unasked": []},
        {"delay": 0},
    ],
)
def test_a_bad_fault_is_400_with_an_example(client: TestClient, spec: dict[str, Any]) -> None:
    response = client.post("/api/faults", json=spec, headers=WRITE_HEADERS)

    assert response.status_code == 400
    assert response.json()["example"] == {"status": 503, "retry_after": 2, "count": 1}
    assert client.get("/api/faults").json()["faults"] == []
