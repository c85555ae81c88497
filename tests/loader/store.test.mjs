// Write-ahead storage: private entries in sessionStorage, others in localStorage, memory when
// Web Storage fails (said once).
import assert from "node:assert/strict";
import { test } from "node:test";
import { KEEP_MS, KEY, makeStore, MAX_BYTES, PAGE_GONE_MS } from "../../web/page/store.js";
import { fakeWindow, recorder } from "./fake_window.mjs";

test("private entries go to sessionStorage, others to localStorage", () => {
  const { win } = fakeWindow();
  const store = makeStore(win, recorder().report);
  store.put("j:a", { n: 1 }, false);
  store.put("j:b", { email: "x" }, true);
  assert.deepEqual(win.localStorage.keys(), [KEY + "j:a"]);
  assert.deepEqual(win.sessionStorage.keys(), [KEY + "j:b"]);
  assert.deepEqual(store.list("j:"), [["j:a", { n: 1 }], ["j:b", { email: "x" }]]);
});

test("list reads only our prefix, in key order, skipping unreadable values", () => {
  const { win } = fakeWindow();
  const store = makeStore(win, recorder().report);
  win.localStorage.setItem("theirs", "1");
  win.localStorage.setItem(KEY + "o:2", "{broken");
  store.put("o:3", 3, false);
  store.put("o:1", 1, false);
  store.put("p:x", 0, false);
  assert.deepEqual(store.list("o:"), [["o:1", 1], ["o:3", 3]]);
});

test("a storage that throws falls back to memory and says so once", () => {
  const { win } = fakeWindow();
  const { lines, report } = recorder();
  win.localStorage.broken = true;
  const store = makeStore(win, report);
  store.put("j:1", 1, false);
  store.put("j:2", 2, false);
  assert.deepEqual(store.list("j:"), [["j:1", 1], ["j:2", 2]]);
  assert.equal(lines.length, 1);
  assert.match(lines[0][1], /cannot store pending events \(QuotaExceededError\)/);
  store.remove("j:1");
  assert.deepEqual(store.list("j:"), [["j:2", 2]]);
});

test("remove clears a key from both areas", () => {
  const { win } = fakeWindow();
  const store = makeStore(win, recorder().report);
  store.put("k", 1, false);
  win.sessionStorage.setItem(KEY + "k", "2");
  store.remove("k");
  assert.equal(win.localStorage.length + win.sessionStorage.length, 0);
});

test("without an account nothing is stored, silently", () => {
  const { win } = fakeWindow();
  const rec = recorder();
  const store = makeStore(win, rec.report, false);
  store.put("j:a", { n: 1 }, false);
  assert.deepEqual([win.localStorage.length, win.sessionStorage.length, rec.lines], [0, 0, []]);
  assert.deepEqual(store.list("j:"), [["j:a", { n: 1 }]]); // this page's memory only
});

test("the purge drops old heartbeats, week-old calls and bodies, then the oldest beyond 1 MB", () => {
  const { win } = fakeWindow();
  const rec = recorder();
  const store = makeStore(win, rec.report);
  const now = 10 * KEEP_MS;
  store.put("p:gone", { t: now - PAGE_GONE_MS - 1 }, false);
  store.put("p:live", { t: now - 1000 }, false);
  store.put("j:old", { time: now - KEEP_MS - 1 }, false);
  store.put("o:order", { t: now - 3000, order: true, body: "x".repeat(MAX_BYTES / 2) }, false);
  store.put("o:older", { t: now - 2000, body: "x".repeat(MAX_BYTES / 2) }, false);
  store.put("o:newer", { t: now - 1000, body: "x".repeat(MAX_BYTES / 2) }, false);
  assert.equal(store.purge(now), 2);
  assert.deepEqual(store.list("").map(([key]) => key), ["o:newer", "o:order", "p:live"]);
  assert.match(rec.lines[0][1], /^2 stored events were dropped: older than 7 days or beyond 1 MB/);
});
