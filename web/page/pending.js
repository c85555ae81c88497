// Promises the page awaits from the engine (update(), load(), customer(), ...): resolved by
// the engine's answer, or empty after RESPONSE_TIMEOUT_MS; delivery goes on regardless.

import { randomHex, readCookie, writeCookie } from "./visitor.js";

export const RESPONSE_TIMEOUT_MS = 5000;

// A deep copy of JSON data (what the page hands out of the engine's mirror and answers).
export const copy = (value) => value === undefined ? value : JSON.parse(JSON.stringify(value));

export function makePending(ctx) {
  const waiting = {}; // eid -> {kind, resolve, inject}
  const self = {
    // Journal the call; a Promise of what the page gets for `kind` (R, M or N).
    perform(kind, target, method, args) {
      // The first request of a first visit names the visitor now, in the page, so that tabs
      // opened together share one id; never under Do-Not-Track (the engine makes one if
      // cookies are refused).
      const { win, doc } = ctx;
      if (!readCookie(doc) && !ctx.mirror.visit.doNotTrack) writeCookie(win, doc, randomHex(win, 12));
      const eid = ctx.journal.record(target, method, args);
      return new Promise((resolve) => {
        waiting[eid] = { kind, resolve };
        setTimeout(() => self.settle(eid), RESPONSE_TIMEOUT_MS);
      });
    },
    // The request of `eid` fills the page's placements with its campaigns when answered.
    inject(eid) { if (waiting[eid]) waiting[eid].inject = true; },
    settle(eid, response, message) {
      const pending = waiting[eid];
      if (!pending) return;
      delete waiting[eid];
      if (pending.inject && response) ctx.api.placements.injectCampaigns(response.recommendations);
      pending.resolve(pending.kind === "R" ? response || copy(ctx.protocol.emptyActionResponse)
        : pending.kind === "M" ? message || {} : undefined);
    }
  };
  return self;
}
