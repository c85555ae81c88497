// Page-only members of the api (kind P in the API table): what the page answers itself,
// without the engine: sessions, the bus, the visit getters, placements and the debug members
// (`internal.*`, for QA tools and the benchmark; documented in the README).

import { copy } from "./pending.js";
import { writeOptOut } from "./visitor.js";

export function pageMembers(ctx, session, bus) {
  const { doc } = ctx;
  const visit = () => ctx.mirror.visit;
  return {
    defaultSession: () => session,
    createSession: () => session,
    setAutoLoad(flag) {
      if (typeof flag === "boolean") visit().autoLoad = flag; // echo; the engine confirms
      ctx.journal.record("api", "setAutoLoad", arguments);
    },
    isAutoLoad: () => visit().autoLoad,
    listen: bus.listen,
    unlisten: bus.unlisten,
    setResponseMode() { /* deprecated no-op in Nosto's client too */ },
    "visit.getCustomerId": () => visit().customerId || undefined,
    // The page holds the opt-out (an engine message arriving late cannot undo it); the
    // browser's privacy signal counts too, and setDoNotTrack(false) cannot end that one.
    "visit.isDoNotTrack": ctx.optedOut,
    "visit.setDoNotTrack"(flag) {
      if (typeof flag === "boolean" && ctx.account) writeOptOut(ctx.doc, (ctx.optOut.api = flag));
      ctx.journal.record("api", "visit.setDoNotTrack", arguments);
      return ctx.optedOut();
    },
    "placements.getPlacements": () =>
      Array.prototype.map.call(doc.querySelectorAll(".nosto_element[id]"), (e) => e.id),
    "placements.injectCampaigns"(campaigns, targets) {
      const filled = [], unfilled = [];
      Object.keys(campaigns || {}).forEach((id) => {
        const content = campaigns[id], html = typeof content === "string" ? content : content && content.html;
        const element = (targets && targets[id]) || doc.getElementById(id);
        try {
          if (!element || typeof html !== "string") throw id;
          element.innerHTML = ctx.html(html); // a page requiring Trusted Types: the host's policy
          filled.push(id);
        } catch (e) { unfilled.push(id); }
      });
      return Promise.resolve({ filledElements: filled, unFilledElements: unfilled });
    },
    "placements.removeContent"(id) { const e = doc.getElementById(id); if (e) e.replaceChildren(); },
    "placements.reset"() { /* nothing cached page-side */ },
    // ready() resolves once the engine runs.
    "internal.ready": () => ctx.whenReady,
    "internal.mirror": () => copy(ctx.mirror),
    "internal.journal": () => ctx.journal.entries.slice(),
    "internal.outbox": () => copy(ctx.outbox.bodies),
    "internal.getSettings": () => ({ account: ctx.account, endpoint: ctx.endpoint, version: ctx.version }),
    // The debug panel on or off (debug-flag.js, in the adoption chunk): a Promise of whether it is on.
    // (undefined without an account: nothing runs then)
    "internal.debug": (on) => ctx.delivery && ctx.delivery.then((chunk) => chunk.debug(ctx, on !== false))
  };
}
