"""A running ``nosto-tagging serve`` and a client for what its collector received.

Used by the pytest plugin (``nosto_tagging.testing``) and usable on its own::

    with running_sandbox(tmp_path / "db.sqlite3") as sandbox:
        ...  # drive a browser at sandbox.url("/")
        [request] = sandbox.wait_for_requests(1, page_type="cart")
        sandbox.assert_no_invalid_payloads()

Only the standard library: the plugin adds no dependency to a QA team's test suite.
"""

from __future__ import annotations

import json
import re
import select
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlencode

# serve builds a missing bundle first (downloads the runtime once): give it time.
START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 10.0
WAIT_TIMEOUT_S = 30.0
POLL_INTERVAL_S = 0.05
HTTP_TIMEOUT_S = 10.0
# The header state-changing /api/ calls carry (nosto_tagging.sandbox.writes; not imported
# here, so that the plugin needs no Starlette).
WRITE_HEADER = "X-Nosto-Sandbox"


class SandboxError(AssertionError):
    """The sandbox did not start, or an expectation about what it received failed."""


@dataclass
class Sandbox:
    """A running sandbox at ``origin``: query, wait for and assert on the requests it received.

    Filters everywhere are ``/api/requests``'s: ``account``, ``visitor``, ``page_type``,
    ``since`` (exclusive request id). Requests are listed and counted from :meth:`checkpoint`
    on (the plugin's ``nosto_sandbox`` fixture makes one at the start of every test), so a test
    sees its own; ``since=0`` lists every stored request.
    """

    origin: str
    db_path: Path
    process: subprocess.Popen[str] | None = None
    baseline: dict[str, Any] = field(default_factory=dict)
    since: int = 0  # the newest stored request id at the checkpoint

    def url(self, path: str = "/") -> str:
        return f"{self.origin}{path}"

    def api(self, method: str, path: str, body: Any = None) -> Any:
        """Call the sandbox's HTTP API; the decoded JSON answer (raises on HTTP errors).

        Calls other than GET carry ``Content-Type: application/json`` and ``X-Nosto-Sandbox: 1``,
        which the sandbox asks of everything that changes it."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(self.url(path), data=data, method=method)
        if method not in ("GET", "HEAD"):  # what the sandbox asks of state-changing calls
            request.add_header("Content-Type", "application/json")
            request.add_header(WRITE_HEADER, "1")
        try:
            with urllib.request.urlopen(request, timeout=HTTP_TIMEOUT_S) as answer:
                return json.loads(answer.read())
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")
            raise SandboxError(f"{method} {path} answered {error.code}: {detail}") from error

    def requests(self, **filters: str | int) -> list[dict[str, Any]]:
        """Stored requests matching ``filters``, oldest first (see ``/api/requests``); those
        after the checkpoint unless ``filters`` has a ``since`` of its own."""
        query = urlencode({"since": str(self.since)} | {k: str(v) for k, v in filters.items()})
        return cast("list[dict[str, Any]]", self.api("GET", f"/api/requests?{query}"))

    def wait_for_requests(
        self, count: int, *, timeout_s: float = WAIT_TIMEOUT_S, **filters: str | int
    ) -> list[dict[str, Any]]:
        """Wait until at least ``count`` requests match ``filters``; all that match.

        Raises :class:`SandboxError` naming what did arrive if they do not within ``timeout_s``.
        """
        deadline = time.monotonic() + timeout_s
        while True:
            stored = self.requests(**filters)
            if len(stored) >= count:
                return stored
            if time.monotonic() > deadline:
                seen = [(r["id"], r["page_type"], r["query"]) for r in stored]
                raise SandboxError(
                    f"expected {count} requests matching {filters or 'no filter'} within "
                    f"{timeout_s} s, got {len(stored)}: {seen}; is the page sending to "
                    f"{self.url('/ev1')}?"
                )
            time.sleep(POLL_INTERVAL_S)

    def visitor(self, visitor: str, account: str | None = None) -> dict[str, Any]:
        """Cart, customer, page views and orders of ``visitor`` (``/api/visitors/{c}``)."""
        query = f"?{urlencode({'account': account})}" if account else ""
        return cast("dict[str, Any]", self.api("GET", f"/api/visitors/{visitor}{query}"))

    def stats(self) -> dict[str, Any]:
        """Accepted, duplicate, rejected (by reason) and faulted counts since the server began."""
        return cast("dict[str, Any]", self.api("GET", "/api/stats"))

    def checkpoint(self) -> None:
        """List requests, and count duplicates and rejections, from now on."""
        self.baseline = self.stats()
        newest = self.api("GET", "/api/requests?tail=1")
        self.since = newest[-1]["id"] if newest else 0

    def since_checkpoint(self) -> dict[str, Any]:
        """:meth:`stats` minus the checkpoint's."""
        now, before = self.stats(), self.baseline
        reasons = {
            reason: count - before.get("rejected_by_reason", {}).get(reason, 0)
            for reason, count in now["rejected_by_reason"].items()
        }
        return {
            key: now[key] - before.get(key, 0)
            for key in ("accepted", "duplicates", "rejected", "faulted")
        } | {"rejected_by_reason": {k: v for k, v in reasons.items() if v}}

    def assert_no_duplicates(self, visitor: str | None = None) -> None:
        """No event id arrived twice on the wire (since the checkpoint, or ever for ``visitor``).

        The sandbox stores each event id once, but Nosto's endpoint counts every copy: a repeat
        is a double-counted page view, cart update or order. nosto-tagging repeats an event id
        only after a failed attempt (a collector outage) or where an attempt was still under way
        as its page, running its own engine, went away (sent again after 15 s): assert this
        wherever neither happens.
        """
        if visitor is not None:
            # /api/visitors is 404 for a visitor it never saw
            known = self.requests(visitor=visitor, since=0, limit=1)
            duplicates = self.visitor(visitor).get("duplicates", 0) if known else 0
            where = f"visitor {visitor}"
        else:
            duplicates, where = self.since_checkpoint()["duplicates"], "the checkpoint"
        if duplicates:
            raise SandboxError(
                f"{duplicates} request(s) repeated an event id already stored ({where})"
            )

    def assert_no_invalid_payloads(self) -> None:
        """The collector rejected nothing since the checkpoint (invalid JSON, fields, ...)."""
        counts = self.since_checkpoint()
        if counts["rejected"]:
            raise SandboxError(
                f"the collector rejected {counts['rejected']} request(s) since the checkpoint "
                f"(by reason: {counts['rejected_by_reason']}); /events shows them live with "
                "their errors"
            )

    def assert_no_warnings(self, **filters: str | int) -> None:
        """No request matching ``filters`` (since the checkpoint) breaks one of Nosto's rules."""
        broken = [
            f"request {r['id']} ({r['page_type']}): {w['field']}: {w['message']}"
            for r in self.requests(**filters)
            for w in r["warnings"]
        ]
        if broken:
            raise SandboxError("payloads break Nosto's rules:\n" + "\n".join(broken))

    def set_fault(self, **spec: Any) -> dict[str, Any]:
        """Make ``/ev1`` fail: ``set_fault(status=503, retry_after=1, count=2)``, ``hang=5``,
        ``garbage="html"``; optional ``visitor``/``account`` (see ``POST /api/faults``)."""
        return cast("dict[str, Any]", self.api("POST", "/api/faults", spec)["fault"])

    def faults(self) -> list[dict[str, Any]]:
        return cast("list[dict[str, Any]]", self.api("GET", "/api/faults")["faults"])

    def clear_faults(self) -> None:
        self.api("DELETE", "/api/faults")

    def stop(self, kill: bool = False) -> None:
        """Stop the server process (``kill``: SIGKILL, as a crash would)."""
        process = self.process
        if process is None or process.poll() is not None:
            return
        if kill:
            process.kill()
        else:
            process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=STOP_TIMEOUT_S)


