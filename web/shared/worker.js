// nosto-tagging's shared engine worker (the default where it can work, or data-engine="shared"):
// one Python engine for every page and tab of a visit. Serve this file from the storefront's
// own origin (docs/hosting.md); the build writes it beside nosto.js with its stamp and runtime
// folder (bundle/worker_script.py). It answers each page's hello (a page of another stamp or
// runtime falls back to its own engine), holds the engine's Web Lock while it lives (pages watch
// it: a stopped worker is noticed), starts the engine from the runtime (runtime/shared-engine.mjs,
// from `?runtime=` when the bundle is hosted elsewhere) and hands it each page with what the
// page sent meanwhile.
const VERSION = "%VERSION%";
const RUNTIME_DIR = "%RUNTIME_DIR%";
const ENGINE = crypto.randomUUID();
const given = new URL(location.href).searchParams.get("runtime");
const runtime = new URL(given || RUNTIME_DIR, location.href).href;
const locked = new Promise((held) => {
  navigator.locks.request("nosto-tagging:engine:" + ENGINE, () => { held(); return new Promise(() => {}); });
});
let engine;

// The engine failed to start: this worker stops, so its lock goes and the pages start their own.
function stop(error) {
  console.error("nosto-tagging: the shared engine could not start (" + (error && error.message || error) +
    "); pages run their own engine. Check that " + runtime + " serves the bundle's runtime.");
  self.close();
}

self.onconnect = (event) => {
  const port = event.ports[0];
  const queued = [];
  let greeted = false;
  port.onmessage = ({ data }) => {
    if (greeted) { queued.push(data); return; }
    greeted = true;
    let hello = {};
    try { hello = JSON.parse(data); } catch (e) { /* not a hello: refused below */ }
    const ours = hello.kind === "hello" && hello.version === VERSION && runtime.endsWith("/" + RUNTIME_DIR);
    locked.then(() => {
      port.postMessage(JSON.stringify({ kind: "hello", version: VERSION, engine: ENGINE, taken: ours }));
      if (!ours) { port.close(); return; }
      engine = engine || import(runtime + "shared-engine.mjs").then((module) => module.start(runtime, ENGINE));
      engine.then((hub) => hub.connect(port, String(hello.page), String(hello.lock), queued), stop);
    });
  };
};
