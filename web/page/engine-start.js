// Engine start: PyScript's PyWorker runs the Python engine (runtime/engine.py) in a worker.
// The page never waits for it; a runtime that cannot start is said once, with what to check.

export const START_TIMEOUT_MS = 30000;
const PYSCRIPT_PAGE_CONFIG = JSON.stringify({ plugins: ["!codemirror", "!deprecations-manager",
  "!donkey", "!error", "!py-editor", "!py-game", "!py-terminal"] });

// `isReady()` says whether the engine answered; `onWorker(worker)` gets the started worker.
export function startEngine(doc, script, runtime, report, isReady, onWorker) {
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
  // PyScript reads its page config when its module loads: unless the page has PyScript
  // config of its own, switch off its page plugins (editor, terminal, game, error banner):
  // they cost main-thread time and must never draw on a storefront.
  let configs = [];
  if (!doc.querySelector("py-config,mpy-config,script[type=py][config],script[type=mpy][config]")) {
    configs = ["py-config", "mpy-config"].map((name) => {
      const element = doc.createElement(name);
      element.hidden = true;
      element.textContent = PYSCRIPT_PAGE_CONFIG;
      return doc.documentElement.appendChild(element);
    });
  }
  const dropConfigs = () => { configs.forEach((e) => e.remove()); configs = []; };
  import(runtime + "pyscript/core.js").then((pyscript) => {
    dropConfigs();
    // Start the worker in a task of its own: after PyScript's module evaluation, in the
    // same task, it is a long task (over 50 ms) on a busy CPU.
    return new Promise((resolve) => setTimeout(resolve, 0, pyscript));
  }).then((pyscript) => pyscript.PyWorker(runtime + "engine.py", {
    version: runtime + "snapshot.mjs",
    config: { packages: ["nosto-tagging"], packages_cache: "passthrough", sync_main_only: true }
  })).then(onWorker).catch((error) => { dropConfigs(); fail(error && error.message || error); });
}
