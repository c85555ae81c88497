# The dedicated engine's entry (runtime/engine.py), run by runtime/dedicated-engine.mjs in the
# page's worker: start the nosto-tagging engine and connect it to the page (postMessage texts).
from page import listen, post  # the worker module's channel to the page
from pyodide.ffi import create_proxy

from nosto_tagging.worker.shell import start

listen(create_proxy(start(post)))
