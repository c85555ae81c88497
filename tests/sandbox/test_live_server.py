"""The real ``nosto-tagging serve`` in a subprocess: durability across ``kill -9``, the live
stream, and the QA helpers of ``nosto_tagging.testing`` against it."""

from __future__ import annotations

import ctypes
import http.client
import json
import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from nosto_tagging.sandbox.stream import decode_events
from nosto_tagging.testing import Sandbox, SandboxError, running_sandbox

from .conftest import CART

DURABLE_REQUESTS = 200
PIDFD_GETFD = 438  # the syscall's number (Linux 5.6+, the same on x86-64 and arm64)


_OPEN: list[http.client.HTTPConnection] = []


def connect(sandbox: Sandbox) -> http.client.HTTPConnection:
    """A keep-alive connection to ``sandbox``, closed after the test (``close_connections``)."""
    parts = urlsplit(sandbox.origin)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=10)
    _OPEN.append(connection)
    return connection


@pytest.fixture(autouse=True)
def close_connections() -> Iterator[None]:
    yield
    while _OPEN:
        _OPEN.pop().close()


def send(connection: http.client.HTTPConnection, body: dict[str, Any], query: str) -> int:
    connection.request(
        "POST",
        f"/ev1?{query}",
        body=json.dumps(body),
        headers={"Content-Type": "text/plain;charset=UTF-8"},
    )
    response = connection.getresponse()
    response.read()
    return response.status


@pytest.fixture(scope="module")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    directory = tmp_path_factory.mktemp("live")
    (directory / "bundle").mkdir()
    (directory / "bundle" / "nosto.js").write_text("")
    with running_sandbox(directory / "db.sqlite3", directory / "bundle") as running:
        yield running


def test_every_answered_request_survives_kill_9(tmp_path: Path, bundle_dir: Path) -> None:
    db = tmp_path / "db.sqlite3"
    with running_sandbox(db, bundle_dir) as first:
        connection = connect(first)
        statuses = [
            send(connection, {"page_type": "cart", "cart": CART}, f"m=d&c=v&eid={n}")
            for n in range(DURABLE_REQUESTS)
        ]
        first.stop(kill=True)  # SIGKILL: no shutdown, no checkpoint
    assert statuses == [200] * DURABLE_REQUESTS
    with running_sandbox(db, bundle_dir) as second:
        stored = second.requests(since=0, limit=DURABLE_REQUESTS + 1)
        assert [entry["event_id"] for entry in stored] == [str(n) for n in range(DURABLE_REQUESTS)]
        assert second.visitor("v")["requests"] == DURABLE_REQUESTS
        assert second.stats()["accepted"] == DURABLE_REQUESTS


def test_the_stream_sends_stored_rejected_and_duplicate_requests_live(sandbox: Sandbox) -> None:
    connection = connect(sandbox)
    connection.request("GET", "/api/stream?visitor=streamed")
    stream = connection.getresponse()
    assert stream.headers["content-type"].startswith("text/event-stream")
    assert stream.readline().startswith(b"retry:")
    poster = connect(sandbox)
    send(poster, {"page_type": "front", "elements": ["frontpage-nosto-1"]}, "m=d&c=streamed&eid=s1")
    send(poster, {"page_type": "front"}, "m=d&c=streamed&eid=s1")
    send(poster, {"page_type": "nowhere"}, "m=d&c=streamed&eid=s2")
    send(poster, {"page_type": "front"}, "m=d&c=someone-else&eid=s3")  # filtered out

    text = b""
    while text.count(b"\n\n") < 4:  # the greeting, then three events
        text += stream.read1(65536)
    events = decode_events(text.decode())
    assert [kind for kind, _ in events] == ["request", "duplicate", "rejected"]
    stored = events[0][1]
    assert stored["event_id"] == "s1"
    assert stored["visitor_state"]["page_views"] == 1
    assert set(stored["response"]["recommendations"]) == {"frontpage-nosto-1"}
    assert events[2][1]["reason"] == "invalid_fields"
    connection.close()


def test_the_stream_replays_what_came_after_since(sandbox: Sandbox) -> None:
    poster = connect(sandbox)
    send(poster, {"page_type": "front"}, "m=d&c=replayed&eid=r1")
    send(poster, {"page_type": "cart"}, "m=d&c=replayed&eid=r2")
    [first, _second] = sandbox.requests(visitor="replayed")

    connection = connect(sandbox)
    connection.request(
        "GET", "/api/stream?visitor=replayed", headers={"Last-Event-ID": str(first["id"])}
    )
    stream = connection.getresponse()
    text = b""
    while text.count(b"\n\n") < 2:
        text += stream.read1(65536)
    [(kind, data)] = decode_events(text.decode())
    assert (kind, data["event_id"]) == ("request", "r2")
    connection.close()


def test_wait_for_requests_returns_what_arrived_or_says_what_did_not(sandbox: Sandbox) -> None:
    send(connect(sandbox), {"page_type": "search", "search_terms": ["x"]}, "m=d&c=w&eid=w1")

    [found] = sandbox.wait_for_requests(1, visitor="w", page_type="search")
    assert found["event_id"] == "w1"
    with pytest.raises(SandboxError, match=r"expected 2 requests matching .* got 1"):
        sandbox.wait_for_requests(2, visitor="w", timeout_s=0.2)


