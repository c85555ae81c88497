// The shared engine (runtime/shared-engine.mjs), started by the shared worker script: Pyodide
// from the runtime's snapshot.mjs (restored from this browser's snapshot when it keeps one, as
// the dedicated worker does) and the Python hub (nosto_tagging.worker.shared) that gives each
// connected page a shell of its own. A page holds a Web Lock while it lives; when the lock is
// free the page is gone (closed, or frozen in the back/forward cache) and the hub forgets it.
import { loadPyodide } from "./snapshot.mjs";

export async function start(runtime, engine) {
  const pyodide = await loadPyodide({ indexURL: runtime });
  const hub = pyodide.pyimport("nosto_tagging.worker.shared").Hub(engine, globalThis.nostoTaggingStart);
  return {
    connect(port, page, lock, queued) {
      const key = hub.connect(port, page, queued);
      navigator.locks.request(lock, () => hub.forget(key));
    },
  };
}
