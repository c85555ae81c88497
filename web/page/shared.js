// The shared engine on the page (runtime/shared.mjs, loaded when the script tag says
// data-engine="shared"): this page connects to the visit's SharedWorker, which runs one Python
// engine for every page and tab of the origin and keeps it across navigations
// (extendedLifetime). The page keeps its own session there, as with a dedicated worker.
//
// - Where SharedWorker or Web Locks are missing, the worker script cannot load, does not answer
//   or is of another build, the page starts its own engine (host.mjs): one debug line.
// - The page holds a Web Lock while connected; the worker forgets the page when it is free.
//   Frozen in the back/forward cache, the page lets its lock go, and connects again when shown.
// - The worker holds a lock of its own; when it is free the worker has stopped and the page
//   goes on with its own engine. Either way the new engine gets the page's calls it had applied
//   again (`restore`, for the session they made), the calls it had not, and the bodies not yet
//   acknowledged: nothing is lost.
import { policy, scriptURL } from "./policy.mjs";

export const HELLO_TIMEOUT_MS = 5000;
const LOCKS = "nosto-tagging:";

// Resolves, once `name` is granted, to the function that lets it go.
const hold = (name) => new Promise((held) => {
  navigator.locks.request(name, () => new Promise((free) => held(free)));
});

export function startEngine(runtime, attach, script, ctx) {
  const win = ctx.win;
  // The worker script's stamp, handed over by the build (bundle/worker_script.py).
  const version = NOSTO_WORKER_STAMP;
  const url = new URL(script.getAttribute("data-worker") || "nosto-worker.js", script.src || win.location.href);
  url.searchParams.set("runtime", runtime);
  policy(runtime, url.href);
  let generation = 0, current = null, own = false;

  // Connects once more (the first time, or shown again); the page's own engine if that fails.
  function connect() {
    const mine = ++generation;
    const lock = LOCKS + "page:" + ctx.page + ":" + mine;
    let free = () => {};
    return Promise.resolve().then(() => {
      if (!win.SharedWorker || !navigator.locks) throw new Error("no SharedWorker or Web Locks here");
      return hold(lock);
    }).then((release) => {
      free = release;
      return hello(url, version, { kind: "hello", version, page: ctx.page, lock });
    }).then(({ port, engine }) => {
      if (mine !== generation) { free(); return; } // hidden again meanwhile
      const stopped = new AbortController();
      current = { free, stopped, port };
      // Granted when the worker has stopped: this page goes on with its own engine.
      navigator.locks.request(LOCKS + "engine:" + engine, { signal: stopped.signal }, () => {
        if (current && current.stopped === stopped) { current = null; fallBack("the shared engine stopped"); }
      }).catch(() => { /* aborted: this connection ended on purpose */ });
      attachAgain(port);
    }).catch((error) => { free(); fallBack(error && error.message || error); });
  }

  function fallBack(why) {
    if (own) return;
    own = true;
    ctx.report("debug", "this page runs its own engine (" + why + ")");
    return import("./host.mjs").then((host) => host.startEngine(runtime, attachAgain))
      .catch((error) => ctx.fail(error && error.message || error));
  }

  // The new engine learns the page's config, then what the page did before it (if another
  // engine had the page before: `ctx.worker` is that engine's until `attach`).
  function attachAgain(worker) {
    const again = !!ctx.worker;
    ctx.ready = false;
    attach(worker);
    if (!again) return;
    const { journal, outbox } = ctx;
    const applied = journal.entries.filter((entry) => entry.seq <= journal.applied);
    if (applied.length) ctx.post({ kind: "restore", calls: applied });
    journal.unsent = journal.entries.filter((entry) => entry.seq > journal.applied);
    Object.keys(outbox.bodies).forEach((eid) => {
      ctx.post({ kind: "resend", eid, url: outbox.bodies[eid].url, body: outbox.bodies[eid].body });
    });
  }

  win.addEventListener("pagehide", (event) => {
    if (!event.persisted || !current) return;
    current.stopped.abort();
    // A message from the worker would evict the frozen page from the cache: none can come now.
    current.port.close();
    current.free(); // the worker forgets this page while it is frozen
    current = null;
    generation++;
  });
  win.addEventListener("pageshow", (event) => {
    if (event.persisted && !own && !current) connect();
  });
  return connect();
}

// The worker's answer to the page's hello: its port and engine id, if it took this page (its
// stamp is this page's, and so is the runtime it was built with).
function hello(url, version, message) {
  return new Promise((resolve, reject) => {
    const worker = new SharedWorker(scriptURL(url.href),
      { type: "module", name: "nosto-tagging " + version, extendedLifetime: true });
    const timer = setTimeout(() => reject(new Error("the shared worker did not answer")), HELLO_TIMEOUT_MS);
    worker.onerror = () => { clearTimeout(timer); reject(new Error("the shared worker script did not load from " + url.pathname)); };
    worker.port.onmessage = (event) => {
      let answer = {};
      try { answer = JSON.parse(event.data); } catch (e) { /* not the answer */ }
      if (answer.kind !== "hello") return;
      clearTimeout(timer);
      if (answer.version !== version) reject(new Error("the shared worker script is of version " + answer.version + ", not " + version));
      else if (answer.taken) resolve({ port: worker.port, engine: answer.engine });
      else reject(new Error("the shared worker script is of a build with another runtime than " + url.searchParams.get("runtime")));
    };
    worker.port.postMessage(JSON.stringify(message));
  });
}
