"""The pages the startup benchmark loads, and the bare-Pyodide baseline's loader and worker.

Every page has Nosto's stub and calls one cart action at ``DOMContentLoaded``; they differ only
in what runs it:

- ``none.html``: no engine at all (the stub queues the call): the page's own cost.
- ``ours.html``: our ``<script src="/bundle/nosto.js" data-engine="dedicated" async>`` tag (the
  page's own engine: what a page pays that starts Python itself).
- ``baseline.html``: ``baseline.js`` (async, like ours) starts a module worker that runs stock
  Pyodide (``loadPyodide`` from the npm files, the PyPI wheels, same pins), validates the cart
  with a pydantic model and POSTs it to ``/ev1`` with ``pyfetch``: the least a Python engine does.
- ``ours-test.html``: ``ours.html`` with the test build's tag (``nosto.test.js``: the same loader
  with ``api.internal.start()`` and ``api.internal.marks()``, when the engine's worker reached
  each step of its start-up), for the rows of every engine and their phases.
- ``host.html``: only the engine's host (``runtime/host.mjs``: a dedicated module worker) starting
  our engine's worker, exactly as ``nosto.js`` does (no loader, no action): what the host alone
  costs the main thread.

Each page exposes ``window.benchAct(cart)``: perform one cart action and return at once the
event ids it journaled (one of them is the ``eid`` in the request's query), and
``window.benchSettled(eids)``: a Promise that resolves once that request was answered. The
benchmark matches the worker's Resource Timing entry for ``eid=...`` to the time of the call.
"""

from __future__ import annotations

import json

ACCOUNT = "bench"
STUB = (
    '<script>(function(){var name="nostojs";window[name]=window[name]||function(cb)'
    "{(window[name].q=window[name].q||[]).push(cb);};})();</script>"
)
# The page's own engine (a dedicated worker): what a first page pays, whichever the default.
OUR_TAG = (
    f'<script src="/bundle/nosto.js" data-account="{ACCOUNT}" data-endpoint="/ev1"'
    ' data-engine="dedicated" async></script>'
)
BASELINE_TAG = '<script src="/bundle/bench/baseline.js" async></script>'


def cart(items: int) -> dict[str, object]:
    """A cart of ``items`` distinct lines, as a storefront passes it to ``setCart``."""
    return {
        "items": [
            {
                "product_id": str(181503 + i),
                "sku_id": str(281503 + i),
                "name": f"Men's Running Shirt {i}",
                "quantity": 1 + i % 3,
                "unit_price": 123.45 + i,
                "price_currency_code": "EUR",
            }
            for i in range(items)
        ]
    }


# The action each page performs at DOMContentLoaded, through whatever the page loaded.
_OURS_ACT = """
nostojs(function (api) {  // when the page had the engine's ready message
  api.internal.ready().then(function () { window.benchReady = performance.now(); });
});
window.benchAct = function (cart) {
  var eids = [];
  nostojs(function (api) {
    var journal = api.internal.journal(); // the recent calls only: compare seq, not length
    var last = journal.length ? journal[journal.length - 1].seq : -1;
    var called = performance.now();
    var done = api.defaultSession().setCart(cart).viewCart().update();
    window.benchWatch(called, done);
    eids = api.internal.journal().filter(function (call) { return call.seq > last; })
      .map(function (call) { return call.eid; });
    eids.forEach(function (eid) { window.benchDone[eid] = done; });
  });
  return eids;
};
"""
_NONE_ACT = """
window.benchAct = function (cart) {
  nostojs(function (api) { api.defaultSession().setCart(cart).viewCart().update(); });
  return [];
};
"""
_BASELINE_ACT = """
window.benchAct = function (cart) {
  var eid = "";
  var bytes = crypto.getRandomValues(new Uint8Array(16));
  for (var i = 0; i < 16; i++) eid += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  (window.benchQueue = window.benchQueue || []).push({ eid: eid, cart: cart });
  if (window.benchFlush) window.benchFlush();
  window.benchDone[eid] = new Promise(function (resolve) { window.benchResolvers[eid] = resolve; });
  window.benchWatch(performance.now(), window.benchDone[eid]);
  return [eid];
};
"""


# nosto.js's startEngine() without the rest of the loader.
_HOST_ONLY = """<script type="module">
const runtime = new URL(__RUNTIME_DIR__, new URL("/bundle/", location.href)).href;
const host = await import(runtime + "host.mjs");
host.startEngine(runtime, () => {});
</script>"""


