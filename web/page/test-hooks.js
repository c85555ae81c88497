// Hooks only tests use, in nosto.test.js and never in nosto.js: with `data-test-clock` on
// the script tag the page's own engine starts from runtime/engine.test.py, whose retry timers
// wait for api.internal.tick(ms), not real time (the shared engine keeps real time);
// `data-start-timeout-ms` shortens the wait before an engine that did not start is reported.
// api.internal.engine() and api.internal.start() say which interpreter answers and how it started,
// api.internal.marks() when its worker reached each step of the start.

export const testHooks = {
  extend(ctx, api, script) {
    if (script && script.hasAttribute("data-test-clock")) ctx.entry = "engine.test.py";
    const startTimeout = Number(script && script.getAttribute("data-start-timeout-ms"));
    if (startTimeout > 0) ctx.startTimeoutMs = startTimeout;
    api.internal.tick = (ms) => { if (ctx.ready) ctx.post({ kind: "tick", ms }); };
    api.internal.engine = () => ctx.engine; // the interpreter's id: pages sharing it agree
    api.internal.start = () => ctx.start; // "restored" (from this browser's snapshot) or "plain"
    // When the engine's worker reached each step of its start-up (ms since the epoch)
    api.internal.marks = () => ctx.readyMessage && ctx.readyMessage.marks;
  }
};
