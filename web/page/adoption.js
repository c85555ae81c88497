// Adoption of closed pages: pages announce they are alive (heartbeats); the leftovers of
// pages that are gone are taken over. A body that never left the browser, or whose last
// attempt is known to have failed, is sent again at once. One its page beaconed as it went,
// to a collector known good (`c`, see outbox.js), is not: the browser carries it, and a copy
// would count twice at Nosto. One whose attempt was under way as its page went (`f`) has an
// outcome no page can learn: it is sent again once that is overdue (UNKNOWN_AFTER_MS), and
// is then counted twice if the first attempt did arrive. Calls their engine never saw are
// replayed in an engine of their own.

import { purge } from "./purge.js";

export { debug } from "./debug-flag.js";
export { leave, send } from "./departure.js";

export const ORPHAN_AFTER_MS = 15000; // a page silent this long is gone
export const HEARTBEAT_MS = 5000;
export const UNKNOWN_AFTER_MS = 15000; // longer than an attempt may take (its timeout: 10 s)

// A page going away says how many events with customer data it still holds (only in this
// tab's sessionStorage): a count, never the data.
// `applied`: the last of its calls its engine applied (a replay builds nothing for those).
export function heartbeat(store, page, held, gone, now, applied) {
  store.put("p:" + page, { t: now, gone: !!gone, held: gone ? held : 0, applied: applied || 0 }, false);
}

// Reads what waits once (each storage area once a run), bounds it (purge.js), then takes over
// what closed pages left: their bodies into `outbox`, and posts to the engine `resend` for each
// body and `lost` for the count of customer-data events that went with a closed tab. Returns
// the `replay` messages of each page's calls, for the caller to post after this page's own
// calls (the engine drops replays while this page's opt-out holds).
// `again`: called once the outcome of a body left waiting is overdue (this page adopts again).
export function adopt(store, page, outbox, post, report, now, again) {
  const entries = store.list("");
  purge(store, now, report, entries);
  const stored = { j: [], o: [], p: [] };
  entries.forEach((entry) => { if (stored[entry[0][0]] && entry[0][1] === ":") stored[entry[0][0]].push(entry); });
  const alive = {}, journals = {}, applied = {};
  let held = 0;
  stored.p.forEach(([key, beat]) => {
    const other = key.slice(2);
    if (other === page) return;
    if (!beat.gone && now - beat.t < ORPHAN_AFTER_MS) { alive[other] = true; return; }
    held += beat.held || 0;
    applied[other] = beat.applied || 0;
    store.remove(key);
  });
  stored.o.forEach(([key, entry]) => {
    const eid = key.slice(2);
    if (entry.page === page || alive[entry.page] || outbox.has(eid)) return;
    if (entry.private) held--;
    if (entry.c && !entry.n) { store.remove(key); return; } // beaconed as its page went
    if (entry.f && now - entry.f < UNKNOWN_AFTER_MS) { // its outcome may still come
      if (again) setTimeout(again, entry.f + UNKNOWN_AFTER_MS - now);
      again = null;
      return;
    }
    entry.f = entry.c = 0;
    outbox.keep(eid, entry);
    post({ kind: "resend", eid, url: entry.url, body: entry.body });
  });
  stored.j.forEach(([, entry]) => {
    if (entry.page === page || alive[entry.page]) return;
    if (entry.private) held--;
    (journals[entry.page] = journals[entry.page] || []).push(entry);
  });
  // What a closed tab held with customer data lived in its sessionStorage and is gone.
  if (held > 0) {
    report("warn", held + " events with customer data were lost with a closed tab (customer data " +
      "is kept in sessionStorage only); the next request reports the count");
    post({ kind: "lost", count: held });
  }
  return Object.keys(journals).map((other) => ({ kind: "replay", page: other, calls: journals[other], applied: applied[other] || 0 }));
}
