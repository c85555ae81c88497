"""What the snapshot tests run in a page (tests/browser in Chromium, tests/engines in every
engine): a module worker that calls snapshot.mjs's ``loadPyodide`` directly and runs a little
Python, and what they read and change in Cache Storage, where the snapshot and the decoded copies
of the runtime's files are kept."""

CACHE = "nosto-tagging-snapshots"
WORKER_PATH = "/test/snapshot-worker.mjs"
# The worker: its name is [runtime, python]; it answers the Python's JSON, with how many times
# the wasm was instantiated and which of the runtime's large files it fetched, or the error.
WORKER = """
const [runtime, python] = JSON.parse(self.name);
try {
  const { loadPyodide } = await import(runtime + "snapshot.mjs");
  const pyodide = await loadPyodide({ indexURL: runtime });
  const answer = JSON.parse(pyodide.runPython(python));
  // How many times the wasm was instantiated (each marks its start), and which of the runtime's
  // large files came from the network (a copy read from Cache Storage is no fetch).
  answer.instantiations = performance.getEntriesByName("nosto-tagging:wasm start").length;
  answer.fetched = performance.getEntriesByType("resource").map((entry) => entry.name)
    .filter((url) => /[.](wasm|zip|whl)$/.test(url)).map((url) => url.split("/").pop()).sort();
  postMessage(JSON.stringify(answer));
} catch (error) {
  postMessage(JSON.stringify({ error: String(error), stack: String(error?.stack) }));
}
"""

# Modules the snapshot does not hold: each must import from the files installed after a restore.
LAZY = """
import json, sys
lazy = ["email.utils", "pydantic.color", "difflib"]
before = {name: name in sys.modules for name in lazy}
import difflib, email.utils, pydantic.color
from pydantic import BaseModel
class Item(BaseModel):
    quantity: int
json.dumps({
    "before": before,
    "quantity": Item.model_validate_json('{"quantity": "2"}').quantity,
    "color": pydantic.color.Color("red").as_hex(),
    "shell": "nosto_tagging.worker.shell" in sys.modules,
    "hash": hash("nosto"),
})
"""

# Start the worker (kept alive in the page: it writes the snapshot after answering); its answer.
START_WORKER = (
    "([runtime, python, timeout]) => new Promise((resolve, reject) => {"
    f" const worker = new Worker('{WORKER_PATH}',"
    "   {type: 'module', name: JSON.stringify([runtime, python])});"
    " (window.workers ||= []).push(worker);"
    " worker.onmessage = (event) => resolve(event.data);"
    " worker.onerror = (event) => reject(new Error(event.message));"
    " setTimeout(() => reject(new Error('no answer')), timeout); })"
)
# The runtime folder's URL path, from the bundle's build-info.
RUNTIME = (
    "() => fetch('/bundle/build-info.json').then(r => r.json())"
    ".then(info => '/bundle/' + info.runtime_dir)"
)
# Truthy once this runtime's snapshot is kept whole (polled: Cache Storage has no change event).
SNAPSHOT_KEPT = (
    "async () => { const info = await (await fetch('/bundle/build-info.json')).json();"
    f" const found = await (await caches.open('{CACHE}'))"
    "   .match('/bundle/' + info.runtime_dir + 'engine.snapshot');"
    " return found ? (await found.arrayBuffer()).byteLength > (1 << 20) : false; }"
)
# Delete the kept snapshot, so that the next start is plain.
DROP_SNAPSHOT = "([name, url]) => caches.open(name).then(c => c.delete(url))"
# What a start that fails on a bad standard library says (snapshot.mjs).
PYTHON_EXITED = "Python did not start (Program terminated with exit(1))"

DIGEST = (
    "async bytes => Array.from(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)),"
    " b => b.toString(16).padStart(2, '0')).join('')"
)
# The kept snapshot's size and SHA-256 (0 and "" when there is none).
KEPT = f"""async ([name, url]) => {{
  const found = await (await caches.open(name)).match(url);
  if (!found) return {{size: 0, digest: ""}};
  const bytes = await found.arrayBuffer();
  return {{size: bytes.byteLength, digest: await ({DIGEST})(bytes)}};
}}"""
# The decoded copies of the runtime's files kept beside the snapshot: name -> whether the copy's
# bytes are the served file's (fetched again past the HTTP cache, decoded).
COPIES = f"""async ([name, runtime]) => {{
  const cache = await caches.open(name);
  const found = {{}};
  for (const request of await cache.keys()) {{
    if (!request.url.includes(runtime) || request.url.includes("engine.snapshot")) continue;
    const copy = await (await cache.match(request)).arrayBuffer();
    const served = await (await fetch(request.url, {{cache: "no-store"}})).arrayBuffer();
    found[request.url.split("/").pop()] = await ({DIGEST})(copy) === await ({DIGEST})(served);
  }}
  return found;
}}"""
# Spoil the kept copy of a runtime file: 4 KB of its bytes from `at` (from the end when negative)
# overwritten, its headers kept.
SPOIL_COPY = """async ([name, url, at]) => {
  const cache = await caches.open(name);
  const copy = await cache.match(url);
  const bytes = new Uint8Array(await copy.arrayBuffer());
  const from = at < 0 ? bytes.length + at : at;
  bytes.fill(0xff, from, from + 4096);
  await cache.put(url, new Response(bytes, { headers: copy.headers }));
}"""
