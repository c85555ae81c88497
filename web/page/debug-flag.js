// The debug flag, in the adoption chunk every start loads: `nostodebug=true` in the page's URL
// (or api.internal.debug(true)) opens the debug panel (debug.mjs, a chunk of its own) and keeps
// it on for the tab's session (sessionStorage: the flag alone, no data of the page) until
// `nostodebug=false` or api.internal.debug(false). Without the flag nothing more is loaded.

export const DEBUG_KEY = "nosto-tagging:debug";

// `on`: true/false from api.internal.debug; undefined at start (the URL, then the stored flag).
// Resolves to whether the panel is on.
export function debug(ctx, on) {
  try {
    const win = ctx.win;
    const asked = on === undefined ? new URLSearchParams(win.location.search).get("nostodebug") : String(!!on);
    let storage = null;
    try { storage = win.sessionStorage; } catch (e) { /* no storage: the URL alone decides */ }
    try {
      if (asked === "true") storage.setItem(DEBUG_KEY, "1");
      else if (asked === "false") storage.removeItem(DEBUG_KEY);
    } catch (e) { /* storage refused: this page only */ }
    let stored = false;
    try { stored = storage.getItem(DEBUG_KEY) === "1"; } catch (e) { /* nothing stored */ }
    if (asked === "true" || (asked !== "false" && stored)) {
      return import("./debug.mjs").then((panel) => panel.open(ctx, debug), (error) => {
        ctx.report("warn", "the debug panel could not load (" + error + ")");
        return false;
      });
    }
    if (ctx.panel) ctx.panel.close();
  } catch (error) {
    ctx.report("warn", "the debug flag could not be read (" + error + ")");
  }
  return Promise.resolve(false);
}
