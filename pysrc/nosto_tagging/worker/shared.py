"""The shared engine's Python side: one interpreter, one shell per connected page.

``runtime/shared-engine.mjs`` starts Pyodide in the visit's ``SharedWorker`` and hands each page
that connects to :meth:`Hub.connect`: the page gets a :class:`WorkerShell` of its own (its own
session, account, endpoint, visitor and consent, exactly as with a dedicated worker) behind the
same page/worker protocol. The shells share :class:`Claims`, so an event id two pages hand over
is delivered once. When a page goes away (:meth:`Hub.forget`, from the page's Web Lock) its
shell is closed: what it handed over is still delivered, and the pages of the same account that
are still open are told (``left``) so that they adopt what it left in Web Storage at once.
"""

from __future__ import annotations

from typing import Any

from pyodide.ffi import JsProxy, create_proxy

from nosto_tagging.core import protocol
from nosto_tagging.core.claims import Claims
from nosto_tagging.worker.shell import WorkerShell, receiver
from nosto_tagging.worker.transport import fetch_transport


class Connection:
    """One page's port and shell."""

    def __init__(self, hub: Hub, port: JsProxy, page: str, joined: bool) -> None:
        self.port = port
        self.page = page
        self.shell = WorkerShell(
            self.post,
            fetch_transport,
            hub.claims,
            hub.engine_id,
            start=hub.start,
            outlives=True,
            joined=joined,
        )
        self._receive = receiver(self.shell, self.post)
        self._on_message = create_proxy(lambda event: self._receive(str(event.data)))

    def post(self, text: str) -> None:
        self.port.postMessage(text)

    def listen(self, queued: list[str]) -> None:
        """Apply what the page sent while the engine started, then listen to the port."""
        for text in queued:
            self._receive(text)
        self.port.onmessage = self._on_message

    def close(self) -> None:
        self.port.onmessage = None
        self.port.close()
        self._on_message.destroy()
        self.shell.close()


class Hub:
    """Every page connected to this interpreter, by connection id."""

    def __init__(self, engine_id: str, start: str = "") -> None:
        self.engine_id = engine_id
        self.start = start  # how the interpreter started: "restored" or "plain"
        self.claims = Claims()
        self._connections: dict[int, Connection] = {}
        self._next = 0

    def connect(self, port: JsProxy, page: str, queued: Any) -> int:
        """Serve the page on ``port``; ``queued``: the texts it sent while the engine started.
        Returns the connection's id, for :meth:`forget`."""
        self._next += 1
        connection = Connection(self, port, str(page), joined=self._next > 1)
        self._connections[self._next] = connection
        connection.listen([str(text) for text in queued])
        return self._next

    def forget(self, key: int) -> None:
        """The page of connection ``key`` went away (closed, or frozen in the back/forward
        cache: it connects again when shown)."""
        connection = self._connections.pop(key, None)
        if connection is None:
            return
        account = connection.shell.account
        connection.close()
        left = protocol.encode("left", page=connection.page)
        for other in self._connections.values():
            if account is not None and other.shell.account == account:
                other.post(left)
