// The purge: what waits in Web Storage is bounded in age and bytes, orders kept longest.
import assert from "node:assert/strict";
import { test } from "node:test";
import { KEEP_MS, MAX_BYTES, PAGE_GONE_MS, purge } from "../../web/page/purge.js";
import { makeStore } from "../../web/page/store.js";
import { fakeWindow, recorder } from "./fake_window.mjs";

test("the purge drops old heartbeats, week-old calls and bodies, then the oldest beyond 1 MB", () => {
  const { win } = fakeWindow();
  const rec = recorder();
  const store = makeStore(win, rec.report);
  const now = 10 * KEEP_MS;
  store.put("p:gone", { t: now - PAGE_GONE_MS - 1 }, false);
  store.put("p:live", { t: now - 1000 }, false);
  store.put("j:old", { time: now - KEEP_MS - 1 }, false);
  store.put("o:order", { t: now - 3000, order: true, body: "x".repeat(MAX_BYTES / 2 - 100) }, false);
  store.put("o:older", { t: now - 2000, body: "x".repeat(MAX_BYTES / 2 - 100) }, false);
  store.put("o:newer", { t: now - 1000, body: "x".repeat(MAX_BYTES / 2 - 100) }, false);
  assert.equal(purge(store, now, rec.report), 2);
  assert.deepEqual(store.list("").map(([key]) => key), ["o:newer", "o:order", "p:live"]);
  assert.match(rec.lines[0][1], /^2 stored events were dropped: older than 7 days or beyond 1 MB/);
});
