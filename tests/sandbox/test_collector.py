"""The /ev1 collector: parsing, validation, storage, duplicate event ids and the answers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from nosto_tagging.sandbox import build_app

from .conftest import CART, TEST_HOSTS, post


def test_text_plain_post_is_stored_and_listed(client: TestClient) -> None:
    body = {"page_type": "front", "elements": ["frontpage-nosto-1"]}
    response = post(client, body, eid="e1", skipPageViews="false")

    assert response.status_code == 200
    [stored] = client.get("/api/requests").json()
    assert stored["account"] == "demo"
    assert stored["visitor"] == "visitor-1"
    assert stored["event_id"] == "e1"
    assert stored["query"] == {"skipPageViews": "false"}
    assert stored["body"] == body
    assert stored["received_at"].endswith("+00:00")


def test_json_post_is_parsed_like_text_plain(client: TestClient) -> None:
    response = post(client, {"page_type": "cart"}, content_type="application/json", eid="e1")

    assert response.status_code == 200
    assert client.get("/api/requests").json()[0]["body"] == {"page_type": "cart"}


def test_get_with_message_parameter_is_accepted(client: TestClient) -> None:
    message = json.dumps({"page_type": "product", "elements": ["productpage-nosto-1"]})
    response = client.get("/ev1", params={"m": "demo", "c": "v", "eid": "g1", "message": message})

    assert response.status_code == 200
    assert set(response.json()["recommendations"]) == {"productpage-nosto-1"}
    [stored] = client.get("/api/requests").json()
    assert stored["query"] == {}
    assert stored["body"] == json.loads(message)


def test_answer_has_the_shape_of_nostos_event_response(client: TestClient) -> None:
    body = {"elements": ["frontpage-nosto-1", "frontpage-nosto-2"], "cart": CART}
    answer = post(client, body, eid="e1").json()

    assert set(answer) == {"visit", "customer", "pv", "cs", "ct", "recommendations", "errors"}
    assert answer["customer"] == "visitor-1"
    assert answer["pv"] == 1
    assert answer["cs"] == 3
    assert answer["ct"] == 1245.9
    assert set(answer["recommendations"]) == {"frontpage-nosto-1", "frontpage-nosto-2"}
    assert answer["errors"] == []


def test_duplicate_event_id_is_stored_once(client: TestClient) -> None:
    first = post(client, {"page_type": "front"}, eid="same")
    again = post(client, {"page_type": "front", "elements": ["x"]}, eid="same")

    assert again.status_code == 200
    assert again.json() == first.json()
    assert len(client.get("/api/requests").json()) == 1


def test_visit_is_stable_per_visitor(client: TestClient) -> None:
    one = post(client, {}, c="alice", eid="1").json()["visit"]
    two = post(client, {}, c="alice", eid="2").json()["visit"]
    other = post(client, {}, c="bob", eid="3").json()["visit"]

    assert one == two != other


def test_page_views_count_only_requests_without_skip_page_views(client: TestClient) -> None:
    views = [
        post(client, {}, eid="1").json()["pv"],
        post(client, {}, eid="2", skipPageViews="true").json()["pv"],
        post(client, {}, eid="3").json()["pv"],
        post(client, {}, eid="4", skipPageViews="true").json()["pv"],
    ]

    assert views == [1, 1, 2, 2]
    assert post(client, {}, c="someone-else", eid="5").json()["pv"] == 1


def test_cart_count_and_total_follow_the_latest_cart_sent(client: TestClient) -> None:
    with_cart = post(client, {"cart": CART}, eid="1").json()
    without_cart = post(client, {"page_type": "front"}, eid="2").json()
    emptied = post(client, {"cart": []}, eid="3").json()

    assert (with_cart["cs"], with_cart["ct"]) == (3, 1245.9)
    assert (without_cart["cs"], without_cart["ct"]) == (3, 1245.9)
    assert (emptied["cs"], emptied["ct"]) == (0, 0)


def test_missing_visitor_gets_a_new_customer_id(client: TestClient) -> None:
    response = client.post("/ev1", params={"m": "demo"}, content="{}")

    assert response.status_code == 200
    customer = response.json()["customer"]
    assert len(customer) == 24
    assert client.get("/api/requests").json()[0]["visitor"] == customer


def test_malformed_json_is_rejected_with_a_json_error(client: TestClient) -> None:
    response = client.post("/ev1", params={"m": "demo", "c": "v"}, content='{"page_type": ')

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert "not valid JSON" in error
    assert "line 1 column" in error
    assert client.get("/api/requests").json() == []


def test_json_that_is_not_an_object_is_rejected(client: TestClient) -> None:
    response = client.post("/ev1", params={"m": "demo"}, content="[1, 2]")

    assert response.status_code == 400
    assert "not an object" in response.json()["errors"][0]


def test_missing_account_is_rejected(client: TestClient) -> None:
    response = client.post("/ev1", params={"c": "v"}, content="{}")

    assert response.status_code == 400
    assert "?m=" in response.json()["errors"][0]


def test_get_without_message_is_rejected(client: TestClient) -> None:
    response = client.get("/ev1", params={"m": "demo"})

    assert response.status_code == 400
    assert "message" in response.json()["errors"][0]


def test_invalid_event_request_lists_each_field(client: TestClient) -> None:
    body = {"page_type": "nowhere", "cart": [{"product_id": "1", "quantity": "many"}]}
    response = post(client, body, eid="bad")

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert any(error.startswith("page_type") for error in errors)
    assert any(error.startswith("cart[0].quantity") for error in errors)
    assert any(error.startswith("cart[0].unit_price") for error in errors)
    assert client.get("/api/requests").json() == []


def test_body_over_64_kb_is_rejected_with_413(client: TestClient) -> None:
    body = {"page_type": "front", "url": "x" * (64 * 1024)}
    response = post(client, body)

    assert response.status_code == 413
    assert "65536" in response.json()["errors"][0]


def test_put_is_rejected_with_405(client: TestClient) -> None:
    response = client.put("/ev1", params={"m": "demo"}, content="{}")

    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST, OPTIONS"
    assert "POST" in response.json()["errors"][0]


def test_cors_allows_the_own_origin(client: TestClient) -> None:
    response = client.post(
        "/ev1", params={"m": "demo"}, content="{}", headers={"Origin": "http://testserver"}
    )

    assert response.headers["access-control-allow-origin"] == "http://testserver"
    assert response.headers["vary"] == "Origin"


@pytest.mark.parametrize("origin", ["https://shop.example", "http://127.0.0.1:5173"])
def test_cors_does_not_allow_other_origins_not_even_loopback_ones(
    client: TestClient, origin: str
) -> None:
    response = client.post("/ev1", params={"m": "demo"}, content="{}", headers={"Origin": origin})

    assert response.status_code == 200
    assert "access-control-allow-origin" not in response.headers


def test_cors_allows_configured_origins(db_path: Path, bundle_dir: Path) -> None:
    app = build_app(
        db_path, bundle_dir, cors_origins=["HTTP://localhost:5173/"], allowed_hosts=TEST_HOSTS
    )
    with TestClient(app) as client:
        allowed = client.post(
            "/ev1", params={"m": "d"}, content="{}", headers={"Origin": "http://localhost:5173"}
        )
        other = client.post(
            "/ev1", params={"m": "d"}, content="{}", headers={"Origin": "http://localhost:5174"}
        )

    assert allowed.headers["access-control-allow-origin"] == "http://localhost:5173"
    assert "access-control-allow-origin" not in other.headers


def test_a_configured_origin_must_be_an_origin(db_path: Path, bundle_dir: Path) -> None:
    with pytest.raises(ValueError, match="--cors-origin http://localhost:5173"):
        build_app(db_path, bundle_dir, cors_origins=["http://localhost:5173/shop"])


def test_errors_carry_cors_headers_so_pages_can_read_them(client: TestClient) -> None:
    response = client.post("/ev1", content="{}", headers={"Origin": "http://testserver"})

    assert response.status_code == 400
    assert response.headers["access-control-allow-origin"] == "http://testserver"


def test_preflight_answers_204_with_methods_and_content_type(client: TestClient) -> None:
    response = client.options(
        "/ev1",
        headers={
            "Origin": "http://testserver",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )

    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == "http://testserver"
    assert response.headers["access-control-allow-methods"] == "POST, GET"
    assert response.headers["access-control-allow-headers"] == "Content-Type"


def test_validation_errors_do_not_repeat_long_values(client: TestClient) -> None:
    response = post(client, {"url": "x" * 20_000}, eid="long")

    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error.startswith("url: 'xxx")
    assert len(error) <= 300
