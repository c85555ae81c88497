"""Test pages (and scripts) served from a real loopback server, with the headers a test gives
them (a CSP).

Outside Playwright there is no route interception, so each test gets a server of its own on
127.0.0.1 and a free port: an origin of its own (Web Storage and Cache Storage, where a snapshot
is kept, are per origin; cookies are not: the test's browser context keeps them apart). It
answers the paths a test added with their HTML and passes every other request to the sandbox
(the bundle, ``/ev1``, ``/classic/``), so a page and everything it loads are of one origin, as
on a storefront that serves the bundle itself.
"""

from __future__ import annotations

import http.client
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

# The page's own engine (a dedicated worker); tests of the shared engine name theirs.
LOADER_TAG = (
    '<script src="/bundle/nosto.test.js" data-account="demo" data-endpoint="/ev1"'
    ' data-engine="dedicated" async></script>'
)
STUB = (
    "<script>(function(){var name='nostojs';window[name]=window[name]||function(cb)"
    "{(window[name].q=window[name].q||[]).push(cb);};})();</script>"
)
# The first script of every test page: page errors, CSP violations and console lines, kept where
# the test reads them (drivers without console events, WebKit's WebDriver, have nothing else).
HOOKS = (
    "<script{nonce}>(function(){{var seen=window.__seen={{errors:[],console:[]}};"
    "addEventListener('error',function(e){{seen.errors.push(String(e.message))}});"
    "addEventListener('unhandledrejection',function(e){{var r=e.reason;"
    "seen.errors.push(String(r&&r.message||r))}});"
    "addEventListener('securitypolicyviolation',function(e){{"
    "seen.errors.push('CSP violation: '+e.violatedDirective+' '+e.blockedURI)}});"
    "['error','warn','info','log','debug'].forEach(function(level){{var real=console[level];"
    "console[level]=function(){{try{{seen.console.push(level+': '+Array.prototype.map.call("
    "arguments,String).join(' '))}}catch(e){{}}return real.apply(console,arguments)}}}})}})();"
    "</script>"
)
HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "upgrade", "proxy-connection"}


@dataclass
class Page:
    body: str
    headers: dict[str, str]
    content_type: str = "text/html; charset=utf-8"


class PageServer:
    """A loopback server of one test: its pages by path, the sandbox's answers for the rest."""

    def __init__(self, sandbox_origin: str) -> None:
        self.sandbox = urlsplit(sandbox_origin)
        self.pages: dict[str, Page] = {}
        self.forwarded: list[str] = []  # method and path of each request passed to the sandbox
        self.marks: list[str] = []  # what pages posted to /test/mark/<name>, in order
        self.lock = threading.Lock()
        self.marked = threading.Condition(self.lock)
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self.server.daemon_threads = True
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def add(
        self,
        path: str,
        body: str,
        *,
        tag: str = LOADER_TAG,
        before: str = "",
        headers: dict[str, str] | None = None,
        nonce: str = "",
    ) -> str:
        """Serve a page at ``path``: the hooks, ``before`` (a script run before the page's own),
        the ``nostojs`` stub, ``tag`` and ``body``; returns its URL."""
        attr = f" nonce='{nonce}'" if nonce else ""
        head = HOOKS.format(nonce=attr)
        if before:
            head += f"<script{attr}>{before}</script>"
        head += STUB.replace("<script>", f"<script{attr}>") + tag
        html = (
            "<!doctype html><html><head><meta charset='utf-8'><link rel='icon' href='data:,'>"
            f"{head}</head><body>{body}</body></html>"
        )
        with self.lock:
            self.pages[path] = Page(html, headers or {})
        return self.url(path)

    def add_script(self, path: str, source: str) -> str:
        """Serve the JavaScript ``source`` at ``path`` (a worker's module, say); its URL."""
        with self.lock:
            self.pages[path] = Page(source, {}, "text/javascript; charset=utf-8")
        return self.url(path)

    def wait_for_marks(self, name: str, count: int, timeout_s: float = 60) -> None:
        """Wait until pages posted ``/test/mark/<name>`` ``count`` times (a page says so while
        the browser is busy navigating, when no driver call can reach it)."""
        with self.marked:
            if not self.marked.wait_for(lambda: self.marks.count(name) >= count, timeout_s):
                raise AssertionError(f"{self.marks.count(name)} of {count} {name!r} marks")

    def url(self, path: str) -> str:
        return f"{self.origin}{path}"

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _handler(owner: PageServer) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            with owner.lock:
                page = owner.pages.get(urlsplit(self.path).path)
            if page is None:
                self._forward()
                return
            body = page.body.encode()
            self.send_response(200)
            self.send_header("Content-Type", page.content_type)
            for name, value in page.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_OPTIONS = do_DELETE = lambda self: self._forward()

        def do_POST(self) -> None:
            path = urlsplit(self.path).path
            if not path.startswith("/test/mark/"):
                self._forward()
                return
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            with owner.marked:
                owner.marks.append(path.removeprefix("/test/mark/"))
                owner.marked.notify_all()
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _forward(self) -> None:
            with owner.lock:
                owner.forwarded.append(f"{self.command} {self.path}")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else None
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            headers["Host"] = owner.sandbox.netloc
            upstream = http.client.HTTPConnection(
                owner.sandbox.hostname or "127.0.0.1", owner.sandbox.port, timeout=120
            )
            try:
                upstream.request(self.command, self.path, body=body, headers=headers)
                answer = upstream.getresponse()
                data = answer.read()
            except OSError:
                self.send_error(502)
                return
            finally:
                upstream.close()
            self.send_response(answer.status, answer.reason)
            for name, value in answer.getheaders():
                if name.lower() not in HOP_BY_HOP and name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

    return Handler
