// Promises the page awaits from the engine (update(), load(), customer(), ...): resolved by
// the engine's answer, or empty after RESPONSE_TIMEOUT_MS; delivery goes on regardless.

import { randomHex, readCookie, writeCookie } from "./visitor.js";

export const RESPONSE_TIMEOUT_MS = 5000;

// A deep copy of JSON data (what the page hands out of the engine's mirror and answers).
export const copy = (value) => value === undefined ? value : JSON.parse(JSON.stringify(value));

export function makePending(ctx) {
  const waiting = {}; // eid -> {kind, resolve}
  const injecting = {}; // eid -> the placements its request asked for (enableCampaignInjection)
  const self = {
    // Journal the call; a Promise of what the page gets for `kind` (R, M or N).
    perform(kind, target, method, args) {
      // The first request of a first visit names the visitor now, in the page, so that tabs
      // opened together share one id; never under Do-Not-Track (the engine makes one if
      // cookies are refused).
      const { win, doc } = ctx;
      if (ctx.account && !readCookie(doc) && !ctx.optedOut()) writeCookie(win, doc, randomHex(win, 12));
      const eid = ctx.journal.record(target, method, args);
      return new Promise((resolve) => {
        waiting[eid] = { kind, resolve };
        setTimeout(() => self.settle(eid), RESPONSE_TIMEOUT_MS);
      });
    },
    // The answer to `eid` fills these placements with their campaigns, however late it comes.
    inject(eid, elements) { injecting[eid] = elements || []; },
    // The collector answered `eid`: campaigns go into the placements the request asked for
    // (only those: the answer is HTML the page did not choose), then its promise settles.
    answered(eid, response, message) {
      const elements = injecting[eid];
      delete injecting[eid];
      if (elements && response) {
        const asked = {};
        Object.keys(response.recommendations || {}).forEach((id) => {
          if (elements.indexOf(id) >= 0) asked[id] = response.recommendations[id];
        });
        ctx.api.placements.injectCampaigns(asked);
      }
      self.settle(eid, response, message);
    },
    settle(eid, response, message) {
      const pending = waiting[eid];
      if (!pending) return;
      delete waiting[eid];
      pending.resolve(pending.kind === "R" ? response || copy(ctx.protocol.emptyActionResponse)
        : pending.kind === "M" ? message || {} : undefined);
    }
  };
  return self;
}
