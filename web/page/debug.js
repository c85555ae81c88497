// The debug panel (debug.mjs, a runtime chunk; debug-flag.js opens it on `?nostodebug=true`):
// one <nosto-debug> element whose open shadow root holds the panel and its styles (isolated
// from the theme's; QA automation reads it through `shadowRoot`, by its data-* attributes).
// It shows this page's engine, the page tagging as the engine read it with each problem found,
// the session after each call, each request decoded with the warnings of Nosto's payload rules
// (computed by the engine, which answers the panel's `inspect`: core/decoder.py, core/rules.py)
// and its answer, and the page's placements, outlined while hovered, with what filled each.
// The page's data stays in this panel's memory; closing it removes all it added.

import { html, policy } from "./policy.mjs";

export const MAX_REQUESTS = 50; // the newest requests shown (memory only)

const SKELETON = "<div class='panel'><header><strong>Nosto debug</strong> <span class='version'></span>" +
  "<button type='button' class='close' title='Close (turns debugging off for this tab)'>\u00d7</button></header>" +
  "<section data-part='engine'><h2>Engine</h2><dl></dl></section>" +
  "<section data-part='tagging'><h2>Page tagging</h2><div class='body'></div></section>" +
  "<section data-part='session'><h2>Session</h2><div class='body'></div></section>" +
  "<section data-part='placements'><h2>Placements</h2><ul></ul></section>" +
  "<section data-part='requests'><h2>Requests</h2><ol></ol></section></div>" +
  "<div class='outline' hidden></div>";

const STYLE = `
:host { all: initial; position: fixed; right: 12px; bottom: 12px; z-index: 2147483647; }
.panel { position: relative; z-index: 1; box-sizing: border-box; width: 420px; max-width: calc(100vw - 24px); max-height: 70vh;
  overflow: auto; background: #fff; color: #1d2433; border: 1px solid #c5cbd6; border-radius: 8px;
  box-shadow: 0 6px 24px rgba(0,0,0,.18); font: 12px/1.45 system-ui, sans-serif; }
header { position: sticky; top: 0; display: flex; gap: 6px; align-items: center; padding: 8px 10px;
  background: #1d2433; color: #fff; }
header .version { opacity: .7; flex: 1; }
.close { all: unset; cursor: pointer; font-size: 18px; line-height: 1; padding: 0 4px; }
section { padding: 6px 10px; border-top: 1px solid #e4e7ec; }
h2 { margin: 0 0 4px; font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: #5a6478; }
h3 { margin: 6px 0 2px; font-size: 12px; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: 1px 8px; margin: 0; }
dt { color: #5a6478; } dd { margin: 0; overflow-wrap: anywhere; }
ul, ol { margin: 0; padding-left: 16px; }
ol > li { margin: 2px 0; }
.problems li, .warnings li { color: #8a3b00; }
.problems li::marker, .warnings li::marker { content: "\u26a0 "; }
.muted, .empty { color: #5a6478; }
table { border-collapse: collapse; width: 100%; margin: 2px 0; }
th, td { text-align: left; padding: 1px 4px; border-bottom: 1px solid #eef0f3; }
summary { cursor: pointer; }
[data-placement] { cursor: default; }
[data-placement]:hover { background: #eef4ff; }
.outline { position: fixed; pointer-events: none; outline: 3px solid #2f6fed;
  background: rgba(47,111,237,.12); border-radius: 2px; }
.outline[hidden] { display: none; }
`;

const START = { restored: "restored from this browser's snapshot", plain: "started plainly (no snapshot yet)" };
const HCID = "The page came from a cache: its cart or customer tagging was rendered for another " +
  "visitor (its hcid is the signature of that visitor's 2c.cId cookie), so it was left out. Keep " +
  "nosto_cart and nosto_customer out of the full-page cache (render them per visitor).";