@contextmanager
def running_sandbox(
    db_path: Path,
    bundle_dir: Path | None = None,
    *,
    host: str = "127.0.0.1",
    cors_origins: Iterable[str] = (),
    allowed_hosts: Iterable[str] = (),
    start_timeout_s: float = START_TIMEOUT_S,
) -> Iterator[Sandbox]:
    """``nosto-tagging serve --port 0`` on ``db_path`` in a subprocess, stopped on exit.

    ``bundle_dir``: the bundle it serves; None: ``serve``'s default (the installed one).
    ``allowed_hosts``: host names besides ``host`` and loopback ones the pages use to reach it
    (``--allowed-host``).
    """
    command = [sys.executable, "-m", "nosto_tagging.cli", "serve", "--host", host, "--port", "0"]
    command += ["--db", str(db_path)]
    if bundle_dir is not None:
        command += ["--bundle", str(bundle_dir)]
    for origin in cors_origins:
        command += ["--cors-origin", origin]
    for name in allowed_hosts:
        command += ["--allowed-host", name]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    sandbox = Sandbox(origin="", db_path=db_path, process=process)
    try:
        sandbox.origin = _announced_origin(process, start_timeout_s)
        sandbox.checkpoint()
        yield sandbox
    finally:
        sandbox.stop()
        process.stdout.close()


def _announced_origin(process: subprocess.Popen[str], timeout_s: float) -> str:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout_s)
    line = process.stdout.readline() if ready else ""
    match = re.fullmatch(r"serving (http://\S+)\n", line)
    if match:
        return match.group(1)
    process.kill()
    process.wait(timeout=STOP_TIMEOUT_S)
    why = f"it printed {line!r}" if ready else f"it printed nothing within {timeout_s} s"
    raise SandboxError(
        f"nosto-tagging serve did not start ({why}, exit status {process.returncode}); "
        "its error is above on stderr"
    )
