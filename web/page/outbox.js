// The outbox: bodies the engine built, stored until the collector acknowledges them, bounded,
// and sent once more as beacons when the page is hidden.

import { bare } from "./store.js";

export const OUTBOX_MAX_COUNT = 500, OUTBOX_MAX_BYTES = 2000000, BEACON_BUDGET = 60000;

// `onRelease` runs after a body is acknowledged or dropped (the journal may then compact).
export function makeOutbox(store, page, report, onRelease) {
  const bodies = {}; // eid -> {url, body, private, order, page}
  const self = {
    bodies,
    size: () => Object.keys(bodies).length,
    has: (eid) => !!bodies[eid],
    keep(eid, entry) {
      entry.page = page;
      entry.t = entry.t || Date.now();
      bodies[eid] = entry;
      store.put("o:" + eid, entry, entry.private, !entry.private && shared(entry));
      bound();
    },
    release(eid) {
      delete bodies[eid];
      store.remove("o:" + eid);
      onRelease();
    },
    // Bodies with customer data: lost if this tab closes (they live in its sessionStorage).
    heldPrivate: () => Object.keys(bodies).filter((eid) => bodies[eid].private).length,
    // When the page is hidden, whatever is unacknowledged goes out once as a beacon
    // (CORS-simple text/plain), or with fetch keepalive within its budget. It also stays
    // stored: a beacon can be lost (a server down at that moment), and the next page sends it
    // again; the collector keeps each event id once.
    beaconAll(win) {
      let budget = BEACON_BUDGET;
      Object.keys(bodies).forEach((eid) => {
        const entry = bodies[eid];
        if (!entry.beaconed) {
          try {
            entry.beaconed = win.navigator.sendBeacon(entry.url, new Blob([entry.body], { type: "text/plain;charset=UTF-8" }));
          } catch (e) { /* fall back */ }
        }
        if (!entry.beaconed && entry.body.length < budget) {
          budget -= entry.body.length;
          try {
            win.fetch(entry.url, { method: "POST", body: entry.body, keepalive: true,
              headers: { "Content-Type": "text/plain;charset=UTF-8" } }).catch(() => {});
          } catch (e) { /* the next page sends it */ }
        }
      });
    },
    // Visible again: what was beaconed may be beaconed again at the next hide.
    rearm() { Object.keys(bodies).forEach((eid) => { bodies[eid].beaconed = false; }); }
  };

  // Bounded in count and bytes: the oldest non-order bodies go first, loudly; orders never.
  function bound() {
    const eids = Object.keys(bodies);
    let bytes = 0, dropped = 0;
    eids.forEach((eid) => { bytes += bodies[eid].body.length; });
    for (let i = 0; i < eids.length && (eids.length - dropped > OUTBOX_MAX_COUNT || bytes > OUTBOX_MAX_BYTES); i++) {
      const entry = bodies[eids[i]];
      if (entry.order) continue;
      bytes -= entry.body.length; dropped++;
      delete bodies[eids[i]]; store.remove("o:" + eids[i]);
    }
    if (dropped) report("error", dropped + " unsent events were dropped: the outbox is full (Nosto unreachable?)");
  }
  return self;
}

// The body as another tab may resend it: the page URL and referrer without query or fragment;
// null when they have none (the body itself is then shared).
function shared(entry) {
  let body;
  try { body = JSON.parse(entry.body); } catch (e) { return null; }
  if (body.url === bare(body.url) && body.referrer === bare(body.referrer)) return null;
  body.url = bare(body.url);
  if (body.referrer) body.referrer = bare(body.referrer);
  return Object.assign({}, entry, { body: JSON.stringify(body) });
}
