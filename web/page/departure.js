// Sending and leaving, for a page whose engine runs (in the adoption chunk: bodies exist only
// once the engine built them or the page adopted them). Where the engine ends with its page (a
// dedicated worker), the page makes each attempt the engine decides, with fetch keepalive: a
// request under way when the shopper leaves still arrives, once. As the page goes away, bodies
// with no attempt under way go out as beacons; the engine is told not to send them.

export const BEACON_BUDGET = 60000; // keepalive requests of a page: 64 KiB in flight at most

// A CORS-simple POST (text/plain: no preflight, also at unload).
const post = (body, keepalive) => ({ method: "POST", body, keepalive, headers: { "Content-Type": "text/plain;charset=UTF-8" } });

// One attempt (`m`: the engine's, with url and body); resolves to the collector's answer
// ({status, text, retryAfter, type}) or {error}.
export function send(win, m) {
  let request;
  try { request = win.fetch(m.url, post(m.body, m.body.length < BEACON_BUDGET)); } catch (e) { request = Promise.reject(e); }
  return request.then((r) => r.text().then((text) => ({ status: r.status, text, retryAfter: r.headers.get("retry-after"), type: r.headers.get("content-type") })))
    .catch((error) => ({ error: String(error && error.message || error) }));
}

// The page goes away: each body with no attempt under way goes out as a beacon, or with fetch
// keepalive within its budget, and is marked (`c`: this page sent it). Where the collector's
// state is not known good (an attempt failed, or one is still under way) a beacon may fail
// unseen: it stays unmarked, for the next page to send again. Returns the event ids marked.
export function leave(outbox, win) {
  const bodies = outbox.bodies;
  let budget = BEACON_BUDGET;
  const failing = Object.keys(bodies).some((eid) => bodies[eid].n || bodies[eid].f);
  return Object.keys(bodies).filter((eid) => {
    const entry = bodies[eid];
    let sent = false;
    if (entry.f) return false;
    try {
      sent = win.navigator.sendBeacon(entry.url, new Blob([entry.body], { type: "text/plain;charset=UTF-8" }));
    } catch (e) { /* fall back */ }
    if (!sent && entry.body.length < budget) {
      budget -= entry.body.length;
      try {
        win.fetch(entry.url, post(entry.body, true)).catch(() => {});
        sent = true;
      } catch (e) { /* the next page sends it */ }
    }
    if (!sent || failing) return false;
    entry.f = Date.now(); entry.c = 1; outbox.save(eid);
    return true;
  });
}
