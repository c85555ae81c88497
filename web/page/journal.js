// The journal: every api call of this page, stored (write-ahead) before the call returns,
// kept until the engine has applied it and every body it built is acknowledged.

import { encodeArgs } from "./encoder.js";
import { bare } from "./store.js";
import { randomHex, readCookie } from "./visitor.js";

export const JOURNAL_SHOWN = 1000; // internal.journal() shows the recent calls

const pad = (n) => ("0000000000" + n).slice(-10);

// `privateCalls`: "session:setCustomer api:customer ...", the methods whose arguments are
// customer data (the API table's "private"); their entries go to sessionStorage only, as do
// those of any call whose arguments match `emailShaped` (core/api.py's EMAIL_SHAPED).
export function makeJournal(ctx, privateCalls, emailShaped, onRecord) {
  const privateSet = " " + privateCalls + " ";
  const email = new RegExp(emailShaped, "i");
  const { win, doc, store, page } = ctx;
  const self = {
    entries: [], // every call, in call order (the recent JOURNAL_SHOWN of them)
    unsent: [],  // calls not yet handed to the engine
    seq: 0,      // calls journaled on this page
    applied: 0,  // calls of this page the engine has applied
    keys: [],    // stored journal entries of this page
    record(target, method, args) {
      const entry = {
        eid: randomHex(win, 16), time: Date.now(), url: win.location.href, referrer: doc.referrer,
        target, method, args: encodeArgs(args, ctx.protocol.marker)
      };
      entry.seq = ++self.seq;
      entry.page = page;
      entry.private = privateSet.indexOf(" " + target.split(":")[0] + ":" + method + " ") >= 0 ||
        email.test(JSON.stringify(entry.args));
      // The visitor and consent of this moment: a replay by another page runs under them.
      entry.visitor = readCookie(doc);
      entry.dnt = ctx.optedOut();
      self.keys.push("j:" + page + ":" + pad(entry.seq));
      const shared = !entry.private &&
        (entry.url !== bare(entry.url) || entry.referrer !== bare(entry.referrer));
      store.put(self.keys[self.keys.length - 1], entry, entry.private,
        shared && Object.assign({}, entry, { url: bare(entry.url), referrer: bare(entry.referrer) }));
      self.entries.push(entry);
      if (self.entries.length > JOURNAL_SHOWN) self.entries.shift();
      self.unsent.push(entry);
      onRecord();
      return entry.eid;
    },
    // Calls handed over (the engine said it applied up to `seq`).
    applyUpTo(seq) { self.applied = Math.max(self.applied, seq); },
    // Calls with customer data the engine has not applied yet: lost if this tab closes now.
    heldPrivate() {
      return self.entries.filter((entry) => entry.private && entry.seq > self.applied).length;
    },
    // With nothing in flight and every call applied, the journal of this page is not needed.
    compact(bodiesInFlight) {
      if (self.applied < self.seq || bodiesInFlight) return;
      self.keys.forEach((key) => store.remove(key));
      self.keys = [];
    }
  };
  return self;
}