def test_the_helpers_list_and_count_from_the_checkpoint(sandbox: Sandbox) -> None:
    poster = connect(sandbox)
    send(poster, {"page_type": "front"}, "m=d&c=a&eid=a1")
    sandbox.checkpoint()
    sandbox.assert_no_duplicates()
    sandbox.assert_no_invalid_payloads()
    sandbox.assert_no_warnings(visitor="a")  # a1 has no url, but came before the checkpoint
    assert [r["event_id"] for r in sandbox.requests(visitor="a", since=0)] == ["a1"]

    send(poster, {"page_type": "front"}, "m=d&c=a&eid=a1")
    send(poster, {"page_type": "nowhere"}, "m=d&c=a&eid=a2")
    send(poster, {"page_type": "front"}, "m=d&c=a&eid=a3")
    assert [r["event_id"] for r in sandbox.requests(visitor="a")] == ["a3"]
    with pytest.raises(SandboxError, match="1 request"):
        sandbox.assert_no_duplicates()
    with pytest.raises(SandboxError, match="invalid_fields"):
        sandbox.assert_no_invalid_payloads()
    with pytest.raises(SandboxError, match="repeated an event id"):
        sandbox.assert_no_duplicates(visitor="a")
    with pytest.raises(SandboxError, match=r"missing-url|no url"):
        sandbox.assert_no_warnings(visitor="a")


def test_faults_through_the_helpers(sandbox: Sandbox) -> None:
    fault = sandbox.set_fault(status=503, retry_after=1, visitor="f")
    assert sandbox.faults() == [fault]
    assert send(connect(sandbox), {}, "m=d&c=f&eid=f1") == 503
    sandbox.set_fault(hang=True, visitor="f")
    sandbox.clear_faults()
    assert sandbox.faults() == []


def test_the_server_turns_nagle_off_so_answers_are_not_delayed(sandbox: Sandbox) -> None:
    # With Nagle on, each answer would wait for the client's delayed ACK: 40 ms or more.
    connection = connect(sandbox)
    send(connection, {}, "m=d&c=n&eid=n1")
    assert connection.sock is not None and sandbox.process is not None
    client_port = connection.sock.getsockname()[1]
    with server_socket(sandbox.process.pid, client_port) as accepted:
        assert accepted.getpeername()[1] == client_port  # the server's end of this connection
        assert accepted.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY)


@contextmanager
def server_socket(pid: int, client_port: int) -> Iterator[socket.socket]:
    """The socket process ``pid`` accepted from loopback port ``client_port`` (a duplicate of
    its descriptor, by ``pidfd_getfd``: options read on it are the server's own)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[2].rsplit(":", 1)[1], 16) == client_port:  # remote end: the client
                inodes.add(fields[9])
    [fd] = [
        int(entry.name)
        for entry in Path(f"/proc/{pid}/fd").iterdir()
        if os.readlink(entry) in {f"socket:[{inode}]" for inode in inodes}
    ]
    libc = ctypes.CDLL(None, use_errno=True)
    pidfd = os.pidfd_open(pid)
    try:
        duplicate = libc.syscall(PIDFD_GETFD, pidfd, fd, 0)
        if duplicate < 0:
            pytest.skip(f"pidfd_getfd is not allowed here: {os.strerror(ctypes.get_errno())}")
    finally:
        os.close(pidfd)
    with socket.socket(fileno=duplicate) as accepted:
        yield accepted


def test_the_plugin_is_opt_in_and_gives_a_qa_suite_its_fixtures(
    tmp_path: Path, bundle_dir: Path
) -> None:
    suite = tmp_path / "qa"
    suite.mkdir()
    (suite / "conftest.py").write_text('pytest_plugins = ["nosto_tagging.testing"]\n')
    (suite / "test_qa.py").write_text(QA_SUITE)

    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(suite)],
        cwd=suite,
        env=os.environ | {"NOSTO_BUNDLE": str(bundle_dir)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 passed" in result.stdout


QA_SUITE = """
import json, urllib.request

def post(sandbox, eid):
    request = urllib.request.Request(
        sandbox.url(f"/ev1?m=qa&c=visitor&eid={eid}"),
        data=json.dumps({"page_type": "front", "url": "u"}).encode(),
        headers={"Content-Type": "text/plain"})
    urllib.request.urlopen(request).close()

def test_shared(nosto_sandbox):
    post(nosto_sandbox, "1")
    [stored] = nosto_sandbox.wait_for_requests(1, visitor="visitor")
    assert stored["body"]["page_type"] == "front"
    nosto_sandbox.assert_no_invalid_payloads()
    nosto_sandbox.assert_no_duplicates()
    nosto_sandbox.assert_no_warnings()

def test_fresh(fresh_nosto_sandbox):
    assert fresh_nosto_sandbox.requests() == []
"""
