// Write-ahead storage: private entries in sessionStorage, others in localStorage, memory when
// Web Storage fails (said once).
import assert from "node:assert/strict";
import { test } from "node:test";
import { KEY, makeStore } from "../../web/page/store.js";
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

test("each account has its own keys: two accounts on one origin never see each other's", () => {
  const { win } = fakeWindow();
  const one = makeStore(win, recorder().report, true, "one:");
  const two = makeStore(win, recorder().report, true, "two:");
  one.put("j:a", { n: 1 }, false);
  two.put("j:a", { n: 2 }, false);
  assert.deepEqual(win.localStorage.keys().sort(), [KEY + "one:j:a", KEY + "two:j:a"]);
  assert.deepEqual([one.list(""), two.list("")], [[["j:a", { n: 1 }]], [["j:a", { n: 2 }]]]);
  one.remove("j:a");
  assert.deepEqual(two.list(""), [["j:a", { n: 2 }]]);
});

test("a private entry is never shared: put() refuses its localStorage copy", () => {
  const { win } = fakeWindow();
  const store = makeStore(win, recorder().report);
  const entry = { url: "http://shop.test/cart?utm_source=mail", email: "ann@example.com" };
  store.put("j:p", entry, true, Object.assign({}, entry, { url: "http://shop.test/cart" }));
  store.put("j:s", { url: "http://shop.test/cart?x=1" }, false, { url: "http://shop.test/cart" });
  assert.deepEqual(win.localStorage.keys(), [KEY + "j:s"]);
  assert.deepEqual(win.sessionStorage.keys().sort(), [KEY + "j:p", KEY + "j:s"]);
  assert.deepEqual(store.list("j:"), [["j:p", entry], ["j:s", { url: "http://shop.test/cart?x=1" }]]);
});
