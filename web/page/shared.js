// The shared engine on the page (runtime/shared.mjs, loaded where engine-start.js chooses the
// shared engine: by default where it can work, or data-engine="shared"): this page connects to
// the visit's SharedWorker, which runs one Python engine for every page and tab of the origin
// and keeps it across navigations (extendedLifetime). The page keeps its own session there, as
// with a dedicated worker.
//
// - Where SharedWorker or Web Locks are missing, the worker script cannot load, does not answer
//   or is of another build, the page starts its own engine (host.mjs): one debug line.
//   A worker script this tab cannot reach (not uploaded, refused by the page's CSP, of another
//   release) is remembered for the tab (sessionStorage, MISSED: the runtime's URL, nothing of the
//   shopper): the next pages start their own engine at once, and the browser logs no second
//   CSP violation.
// - The page holds a Web Lock while connected; the worker forgets the page when it is free.
//   Frozen in the back/forward cache, the page lets its lock go, and connects again when shown.
// - The worker holds a lock of its own; when it is free the worker has stopped and the page
//   goes on with its own engine. Either way the new engine gets the page's calls it had applied
//   again (`restore`, for the session they made), the calls it had not, and the bodies not yet
//   acknowledged: nothing is lost.
import { policy, scriptURL } from "./policy.mjs";
import { MISSED } from "./engine-start.js";

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
      // The worker script is asked for while the lock is requested; the hello waits for the
      // lock, which tells the worker when this page has gone.
      const held = hold(lock);
      free = () => { held.then((release) => release()); };
      const remember = () => { // the tab's later pages start their own engine at once
        try { win.sessionStorage.setItem(MISSED, runtime); } catch (e) { /* asked again next page */ }
      };
      return hello(url, version, held.then(() => ({ kind: "hello", version, page: ctx.page, lock })), remember);
    }).then(({ port, engine }) => {
      try { win.sessionStorage.setItem(MISSED, ""); } catch (e) { /* the next page fetches host.mjs again */ }
      if (mine !== generation) { free(); return; } // hidden again meanwhile
      const stopped = new AbortController();
      current = { free, stopped, port };
      // Granted when the worker has stopped: this page goes on with its own engine.
      navigator.locks.request(LOCKS + "engine:" + engine, { signal: stopped.signal }, () => {
        if (current && current.stopped === stopped) { current = null; fallBack("the shared engine stopped"); }
      }).catch(() => { /* aborted: this connection ended on purpose */ });
      attachAgain(port);
    }).catch((error) => {
      free();
      fallBack(error && error.message || error);
    });
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

// The worker's answer to the page's hello (`message`, posted once it resolves): its port and
// engine id, if it took this page (its stamp is this page's, and so is the runtime it was built
// with). Where this tab cannot use the worker script, `remember` is called, even once the hello
// has timed out (a busy browser may report the script's failure late); a timeout alone is no miss.
function hello(url, version, message, remember) {
  return new Promise((resolve, reject) => {
    const missed = (why) => { clearTimeout(timer); remember(); reject(new Error(why)); };
    const timer = setTimeout(() => reject(new Error("the shared worker did not answer")), HELLO_TIMEOUT_MS);
    let worker;
    try {
      worker = new SharedWorker(scriptURL(url.href),
        { type: "module", name: "nosto-tagging " + version, extendedLifetime: true });
    } catch (error) { // refused by the page's Content-Security-Policy (worker-src), in some browsers
      missed("the shared worker script is refused here (" + (error && error.message || error) + ")");
      return;
    }
    worker.onerror = () => missed("the shared worker script did not load from " + url.pathname);
    worker.port.onmessage = (event) => {
      let answer = {};
      try { answer = JSON.parse(event.data); } catch (e) { /* not the answer */ }
      if (answer.kind !== "hello") return;
      clearTimeout(timer);
      if (answer.version !== version) missed("the shared worker script is of version " + answer.version + ", not " + version);
      else if (answer.taken) resolve({ port: worker.port, engine: answer.engine });
      else missed("the shared worker script is of a build with another runtime than " + url.searchParams.get("runtime"));
    };
    message.then((hi) => worker.port.postMessage(JSON.stringify(hi)));
  });
}
