// install(): the nostojs facade on the page. It journals every api call, forwards it to the
// Python engine in a worker and does what only the page can do (cookies, DOM, sending); no
// session logic here: the engine decides. The modules it wires are one concept each.

import { heartbeat, HEARTBEAT_MS } from "./adoption.js";
import { makeBus } from "./bus.js";
import { startEngine } from "./engine-start.js";
import { makeFacades } from "./facade.js";
import { makeJournal } from "./journal.js";
import { makeOutbox } from "./outbox.js";
import { pageMembers } from "./page-api.js";
import { makePageTagging } from "./page-tagging.js";
import { makePending } from "./pending.js";
import { makeStore } from "./store.js";
import { privacySignal, readCookie, readOptOut } from "./visitor.js";

export const DEFAULT_ENDPOINT = "https://connect.nosto.com/ev1";

// `build`: {version, runtimeDir, protocol, table, private}, written by the build
// (nosto_tagging.bundle.loader); `hooks`: the test build's extras (test-hooks.js), absent in
// production.
export function install(win, doc, script, build, hooks) {
  const existing = win.nostojs;
  if (existing && existing.nostoTagging) return; // a second inclusion is a no-op

  const attr = (name) => script && script.getAttribute(name);
  const report = (level, message) => {
    try { win.console[level]("nosto-tagging: " + message); } catch (e) { /* no console */ }
  };
  const cookie = readCookie(doc);
  const runtime = new URL(attr("data-runtime") || build.runtimeDir, (script && script.src) || win.location.href).href;
  let markReady, flushQueued = false;
  const account = attr("data-account");
  const ctx = {
    win, doc, report, version: build.version, protocol: build.protocol, account,
    // Opt-outs: the API's (visit.setDoNotTrack, for the browser session) and the browser's.
    optOut: { api: readOptOut(doc), signal: privacySignal(win) },
    optedOut: () => ctx.optOut.api || ctx.optOut.signal,
    html: (text) => text, // campaign HTML as the DOM takes it: the host's Trusted Types policy
    endpoint: new URL(attr("data-endpoint") || DEFAULT_ENDPOINT, win.location.href).href,
    page: Date.now().toString(36) + Math.random().toString(36).slice(2, 8), // this page's id
    mirror: { session: {}, visit: { customerId: cookie || null, doNotTrack: false, autoLoad: true } },
    objects: {}, // target -> dumpData() of actions and attributions, from the engine
    worker: null, ready: false,
    whenReady: new Promise((resolve) => { markReady = resolve; }),
    post: (message) => ctx.worker.postMessage(JSON.stringify(message))
  };
  // Without an account nothing is stored (nor any cookie set): nothing could ever be sent.
  const store = ctx.store = makeStore(win, report, !!account, account + ":");
  const bus = ctx.bus = makeBus(report);
  const journal = ctx.journal = makeJournal(ctx, build.private, build.email, () => {
    if (!flushQueued) { flushQueued = true; Promise.resolve().then(flush); }
  });
  const outbox = ctx.outbox = makeOutbox(store, ctx.page, report, () => journal.compact(outbox.size()));
  ctx.pending = makePending(ctx);

  function flush() {
    flushQueued = false;
    if (!ctx.ready || !journal.unsent.length) return;
    const calls = journal.unsent;
    journal.unsent = [];
    ctx.post({ kind: "calls", calls, visitor: readCookie(doc) });
  }

  const facades = makeFacades(ctx, build.table);
  ctx.tagging = makePageTagging(ctx, runtime);
  const members = Object.assign(pageMembers(ctx, facades.session(), bus), ctx.tagging.members);
  const api = ctx.api = facades.api(members);
  if (hooks) hooks.extend(ctx, api, script);

  const beat = (gone) => heartbeat(store, ctx.page, journal.heldPrivate() + outbox.heldPrivate(), gone, Date.now(), journal.applied);
  // Leaving: an engine that outlives the page (shared) goes on delivering; otherwise what no
  // attempt carries goes out now, and the engine is told (it may still run: back/forward cache).
  win.addEventListener("pagehide", () => {
    const carried = ctx.outlives || !ctx.chunk ? [] : ctx.chunk.leave(outbox, win);
    if (carried.length && ctx.ready) ctx.post({ kind: "carried", eids: carried });
    beat(true);
  });
  win.addEventListener("pageshow", (event) => { if (event.persisted) { outbox.back(); beat(false); } });
  win.addEventListener("online", () => { if (ctx.ready) ctx.post({ kind: "online" }); });
  if (account) { beat(false); setInterval(beat, HEARTBEAT_MS); }

  // Engine ready: this page's calls go first; then what closed pages left, adopted by a chunk
  // of the runtime (adoption.mjs, which also sends and leaves: departure.js); again when the
  // shared engine says a page left, or when a body left waiting is overdue.
  ctx.adopt = () => ctx.delivery
    .then((chunk) => chunk.adopt(store, ctx.page, outbox, ctx.post, report, Date.now(), ctx.adopt).forEach(ctx.post))
    .catch((error) => report("warn", "closed pages' events wait for the next page (" + error + ")"));
  // The engine's messages are read by dispatch.js, in that chunk too (in order, once it is here).
  let onMessage;
  const onReady = () => {
    ctx.ready = true;
    flush();
    ctx.adopt().then(() => markReady(true));
  };

  function nostojs(callback) {
    try {
      return Promise.resolve(callback(api));
    } catch (error) {
      report("error", "a nostojs callback threw: " + (error && error.stack || error));
      return Promise.resolve(undefined);
    }
  }
  nostojs.nostoTagging = build.version;

  const queued = (existing && existing.q) || [];
  win.nostojs = nostojs;
  for (let i = 0; i < queued.length; i++) nostojs(queued[i]);
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", ctx.tagging.domReady);
  else ctx.tagging.domReady();
  if (!account) {
    report("error", "the script tag needs data-account=\"<your Nosto account id>\"; calls are kept in this page's memory only and nothing is sent");
    return;
  }
  // Loaded while the engine starts: leaving (pagehide) must find it at hand. A runtime that
  // cannot load is said once, by the engine's start.
  // It also reads the debug flag (debug-flag.js): the panel, if on, loads from there.
  ctx.delivery = import(runtime + "adoption.mjs").then((chunk) => (chunk.debug(ctx), ctx.chunk = chunk));
  ctx.delivery.catch(() => {});
  startEngine(ctx, script, runtime, (worker) => {
    ctx.worker = worker;
    worker.onmessage = (event) => ctx.delivery.then((chunk) => {
      onMessage = onMessage || chunk.makeDispatch(ctx, onReady);
      onMessage(event);
    }, () => { /* no chunk, no engine start: said by the start's timeout */ });
    ctx.post({ kind: "config", account, endpoint: ctx.endpoint, visitor: readCookie(doc), version: build.version,
      doNotTrack: ctx.optOut.api, privacySignal: ctx.optOut.signal });
  });
}
