// Which engine a page runs: the shared one by default where its worker script is of the page's
// origin, the page's own where data-engine says so, where the browser cannot share, in Firefox,
// and in a tab that failed to reach this runtime's worker script.
import assert from "node:assert/strict";
import { test } from "node:test";
import { MISSED, sharedEngine } from "../../web/page/engine-start.js";
import { fakeWindow } from "./fake_window.mjs";

const RUNTIME = "http://shop.test/nosto/runtime-0123456789ab/";
const CHROMIUM = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";
const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0";

function page({ src = "http://shop.test/nosto/nosto.js", attrs = {}, agent = CHROMIUM, shared = true } = {}) {
  const { win } = fakeWindow();
  win.navigator.userAgent = agent;
  if (shared) win.SharedWorker = function SharedWorker() {};
  const script = {
    src,
    getAttribute: (name) => (name in attrs ? attrs[name] : null),
    hasAttribute: (name) => name in attrs,
  };
  return { win, script };
}

const choose = (options) => { const { win, script } = page(options); return sharedEngine(win, script, RUNTIME); };

test("without data-engine, a bundle of the page's origin runs the shared engine", () => {
  assert.equal(choose({}), true);
  assert.equal(choose({ src: "http://shop.test/nosto.js?v=2" }), true);
});

test("a bundle of another origin runs the page's own engine, unless data-worker names a worker script", () => {
  assert.equal(choose({ src: "https://cdn.example/nosto/nosto.js" }), false);
  assert.equal(choose({ src: "http://shop.test:8080/nosto/nosto.js" }), false);
  assert.equal(choose({ src: "https://cdn.example/nosto/nosto.js", attrs: { "data-worker": "/nosto-worker.js" } }), true);
});

test("data-engine decides: dedicated opts out, shared opts in wherever the bundle is", () => {
  assert.equal(choose({ attrs: { "data-engine": "dedicated" } }), false);
  assert.equal(choose({ src: "https://cdn.example/nosto.js", attrs: { "data-engine": "shared" } }), true);
  assert.equal(choose({ agent: FIREFOX, attrs: { "data-engine": "shared" } }), true);
  assert.equal(choose({ attrs: { "data-engine": "own" } }), false); // what no release knows
});

test("Firefox and browsers without SharedWorker run the page's own engine by default", () => {
  assert.equal(choose({ agent: FIREFOX }), false);
  assert.equal(choose({ shared: false }), false);
});

test("a tab that missed this runtime's worker script runs its own engine; another runtime tries again", () => {
  const { win, script } = page({});
  win.sessionStorage.setItem(MISSED, RUNTIME);
  assert.equal(sharedEngine(win, script, RUNTIME), false);
  assert.equal(sharedEngine(win, script, RUNTIME.replace("0123456789ab", "ba9876543210")), true);
  const explicit = page({ attrs: { "data-engine": "shared" } });
  explicit.win.sessionStorage.setItem(MISSED, RUNTIME);
  assert.equal(sharedEngine(explicit.win, explicit.script, RUNTIME), false);
});

test("unreadable sessionStorage or a script without a URL gives the page's own engine", () => {
  const { win, script } = page({});
  Object.defineProperty(win, "sessionStorage", { get() { throw new Error("SecurityError"); } });
  assert.equal(sharedEngine(win, script, RUNTIME), false);
  assert.equal(choose({ src: "" }), false);
  assert.equal(sharedEngine(page({}).win, null, RUNTIME), false);
});
