# The script polyscript's XWorker (runtime/host.mjs) runs in the worker: start the nosto-tagging
# engine and connect it to the page through polyscript's xworker channel (postMessage; no
# SharedArrayBuffer needed).
from polyscript import xworker
from pyodide.ffi import create_proxy

from nosto_tagging.worker.shell import start


def post(text: str) -> None:
    xworker.postMessage(text)


xworker.onmessage = create_proxy(start(post))
