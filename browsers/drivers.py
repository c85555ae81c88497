"""One small driver per browser engine: the same few operations in Chromium, Firefox and WebKit.

- Chromium: Playwright (the session's Debian Chromium, as tests/browser drives it).
- Firefox: Debian's Firefox ESR over WebDriver BiDi, through puppeteer-core in a Node child
  process (``firefox.mjs``, JSON lines on its stdin/stdout). Debian packages no geckodriver, so
  Selenium cannot drive it, and Playwright's BiDi mode fails with Debian's Firefox at new_page().
- WebKit: WebKitGTK's MiniBrowser through Debian's WebKitWebDriver (Selenium's WebKitGTK
  driver, classic WebDriver), in an Xvfb display of its own (MiniBrowser has no headless mode).

What a test does is the same everywhere: a :class:`Context` (cookies, storage and caches of its
own) with tabs; a :class:`Tab` opens a URL and evaluates a JavaScript function with one JSON
argument (awaited when it returns a promise). Console lines and page errors come from the
driver's events where it has them (Chromium and Firefox: workers' consoles too) and from hooks
in the test page itself otherwise (WebKit; see pages.HOOKS).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from abc import ABC, abstractmethod
from pathlib import Path
from typing import Any

import urllib3
from playwright.sync_api import Browser, ConsoleMessage
from playwright.sync_api import Page as PwPage

HERE = Path(__file__).parent
FIREFOX = os.environ.get("NOSTO_FIREFOX", "/usr/bin/firefox-esr")
WEBKIT_DRIVER = os.environ.get("NOSTO_WEBKIT_DRIVER", "/usr/bin/WebKitWebDriver")
MINIBROWSER = os.environ.get(
    "NOSTO_MINIBROWSER", "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser"
)
TIMEOUT_MS = 60_000
# Kept by the page hooks (pages.HOOKS); read before a page is left.
SEEN = "() => window.__seen ? window.__seen : {errors: [], console: []}"


def call(function: str, arg: Any = None) -> str:
    """The expression that calls the JavaScript ``function`` with ``arg`` (JSON)."""
    return f"({function})({json.dumps(arg)})"


def wait_call(function: str, arg: Any, timeout_ms: int) -> str:
    """A function awaiting ``function(arg)`` in the page until truthy (checked every 50 ms)."""
    return (
        f"async () => {{ const deadline = Date.now() + {timeout_ms}; const check = {function};"
        f" for (;;) {{ const value = await check({json.dumps(arg)}); if (value) return value;"
        " if (Date.now() > deadline) throw new Error('timed out waiting for ' + check);"
        " await new Promise((resolve) => setTimeout(resolve, 50)); } }"
    )


class Tab(ABC):
    """A browser tab: console lines and page errors of every page it showed, oldest first."""

    def __init__(self) -> None:
        self.console: list[str] = []  # "<type>: <text>", the page's and, where seen, workers'
        self.errors: list[str] = []

    @abstractmethod
    def goto(self, url: str) -> None:
        """Open ``url`` and wait for its load event."""

    @abstractmethod
    def evaluate(self, function: str, arg: Any = None) -> Any:
        """``function(arg)`` in the page, awaited; its JSON value."""

    @abstractmethod
    def close(self) -> None: ...

    def back(self) -> None:
        """Go back in the tab's history (returns at once: wait for the page to say it is shown)."""
        self.evaluate("() => { setTimeout(() => history.back(), 10); }")

    def wait_for(self, function: str, arg: Any = None, timeout_ms: int = TIMEOUT_MS) -> Any:
        """Wait in the page until ``function(arg)`` is truthy; that value."""
        return self.evaluate(wait_call(function, arg, timeout_ms))

    def cookies(self) -> dict[str, str]:
        """The page's cookies as ``document.cookie`` shows them."""
        pairs = self.evaluate("() => document.cookie")
        return dict(pair.split("=", 1) for pair in pairs.split("; ") if "=" in pair)

    def storage(self) -> dict[str, dict[str, str]]:
        return self.evaluate(
            "() => ({local: Object.assign({}, localStorage),"
            " session: Object.assign({}, sessionStorage)})"
        )

    def collect(self) -> None:  # noqa: B027 (most drivers have events: nothing to take)
        """Take what the page hooks kept (drivers without console events)."""


class Context(ABC):
    """Cookies, storage and caches of their own, and the tabs opened in them."""

    @abstractmethod
    def tab(self) -> Tab: ...

    @abstractmethod
    def close(self) -> None: ...


