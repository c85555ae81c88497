// Engine start: the visit's shared engine (runtime/shared.mjs, a SharedWorker running one
// Python engine for the pages and tabs of the origin) where it can work, else the page's own
// (runtime/host.mjs: runtime/engine.py in a dedicated worker). The page never waits for it; a
// runtime that cannot start is said once, with what to check.
//
// Without data-engine the page takes the shared engine when its worker script is of the page's
// origin (nosto.js served from there, nosto-worker.js beside it, or data-worker naming one),
// the browser has SharedWorker, and this tab has not failed to reach the worker script of this
// runtime (shared.js remembers that in sessionStorage under MISSED). Firefox keeps its own
// engine: it starts a shared engine anew on each navigation of the only tab, and keeps no page
// connected to one in the back/forward cache (tests/engines, docs/hosting.md).
// data-engine="dedicated" or "shared" decides.

export const START_TIMEOUT_MS = 30000;
export const MISSED = "nosto-tagging:worker-missed";

export function sharedEngine(win, script, runtime) {
  const mode = script && script.getAttribute("data-engine");
  try {
    return (mode ? mode === "shared" : !!win.SharedWorker && !/Firefox\//.test(win.navigator.userAgent) &&
      (script.hasAttribute("data-worker") || new URL(script.src).origin === win.location.origin)) &&
      win.sessionStorage.getItem(MISSED) !== runtime;
  } catch (e) {
    return false; // no script URL, or no sessionStorage
  }
}

// `attach(worker)` gets the started worker (again when it is replaced); policy.mjs's `html`
// makes campaign HTML from then on. `ctx.fail(why)` says once that no engine could start.
export function startEngine(ctx, script, runtime, attach) {
  let failed = false;
  const fail = ctx.fail = (why) => {
    if (failed) return;
    failed = true;
    ctx.report("error", "the engine could not start from " + runtime + " (" + why + "); calls are " +
      "kept in the journal. Check that the bundle's runtime/ files are served there and that " +
      "WebAssembly is allowed (CSP 'wasm-unsafe-eval').");
  };
  const timeout = ctx.startTimeoutMs || START_TIMEOUT_MS; // shorter only in the test build
  setTimeout(() => { if (!ctx.ready) fail("not ready after " + timeout / 1000 + " s"); }, timeout);
  const shared = sharedEngine(ctx.win, script, runtime);
  // policy.mjs, which the host imports, is fetched beside it rather than after it. The tab's
  // first page of the shared engine does not know yet whether the worker script can be used:
  // it loads the page's own engine's host beside them, so that a miss starts that engine at
  // once (shared.js). The tab's later pages know (MISSED: "" once a worker answered).
  if (shared && ctx.win.sessionStorage.getItem(MISSED) === null) import(runtime + "host.mjs").catch(() => {});
  Promise.all([import(runtime + (shared ? "shared.mjs" : "host.mjs")), import(runtime + "policy.mjs")])
    .then(([host, types]) => { ctx.html = types.html; return host.startEngine(runtime, attach, script, ctx); })
    .catch((error) => fail(error && error.message || error));
}
