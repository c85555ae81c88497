// The facade is built from the API table: every member exists, returns what its kind says,
// and the page implements every page-only ("P") member the table names.
import assert from "node:assert/strict";
import { test } from "node:test";
import { makeBus } from "../../web/page/bus.js";
import { makeFacades } from "../../web/page/facade.js";
import { pageMembers } from "../../web/page/page-api.js";
import { makePageTagging } from "../../web/page/page-tagging.js";
import { BUILD, fakeWindow, recorder, TABLE } from "./fake_window.mjs";

function setup() {
  const { win, doc } = fakeWindow();
  const rec = recorder();
  const calls = [];
  let n = 0;
  const ctx = {
    win, doc, report: rec.report, objects: {},
    mirror: { session: {}, visit: { customerId: null, doNotTrack: false, autoLoad: true } },
    account: "demo", optOut: { api: false, signal: false }, optedOut: () => ctx.optOut.api,
    journal: { entries: [], record: (target, method, args) => { calls.push([target, method, [...args]]); return "e" + ++n; } },
    pending: { perform: (kind, target, method, args) => { calls.push([target, method, [...args], kind]); return Promise.resolve(kind); } },
    outbox: { bodies: {} },
  };
  const facades = makeFacades(ctx, BUILD.table);
  const pageOnly = pageMembers(ctx, facades.session(), makeBus(rec.report));
  const members = Object.assign({}, pageOnly, makePageTagging(ctx, "file:///nowhere/").members);
  return { ctx, facades, api: facades.api(members), members, pageOnly, calls, lines: rec.lines };
}

const at = (object, name) => name.split(".").reduce((o, part) => o && o[part], object);

test("the page implements every page-only member the table names", () => {
  const { members } = setup();
  const pageOnly = Object.keys(TABLE.api).filter((name) => TABLE.api[name] === "P");
  assert.ok(pageOnly.length > 10);
  assert.deepEqual(pageOnly.filter((name) => typeof members[name] !== "function"), []);
});

test("a page-only member the page lacks warns once and returns a Promise", async () => {
  const { facades, pageOnly, lines, calls } = setup();
  const api = facades.api(pageOnly); // without the page tagging's members
  assert.equal(await api.resendCartTagging(), undefined);
  assert.ok(api.resendCartTagging() instanceof Promise);
  assert.deepEqual(lines.map(([level, text]) => [level, text.split("(")[0]]), [["warn", "resendCartTagging"]]);
  assert.deepEqual(calls, []);
});

test("every api member of the table is a function at its dotted path", () => {
  const { api } = setup();
  assert.deepEqual(Object.keys(TABLE.api).filter((name) => typeof at(api, name) !== "function"), []);
});

test("each kind returns what it says and journals the call", async () => {
  const { api, calls, ctx } = setup();
  const session = api.defaultSession();
  assert.equal(session, api.createSession());
  assert.equal(session.setCart({ items: [] }), session); // S
  const action = session.viewCart(); // A
  assert.deepEqual(Object.keys(action).sort(), Object.keys(TABLE.action).sort());
  assert.equal(action.setPlacements(["p"]), action);
  assert.equal(await action.update(), "R"); // R: a Promise
  ctx.objects["action:e2"] = { page_type: "cart" };
  assert.deepEqual(action.dumpData(), { page_type: "cart" }); // D: a copy of the mirror
  assert.notEqual(action.dumpData(), ctx.objects["action:e2"]);
  const builder = api.createRecommendationRequest(); // B
  assert.deepEqual(Object.keys(builder).sort(), Object.keys(TABLE.builder).sort());
  const attribution = api.recordAttribution({}); // T
  assert.deepEqual(Object.keys(attribution).sort(), Object.keys(TABLE.attribution).sort());
  assert.equal(api.visit.setCustomerId("x"), undefined); // V
  assert.deepEqual(calls.map((c) => c.slice(0, 2)), [
    ["session", "setCart"], ["session", "viewCart"], ["action:e2", "setPlacements"],
    ["action:e2", "update"], ["api", "createRecommendationRequest"], ["api", "recordAttribution"],
    ["api", "visit.setCustomerId"],
  ]);
});

test("setAutoLoad and setDoNotTrack echo into the mirror at once", () => {
  const { api, calls } = setup();
  api.setAutoLoad(false);
  assert.equal(api.isAutoLoad(), false);
  assert.equal(api.visit.setDoNotTrack(true), true);
  assert.equal(api.visit.isDoNotTrack(), true);
  assert.deepEqual(calls.map((c) => c[1]), ["setAutoLoad", "visit.setDoNotTrack"]);
});

test("unsupported members warn once and return undefined or a Promise", async () => {
  const { api, lines, calls } = setup();
  const plain = Object.keys(TABLE.api).find((name) => TABLE.api[name] === "U");
  const promising = Object.keys(TABLE.api).find((name) => TABLE.api[name] === "UP");
  assert.equal(at(api, plain)(), undefined);
  at(api, plain)();
  assert.equal(await at(api, promising)(), undefined);
  assert.ok(at(api, promising)() instanceof Promise);
  assert.deepEqual(lines.map(([level, text]) => [level, text.split("(")[0]]), [["warn", plain], ["warn", promising]]);
  assert.deepEqual(calls, []);
});

test("an unsupported member of an object returns the object when the table says so", () => {
  const { api, lines } = setup();
  const builder = api.createRecommendationRequest();
  const chained = Object.keys(TABLE.builder).find((name) => TABLE.builder[name] === "US");
  assert.equal(builder[chained](), builder);
  assert.equal(lines.length, 1);
});

test("a call that throws never reaches the page: the chain goes on", () => {
  const { api, ctx, lines } = setup();
  ctx.journal.record = () => { throw new Error("boom"); };
  const session = api.defaultSession();
  assert.equal(session.setCart({}), session);
  assert.match(lines[0][1], /^setCart: Error: boom/);
});
