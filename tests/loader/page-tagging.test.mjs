// The page side of DOM page tagging: the auto-load at DOM ready, the calls that read the page
// again, and what they journal (the reader itself is tested in Chromium). The reader is the
// chunk the build made (runtime-*/tagging.mjs, with core/tagging.py's rules in it).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { AUTO_LOAD, makePageTagging } from "../../web/page/page-tagging.js";
import { fakeWindow, recorder } from "./fake_window.mjs";

const BUNDLE = new URL("../../build/bundle/", import.meta.url);
const RUNTIME = new URL(JSON.parse(readFileSync(new URL("build-info.json", BUNDLE))).runtime_dir, BUNDLE).href;

// <span class="nosto_page_type">product</span>, as the reader sees an element.
const PAGE_TYPE = {
  id: "", textContent: "product", parentElement: null, firstElementChild: null,
  getAttribute: () => "nosto_page_type", classList: { contains: () => false },
};

function setup({ tagged = true, autoLoad = true } = {}) {
  const { win, doc } = fakeWindow();
  doc.querySelector = () => (tagged ? PAGE_TYPE : null);
  doc.querySelectorAll = () => (tagged ? [PAGE_TYPE] : []);
  const rec = recorder();
  const performed = [];
  const ctx = {
    win, doc, report: rec.report, objects: {},
    mirror: { session: {}, visit: { customerId: null, doNotTrack: false, autoLoad } },
    pending: {
      perform: (kind, target, method, args) => {
        performed.push([kind, target, method, args]);
        return Promise.resolve(kind);
      },
    },
  };
  const tagging = makePageTagging(ctx, RUNTIME);
  return { ctx, tagging, performed, lines: rec.lines };
}

test("a tagged page journals one load() with what it read when the DOM is ready", async () => {
  const { tagging, performed } = setup();
  await tagging.domReady();
  assert.equal(performed.length, 1);
  const [kind, target, method, args] = performed[0];
  assert.deepEqual([kind, target, method], ["M", "api", "load"]);
  assert.deepEqual(args, [[{ cls: "nosto_page_type", text: "product" }], [], AUTO_LOAD]);
});

test("no auto-load after setAutoLoad(false), nor on a page without tagging", async () => {
  for (const options of [{ autoLoad: false }, { tagged: false }]) {
    const { tagging, performed } = setup(options);
    await tagging.domReady();
    assert.deepEqual(performed, [], JSON.stringify(options));
    assert.deepEqual(await tagging.members.pageTaggingAsync(), {});
  }
});

test("a provider of page tagging makes an untagged page auto-load; another does not", async () => {
  const { tagging, performed } = setup({ tagged: false });
  tagging.members.setTaggingProvider("pageType", () => "product");
  await tagging.domReady();
  const [, , , args] = performed[0];
  assert.deepEqual(args[1], [{ name: "pageType", value: "product", priority: 0 }]);
  const other = setup({ tagged: false });
  other.tagging.members.setTaggingProvider("restoreLink", "https://shop.test/r");
  await other.tagging.domReady();
  assert.deepEqual(other.performed, []);
});

test("resends and loadRecommendations journal what their kind says", async () => {
  const { tagging, performed } = setup();
  assert.equal(await tagging.members.resendCartTagging(), "N");
  assert.equal(await tagging.members.loadRecommendations("cart-1"), "M");
  assert.equal(await tagging.members.load(), "M");
  assert.deepEqual(performed.map(([kind, , method, args]) => [kind, method, args.length]), [
    ["N", "resendCartTagging", 2], ["M", "loadRecommendations", 3], ["M", "load", 2],
  ]);
  assert.deepEqual(performed[1][3][2], ["cart-1"]);
});

test("pageTagging() shows what the engine parsed; pageTaggingAsync() waits for it", async () => {
  const { ctx, tagging } = setup();
  assert.deepEqual(tagging.members.pageTagging(), {});
  const later = tagging.members.pageTaggingAsync();
  ctx.objects.tagging = { pageType: "product" };
  tagging.parsed(ctx.objects.tagging);
  assert.deepEqual(await later, { pageType: "product" });
  assert.deepEqual(tagging.members.pageTagging(), { pageType: "product" });
});

test("a reader that cannot load is said once per call, and the call settles", async () => {
  const { ctx, lines } = setup();
  const broken = makePageTagging(ctx, "file:///nowhere/", "missing.mjs");
  assert.equal(await broken.members.resendCartTagging(), undefined);
  assert.equal(lines.length, 1);
  assert.match(lines[0][1], /^resendCartTagging: the page's tagging could not be read/);
});
