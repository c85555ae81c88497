// The page's own engine (runtime/host.mjs): a dedicated module worker running the engine's entry
// (runtime/engine.py, or the test build's `ctx.entry`) on Pyodide from `runtime`, through
// runtime/dedicated-engine.mjs. The worker's script is a one-line blob: URL of the page's origin
// (a worker's script must be, and the runtime may be hosted elsewhere) that imports that module
// by its URL. Nothing of the page's globals is touched.
import { policy, scriptURL } from "./policy.mjs";

// `attach(worker)` once the entry has run; a start that fails rejects, with the reason the
// worker gave ("Python did not start (...)", or the module that could not load).
export function startEngine(runtime, attach, script, ctx) {
  policy(runtime); // the blob: URL, under Trusted Types
  const entry = runtime + ((ctx && ctx.entry) || "engine.py");
  const module = runtime + "dedicated-engine.mjs";
  const code = "import(" + JSON.stringify(module) + ").then((m) => m.run(" + JSON.stringify(entry) +
    "), (e) => postMessage({ nostoTaggingStart: \"failed\", why: \"cannot load \" + " +
    JSON.stringify(module) + " + \" (\" + (e && e.message || e) + \")\" }));";
  // In a task of its own: after this module's evaluation, in the same task, it would make a
  // longer task on a busy CPU.
  let url;
  return new Promise((resolve) => setTimeout(resolve, 0)).then(() => new Promise((resolve, reject) => {
    url = URL.createObjectURL(new Blob([code], { type: "text/javascript" }));
    const worker = new Worker(scriptURL(url), { type: "module" });
    worker.onmessage = ({ data }) => {
      const start = data && data.nostoTaggingStart;
      if (start === "ran") resolve(worker);
      else if (start === "failed") reject(new Error(String(data.why)));
    };
    worker.onerror = (event) => {
      event.preventDefault();
      reject(new Error(event.message || "the engine's worker could not start"));
    };
  })).finally(() => URL.revokeObjectURL(url)).then((worker) => {
    worker.onerror = null;
    attach(worker);
  });
}
