// The engine's host, built into runtime/host.mjs: polyscript's XWorker (PyScript's worker
// machinery) without the page layer of PyScript and polyscript: no document observer, no patched
// attachShadow, no custom elements, nothing that runs a <script type="py"> of the page.
// polyscript's FFI (reflected-ffi) redefines EventTarget.prototype.addEventListener when it loads,
// for listeners a worker adds through its `window` proxy; the engine never does, so the page
// gets the browser's own method back.
import { nativeAddEventListener, NativeWorker } from "./host-keep.js";
import { XWorker } from "polyscript/xworker";
import { policy } from "./policy.mjs";

Object.defineProperty(EventTarget.prototype, "addEventListener", nativeAddEventListener);
globalThis.Worker = NativeWorker;

// The engine (runtime/engine.py, or the test build's `ctx.entry`) in a worker, on Pyodide from
// `runtime`: `attach(worker)` once that entry has run. `version` is the interpreter module:
// polyscript imports it and calls its loadPyodide.
export function startEngine(runtime, attach, script, ctx) {
  policy(runtime); // script URLs of the runtime and the worker's blob: URL, under Trusted Types
  // In a task of its own: after this module's evaluation, in the same task, it would make a
  // longer task on a busy CPU.
  return new Promise((resolve) => setTimeout(resolve, 0)).then(() => {
    const worker = XWorker(runtime + ((ctx && ctx.entry) || "engine.py"), {
      type: "pyodide",
      version: runtime + "snapshot.mjs",
      config: { packages: ["nosto-tagging"], packages_cache: "passthrough" },
    });
    // A start that fails rejects `ready`, which the loader reports with its reason; polyscript
    // would also log the event that carried it, as a bare "MessageEvent".
    worker.onerror = () => {};
    return worker.ready;
  }).then(attach);
}