def page(kind: str, runtime_dir: str = "runtime/") -> str:
    """The HTML of ``none``, ``ours``, ``ours-test``, ``baseline`` or ``host``."""
    host_only = _HOST_ONLY.replace("__RUNTIME_DIR__", json.dumps(runtime_dir))
    test_tag = OUR_TAG.replace("/nosto.js", "/nosto.test.js")
    tag = {"none": "", "ours": OUR_TAG, "ours-test": test_tag, "baseline": BASELINE_TAG,
           "host": host_only}[kind]  # fmt: skip
    act = {"none": _NONE_ACT, "ours": _OURS_ACT, "ours-test": _OURS_ACT,
           "baseline": _BASELINE_ACT}.get(kind, _NONE_ACT)  # fmt: skip
    first = json.dumps(cart(1))
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>startup benchmark: {kind}</title>
<link rel="icon" href="data:,">
{STUB}
{tag}
<script>
window.benchDone = {{}}; window.benchResolvers = {{}};
window.benchSettled = function (eids) {{ return Promise.resolve(window.benchDone[eids[0]]); }};
// The first action's promise: when it was called (by the engine's loader, or the baseline's
// queue) and when it settled (ms from navigation start).
window.benchWatch = function (called, done) {{
  if (window.benchFirstCall) return;
  var first = window.benchFirstCall = {{ called: called, settled: null }};
  done.then(function () {{ first.settled = performance.now(); }});
}};
{act}
document.addEventListener("DOMContentLoaded", function () {{
  window.benchFirst = {{ at: performance.now(), eid: window.benchAct({first}) }};
}});
</script>
</head>
<body><h1>Front page</h1><p>A storefront page with one cart action at DOMContentLoaded.</p>
</body></html>
"""


# The baseline's page-side loader: a classic async script, like nosto.js.
BASELINE_JS = """(function () {
  "use strict";
  var here = document.currentScript.src;
  var runtime = new URL(__RUNTIME_DIR__, here).href;
  var worker = new Worker(new URL("baseline-worker.mjs", here), { type: "module" });
  var ready = false;
  worker.postMessage({ kind: "config", runtime: runtime,
                       endpoint: new URL("/ev1", location.href).href });
  worker.onmessage = function (event) {
    var m = event.data;
    if (m.kind === "ready") { ready = true; window.benchFlush(); }
    else if (m.kind === "sent" && window.benchResolvers[m.eid]) window.benchResolvers[m.eid]();
  };
  window.benchFlush = function () {
    if (!ready) return;
    var queue = window.benchQueue || [];
    window.benchQueue = [];
    queue.forEach(function (call) {
      worker.postMessage({ kind: "call", eid: call.eid, cart: call.cart });
    });
  };
  window.benchFlush();
})();
"""

# Validates like our engine (pydantic models of the cart) and sends like it (pyfetch POST).
BASELINE_PY = """
import json
import secrets

from pydantic import BaseModel
from pyodide.http import pyfetch


class CartItem(BaseModel):
    product_id: str
    sku_id: str | None = None
    name: str
    quantity: int
    unit_price: float
    price_currency_code: str


class Cart(BaseModel):
    items: list[CartItem]


VISITOR = secrets.token_hex(12)


async def send(endpoint, eid, cart_json):
    cart = Cart.model_validate_json(cart_json)
    body = {
        "page_type": "cart",
        "response_mode": "JSON_ORIGINAL",
        "cart": [item.model_dump(exclude_none=True) for item in cart.items],
    }
    url = f"{endpoint}?m=bench&c={VISITOR}&eid={eid}&skipPageViews=true"
    response = await pyfetch(url, method="POST", body=json.dumps(body),
                             headers={"Content-Type": "text/plain;charset=UTF-8"})
    await response.text()
"""

BASELINE_WORKER = (
    """// The bare-Pyodide baseline: stock loadPyodide + pydantic, one pyfetch per call.
let started = null;
let endpoint = "";
const quiet = () => {};
async function start(runtime) {
  const { loadPyodide } = await import(runtime + "pyodide.mjs");
  const pyodide = await loadPyodide({ indexURL: runtime, packages: ["pydantic"],
                                      stdout: quiet, stderr: quiet });
  const scope = pyodide.globals.get("dict")();
  pyodide.runPython(PYTHON, { globals: scope });
  return scope.get("send");
}
const PYTHON = """
    + json.dumps(BASELINE_PY)
    + """;
self.onmessage = async (event) => {
  const m = event.data;
  if (m.kind === "config") {
    endpoint = m.endpoint;
    started = start(m.runtime);
    await started;
    self.postMessage({ kind: "ready" });
    return;
  }
  const send = await started;
  await send(endpoint, m.eid, JSON.stringify(m.cart));
  self.postMessage({ kind: "sent", eid: m.eid });
};
"""
)