// Opens the panel (once per page); `debug` is debug-flag.js's, which its close button calls.
export function open(ctx, debug) {
  if (ctx.panel) return true;
  const { win, doc } = ctx;
  // `open`: the requests whose details the reader opened (kept open as the list is redrawn)
  const state = { requests: [], problems: [], messages: [], ready: null, answers: {}, open: new Set() };
  const host = doc.createElement("nosto-debug");
  const root = host.attachShadow({ mode: "open" });
  policy(); // the page's one "nosto-tagging" policy makes the panel's HTML too
  root.innerHTML = html(SKELETON);
  style(win, doc, root);
  const $ = (selector) => root.querySelector(selector);
  const part = (name) => root.querySelector("[data-part='" + name + "'] > :last-child");
  const outline = $(".outline");

  function el(tag, attrs, ...children) {
    const node = doc.createElement(tag);
    Object.keys(attrs || {}).forEach((key) => {
      if (key === "text") node.textContent = attrs[key];
      else node.setAttribute(key, attrs[key]);
    });
    children.flat(Infinity).forEach((child) => {
      if (child !== null && child !== undefined) node.append(child);
    });
    return node;
  }
  const pairs = (rows) => rows.map(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]).flat();
  const text = (value) => typeof value === "string" ? value : JSON.stringify(value);

  function renderEngine() {
    const ready = state.ready || ctx.readyMessage; // the panel may open after the engine's ready
    const rows = [];
    if (!ready && !ctx.ready) rows.push(["state", "starting…"]);
    else {
      const shared = ready ? ready.outlives : ctx.outlives;
      rows.push(["kind", shared ? "shared (one engine for the visit's pages)" : "dedicated (this page's own)"]);
      if (shared && ready) rows.push(["shared", ready.joined ? "joined a running engine" : "started it for this page"]);
      const start = ready ? ready.start : ctx.start;
      rows.push(["start", START[start] || start || "unknown"]);
      rows.push(["ready", ready ? (ready.at / 1000).toFixed(2) + " s after the page started loading"
        : "before the panel opened"]);
      rows.push(["engine id", (ready ? ready.engine : ctx.engine) || ""]);
    }
    part("engine").replaceChildren(...pairs(rows));
  }

  function renderTagging() {
    const data = ctx.objects.tagging;
    const body = [];
    if (!data) body.push(el("p", { class: "empty", text: "not read yet (or the page has no DOM tagging)" }));
    else {
      const rows = [["page type", data.pageType || "none"]];
      const cart = data.cart;
      const lines = cart && cart.items.length;
      rows.push(["cart", cart ? lines + (lines === 1 ? " line" : " lines") + (cart.hcid ? " (signed: hcid)" : "") : "no nosto_cart"]);
      rows.push(["customer", data.customer ? data.customer.email || "(no email)" : "no nosto_customer"]);
      if (data.order) rows.push(["order", data.order.order_number || data.order.number || "(no number)"]);
      if (data.variation) rows.push(["variation", data.variation]);
      if (data.categories) rows.push(["categories", data.categories.join(", ")]);
      rows.push(["placements", (data.elements || []).join(", ") || "none"]);
      body.push(el("dl", {}, pairs(rows)));
      body.push(el("h3", { text: "products" }));
      body.push((data.products || []).length
        ? el("ul", {}, data.products.map((p) => el("li", { "data-product": p.product_id, text: p.product_id +
          (p.name ? " · " + p.name : "") + (p.price !== undefined && p.price !== null ? " · " + p.price + " " + (p.price_currency_code || "") : "") })))
        : el("p", { class: "empty", text: "none" }));
    }
    if (state.problems.length) {
      body.push(el("ul", { class: "problems" }, state.problems.map((problem) => el("li", {},
        problem.replace(/^page tagging: /, ""), / hcid /.test(problem) ? el("p", { class: "muted", text: HCID }) : null))));
    }
    part("tagging").replaceChildren(...body);
  }

  function renderSession() {
    const session = (ctx.mirror && ctx.mirror.session) || {};
    const cart = session.cart || [];
    const customer = session.customer;
    part("session").replaceChildren(el("dl", {}, pairs([
      ["cart", cart.length ? cart.map((item) => item.product_id + " x" + (item.quantity ?? 1) + " " +
        (item.unit_price ?? "") + " " + (item.price_currency_code || "")).join(", ") : "empty"],
      ["customer", customer && Object.keys(customer).length ? customer.email || text(customer) : "none"],
      ["variation", session.variation || "none"],
      ["updates", String(state.updates || 0)]
    ])));
  }

  function campaign(id) {
    const result = state.answers[id];
    if (result === undefined) return "no campaign answered";
    if (typeof result === "string") {
      const found = /data-result-id="([^"]*)"/.exec(result);
      return "HTML campaign" + (found ? " " + found[1] : "");
    }
    return "campaign " + (result && (result.result_id || result.title) || "(unnamed)");
  }

  function renderPlacements() {
    const ids = Array.prototype.map.call(doc.querySelectorAll(".nosto_element[id]"), (e) => e.id);
    part("placements").replaceChildren(...(ids.length ? ids.map((id) => el("li", { "data-placement": id },
      el("code", { text: id }), el("span", { class: "muted", text: " · " + campaign(id) })))
      : [el("li", { class: "empty", text: "no .nosto_element on this page" })]));
  }

  function section(sec) {
    const content = [el("h3", { text: sec.title })];
    if (sec.text) content.push(el("p", { class: "muted", text: sec.text }));
    if (sec.list) content.push(el("ul", {}, sec.list.map((line) => el("li", { text: line }))));
    if (sec.pairs) content.push(el("dl", {}, pairs(sec.pairs)));
    if (sec.rows) {
      content.push(el("table", {}, el("tr", {}, sec.head.map((h) => el("th", { text: h }))),
        sec.rows.map((row) => el("tr", {}, row.map((cell) => el("td", { text: cell })))),
        sec.foot ? el("tr", {}, sec.foot.map((cell) => el("td", { text: cell }))) : null));
    }
    if (sec.note) content.push(el("p", { class: "muted", text: sec.note }));
    return content;
  }

  function renderRequests() {
    const list = part("requests");
    const items = state.requests.map((r) => {
      const warnings = r.warnings || [];
      const status = r.dropped ? "dropped: " + r.dropped : r.response ? "answered" : "waiting";
      const head = (r.body.page_type || "no page type") + " · " + status +
        (r.warnings ? " · " + warnings.length + (warnings.length === 1 ? " warning" : " warnings") : " · checking…");
      const response = r.response;
      return el("li", { "data-eid": r.eid, "data-warnings": String(warnings.length) },
        el("details", state.open.has(r.eid) ? { open: "" } : {}, el("summary", { text: head }),
          warnings.length ? el("ul", { class: "warnings" }, warnings.map((w) =>
            el("li", { "data-code": w.code }, el("strong", { text: w.field }), " " + w.message))) : null,
          (r.sections || []).map(section),
          response ? [el("h3", { text: "answer" }), el("p", { class: "muted", text: "pv " + response.pv +
            " · cart " + response.cs + " items, " + response.ct + " · campaigns for " +
            Object.keys(response.recommendations || {}).join(", ") +
            (response.errors && response.errors.length ? " · errors: " + response.errors.join("; ") : "") })] : null));
    });
    const messages = state.messages.length
      ? [el("li", { class: "problems" }, el("ul", {}, state.messages.map((m) => el("li", { text: m }))))] : [];
    list.replaceChildren(...items, ...messages);
    if (!items.length && !messages.length) list.append(el("li", { class: "empty", text: "none sent yet" }));
  }

  function render() {
    $(".version").textContent = ctx.version;
    renderEngine(); renderTagging(); renderSession(); renderPlacements(); renderRequests();
  }
  let queued = false;
  const later = () => {
    if (queued) return;
    queued = true;
    Promise.resolve().then(() => { queued = false; if (ctx.panel === panel) render(); })
      .catch((error) => ctx.report("warn", "the debug panel could not show an update (" + error + ")"));
  };

  function track(eid, url, body) {
    let parsed;
    try { parsed = JSON.parse(body); } catch (e) { return; }
    state.requests = [{ eid, url, body: parsed }].concat(state.requests.filter((r) => r.eid !== eid)).slice(0, MAX_REQUESTS);
    state.open.forEach((shown) => { if (!request(shown)) state.open.delete(shown); });
    ctx.post({ kind: "inspect", eid, body });
  }
  const request = (eid) => state.requests.find((r) => r.eid === eid);

  // Every engine message, before the page handles it (dispatch.js); rendered after. Nothing
  // the panel does may stop the page handling it.
  ctx.tap = (m) => {
    try { see(m); } catch (error) { ctx.report("warn", "the debug panel failed on a message (" + error + ")"); }
  };
  function see(m) {
    switch (m && m.kind) {
      case "ready":
        state.ready = { at: win.performance.now(), engine: m.engine, start: m.start, outlives: m.outlives, joined: m.joined };
        break;
      case "built": track(m.eid, m.url, m.body); break;
      case "inspected": {
        const r = request(m.eid);
        if (r) { r.sections = m.sections; r.warnings = m.warnings; }
        break;
      }
      case "acked": {
        const r = request(m.eid);
        if (r) r.response = m.message || {};
        const found = m.message && m.message.recommendations;
        if (found && typeof found === "object") Object.assign(state.answers, found);
        break;
      }
      case "dropped": { const r = request(m.eid); if (r) r.dropped = m.reason; break; }
      case "state": state.updates = (state.updates || 0) + 1; break;
      case "log":
        if (/^page tagging: /.test(m.message)) state.problems = state.problems.concat(m.message).slice(-50);
        else state.messages = state.messages.concat((m.method ? m.method + ": " : "") + m.message).slice(-50);
        break;
      case "object": if (m.target === "tagging") state.problems = []; break; // a new read
      default: return;
    }
    later();
  }

  function show(event) {
    const item = event.target.closest && event.target.closest("[data-placement]");
    const element = item && doc.getElementById(item.getAttribute("data-placement"));
    if (!element) { outline.hidden = true; return; }
    const box = element.getBoundingClientRect();
    Object.assign(outline.style, { top: box.top + "px", left: box.left + "px", width: box.width + "px", height: box.height + "px" });
    outline.hidden = false;
  }
  root.addEventListener("click", (event) => {
    const summary = event.target.closest && event.target.closest("[data-eid] > details > summary");
    if (!summary) return;
    const eid = summary.parentNode.parentNode.getAttribute("data-eid");
    if (summary.parentNode.open) state.open.delete(eid); else state.open.add(eid); // before it toggles
  });
  root.addEventListener("mouseover", show);
  root.addEventListener("mouseleave", () => { outline.hidden = true; });
  $(".close").addEventListener("click", () => debug(ctx, false));

  const panel = ctx.panel = {
    host,
    close() {
      ctx.tap = null;
      ctx.panel = null;
      doc.removeEventListener("DOMContentLoaded", attach);
      host.remove();
    }
  };
  // Bodies built before the panel opened, still waiting for their answer.
  Object.keys(ctx.outbox.bodies).forEach((eid) => {
    const body = ctx.outbox.bodies[eid];
    if (ctx.ready) track(eid, body.url, body.body);
  });
  function attach() { if (ctx.panel === panel) (doc.body || doc.documentElement).append(host); }
  if (doc.readyState === "loading") doc.addEventListener("DOMContentLoaded", attach);
  else attach();
  render();
  return true;
}

// The styles, in the shadow root: a constructed sheet (no <style> for a CSP to refuse) where the
// browser has them.
function style(win, doc, root) {
  try {
    const sheet = new win.CSSStyleSheet();
    sheet.replaceSync(STYLE);
    root.adoptedStyleSheets = [sheet];
  } catch (e) {
    const element = doc.createElement("style");
    element.textContent = STYLE;
    root.append(element);
  }
}
