// What the page does with the engine's messages about a built body: it is stored first, then
// sent at once when the engine says so in `built`, or when its `attempt` comes.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeBus } from "../../web/page/bus.js";
import { send } from "../../web/page/departure.js";
import { makeDispatch } from "../../web/page/dispatch.js";
import { makeOutbox } from "../../web/page/outbox.js";
import { makeStore } from "../../web/page/store.js";
import { fakeWindow, recorder } from "./fake_window.mjs";

function setup() {
  const { win, doc } = fakeWindow();
  const { report } = recorder();
  const store = makeStore(win, report);
  const outbox = makeOutbox(store, "pg1", report, () => {});
  const posted = [];
  const events = []; // what happened, in order: stored bodies, fetches, posts
  win.fetch = (url, init) => {
    events.push(["fetch", url, init.keepalive, outbox.has("e1")]);
    return Promise.resolve({ status: 200, text: () => Promise.resolve('{"pv":1}'), headers: { get: () => null } });
  };
  const ctx = {
    win, doc, store, outbox, report,
    journal: {}, pending: { inject() {} }, bus: makeBus(report),
    delivery: Promise.resolve({ send }),
    post: (m) => { posted.push(m); events.push(["post", m.kind]); },
  };
  const onMessage = makeDispatch(ctx, () => {});
  const message = (m) => onMessage({ data: JSON.stringify(m) });
  return { ctx, outbox, posted, events, message };
}

const BUILT = { kind: "built", eid: "e1", url: "/ev1?eid=e1", body: '{"a":1}', inject: false, private: false, order: false };
const settled = () => new Promise((resolve) => setTimeout(resolve));

test("a body built to be sent at once is stored, then sent with keepalive; its answer goes back", async () => {
  const { posted, events, message } = setup();
  message({ ...BUILT, send: true });
  await settled();
  assert.deepEqual(events, [["post", "stored"], ["fetch", "/ev1?eid=e1", true, true], ["post", "answer"]]);
  assert.deepEqual(posted[1], { kind: "answer", eid: "e1", status: 200, text: '{"pv":1}', retryAfter: null, type: null });
});

test("a body built behind another is stored and waits for the engine's attempt", async () => {
  const { events, message } = setup();
  message({ ...BUILT, send: false });
  await settled();
  assert.deepEqual(events, [["post", "stored"]]);
  message({ kind: "attempt", eid: "e1", sending: true, url: BUILT.url, body: BUILT.body });
  await settled();
  assert.deepEqual(events.slice(1), [["fetch", "/ev1?eid=e1", true, true], ["post", "answer"]]);
});
