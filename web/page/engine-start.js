// Engine start: the runtime's host.mjs (polyscript's XWorker, PyScript's worker machinery
// without its page layer) runs the Python engine (runtime/engine.py) in a worker; with the
// script tag's data-engine="shared", shared.mjs connects to the visit's shared engine instead.
// The page never waits for it; a runtime that cannot start is said once, with what to check.

export const START_TIMEOUT_MS = 30000;

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
  const shared = script && script.getAttribute("data-engine") === "shared";
  // policy.mjs, which the host imports, is fetched beside it rather than after it.
  Promise.all([import(runtime + (shared ? "shared.mjs" : "host.mjs")), import(runtime + "policy.mjs")])
    .then(([host, types]) => { ctx.html = types.html; return host.startEngine(runtime, attach, script, ctx); })
    .catch((error) => fail(error && error.message || error));
}
