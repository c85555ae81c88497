"""/api/requests: the stored requests, oldest first, with filters; and the store's persistence."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from nosto_tagging.sandbox import build_app

from .conftest import TEST_HOSTS, WRITE_HEADERS


def send(client: TestClient, account: str, visitor: str, eid: str) -> None:
    response = client.post("/ev1", params={"m": account, "c": visitor, "eid": eid}, content="{}")
    assert response.status_code == 200


def test_requests_are_listed_oldest_first(client: TestClient) -> None:
    for eid in ("a", "b", "c"):
        send(client, "demo", "v", eid)

    listed = client.get("/api/requests").json()

    assert [entry["event_id"] for entry in listed] == ["a", "b", "c"]
    assert [entry["id"] for entry in listed] == sorted(entry["id"] for entry in listed)


def test_requests_can_be_filtered_by_account_visitor_and_since(client: TestClient) -> None:
    send(client, "demo", "alice", "1")
    send(client, "demo", "bob", "2")
    send(client, "other", "alice", "3")
    send(client, "demo", "alice", "4")

    def event_ids(**params: str) -> list[str]:
        return [entry["event_id"] for entry in client.get("/api/requests", params=params).json()]

    assert event_ids(account="demo") == ["1", "2", "4"]
    assert event_ids(visitor="alice") == ["1", "3", "4"]
    assert event_ids(account="demo", visitor="alice") == ["1", "4"]
    first_id = client.get("/api/requests").json()[0]["id"]
    assert event_ids(since=str(first_id)) == ["2", "3", "4"]


def test_since_that_is_not_an_id_is_rejected(client: TestClient) -> None:
    response = client.get("/api/requests", params={"since": "yesterday"})

    assert response.status_code == 400
    assert "since=42" in response.json()["errors"][0]


def test_requests_survive_a_restart(db_path: Path, bundle_dir: Path) -> None:
    with TestClient(build_app(db_path, bundle_dir, allowed_hosts=TEST_HOSTS)) as client:
        send(client, "demo", "v", "kept")
    with TestClient(build_app(db_path, bundle_dir, allowed_hosts=TEST_HOSTS)) as client:
        assert [entry["event_id"] for entry in client.get("/api/requests").json()] == ["kept"]
        again = client.post("/ev1", params={"m": "demo", "c": "v", "eid": "kept"}, content="{}")
        assert again.status_code == 200
        assert len(client.get("/api/requests").json()) == 1


def test_the_database_uses_the_write_ahead_log(client: TestClient, db_path: Path) -> None:
    send(client, "demo", "v", "1")

    assert db_path.with_name(db_path.name + "-wal").exists()


def test_requests_can_be_filtered_by_page_type(client: TestClient) -> None:
    for eid, page_type in (("1", "front"), ("2", "cart"), ("3", "front")):
        client.post(
            "/ev1",
            params={"m": "demo", "c": "v", "eid": eid},
            content=f'{{"page_type": "{page_type}"}}',
        )

    front = client.get("/api/requests", params={"page_type": "front"}).json()
    assert [entry["event_id"] for entry in front] == ["1", "3"]
    assert {entry["page_type"] for entry in front} == {"front"}


def test_limit_and_tail_bound_the_list(client: TestClient) -> None:
    for eid in "abcde":
        send(client, "demo", "v", eid)

    def event_ids(**params: str) -> list[str]:
        return [entry["event_id"] for entry in client.get("/api/requests", params=params).json()]

    assert event_ids(limit="2") == ["a", "b"]
    assert event_ids(tail="2") == ["d", "e"]
    assert client.get("/api/requests", params={"limit": "0"}).status_code == 400


def test_stats_count_accepted_duplicates_and_rejections_by_reason(client: TestClient) -> None:
    send(client, "demo", "v", "1")
    send(client, "demo", "v", "1")
    client.post("/ev1", params={"m": "demo"}, content="{")
    client.post("/ev1", params={"m": "demo"}, content='{"page_type": "nowhere"}')
    client.post("/ev1", params={"m": "demo"}, content='{"page_type": "nowhere"}')
    client.put("/ev1", params={"m": "demo"}, content="{}")

    assert client.get("/api/stats").json() == {
        "accepted": 1,
        "duplicates": 1,
        "rejected": 4,
        "rejected_by_reason": {"invalid_fields": 2, "malformed_json": 1, "method_not_allowed": 1},
        "faulted": 0,
        "visitors": 1,
    }
    assert len(client.get("/api/requests").json()) == 1  # neither rejected nor duplicates listed


def test_unknown_api_paths_and_methods_answer_json_errors(client: TestClient) -> None:
    missing = client.get("/api/nothing")
    wrong = client.post("/api/requests", headers=WRITE_HEADERS)  # past the write guard

    assert missing.status_code == 404
    assert "/api/" in missing.json()["errors"][0]
    assert wrong.status_code == 405
    assert set(wrong.headers["allow"].split(", ")) == {"GET", "HEAD"}  # Starlette: set order