class Engine(ABC):
    name: str
    version: str

    @abstractmethod
    def context(self) -> Context: ...

    def close(self) -> None:  # noqa: B027 (Chromium is the session's, shared with tests/browser)
        """Stop the browser."""


# Chromium, through Playwright


class ChromiumTab(Tab):
    def __init__(self, page: PwPage) -> None:
        super().__init__()
        self.page = page
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("worker", lambda worker: worker.on("console", self._console))

    def _console(self, message: ConsoleMessage) -> None:
        self.console.append(f"{message.type}: {message.text}")

    def goto(self, url: str) -> None:
        self.page.goto(url)

    def evaluate(self, function: str, arg: Any = None) -> Any:
        return self.page.evaluate(call(function, arg))

    def close(self) -> None:
        self.page.close()


class ChromiumContext(Context):
    def __init__(self, browser: Browser, settings: dict[str, Any]) -> None:
        self.context = browser.new_context(**settings["context"])
        self.context.set_default_timeout(TIMEOUT_MS)

    def tab(self) -> Tab:
        return ChromiumTab(self.context.new_page())

    def close(self) -> None:
        self.context.close()


class Chromium(Engine):
    name = "chromium"

    def __init__(self, browser: Browser, settings: dict[str, Any]) -> None:
        self.browser = browser
        self.settings = settings
        self.version = browser.version

    def context(self) -> Context:
        return ChromiumContext(self.browser, self.settings)


# Firefox, through puppeteer-core in Node (firefox.mjs)


class FirefoxError(AssertionError):
    """What Firefox or the page answered to a failed operation."""


class Firefox(Engine):
    name = "firefox"

    def __init__(self) -> None:
        node = shutil.which("node") or "node"
        self.process = subprocess.Popen(
            [node, str(HERE / "firefox.mjs")],
            cwd=HERE,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, "NOSTO_FIREFOX": FIREFOX},
        )
        self.lock = threading.Lock()
        self.next = 0
        self.version = str(self._answer(0))

    def _answer(self, wanted: int) -> Any:
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line:
            raise FirefoxError(f"firefox.mjs stopped (exit status {self.process.wait()})")
        answer = json.loads(line)
        assert answer["id"] == wanted, answer
        if "error" in answer:
            raise FirefoxError(answer["error"])
        return answer["value"]

    def send(self, op: str, **fields: Any) -> Any:
        assert self.process.stdin is not None
        with self.lock:
            self.next += 1
            self.process.stdin.write(json.dumps({"id": self.next, "op": op, **fields}) + "\n")
            self.process.stdin.flush()
            return self._answer(self.next)

    def context(self) -> Context:
        return FirefoxContext(self, self.send("context"))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(json.dumps({"id": -1, "op": "quit"}) + "\n")
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        finally:
            assert self.process.stdout is not None
            self.process.stdout.close()


class FirefoxTab(Tab):
    def __init__(self, firefox: Firefox, tab: int) -> None:
        super().__init__()
        self.firefox = firefox
        self.id = tab

    def goto(self, url: str) -> None:
        self.firefox.send("goto", tab=self.id, url=url, timeout=TIMEOUT_MS)
        self.collect()

    def evaluate(self, function: str, arg: Any = None) -> Any:
        try:
            return self.firefox.send("evaluate", tab=self.id, expression=call(function, arg))
        finally:
            self.collect()

    def collect(self) -> None:
        for event in self.firefox.send("events", tab=self.id):
            if event["kind"] == "pageerror":
                self.errors.append(event["text"])
            else:
                self.console.append(f"{event['type']}: {event['text']}")

    def close(self) -> None:
        self.collect()
        self.firefox.send("closeTab", tab=self.id)


class FirefoxContext(Context):
    def __init__(self, firefox: Firefox, context: int) -> None:
        self.firefox = firefox
        self.id = context

    def tab(self) -> Tab:
        return FirefoxTab(self.firefox, self.firefox.send("tab", context=self.id))

    def close(self) -> None:
        self.firefox.send("closeContext", context=self.id)


# WebKit, through Selenium and WebKitWebDriver


