// The journal: written ahead of the call's return, private by the API table, compacted once
// every call is applied and nothing is in flight.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeJournal } from "../../web/page/journal.js";
import { makeStore } from "../../web/page/store.js";
import { BUILD, fakeWindow, PROTOCOL, recorder } from "./fake_window.mjs";

function setup(where = {}) {
  const { win, doc } = fakeWindow(where);
  const store = makeStore(win, recorder().report);
  const ctx = { win, doc, store, page: "pg1", protocol: BUILD.protocol, optOut: { api: false } };
  ctx.optedOut = () => ctx.optOut.api;
  let recorded = 0;
  const journal = makeJournal(ctx, BUILD.private, BUILD.email, () => recorded++);
  return { win, doc, ctx, store, journal, recorded: () => recorded };
}

test("each call is stored before record() returns, with the protocol's call fields", () => {
  const { store, journal, recorded } = setup();
  const eid = journal.record("session", "setCart", [{ items: [] }, undefined]);
  const [[key, entry]] = store.list("j:");
  assert.equal(key, "j:pg1:0000000001");
  assert.equal(entry.eid, eid);
  assert.deepEqual(Object.keys(entry), PROTOCOL.callFields);
  assert.deepEqual(entry.args, [{ items: [] }, { [PROTOCOL.marker]: "undefined" }]);
  assert.equal(entry.url, "http://shop.test/p?x=1");
  assert.equal(recorded(), 1);
  assert.deepEqual(journal.unsent.map((e) => e.eid), [eid]);
});

test("calls the API table calls private go to sessionStorage only", () => {
  const { win, journal } = setup({ href: "http://shop.test/p" });
  journal.record("session", "setCustomer", [{ email: "devnull@nosto.com" }]);
  journal.record("action:e1", "setCustomer", [{}]);
  journal.record("api", "customer", [{}]);
  journal.record("session", "setCart", [{ email: "not by key names" }]);
  assert.equal(win.sessionStorage.length, 3);
  assert.equal(win.localStorage.length, 1);
  assert.deepEqual(journal.entries.map((e) => e.private), [true, true, true, false]);
  assert.equal(journal.heldPrivate(), 3);
  journal.applyUpTo(2);
  assert.equal(journal.heldPrivate(), 1);
});

test("a private call on a page whose URL or referrer has a query stays out of localStorage", () => {
  for (const where of [{ href: "http://shop.test/cart?utm_source=mail" },
    { href: "http://shop.test/cart#top" },
    { href: "http://shop.test/cart", referrer: "http://shop.test/?gclid=1" }]) {
    const { win, journal } = setup(where);
    journal.record("session", "setCustomer", [{ email: "ann@example.com", first_name: "Ann" }]);
    journal.record("session", "setCart", [{ items: [] }]);
    assert.equal(win.sessionStorage.length, 2, JSON.stringify(where));
    assert.deepEqual(win.localStorage.keys(), ["nosto-tagging:j:pg1:0000000002"], JSON.stringify(where));
    assert.equal(JSON.parse(win.localStorage.getItem("nosto-tagging:j:pg1:0000000002")).url, "http://shop.test/cart");
  }
});

test("compacts only when every call is applied and no body is in flight", () => {
  const { store, journal } = setup();
  journal.record("session", "viewCart", []);
  journal.record("action:x", "update", []);
  journal.compact(0);
  assert.equal(store.list("j:").length, 2); // not applied yet
  journal.applyUpTo(2);
  journal.applyUpTo(1); // late, out of order: never goes back
  journal.compact(1);
  assert.equal(store.list("j:").length, 2); // a body is in flight
  journal.compact(0);
  assert.equal(store.list("j:").length, 0);
  assert.equal(journal.entries.length, 2); // internal.journal() still shows them
});

test("each call keeps the visitor and consent of its moment, for a replay elsewhere", () => {
  const { doc, ctx, journal } = setup();
  journal.record("session", "setCart", [{}]);
  doc.cookie = "other=1; 2c.cId=0123456789abcdef01234567";
  ctx.optOut.api = true;
  journal.record("action:x", "update", []);
  assert.deepEqual(journal.entries.map((e) => [e.visitor, e.dnt]), [["", false], ["0123456789abcdef01234567", true]]);
});

test("a value shaped like an email makes a call private, whatever its key", () => {
  const { win, journal } = setup({ href: "http://shop.test/p" });
  journal.record("session", "setCart", [{ items: [{ product_id: "1", note: "ann@example.com" }] }]);
  assert.deepEqual([win.sessionStorage.length, win.localStorage.length], [1, 0]);
});

test("localStorage never holds a page URL's query or fragment; this tab keeps them", () => {
  const { win, store, journal } = setup({ href: "http://shop.test/reset?token=s3cret#x",
                                          referrer: "http://shop.test/?email=a" });
  journal.record("session", "viewCart", []);
  const local = JSON.parse(win.localStorage.getItem(win.localStorage.key(0)));
  assert.deepEqual([local.url, local.referrer], ["http://shop.test/reset", "http://shop.test/"]);
  assert.ok(!JSON.stringify([...win.localStorage.items.values()]).includes("s3cret"));
  const [[, mine]] = store.list("j:"); // this tab reads its own full copy
  assert.equal(mine.url, "http://shop.test/reset?token=s3cret#x");
});
