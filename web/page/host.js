// The engine's host, built into runtime/host.mjs: polyscript's XWorker (PyScript's worker
// machinery) without the page layer of PyScript and polyscript: no document observer, no patched
// attachShadow, no custom elements, nothing that runs a <script type="py"> of the page.
// polyscript's FFI (reflected-ffi) redefines EventTarget.prototype.addEventListener when it loads,
// for listeners a worker adds through its `window` proxy; the engine never does, so the page
// gets the browser's own method back.
import { nativeAddEventListener, NativeWorker, useTrustedTypes } from "./host-keep.js";
import { XWorker } from "polyscript/xworker";

Object.defineProperty(EventTarget.prototype, "addEventListener", nativeAddEventListener);
globalThis.Worker = NativeWorker;

// The engine (runtime/engine.py) in a worker, on Pyodide from `runtime`; resolves to the worker
// once engine.py has run. `version` is the interpreter module: polyscript imports it and calls
// its loadPyodide.
export function startEngine(runtime) {
  useTrustedTypes(policy(runtime));
  // In a task of its own: after this module's evaluation, in the same task, it would make a
  // longer task on a busy CPU.
  return new Promise((resolve) => setTimeout(resolve, 0)).then(() => XWorker(
    runtime + "engine.py", {
      type: "pyodide",
      version: runtime + "snapshot.mjs",
      config: { packages: ["nosto-tagging"], packages_cache: "passthrough" },
    }).ready);
}

// Trusted Types: every DOM write of the bundle goes through one named policy, "nosto-tagging",
// which a page that requires Trusted Types allows in its CSP (`trusted-types nosto-tagging`):
// campaign HTML (trusted code, as with Nosto's client) and the engine worker's blob: URL; any
// other script URL is refused. Null where the browser has no Trusted Types.
let made;
function policy(runtime) {
  const types = globalThis.trustedTypes;
  if (made === undefined) {
    made = types && types.createPolicy ? types.createPolicy("nosto-tagging", {
      createHTML: (html) => html,
      createScriptURL(url) {
        if (url.startsWith("blob:" + location.origin + "/") || url.startsWith(runtime)) return url;
        throw new TypeError("nosto-tagging's policy makes script URLs only for its engine: " + url);
      },
    }) : null;
  }
  return made;
}

// What the page writes into placements, as the policy makes it (a string without one).
export const html = (text) => (made ? made.createHTML(text) : text);
