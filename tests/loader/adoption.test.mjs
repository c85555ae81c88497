// Adoption: what closed pages left is taken over; live pages are left alone.
import assert from "node:assert/strict";
import { test } from "node:test";
import { adopt, heartbeat, ORPHAN_AFTER_MS, UNKNOWN_AFTER_MS } from "../../web/page/adoption.js";
import { KEEP_MS } from "../../web/page/purge.js";
import { makeOutbox } from "../../web/page/outbox.js";
import { makeStore } from "../../web/page/store.js";
import { fakeWindow, recorder } from "./fake_window.mjs";

const NOW = 1_000_000;

function setup() {
  const { win } = fakeWindow();
  const rec = recorder();
  const store = makeStore(win, rec.report);
  const outbox = makeOutbox(store, "me", rec.report, () => {});
  const posted = [];
  return { win, store, outbox, posted, lines: rec.lines, post: (m) => posted.push(m), report: rec.report };
}

function leave(store, page, { t, gone = false, held = 0, bodies = [], calls = [] }) {
  heartbeat(store, page, held, gone, t);
  for (const [eid, priv, marks] of bodies) store.put("o:" + eid, Object.assign({ url: "/ev1", body: eid, page, private: priv }, marks), priv);
  calls.forEach(([seq, priv]) => store.put(`j:${page}:${seq}`, { seq, page, private: priv }, priv));
}

test("a live page's leftovers are not touched; a gone or silent one's are adopted", () => {
  const { store, outbox, posted, post, report } = setup();
  leave(store, "live", { t: NOW - 1000, bodies: [["l1", false]], calls: [[1, false]] });
  leave(store, "closed", { t: NOW - 1000, gone: true, bodies: [["c1", false]], calls: [[1, false], [2, false]] });
  leave(store, "silent", { t: NOW - ORPHAN_AFTER_MS, calls: [[1, false]] });
  leave(store, "me", { t: NOW, bodies: [["m1", false]], calls: [[1, false]] });
  const replays = adopt(store, "me", outbox, post, report, NOW);
  assert.deepEqual(posted.map((m) => [m.kind, m.eid]), [["resend", "c1"]]);
  // Replays are the caller's to post, after this page's own calls.
  assert.deepEqual(replays.map((m) => [m.kind, m.page, m.calls.map((c) => c.seq), m.applied]), [
    ["replay", "closed", [1, 2], 0], ["replay", "silent", [1], 0],
  ]);
  assert.ok(outbox.has("c1") && !outbox.has("l1") && !outbox.has("m1"));
  assert.equal(outbox.bodies.c1.page, "me"); // adopted: this page sends it now
  assert.deepEqual(store.list("p:").map(([key]) => key), ["p:live", "p:me"]);
});

test("customer data a closed tab held is counted as lost, minus what was still readable", () => {
  const { store, outbox, posted, post, report, lines } = setup();
  leave(store, "closed", { t: NOW, gone: true, held: 3, bodies: [["c1", true]], calls: [[1, true]] });
  adopt(store, "me", outbox, post, report, NOW);
  assert.deepEqual(posted.find((m) => m.kind === "lost"), { kind: "lost", count: 1 });
  assert.match(lines[0][1], /^1 events with customer data were lost with a closed tab/);
});

test("a heartbeat counts held customer data only when the page goes away", () => {
  const { store } = setup();
  heartbeat(store, "me", 2, false, NOW);
  assert.deepEqual(store.list("p:me")[0][1], { t: NOW, gone: false, held: 0, applied: 0 });
  heartbeat(store, "me", 2, true, NOW, 7);
  assert.deepEqual(store.list("p:me")[0][1], { t: NOW, gone: true, held: 2, applied: 7 });
});

test("a body that left the browser is sent again only after a known failure, once its outcome is overdue", () => {
  const { store, outbox, posted, post, report } = setup();
  leave(store, "closed", { t: NOW, gone: true, bodies: [
    ["never", false], // never attempted: sent now
    ["carried", false, { f: NOW - 10, c: 1 }], // beaconed as its page went: not repeated
    ["failing", false, { f: NOW - 10 }], // under way as its page went: its outcome may come
    ["overdue", false, { f: NOW - UNKNOWN_AFTER_MS, n: 1 }], // ... and now it is overdue
  ] });
  adopt(store, "me", outbox, post, report, NOW);
  assert.deepEqual(posted.map((m) => [m.kind, m.eid]), [["resend", "never"], ["resend", "overdue"]]);
  assert.deepEqual(store.list("o:").map(([key]) => key), ["o:failing", "o:never", "o:overdue"]);
  assert.equal(outbox.bodies.overdue.f, 0); // not left yet from this page: beaconed if it goes
});

test("a run reads each stored entry once, the purge's read included", () => {
  const { win, store, outbox, posted, post, report } = setup();
  leave(store, "closed", { t: NOW, gone: true, held: 1, bodies: [["c1", false], ["c2", true]], calls: [[1, false], [2, true]] });
  leave(store, "live", { t: NOW, bodies: [["l1", false]], calls: [[1, true]] });
  const reads = [];
  for (const area of [win.localStorage, win.sessionStorage]) {
    const getItem = area.getItem.bind(area);
    area.getItem = (key) => { reads.push(key); return getItem(key); };
  }
  const stored = win.localStorage.length + win.sessionStorage.length;
  const replays = adopt(store, "me", outbox, post, report, NOW);
  assert.equal(reads.length, stored);
  assert.deepEqual(posted.map((m) => [m.kind, m.eid || m.count]), [["resend", "c1"], ["resend", "c2"]]);
  assert.deepEqual(replays.map((m) => [m.page, m.calls.map((c) => c.seq)]), [["closed", [1, 2]]]);
});

test("what the purge drops in a run is not adopted in it", () => {
  const { store, outbox, posted, post, report } = setup();
  leave(store, "closed", { t: NOW, gone: true, bodies: [["old", false, { t: NOW - KEEP_MS - 1 }], ["new", false, { t: NOW }]] });
  adopt(store, "me", outbox, post, report, NOW);
  assert.deepEqual(posted.map((m) => [m.kind, m.eid]), [["resend", "new"]]);
  assert.ok(!outbox.has("old"));
});