class Display:
    """An Xvfb display of its own (``-displayfd``: the X server picks a free number)."""

    def __init__(self) -> None:
        read, write = os.pipe()
        self.process = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write), "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
            pass_fds=[write],
            stderr=subprocess.DEVNULL,
        )
        os.close(write)
        with os.fdopen(read) as announced:
            number = announced.readline().strip()
        if not number:
            raise RuntimeError(f"Xvfb did not start (exit status {self.process.wait()})")
        self.name = f":{number}"

    def close(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


class WebKit(Engine):
    """Each context is a WebDriver session: MiniBrowser starts in about a second."""

    name = "webkit"

    def __init__(self) -> None:
        self.display = Display()
        try:
            first = WebKitContext(self)
        except Exception:
            self.display.close()
            raise
        self.version = first.driver.capabilities.get("browserVersion", "")
        first.close()

    def context(self) -> Context:
        try:
            return WebKitContext(self)
        except TimeoutError:  # MiniBrowser did not come up: once more, with a new driver
            return WebKitContext(self)

    def close(self) -> None:
        self.display.close()


class WebKitContext(Context):
    def __init__(self, webkit: WebKit) -> None:
        from selenium import webdriver
        from selenium.webdriver.remote.client_config import ClientConfig
        from selenium.webdriver.remote.remote_connection import RemoteConnection
        from selenium.webdriver.webkitgtk.options import Options
        from selenium.webdriver.webkitgtk.service import Service

        options = Options()
        options.binary_location = MINIBROWSER
        options.add_argument("--automation")
        self.service = Service(
            executable_path=WEBKIT_DRIVER, env={**os.environ, "DISPLAY": webkit.display.name}
        )
        self.service.start()
        # Connected by hand: Selenium's WebKitGTK class passes the address in the form its own
        # RemoteConnection deprecates (a DeprecationWarning, an error under this suite).
        # A bound on every request to the driver, above the script timeout: a MiniBrowser that
        # never comes up leaves the new session's request unanswered, not refused.
        connection = RemoteConnection(
            client_config=ClientConfig(
                remote_server_addr=self.service.service_url, timeout=2 * TIMEOUT_MS // 1000
            )
        )
        try:
            self.driver = webdriver.Remote(command_executor=connection, options=options)
        except Exception as error:
            self.service.stop()
            cause = getattr(error, "reason", error)  # urllib3 wraps it when it would retry
            if isinstance(cause, urllib3.exceptions.TimeoutError):
                raise TimeoutError("no WebKit session: MiniBrowser did not answer") from error
            raise
        self.driver.set_script_timeout(TIMEOUT_MS / 1000)
        self.driver.set_page_load_timeout(TIMEOUT_MS / 1000)
        self.current = self.driver.current_window_handle
        self.unused: str | None = self.current  # the session's first window, given to tab()

    def switch(self, handle: str) -> None:
        if self.current != handle:
            self.driver.switch_to.window(handle)
            self.current = handle

    def tab(self) -> Tab:
        if self.unused is not None:
            handle, self.unused = self.unused, None
        else:
            self.driver.switch_to.new_window("tab")
            handle = self.current = self.driver.current_window_handle
        return WebKitTab(self, handle)

    def close(self) -> None:
        try:
            self.driver.quit()
        finally:
            self.service.stop()


class WebKitTab(Tab):
    def __init__(self, context: WebKitContext, handle: str) -> None:
        super().__init__()
        self.context = context
        self.handle = handle

    def goto(self, url: str) -> None:
        self.collect()
        self.context.switch(self.handle)
        self.context.driver.get(url)

    def evaluate(self, function: str, arg: Any = None) -> Any:
        self.context.switch(self.handle)
        answer = self.context.driver.execute_async_script(
            "const done = arguments[arguments.length - 1];"
            f" Promise.resolve().then(() => {call(function, arg)}).then("
            "  (value) => done({value: value === undefined ? null : value}),"
            "  (error) => done({error: String(error && error.stack || error)}));"
        )
        if "error" in answer:
            raise AssertionError(f"in the page: {answer['error']}")
        return answer["value"]

    def back(self) -> None:
        self.collect()
        self.context.switch(self.handle)
        self.context.driver.back()  # WebDriver's back waits until the page is shown

    def collect(self) -> None:
        self.context.switch(self.handle)
        if not self.context.driver.current_url.startswith("http"):
            return
        seen = self.context.driver.execute_script(f"return ({SEEN})()")
        self.context.driver.execute_script(
            "if (window.__seen) { __seen.errors.length = 0; __seen.console.length = 0; }"
        )
        self.errors.extend(seen["errors"])
        self.console.extend(seen["console"])

    def close(self) -> None:
        self.collect()
        self.context.switch(self.handle)
        self.context.driver.close()
        handles = self.context.driver.window_handles
        if handles:
            self.context.driver.switch_to.window(handles[0])
            self.context.current = handles[0]
