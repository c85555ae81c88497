"""``nosto-tagging serve``: build the bundle if missing, then run the sandbox with uvicorn.

Prints ``serving http://HOST:PORT`` once connections are accepted; runs until SIGINT/SIGTERM.
At most :data:`MAX_CONNECTIONS` connections are served at once (uvicorn answers 503 beyond).
"""

from __future__ import annotations

import contextlib
import ipaddress
import signal
import socket
import sys
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import FrameType

import uvicorn
from starlette.applications import Starlette

from nosto_tagging.sandbox.app import build_app
from nosto_tagging.sandbox.collector import MAX_MESSAGE_BYTES

# Seconds open connections get to finish once the server is told to stop.
GRACEFUL_SHUTDOWN_S = 3
LISTEN_BACKLOG = 1024
# Open connections and requests in progress (live streams and hanging faults included).
MAX_CONNECTIONS = 256


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that prints its URL once it accepts connections, and ends live streams
    and hanging faults first when it stops (they would otherwise hold the shutdown)."""

    def __init__(self, config: uvicorn.Config, url: str, app: Starlette) -> None:
        super().__init__(config)
        self.url = url
        self.app = app

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            print(f"serving {self.url}", flush=True)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        self.app.state.broadcaster.close()
        self.app.state.faults.clear()
        await super().shutdown(sockets=sockets)


def serve(
    host: str,
    port: int,
    db_path: Path,
    bundle_dir: Path,
    cors_origins: Iterable[str] = (),
    allowed_hosts: Iterable[str] = (),
) -> int:
    """Serve the sandbox on ``host:port`` (0: a free port) until interrupted; the exit status.

    ``cors_origins``: page origins besides the sandbox's own that may read ``/ev1`` answers;
    ``allowed_hosts``: ``Host`` names besides loopback ones and ``host`` it answers.
    """
    warning = exposure_warning(host)
    if warning:
        print(f"nosto-tagging serve: warning: {warning}", file=sys.stderr, flush=True)
    if not (bundle_dir / "nosto.js").is_file():
        status = _build_bundle(bundle_dir)
        if status:
            return status
    try:
        listener = _listen(host, port)
    except OSError as error:
        print(
            f"nosto-tagging serve: cannot listen on {host} port {port} "
            f"({error.strerror or error}); stop whatever uses it, or pass --port 0 for a free port",
            file=sys.stderr,
        )
        return 1
    with listener:
        bound_port = listener.getsockname()[1]
        url_host = f"[{host}]" if ":" in host else host
        try:
            app = build_app(
                db_path,
                bundle_dir,
                cors_origins=cors_origins,
                allowed_hosts=[host, *allowed_hosts],
            )
        except (ValueError, FileNotFoundError) as error:
            print(f"nosto-tagging serve: {error}", file=sys.stderr)
            return 1
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
            # Room for GET /ev1?message=<64 KB of JSON, URL-encoded> in the request line
            # (h11 only; with httptools, uvicorn sets no such limit).
            h11_max_incomplete_event_size=4 * MAX_MESSAGE_BYTES,
            limit_concurrency=MAX_CONNECTIONS,
        )
        server = _AnnouncingServer(config, f"http://{url_host}:{bound_port}", app)
        with _stop_on_signals(server):
            server.run(sockets=[listener])
    return 0


def exposure_warning(host: str) -> str | None:
    """What to tell someone binding ``host``, an address other machines may reach; else None."""
    try:
        loopback = ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        loopback = host.lower() == "localhost"
    if loopback:
        return None
    return (
        f"--host {host} lets other machines reach the sandbox, and it has no authentication: "
        "anyone who reaches the port can read every stored request (carts, customers, orders) "
        "and switch faults on. Bind 127.0.0.1 unless you need this; clients that use a host "
        "name need --allowed-host NAME"
    )


def _build_bundle(bundle_dir: Path) -> int:
    from nosto_tagging.bundle import BuildError, build_bundle

    missing = bundle_dir / "nosto.js"
    print(f"nosto-tagging serve: {missing} is missing; building the bundle", file=sys.stderr)
    try:
        build_bundle(bundle_dir)
    except BuildError as error:
        print(f"nosto-tagging serve: {error}", file=sys.stderr)
        return 1
    return 0


def _listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port``; port 0 picks a free one.

    Made with an explicit ``IPPROTO_TCP``: asyncio turns Nagle's algorithm off only for sockets
    whose ``proto`` says TCP, and ``socket.create_server`` leaves it 0. With Nagle on, a
    response written in two parts (headers, body) meets the client's delayed ACK: 40 ms each.
    """
    family, kind, proto, _name, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP, flags=socket.AI_PASSIVE
    )[0]
    listener = socket.socket(family, kind, proto)
    try:
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(address)
        listener.listen(LISTEN_BACKLOG)
    except OSError:
        listener.close()
        raise
    return listener


@contextlib.contextmanager
def _stop_on_signals(server: uvicorn.Server) -> Iterator[None]:
    """SIGINT/SIGTERM stop ``server`` and end :func:`serve` normally.

    uvicorn installs its own handlers while it runs and re-raises the signal it got once it
    has shut down; these handlers take that (and any signal before uvicorn's are in place).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(_signum: int, _frame: FrameType | None) -> None:
        server.should_exit = True

    previous = {signum: signal.signal(signum, stop) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
