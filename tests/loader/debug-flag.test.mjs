// The debug flag (debug-flag.js, in the adoption chunk): the URL turns it on or off, the tab's
// sessionStorage keeps it (the flag alone), and broken storage never throws at the page.
import assert from "node:assert/strict";
import { test } from "node:test";
import { debug, DEBUG_KEY } from "../../web/page/debug-flag.js";
import { fakeWindow, recorder } from "./fake_window.mjs";

function page(href) {
  const { win } = fakeWindow({ href });
  const rec = recorder();
  return { ctx: { win, report: rec.report }, win, lines: rec.lines };
}
// Under Node there is no built debug.mjs next to the module: asking for the panel is seen as
// the warning that it could not load.
const asked = (lines) => lines.some(([, text]) => text.includes("the debug panel could not load"));

test("without the flag nothing is stored and no panel is asked for", async () => {
  const { ctx, win, lines } = page("http://shop.test/p?x=1");
  assert.equal(await debug(ctx), false);
  assert.deepEqual(win.sessionStorage.keys(), []);
  assert.equal(asked(lines), false);
});

test("nostodebug=true is kept for the tab; nostodebug=false ends it and closes the panel", async () => {
  const { ctx, win, lines } = page("http://shop.test/p?nostodebug=true");
  await debug(ctx);
  assert.deepEqual(win.sessionStorage.keys(), [DEBUG_KEY]);
  assert.ok(asked(lines));

  const later = page("http://shop.test/q");
  later.win.sessionStorage = win.sessionStorage; // the same tab, another page
  await debug(later.ctx);
  assert.ok(asked(later.lines));

  const off = page("http://shop.test/q?nostodebug=false");
  off.win.sessionStorage = win.sessionStorage;
  let closed = false;
  off.ctx.panel = { close: () => { closed = true; } };
  assert.equal(await debug(off.ctx), false);
  assert.deepEqual(win.sessionStorage.keys(), []);
  assert.ok(closed);
  assert.equal(asked(off.lines), false);
});

test("the api's debug(true/false) overrides the URL", async () => {
  const { ctx, win, lines } = page("http://shop.test/p?nostodebug=true");
  assert.equal(await debug(ctx, false), false);
  assert.deepEqual(win.sessionStorage.keys(), []);
  assert.equal(asked(lines), false);
  await debug(ctx, true);
  assert.deepEqual(win.sessionStorage.keys(), [DEBUG_KEY]);
});

test("storage that refuses or throws decides nothing and throws nothing", async () => {
  const full = page("http://shop.test/p?nostodebug=true");
  full.win.sessionStorage.broken = true; // quota
  await debug(full.ctx);
  assert.ok(asked(full.lines)); // the URL alone: this page only

  const blocked = page("http://shop.test/p");
  Object.defineProperty(blocked.win, "sessionStorage", { get() { throw new Error("SecurityError"); } });
  assert.equal(await debug(blocked.ctx), false);
  assert.equal(asked(blocked.lines), false);
  const blockedOn = page("http://shop.test/p?nostodebug=true");
  Object.defineProperty(blockedOn.win, "sessionStorage", { get() { throw new Error("SecurityError"); } });
  await debug(blockedOn.ctx);
  assert.ok(asked(blockedOn.lines)); // the URL alone
});
