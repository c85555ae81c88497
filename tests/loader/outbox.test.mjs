// The outbox policy: kept until acknowledged, bounded (oldest non-orders first, loudly),
// and what leaves as the page goes away (departure.js).
import assert from "node:assert/strict";
import { test } from "node:test";
import { BEACON_BUDGET, leave, send } from "../../web/page/departure.js";
import { makeOutbox, OUTBOX_MAX_BYTES, OUTBOX_MAX_COUNT } from "../../web/page/outbox.js";
import { makeStore } from "../../web/page/store.js";
import { fakeWindow, recorder } from "./fake_window.mjs";

function setup() {
  const { win } = fakeWindow();
  const rec = recorder();
  const store = makeStore(win, rec.report);
  let released = 0;
  const outbox = makeOutbox(store, "pg1", rec.report, () => released++);
  return { win, store, outbox, lines: rec.lines, released: () => released };
}

test("a body is stored with its page until released", () => {
  const { win, store, outbox, released } = setup();
  outbox.keep("e1", { url: "/ev1", body: "{}", private: false });
  outbox.keep("e2", { url: "/ev1", body: "{}", private: true });
  const [[key, { t, ...kept }]] = store.list("o:e1");
  assert.equal(key, "o:e1");
  assert.deepEqual(kept, { url: "/ev1", body: "{}", private: false, page: "pg1" });
  assert.ok(Date.now() - t < 60000); // when it was kept: the purge drops week-old bodies
  assert.equal(win.sessionStorage.length, 1); // the private body: this tab only
  assert.equal(outbox.heldPrivate(), 1);
  outbox.release("e2");
  assert.equal(released(), 1);
  assert.deepEqual(store.list("o:").map(([k]) => k), ["o:e1"]);
  assert.equal(outbox.size(), 1);
});

test("over the count bound the oldest non-order bodies are dropped, orders never", () => {
  const { store, outbox, lines } = setup();
  outbox.keep("a-order", { url: "/ev1", body: "x", order: true });
  for (let i = 0; i < OUTBOX_MAX_COUNT + 2; i++) outbox.keep("b" + String(i).padStart(4, "0"), { url: "/ev1", body: "x" });
  assert.equal(outbox.size(), OUTBOX_MAX_COUNT);
  assert.ok(outbox.has("a-order"));
  assert.ok(!outbox.has("b0000") && !outbox.has("b0001") && !outbox.has("b0002"));
  assert.ok(outbox.has("b0003"));
  assert.equal(store.list("o:").length, OUTBOX_MAX_COUNT);
  assert.deepEqual(lines.map(([level]) => level), ["error", "error", "error"]);
  assert.match(lines[0][1], /^1 unsent events were dropped: the outbox is full/);
});

test("over the byte bound bodies are dropped until it fits", () => {
  const { outbox } = setup();
  const big = "x".repeat(OUTBOX_MAX_BYTES / 2);
  outbox.keep("e1", { url: "/ev1", body: big });
  outbox.keep("e2", { url: "/ev1", body: big });
  assert.equal(outbox.size(), 2);
  outbox.keep("e3", { url: "/ev1", body: "y" });
  assert.deepEqual(Object.keys(outbox.bodies), ["e2", "e3"]);
});

test("leaving, a body goes out once, unless an attempt is under way; fetch keepalive when refused", () => {
  const { win, store, outbox } = setup();
  outbox.keep("e1", { url: "/ev1", body: "a" });
  assert.deepEqual(leave(outbox, win), ["e1"]);
  assert.deepEqual(leave(outbox, win), []);
  assert.equal(win.beacons.length, 1);
  assert.ok(store.list("o:")[0][1].f > 0 && store.list("o:")[0][1].c);
  outbox.release("e1");
  outbox.keep("e0", { url: "/ev1", body: "in flight" });
  outbox.keep("e4", { url: "/ev1", body: "queued" });
  outbox.mark("e0", true);
  // an attempt under way: the collector's state is not known, the beacon stays unmarked
  assert.deepEqual(leave(outbox, win), []);
  assert.equal(win.beacons.length, 2);
  let stored = Object.fromEntries(store.list("o:"));
  assert.ok(stored["o:e0"].f > 0 && !stored["o:e0"].n && !stored["o:e4"].f);
  outbox.mark("e0", false); // that attempt failed: a retry waits, nothing is under way
  stored = Object.fromEntries(store.list("o:"));
  assert.ok(stored["o:e0"].n === 1 && stored["o:e0"].f === 0);
  assert.deepEqual(leave(outbox, win), []); // the collector is failing: unmarked again
  assert.equal(win.beacons.length, 4);
  outbox.release("e0"); outbox.release("e4");
  win.beaconAccepts = false;
  outbox.keep("e2", { url: "/ev1", body: "x".repeat(BEACON_BUDGET - 10) });
  outbox.keep("e3", { url: "/ev1", body: "x".repeat(100) });
  assert.deepEqual(leave(outbox, win), ["e2"]);
  assert.deepEqual(win.fetches.map(([, init]) => init.body.length), [BEACON_BUDGET - 10]);
  assert.equal(win.fetches[0][1].keepalive, true);
  outbox.back(); // shown again: what it beaconed is gone
  assert.deepEqual(Object.keys(outbox.bodies), ["e3"]);
});

test("another tab may only resend a body without its page URL's query", () => {
  const { win, store, outbox } = setup();
  const body = JSON.stringify({ url: "http://shop.test/o?key=k1", referrer: "http://a.test/#t" });
  outbox.keep("e1", { url: "/ev1", body, private: false });
  const local = JSON.parse(JSON.parse(win.localStorage.getItem(win.localStorage.key(0))).body);
  assert.deepEqual(local, { url: "http://shop.test/o", referrer: "http://a.test/" });
  assert.equal(JSON.parse(store.list("o:")[0][1].body).url, "http://shop.test/o?key=k1");
});

test("an attempt is the page's keepalive POST; its answer, or the error, goes back", async () => {
  const { win } = setup();
  const attempt = { kind: "attempt", eid: "e1", sending: true, url: "/ev1", body: "a" };
  win.fetch = (url, init) => {
    win.fetches.push([url, init]);
    return Promise.resolve({ status: 503, text: () => Promise.resolve("busy"),
      headers: { get: (name) => ({ "retry-after": "2", "content-type": "text/plain" })[name] } });
  };
  assert.deepEqual(await send(win, attempt), { status: 503, text: "busy", retryAfter: "2", type: "text/plain" });
  assert.equal(win.fetches[0][1].keepalive, true);
  assert.equal(win.fetches[0][1].headers["Content-Type"], "text/plain;charset=UTF-8");
  win.fetch = () => Promise.reject(new TypeError("Failed to fetch"));
  assert.deepEqual(await send(win, attempt), { error: "Failed to fetch" });
});
