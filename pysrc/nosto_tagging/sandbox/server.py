"""``nosto-tagging serve``: build the bundle if missing, then run the sandbox with uvicorn.

Prints ``serving http://HOST:PORT`` once connections are accepted; runs until SIGINT/SIGTERM.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import uvicorn

from nosto_tagging.sandbox.app import build_app
from nosto_tagging.sandbox.collector import MAX_MESSAGE_BYTES


class _AnnouncingServer(uvicorn.Server):
    """A uvicorn server that prints its URL on stdout once it accepts connections."""

    def __init__(self, config: uvicorn.Config, url: str) -> None:
        super().__init__(config)
        self.url = url

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started:
            print(f"serving {self.url}", flush=True)


def serve(host: str, port: int, db_path: Path, bundle_dir: Path) -> int:
    """Serve the sandbox on ``host:port`` (0: a free port) until interrupted; the exit status."""
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
        app = build_app(db_path, bundle_dir)
        config = uvicorn.Config(
            app,
            log_level="warning",
            access_log=False,
            lifespan="on",
            # Room for GET /ev1?message=<64 KB of JSON, URL-encoded> in the request line.
            h11_max_incomplete_event_size=4 * MAX_MESSAGE_BYTES,
        )
        server = _AnnouncingServer(config, f"http://{url_host}:{bound_port}")
        with _stop_on_signals(server):
            server.run(sockets=[listener])
    return 0


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
    """A listening TCP socket on ``host:port``; port 0 picks a free one."""
    family, *_rest, address = socket.getaddrinfo(
        host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    return socket.create_server(address, family=family)


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
