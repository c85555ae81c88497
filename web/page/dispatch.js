// Message dispatch: what the engine in the worker tells the page (see core/protocol.py).

import { writeCookie } from "./visitor.js";

export const MAX_OBJECTS = 200; // dumpData() mirrors kept, as the engine keeps live objects

export function makeDispatch(ctx, onReady) {
  const { win, doc, store, journal, outbox, pending, bus, report } = ctx;
  // One attempt the engine decided (`m`: its eid, url and body), marked as leaving as it is
  // made; the collector's answer, or the error, goes back to the engine.
  const attempt = (m) => ctx.delivery
    .then((chunk) => { outbox.mark(m.eid, true); return chunk.send(win, m); }, (error) => ({ error: String(error) }))
    .then((answer) => ctx.post(Object.assign({ kind: "answer", eid: m.eid }, answer)));
  return function onMessage(event) {
    let m;
    try { m = JSON.parse(event.data); } catch (e) { return; } // not a JSON text: not the engine's
    if (ctx.tap) ctx.tap(m); // the debug panel, when open, sees each message first
    switch (m && m.kind) {
      case "ready": // kept whole (with when it came) for a debug panel opened later
        ctx.readyMessage = Object.assign({ at: win.performance.now() }, m);
        ctx.engine = m.engine; ctx.start = m.start; ctx.outlives = m.outlives; onReady(); break;
      case "attempt": // marked as leaving when the request is made (by the page, or the engine)
        if (!m.sending || ctx.outlives) outbox.mark(m.eid, m.sending);
        else attempt(m);
        break;
      case "left": ctx.adopt(); break; // a page of the shared engine went away
      case "built":
        if (m.inject) pending.inject(m.eid, JSON.parse(m.body).elements);
        outbox.keep(m.eid, { url: m.url, body: m.body, private: m.private, order: m.order });
        bus.emit("prerequest", JSON.parse(m.body));
        ctx.post({ kind: "stored", eid: m.eid });
        if (m.send) attempt(m); // stored first: the engine's first attempt, made at once
        break;
      case "applied":
        if (m.page === ctx.page) { journal.applyUpTo(m.seq); journal.compact(outbox.size()); }
        else store.list("j:" + m.page + ":").forEach(([key]) => store.remove(key));
        break;
      case "acked":
        outbox.release(m.eid);
        bus.emit("taggingsent", m.message);
        if (m.message && m.message.errors && m.message.errors.length) bus.emit("servererror", m.message.errors);
        pending.answered(m.eid, m.response, m.message);
        break;
      case "dropped":
        outbox.release(m.eid); report("error", m.reason); bus.emit("servererror", [m.reason]); pending.settle(m.eid);
        break;
      case "settled": pending.settle(m.eid); break;
      case "state": ctx.mirror = m.state; break;
      case "object":
        delete ctx.objects[m.target]; // re-added last: the oldest go first beyond MAX_OBJECTS
        ctx.objects[m.target] = m.data;
        if (Object.keys(ctx.objects).length > MAX_OBJECTS) delete ctx.objects[Object.keys(ctx.objects)[0]];
        if (m.target === "tagging" && ctx.tagging) ctx.tagging.parsed(m.data);
        break;
      case "visitor": if (m.visitor && !ctx.optedOut()) writeCookie(win, doc, m.visitor); break;
      case "log":
        report(m.level === "warn" ? "warn" : "error", m.message);
        if (m.level !== "warn") bus.emit("scripterror", { msg: m.message, level: m.level });
        break;
    }
  };
}
