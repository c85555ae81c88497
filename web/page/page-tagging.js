// Nosto's DOM page tagging, page side. When the DOM is ready, a page that carries tagging (a
// nosto_* element of TAGGING_CLASSES, or a provider of page tagging) journals one load() with
// what it read, unless setAutoLoad(false) came first; the engine parses it (core/tagging.py)
// and sends the page view. The classic theme's calls read the page again each time. The
// reader (tagging.js) is a chunk of the runtime, tagging.mjs, loaded only by pages that look
// tagged or call a tagging member; this module is what every page carries.

import { copy } from "./pending.js";

export const AUTO_LOAD = "auto"; // the third argument of the load() journaled at DOM ready
// Any nosto_* element but a placement: worth loading the reader, which decides exactly.
const MAYBE_TAGGED = "[class*=nosto_]:not(.nosto_element)";

// `runtime`: the runtime folder's URL (the chunk lives there, named by the runtime's hash);
// `chunk`: the reader's file in it.
export function makePageTagging(ctx, runtime, chunk = "tagging.mjs") {
  const given = []; // setTaggingProvider's arguments, in call order (read at each read)
  let reader = null, markParsed;
  const parsed = new Promise((resolve) => { markParsed = resolve; });
  const read = () => {
    reader = reader || import(runtime + chunk);
    return reader.then((module) => module.readPage(ctx.doc, given, ctx.report));
  };

  // Read the page and journal `method` with [nodes, providers, extra?]: a Promise of its answer.
  function send(kind, method, extra, auto) {
    return read().then((page) => {
      if (auto && !page.tagged) return markParsed({});
      const args = [page.nodes, page.provided];
      if (extra !== undefined) args.push(extra);
      return ctx.pending.perform(kind, "api", method, args);
    }).catch((error) => {
      reader = null;
      ctx.report("error", method + ": the page's tagging could not be read (" + error + ")");
    });
  }

  const setProvider = function () { given.push([].slice.call(arguments, 0, 3)); };
  return {
    // The engine parsed the page's tagging (dispatch.js, the "tagging" object).
    parsed: (data) => markParsed(data),
    // At DOM ready: the auto-load, as Nosto's client does it on tagged pages (a Promise of
    // its journaling, for tests).
    domReady() {
      if (ctx.mirror.visit.autoLoad && (given.length || ctx.doc.querySelector(MAYBE_TAGGED))) {
        return send("M", "load", AUTO_LOAD, true);
      }
      markParsed({});
    },
    members: {
      load: () => send("M", "load"),
      // A placement's id loads that placement alone; without one, every placement of the page.
      loadRecommendations: (element) =>
        send("M", "loadRecommendations", typeof element === "string" && element ? [element] : undefined),
      resendCartTagging: () => send("N", "resendCartTagging"),
      resendCustomerTagging: () => send("N", "resendCustomerTagging"),
      sendTagging: () => send("N", "sendTagging"),
      setTaggingProvider: setProvider,
      "internal.setTaggingProvider": setProvider,
      pageTagging: () => copy(ctx.objects.tagging) || {},
      pageTaggingAsync: () => parsed.then(copy)
    }
  };
}
