"""DNS rebinding: the sandbox answers only the host names it is served under."""

from __future__ import annotations

import http.client
import sys
import types
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from starlette.testclient import TestClient

from nosto_tagging.sandbox import build_app, serve
from nosto_tagging.sandbox.hosts import normalize_host, request_host
from nosto_tagging.sandbox.server import exposure_warning
from nosto_tagging.testing import Sandbox, running_sandbox


def stats_status(client: TestClient, host: str) -> tuple[int, dict[str, object]]:
    response = client.get("/api/stats", headers={"Host": host})
    return response.status_code, response.json()


@pytest.fixture
def app_client(db_path: Path, bundle_dir: Path) -> Iterator[TestClient]:
    with TestClient(build_app(db_path, bundle_dir, allowed_hosts=["sandbox.local"])) as client:
        yield client


@pytest.mark.parametrize(
    "host", ["127.0.0.1:8000", "localhost:8000", "LOCALHOST", "[::1]:8000", "sandbox.local:80"]
)
def test_loopback_names_and_allowed_hosts_are_answered(app_client: TestClient, host: str) -> None:
    status, body = stats_status(app_client, host)

    assert status == 200
    assert body["accepted"] == 0


@pytest.mark.parametrize(
    "host", ["evil.example", "evil.example:8000", "127.0.0.1.evil.example", "testserver"]
)
def test_any_other_host_is_refused_with_what_to_do(app_client: TestClient, host: str) -> None:
    status, body = stats_status(app_client, host)

    assert status == 400
    [error] = body["errors"]  # type: ignore[misc]
    assert f"Host {host!r} is not one this sandbox serves" in error
    assert "127.0.0.1, [::1], localhost, sandbox.local" in error
    assert f"--allowed-host {host.split(':')[0]}" in error


def test_every_route_is_guarded_not_only_the_api(app_client: TestClient) -> None:
    for path in ("/", "/events", "/bundle/nosto.js", "/api/requests", "/api/faults"):
        assert app_client.get(path, headers={"Host": "evil.example"}).status_code == 400, path
    rebound = app_client.post("/ev1?m=demo", content="{}", headers={"Host": "evil.example"})
    assert rebound.status_code == 400
    assert stats_status(app_client, "localhost")[1]["accepted"] == 0


def test_a_star_accepts_any_host(db_path: Path, bundle_dir: Path) -> None:
    with TestClient(build_app(db_path, bundle_dir, allowed_hosts=["*"])) as client:
        assert stats_status(client, "whatever.example")[0] == 200


@pytest.mark.parametrize(
    ("given", "normalized"),
    [
        ("Sandbox.Local", "sandbox.local"),
        ("::1", "[::1]"),
        ("[::1]", "[::1]"),
        ("10.0.0.7", "10.0.0.7"),
    ],
)
def test_allowed_hosts_are_normalized(given: str, normalized: str) -> None:
    assert normalize_host(given) == normalized


@pytest.mark.parametrize("given", ["http://sandbox.local", "sandbox.local:8000", "a/b", "", "a b"])
def test_an_allowed_host_must_be_a_bare_name(given: str) -> None:
    with pytest.raises(ValueError, match="give the name only, without scheme, port or path"):
        normalize_host(given)


def test_a_bad_allowed_host_fails_when_the_app_is_built(db_path: Path, bundle_dir: Path) -> None:
    with pytest.raises(ValueError, match=r"'http://x\.test' is not a host name"):
        build_app(db_path, bundle_dir, allowed_hosts=["http://x.test"])


@pytest.mark.parametrize(
    ("header", "host"),
    [("127.0.0.1:8000", "127.0.0.1"), ("[::1]:8000", "[::1]"), ("Evil.Example", "evil.example")],
)
def test_the_host_part_of_a_host_header(header: str, host: str) -> None:
    assert request_host(header) == host


# The real server.


def get(sandbox: Sandbox, path: str, host: str | None) -> tuple[int, bytes]:
    parts = urlsplit(sandbox.origin)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    try:
        connection.putrequest("GET", path, skip_host=host is not None)
        if host is not None:
            connection.putheader("Host", host)
        connection.endheaders()
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    directory = tmp_path_factory.mktemp("hosts")
    (directory / "bundle").mkdir()
    (directory / "bundle" / "nosto.js").write_text("")
    with running_sandbox(
        directory / "db.sqlite3", directory / "bundle", allowed_hosts=["sandbox.test"]
    ) as running:
        yield running


def test_the_served_sandbox_refuses_a_rebound_name_and_takes_allowed_ones(live: Sandbox) -> None:
    port = urlsplit(live.origin).port

    assert get(live, "/api/requests", None)[0] == 200  # Host: 127.0.0.1:<port>
    assert get(live, "/api/requests", f"localhost:{port}")[0] == 200
    assert get(live, "/api/requests", f"sandbox.test:{port}")[0] == 200
    status, body = get(live, "/api/requests", f"attacker.example:{port}")
    assert status == 400
    assert b"--allowed-host attacker.example" in body
    assert live.stats()["accepted"] == 0  # and the QA helpers still work


@pytest.mark.parametrize("host", ["0.0.0.0", "::", "192.168.1.20", "sandbox.lan"])
def test_binding_beyond_loopback_warns_that_there_is_no_authentication(host: str) -> None:
    warning = exposure_warning(host)
    assert warning is not None
    assert "no authentication" in warning
    assert "--allowed-host" in warning


@pytest.mark.parametrize("host", ["127.0.0.1", "127.0.0.2", "::1", "[::1]", "localhost"])
def test_binding_loopback_does_not_warn(host: str) -> None:
    assert exposure_warning(host) is None


def test_serve_prints_the_warning_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    class BuildError(Exception):
        pass

    def build_bundle(out: Path) -> None:
        raise BuildError("stop here, before listening anywhere")

    fake = types.ModuleType("nosto_tagging.bundle")
    fake.BuildError = BuildError  # type: ignore[attr-defined]
    fake.build_bundle = build_bundle  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "nosto_tagging.bundle", fake)

    assert serve("0.0.0.0", 0, tmp_path / "db.sqlite3", tmp_path / "bundle") == 1
    err = capsys.readouterr().err
    assert err.startswith(
        "nosto-tagging serve: warning: --host 0.0.0.0 lets other machines reach the sandbox, "
        "and it has no authentication"
    )
    assert "stop here" in err
