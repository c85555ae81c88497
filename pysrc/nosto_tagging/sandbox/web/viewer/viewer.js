// The sandbox's request viewer: the newest stored requests, then live ones from /api/stream
// (server-sent events), decoded for people. Payload text is only ever set as textContent.
(function () {
  "use strict";

  const { el } = window.sandboxDom; // /common/dom.js

  const BACKLOG = 100;      // requests shown on open
  const MAX_CARDS = 500;    // older cards are dropped from the page (not from the database)
  const $ = (id) => document.getElementById(id);

  const state = {
    paused: false,
    held: [],               // events received while paused
    lastId: 0,
    counts: { stored: 0, warnings: 0, rejected: 0, duplicates: 0 },
    selected: null,         // {account, visitor}
    states: new Map(),      // "account\0visitor" -> latest visitor_state
  };


  const short = (text, n) => (text && text.length > n ? text.slice(0, n) + "…" : text || "");
  const time = (iso) => (iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) +
    "." + String(new Date(iso).getMilliseconds()).padStart(3, "0") : "");
  const money = (amount, currency) => {
    if (typeof amount !== "number") return String(amount ?? "–");
    try { return new Intl.NumberFormat("en", { style: "currency", currency }).format(amount); }
    catch (e) { return amount.toFixed(2) + " " + (currency || ""); }
  };

  // ---------- counters and live status ----------

  function bump(name, by) {
    state.counts[name] += by === undefined ? 1 : by;
    $("count-" + name).textContent = String(state.counts[name]);
    $("count-" + name).parentElement.dataset.nonzero = state.counts[name] > 0 ? "yes" : "no";
  }

  function setLive(kind, text) {
    $("live").dataset.state = kind;
    $("live").textContent = text;
  }

  // ---------- filters ----------

  function matches(card) {
    const visitor = $("filter-visitor").value.trim();
    const pageType = $("filter-page-type").value;
    if (visitor && !(card.dataset.visitor || "").startsWith(visitor)) return false;
    if (pageType && card.dataset.pageType !== pageType) return false;
    if ($("filter-problems").checked && card.dataset.problem !== "yes") return false;
    return true;
  }

  function applyFilters() {
    for (const card of $("feed").children) card.hidden = !matches(card);
  }

  // ---------- decoding a request ----------

  function section(title, ...content) {
    return el("section", { class: "part" }, el("h3", { text: title }), ...content);
  }

  function table(headings, rows, foot) {
    return el("table", {},
      el("thead", {}, el("tr", {}, headings.map((h) => el("th", { text: h })))),
      el("tbody", {}, rows.map((row) => el("tr", {}, row.map((cell) => el("td", {}, cell))))),
      foot ? el("tfoot", {}, el("tr", {}, foot.map((cell) => el("td", {}, cell)))) : null);
  }

  // The visitor's state (the collector's view).
  function cartTable(items) {
    let total = 0, size = 0;
    const currencies = new Set();
    const rows = items.map((item) => {
      const line = (item.quantity ?? 1) * (item.unit_price ?? 0);
      total += line; size += item.quantity ?? 1;
      currencies.add(item.price_currency_code);
      return [item.name, el("code", { text: item.product_id }), el("code", { text: item.sku_id || "–" }),
        String(item.quantity ?? 1), money(item.unit_price, item.price_currency_code),
        money(line, item.price_currency_code)];
    });
    const currency = currencies.size === 1 ? [...currencies][0] : undefined;
    return table(["item", "product", "sku", "qty", "price", "line"], rows,
      ["", "", "", String(size), "total", currency ? money(total, currency) : total.toFixed(2)]);
  }

  function customerView(customer) {
    const rows = Object.entries(customer).map(([key, value]) => [key, JSON.stringify(value)]);
    return el("dl", { class: "pairs" }, rows.map(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
  }

  // One section of the decoder's output (core/decoder.py, the debug panel's too).
  function part(sec) {
    const content = [];
    if (sec.text) content.push(el("p", { class: sec.title === "answer" ? "answer muted" : "muted", text: sec.text }));
    if (sec.list) content.push(el("ul", { class: "plain" }, sec.list.map((t) => el("li", { text: t }))));
    if (sec.pairs) content.push(el("dl", { class: "pairs" }, sec.pairs.map(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })])));
    if (sec.rows) content.push(table(sec.head, sec.rows, sec.foot));
    if (sec.note) content.push(el("p", { class: "note", text: sec.note }));
    return sec.title === "url" || sec.title === "answer" ? content[0] : section(sec.title, ...content);
  }

  function decode(entry) {
    const parts = [];
    const decoded = entry.decoded || [];
    if (decoded[0] && decoded[0].title === "url") parts.push(el("p", { class: "url" }, el("span", { class: "muted", text: "url " }), decoded.shift().text));
    if (entry.warnings && entry.warnings.length) {
      parts.push(el("ul", { class: "warnings" }, entry.warnings.map((w) =>
        el("li", { "data-code": w.code }, el("strong", { text: w.field }), " ", w.message))));
    }
    parts.push(...decoded.map(part));
    parts.push(el("details", { class: "raw" }, el("summary", { text: "raw JSON" }),
      el("pre", { text: JSON.stringify({ query: entry.query, body: entry.body, response: entry.response }, null, 2) })));
    return parts;
  }

  // ---------- cards ----------

  function baseCard() {
    return $("request-card").content.firstElementChild.cloneNode(true);
  }

  function requestCard(entry) {
    const card = baseCard();
    const body = entry.body || {};
    const pageType = entry.page_type || body.page_type || "none";
    const update = entry.query && entry.query.skipPageViews === "true";
    card.dataset.id = entry.id;
    card.dataset.visitor = entry.visitor;
    card.dataset.account = entry.account;
    card.dataset.pageType = pageType;
    card.dataset.problem = entry.warnings && entry.warnings.length ? "yes" : "no";
    card.querySelector(".page-type").textContent = pageType;
    card.querySelector(".page-type").dataset.type = pageType;
    card.querySelector(".action").textContent = update ? "update()" : "load() · page view";
    card.querySelector(".who").append(
      el("span", { class: "muted", text: "visitor " }), el("code", { text: short(entry.visitor, 10) }),
      el("span", { class: "muted", text: " · " + entry.account + " · #" + entry.id }));
    const flags = Object.entries(entry.query || {}).map(([k, v]) => el("span", { class: "flag", text: k + "=" + v }));
    card.querySelector(".flags").append(...flags);
    if (entry.warnings && entry.warnings.length) {
      card.querySelector(".problems").append(el("span", { class: "badge warn",
        text: entry.warnings.length + (entry.warnings.length === 1 ? " warning" : " warnings") }));
    }
    card.querySelector(".when").textContent = time(entry.received_at);
    card.querySelector(".when").setAttribute("datetime", entry.received_at || "");
    card.querySelector(".card-body").append(...decode(entry));
    card.addEventListener("click", (event) => {
      if (event.target.closest("details, a, button")) return;
      select(entry.account, entry.visitor);
    });
    return card;
  }

  function noticeCard(kind, data, title, lines) {
    const card = baseCard();
    card.classList.add("notice", kind);
    card.dataset.visitor = data.visitor || "";
    card.dataset.pageType = "";
    card.dataset.problem = kind === "rejected" ? "yes" : "no";
    card.querySelector(".page-type").textContent = kind;
    card.querySelector(".page-type").dataset.type = kind;
    card.querySelector(".action").textContent = title;
    if (data.visitor) {
      card.querySelector(".who").append(el("span", { class: "muted", text: "visitor " }),
        el("code", { text: short(data.visitor, 10) }));
    }
    card.querySelector(".when").textContent = time(data.received_at);
    if (lines.length) card.querySelector(".card-body").append(el("ul", { class: "errors" }, lines.map((l) => el("li", { text: l }))));
    else card.querySelector(".card-body").remove();
    return card;
  }

  function show(card, { prepend = true } = {}) {
    const feed = $("feed");
    card.hidden = !matches(card);
    if (prepend) feed.prepend(card); else feed.append(card);
    while (feed.children.length > MAX_CARDS) feed.lastElementChild.remove();
    $("empty").hidden = feed.children.length > 0;
  }

  // ---------- the visitor panel ----------

  function key(account, visitor) { return account + "\0" + visitor; }

  function select(account, visitor) {
    state.selected = { account, visitor };
    for (const card of $("feed").children) {
      card.classList.toggle("selected", card.dataset.visitor === visitor && card.dataset.account === account);
    }
    const known = state.states.get(key(account, visitor));
    if (known) renderVisitor(known);
    fetch("/api/visitors/" + encodeURIComponent(visitor) + "?account=" + encodeURIComponent(account))
      .then((r) => (r.ok ? r.json() : null))
      .then((fresh) => { if (fresh) { state.states.set(key(account, visitor), fresh); renderVisitor(fresh); } })
      .catch(() => {});
  }

  function renderVisitor(v) {
    if (!state.selected || v.visitor !== state.selected.visitor || v.account !== state.selected.account) return;
    $("visitor-hint").hidden = true;
    const body = $("visitor-body");
    body.hidden = false;
    const customer = v.customer;
    body.replaceChildren(...[
      el("p", { class: "visitor-id" }, el("code", { text: v.visitor }), el("span", { class: "muted", text: " · account " + v.account })),
      el("dl", { class: "stats" },
        el("div", {}, el("dt", { text: "page views" }), el("dd", { text: v.page_views })),
        el("div", {}, el("dt", { text: "requests" }), el("dd", { text: v.requests })),
        el("div", {}, el("dt", { text: "orders" }), el("dd", { text: v.order_count ?? (v.orders || []).length })),
        el("div", {}, el("dt", { text: "variation" }), el("dd", { text: v.variation || "–" }))),
      section("cart · " + v.cart_size + " items",
        v.cart && v.cart.length ? cartTable(v.cart) : el("p", { class: "note", text: "empty" })),
      section("customer", customer ? customerView(customer) : el("p", { class: "note", text: "not logged in" })),
      (v.orders || []).length ? section("orders", table(["order", "items", "total", "request"],
        v.orders.map((o) => [o.order_number || "–", String(o.items), money(o.total, o.currency || "EUR"), "#" + o.request_id]))) : null,
      el("p", { class: "muted small", text: "first seen " + time(v.first_seen) + " · last seen " + time(v.last_seen) }),
    ].filter(Boolean));
  }

  // ---------- receiving ----------

  function receive(kind, data) {
    if (state.paused) { state.held.push([kind, data]); return; }
    if (kind === "request") {
      if (data.id <= state.lastId) return;
      state.lastId = data.id;
      bump("stored");
      if (data.warnings && data.warnings.length) bump("warnings");
      if (data.visitor_state) {
        state.states.set(key(data.account, data.visitor), data.visitor_state);
        renderVisitor(data.visitor_state);
      }
      show(requestCard(data));
      if (!state.selected) select(data.account, data.visitor);
    } else if (kind === "rejected") {
      bump("rejected");
      show(noticeCard("rejected", data, "HTTP " + data.status + " · " + data.reason.replace(/_/g, " "), data.errors || []));
    } else if (kind === "duplicate") {
      bump("duplicates");
      show(noticeCard("duplicate", data, "event id " + short(data.event_id, 12) + " repeated: acknowledged, not stored", []));
    } else if (kind === "fault") {
      const f = data.fault || {};
      const what = f.kind === "status" ? "answered " + f.status : f.kind === "hang" ? "hung" : "sent " + f.garbage;
      show(noticeCard("fault", data, "fault " + f.id + ": " + what + " (not stored)", []));
    }
  }

  function connect() {
    const source = new EventSource("/api/stream?since=" + state.lastId);
    source.addEventListener("open", () => setLive("live", "live"));
    source.addEventListener("error", () => setLive("down", "reconnecting…"));
    for (const kind of ["request", "rejected", "duplicate", "fault"]) {
      source.addEventListener(kind, (event) => {
        try { receive(kind, JSON.parse(event.data)); } catch (e) { console.error("viewer:", e); }
      });
    }
  }

  function start() {
    $("endpoint").textContent = location.origin + "/ev1";
    // Totals first, then the newest requests, then live events after the newest one.
    fetch("/api/stats").then((r) => r.json()).then((stats) => {
      bump("stored", stats.accepted);
      bump("rejected", stats.rejected);
      bump("duplicates", stats.duplicates);
      return fetch("/api/requests?tail=" + BACKLOG);
    }).then((r) => r.json()).then((entries) => {
      for (const entry of entries) {
        state.lastId = Math.max(state.lastId, entry.id);
        if (entry.warnings.length) bump("warnings");
        show(requestCard(entry));
      }
      if (entries.length) {
        const last = entries[entries.length - 1];
        select(last.account, last.visitor);
      }
    }).catch((error) => console.error("viewer: could not read /api:", error)).finally(connect);
  }

  $("filter-visitor").addEventListener("input", applyFilters);
  $("filter-page-type").addEventListener("change", applyFilters);
  $("filter-problems").addEventListener("change", applyFilters);
  $("pause").addEventListener("click", () => {
    state.paused = !state.paused;
    $("pause").setAttribute("aria-pressed", String(state.paused));
    $("pause").textContent = state.paused ? "Resume (" + state.held.length + ")" : "Pause";
    if (!state.paused) { const held = state.held; state.held = []; held.forEach(([k, d]) => receive(k, d)); }
  });
  $("clear").addEventListener("click", () => {
    $("feed").replaceChildren();
    $("empty").hidden = false;
  });

  start();
})();
