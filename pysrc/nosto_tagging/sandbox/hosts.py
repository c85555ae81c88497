"""Which ``Host`` headers the sandbox answers: the names it is served under, nothing else.

A page on ``evil.example`` whose DNS answer is switched to 127.0.0.1 (DNS rebinding) shares the
sandbox's origin as far as the browser is concerned and could read stored requests and switch
faults on; its requests still carry ``Host: evil.example``, so they are refused. Accepted:
127.0.0.1, localhost, [::1], the address the sandbox is bound to, and each
``--allowed-host`` (a LAN name, a container's name; ``*`` accepts any host and turns the check
off). Ports are not compared: a rebinding page has the attacker's name, whatever its port.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send

from nosto_tagging.sandbox.responses import JSON

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
ANY_HOST = "*"
_NAME = re.compile(r"[a-z0-9_]([a-z0-9_.-]{0,251}[a-z0-9_])?")
_SHOWN = 80  # characters of a refused Host header repeated in the error


def normalize_host(host: str) -> str:
    """``"Sandbox.Local"`` -> ``"sandbox.local"``, ``"::1"`` -> ``"[::1]"``; ValueError if
    ``host`` is not a host name or IP address (a URL, a port or a path is a mistake)."""
    text = host.strip().lower()
    if text == ANY_HOST:
        return text
    bare = text[1:-1] if text.startswith("[") and text.endswith("]") else text
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        if _NAME.fullmatch(text):
            return text
        raise ValueError(
            f"{host!r} is not a host name or IP address; give the name only, without scheme, "
            "port or path, e.g. --allowed-host sandbox.local"
        ) from None
    return f"[{address}]" if address.version == 6 else str(address)


def request_host(host_header: str) -> str:
    """The host part of a ``Host`` header, lowercased: ``"[::1]:8000"`` -> ``"[::1]"``."""
    text = host_header.strip().lower()
    if text.startswith("["):
        return text[: text.find("]") + 1] if "]" in text else text
    return text.split(":", 1)[0]


class TrustedHosts:
    """ASGI middleware: answers 400 (JSON ``errors``) to a request for a host not served."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str] = ()) -> None:
        self.app = app
        self.hosts = frozenset(normalize_host(host) for host in (*LOOPBACK_HOSTS, *hosts))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket") or ANY_HOST in self.hosts:
            await self.app(scope, receive, send)
            return
        header = Headers(scope=scope).get("host", "")
        if request_host(header) in self.hosts:
            await self.app(scope, receive, send)
            return
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        shown = header if len(header) <= _SHOWN else header[: _SHOWN - 1] + "…"
        served = ", ".join(sorted(self.hosts))
        error = (
            f"Host {shown!r} is not one this sandbox serves ({served}); if you reach it under "
            f"that name on purpose, restart it with --allowed-host {request_host(shown) or 'NAME'}"
            if header
            else f"the request has no Host header; this sandbox serves {served}"
        )
        await JSON({"errors": [error]}, status_code=400)(scope, receive, send)
