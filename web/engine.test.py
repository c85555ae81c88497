# The worker's entry in the test build (nosto.test.js with data-test-clock on its script tag):
# runtime/engine.py's, with the engine's retry timers on a clock the page advances
# (api.internal.tick(ms) posts {"kind": "tick", "ms": ...}) instead of real time. The build
# writes runtime/engine.test.py as nosto_tagging/testing/clock.py (ManualClock) followed by
# this text; production pages never load it.
import json

from page import listen, post  # the worker module's channel to the page
from pyodide.ffi import create_proxy

from nosto_tagging.worker.shell import start

clock = ManualClock()  # noqa: F821 - defined above this text in runtime/engine.test.py
receive = start(post, sleep=clock.sleep)


def on_message(text: str) -> None:
    try:
        message = json.loads(text)
    except ValueError:
        message = None
    if isinstance(message, dict) and message.get("kind") == "tick":
        clock.advance(float(message["ms"]) / 1000)
    else:
        receive(text)


listen(create_proxy(on_message))
