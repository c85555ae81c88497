// Engine start: the runtime's host.mjs (polyscript's XWorker, PyScript's worker machinery
// without its page layer) runs the Python engine (runtime/engine.py) in a worker. The page never
// waits for it; a runtime that cannot start is said once, with what to check.

export const START_TIMEOUT_MS = 30000;

// `isReady()` says whether the engine answered; `onWorker(worker)` gets the started worker.
// `onHost(host)` gets the runtime's host module once loaded (its `html` makes campaign HTML).
export function startEngine(script, runtime, report, isReady, onWorker, onHost) {
  let failed = false;
  function fail(why) {
    if (failed) return;
    failed = true;
    report("error", "the engine could not start from " + runtime + " (" + why + "); calls are " +
      "kept in the journal. Check that the bundle's runtime/ files are served there and that " +
      "WebAssembly is allowed (CSP 'wasm-unsafe-eval').");
  }
  const timeout = Number(script && script.getAttribute("data-start-timeout-ms")) || START_TIMEOUT_MS;
  setTimeout(() => { if (!isReady()) fail("not ready after " + timeout / 1000 + " s"); }, timeout);
  import(runtime + "host.mjs").then((host) => { onHost(host); return host.startEngine(runtime); }).then(onWorker)
    .catch((error) => fail(error && error.message || error));
}
