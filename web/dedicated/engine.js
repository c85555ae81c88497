// The page's own engine (runtime/dedicated-engine.mjs), imported by the dedicated worker that
// runtime/host.mjs starts: Pyodide from the runtime's snapshot.mjs (restored from this browser's
// snapshot when it keeps one, as the shared engine is), then the engine's entry, which connects
// the engine to the page through the `page` module below. The page hears
// `{nostoTaggingStart: "ran"}` once the entry has run, or `{nostoTaggingStart: "failed", why}`;
// the engine's own messages are JSON texts (nosto_tagging.core.protocol).
import { loadPyodide } from "./snapshot.mjs";

// What the entry imports as `page`: `post(text)` to the page, `listen(handler)` for its texts.
// The page posts nothing before it hears that the entry has run.
const page = {
  post: (text) => self.postMessage(text),
  listen(handler) {
    self.onmessage = ({ data }) => handler(String(data));
  },
};

export async function run(entry) {
  try {
    // The entry is fetched while Python starts.
    const code = fetch(entry).then((response) => {
      if (!response.ok) throw new Error(`${entry} answered ${response.status}`);
      return response.text();
    });
    const [pyodide, text] = await Promise.all([
      loadPyodide({ indexURL: new URL("./", import.meta.url).href }),
      code,
    ]);
    pyodide.registerJsModule("page", page);
    pyodide.runPython(text, { filename: entry.slice(entry.lastIndexOf("/") + 1) });
    self.postMessage({ nostoTaggingStart: "ran" });
  } catch (error) {
    self.postMessage({ nostoTaggingStart: "failed", why: String(error?.message ?? error) });
  }
}
