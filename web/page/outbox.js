// The outbox: bodies the engine built, stored until the collector acknowledges them, bounded.
// Each body leaves the browser once where it can: the engine says when an attempt starts and
// when one failed; the stored body carries `f` (when it last left, its outcome not yet known),
// `n` (attempts known to have failed) and `c` (beaconed as its page went). Sending and leaving
// are departure.js's (in the adoption chunk); adoption.js decides what another page repeats.

import { bare } from "./store.js";

export const OUTBOX_MAX_COUNT = 500, OUTBOX_MAX_BYTES = 2000000;

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
      save(eid);
      bound();
    },
    // The engine starts an attempt (`sending`), or one failed and a retry waits.
    mark(eid, sending) {
      const entry = bodies[eid];
      if (!entry) return;
      entry.f = sending ? Date.now() : 0;
      if (!sending) entry.n = (entry.n || 0) + 1;
      save(eid);
    },
    release(eid) {
      delete bodies[eid];
      store.remove("o:" + eid);
      onRelease();
    },
    // Bodies with customer data: lost if this tab closes (they live in its sessionStorage).
    heldPrivate: () => Object.keys(bodies).filter((eid) => bodies[eid].private).length,
    // Shown again from the back/forward cache: what this page beaconed is gone.
    back() { Object.keys(bodies).forEach((eid) => { if (bodies[eid].c) self.release(eid); }); },
    save
  };
  function save(eid) {
    const entry = bodies[eid];
    store.put("o:" + eid, entry, entry.private, !entry.private && shared(entry));
  }

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
