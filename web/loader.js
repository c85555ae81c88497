// The nostojs facade: journals every api call, forwards it to the Python engine in a
// worker, and does what only the page can do (cookies, DOM, sending). No session logic
// here: the engine decides. Built into nosto.js after protocol.js (nosto_tagging.bundle).

var VERSION = "__NOSTO_TAGGING_VERSION__";
var DEFAULT_ENDPOINT = "https://connect.nosto.com/ev1";
var RUNTIME_DIR = "__NOSTO_RUNTIME_DIR__"; // the build writes the runtime's folder name here
var VISITOR_COOKIE = "2c.cId";
var VISITOR_MAX_AGE_S = 4 * 365 * 24 * 3600; // Nosto's cookies live four years
var RESPONSE_TIMEOUT_MS = 5000; // update()/load() resolve empty after this; delivery goes on
var START_TIMEOUT_MS = 30000;
var PYSCRIPT_PAGE_CONFIG = JSON.stringify({ plugins: ["!codemirror", "!deprecations-manager",
  "!donkey", "!error", "!py-editor", "!py-game", "!py-terminal"] });   // say once that the engine is not up (a wasm fetch can just hang)

// What each journaled method returns to the page: S the object itself, A a new Action,
// T a new Attribution, R a Promise of an ActionResponse, M a Promise of the raw
// EventResponseMessage, N a Promise of undefined, D its dumpData() from the mirror.
var S = "S", A = "A", T = "T", R = "R", M = "M", N = "N", D = "D";
function table(kinds) {
  var out = {};
  Object.keys(kinds).forEach(function (kind) {
    kinds[kind].split(" ").forEach(function (name) { out[name] = kind; });
  });
  return out;
}
var SESSION_METHODS = table({
  S: "setCart setCustomer setVariation setRestoreLink setResponseMode enableCampaignInjection " +
     "disableCampaignInjection",
  A: "viewFrontPage viewCart viewNotFound viewProduct viewProductSku viewCategory viewTag " +
     "viewCustomField viewSearch viewOther addOrder reportAddToCart",
  T: "recordAttribution"
});
var ACTION_METHODS = table({
  S: "setRef setProduct setProducts setCart setCustomer setOrder setSearchTerms setBrands " +
     "setCategories setCategoryIds setParentCategoryIds setTags setCustomFields setVariation " +
     "setPlacements setRestoreLink setPageType addAffinity",
  D: "dumpData", R: "update load"
});
var ATTRIBUTION_METHODS = table({ S: "recordAttribution", D: "dumpData", N: "done" });
var BUILDER_METHODS = table({
  S: "setPageType setElements addElements setProducts setResponseMode setCurrentVariation " +
     "addCurrentVariation setCurrentCategories addCurrentCategories setCurrentBrands " +
     "addCurrentBrands setCurrentTags addCurrentTags setCartContent setCustomer addCustomer " +
     "setRestoreLink setSortOrder setAffinitySignals addEvent disableCampaignInjection",
  D: "getData", M: "load loadRecommendations send"
});
// Members of nosto.d.ts this bundle does not implement: they exist and warn once.
var UNSUPPORTED = ("load loadRecommendations pageTaggingAsync setTaggingProvider " +
  "setRecommendationsEnabled loadCartPopupRecommendations captureError experiments " +
  "popupCampaigns reloadOverlay openPopup enablePopup disablePopup resendCartTagging " +
  "resendCustomerTagging sendTagging addSegmentCodeToVisit addAffinitySignals removeCampaigns " +
  "showPlacementPreviews install getSearchSessionParams search recordSearch recordSearchClick " +
  "recordSearchAddToCart recordSearchSubmit attributeProductClicksInCampaign").split(" ");
var PROMISING = ("load loadRecommendations pageTaggingAsync loadCartPopupRecommendations " +
  "getSearchSessionParams search recordSearch recordSearchClick recordSearchAddToCart " +
  "recordSearchSubmit").split(" ");

var KEY = "nosto-tagging:";      // Web Storage key prefix
var ORPHAN_AFTER_MS = 15000;      // a page silent this long is gone: its leftovers are adopted
var HEARTBEAT_MS = 5000;
var OUTBOX_MAX_COUNT = 500, OUTBOX_MAX_BYTES = 2000000, BEACON_BUDGET = 60000;
// A call whose arguments name a person is private: sessionStorage only (this tab), never
// localStorage or cookies. Built bodies come with the engine's own private/order flags.
var PRIVATE = /"(email|first_name|last_name|customer_reference|phone|post_code|hcid)"\s*:/;

// Write-ahead storage: every call and built body is stored before the call returns or the
// body is sent; private ones go to sessionStorage, others to localStorage; memory if neither
// works (said once).
function makeStore(win, report) {
  var memory = {}, warned = false;
  function area(isPrivate) {
    try { return isPrivate ? win.sessionStorage : win.localStorage; } catch (e) { return null; }
  }
  function each(callback) {
    [false, true].forEach(function (isPrivate) {
      var storage = area(isPrivate);
      try {
        for (var i = 0; storage && i < storage.length; i++) {
          var key = storage.key(i);
          if (key && key.indexOf(KEY) === 0) callback(key.slice(KEY.length), storage.getItem(key));
        }
      } catch (e) { /* unreadable storage holds nothing for us */ }
    });
    Object.keys(memory).forEach(function (key) { callback(key, memory[key]); });
  }
  return {
    put: function (key, value, isPrivate) {
      var text = JSON.stringify(value), storage = area(isPrivate);
      try {
        if (!storage) throw new Error("Web Storage is unavailable");
        storage.setItem(KEY + key, text);
      } catch (error) {
        memory[key] = text;
        if (!warned) {
          warned = true;
          report("warn", "cannot store pending events (" + (error && error.message || error) +
            "); they are kept in memory and lost if this page closes before they are sent");
        }
      }
    },
    remove: function (key) {
      delete memory[key];
      [false, true].forEach(function (isPrivate) {
        try { area(isPrivate).removeItem(KEY + key); } catch (e) { /* gone already */ }
      });
    },
    // [[key, value], ...] of keys starting with `prefix`, in key order
    list: function (prefix) {
      var found = {};
      each(function (key, text) {
        if (key.indexOf(prefix) === 0) { try { found[key] = JSON.parse(text); } catch (e) { /* skip */ } }
      });
      return Object.keys(found).sort().map(function (key) { return [key, found[key]]; });
    }
  };
}

function install(win, doc, script) {
  var existing = win.nostojs;
  if (existing && existing.nostoTagging) return; // a second inclusion is a no-op

  var account = script && script.getAttribute("data-account");
  var base = (script && script.src) || win.location.href;
  var endpoint = new URL(script && script.getAttribute("data-endpoint") || DEFAULT_ENDPOINT, win.location.href).href;
  var runtime = new URL(script && script.getAttribute("data-runtime") || RUNTIME_DIR, base).href;

  var journal = [];   // every call, in call order
  var unsent = [];    // calls not yet handed to the engine
  var outbox = {};    // eid -> {url, body} built by the engine, kept until acknowledged
  var page = Date.now().toString(36) + Math.random().toString(36).slice(2, 8); // this page's id
  var seq = 0, applied = 0; // calls journaled / applied by the engine on this page
  var journalKeys = [];     // stored journal entries of this page
  var store = makeStore(win, report);
  var waiting = {};   // eid -> {kind, resolve} of a pending Promise
  var objects = {};   // target -> dumpData() of actions and attributions, from the engine
  var listeners = {}; // bus event -> callbacks (api.listen)
  var warned = {};
  var worker = null, ready = false, flushQueued = false, markReady;
  var whenReady = new Promise(function (resolve) { markReady = resolve; });
  function readCookie() {
    var match = doc.cookie.match(/(?:^|;\s*)2c\.cId=([0-9a-f]{24})(?:;|$)/);
    return match ? match[1] : "";
  }
  var cookie = readCookie();
  var mirror = { session: {}, visit: { customerId: cookie || null, doNotTrack: false, autoLoad: true } };

  function report(level, message) {
    try { win.console[level]("nosto-tagging: " + message); } catch (e) { /* no console */ }
  }

  function emit(event, payload) {
    (listeners[event] || []).slice().forEach(function (callback) {
      try { callback(payload); } catch (error) { report("error", event + " listener threw: " + error); }
    });
  }

  function randomHex(bytes) {
    var buf = new Uint8Array(bytes), out = "";
    win.crypto.getRandomValues(buf);
    for (var i = 0; i < buf.length; i++) out += (buf[i] < 16 ? "0" : "") + buf[i].toString(16);
    return out;
  }

  function record(target, method, args) {
    var entry = {
      eid: randomHex(16), time: Date.now(), url: win.location.href, referrer: doc.referrer,
      target: target, method: method, args: encodeArgs(args)
    };
    entry.seq = ++seq;
    entry.page = page;
    entry.private = PRIVATE.test(JSON.stringify(entry.args));
    journalKeys.push("j:" + page + ":" + pad(entry.seq));
    store.put(journalKeys[journalKeys.length - 1], entry, entry.private);
    journal.push(entry);
    if (journal.length > 1000) journal.shift(); // internal.journal() shows the recent calls
    unsent.push(entry);
    if (!flushQueued) { flushQueued = true; Promise.resolve().then(flush); }
    return entry.eid;
  }

  function pad(n) { return ("0000000000" + n).slice(-10); }

  function flush() {
    flushQueued = false;
    if (!ready || !unsent.length) return;
    var calls = unsent; unsent = [];
    post({ kind: "calls", calls: calls, visitor: readCookie() });
  }

  function post(message) { worker.postMessage(JSON.stringify(message)); }

  function copy(value) { return value === undefined ? value : JSON.parse(JSON.stringify(value)); }

  function settle(eid, response, message) {
    var pending = waiting[eid];
    if (!pending) return;
    delete waiting[eid];
    if (pending.inject && response) api.placements.injectCampaigns(response.recommendations);
    pending.resolve(pending.kind === R ? response || copy(PROTOCOL.emptyActionResponse)
      : pending.kind === M ? message || {} : undefined);
  }

  function writeCookie(visitor) {
    doc.cookie = VISITOR_COOKIE + "=" + visitor + "; path=/; max-age=" + VISITOR_MAX_AGE_S +
      "; SameSite=Lax" + (win.location.protocol === "https:" ? "; Secure" : "");
  }

  function perform(kind, target, method, args) {
    // The first request of a first visit names the visitor now, in the page, so that tabs
    // opened together share one id; never under Do-Not-Track (the engine makes one if
    // cookies are refused).
    if (!readCookie() && !mirror.visit.doNotTrack) writeCookie(randomHex(12));
    var eid = record(target, method, args);
    return new Promise(function (resolve) {
      waiting[eid] = { kind: kind, resolve: resolve };
      setTimeout(function () { settle(eid); }, RESPONSE_TIMEOUT_MS);
    });
  }

  // An object whose methods journal calls on `target` and return per the kinds table.
  function facade(target, methods) {
    var self = {};
    Object.keys(methods).forEach(function (method) {
      self[method] = function () {
        var kind = methods[method];
        try {
          if (kind === D) return copy(objects[target]);
          if (kind === R || kind === M || kind === N) return perform(kind, target, method, arguments);
          var eid = record(target, method, arguments);
          if (kind === A) return facade("action:" + eid, ACTION_METHODS);
          if (kind === T) return facade("attribution:" + eid, ATTRIBUTION_METHODS);
        } catch (error) { // never into the page: the chain goes on
          report("error", method + ": " + error);
          if (kind === R || kind === M || kind === N) return Promise.resolve();
        }
        return self;
      };
    });
    return self;
  }

  function apiCall(method, kind) {
    return function () {
      if (kind) return perform(kind, "api", method, arguments);
      record("api", method, arguments);
    };
  }

  function unsupported(name) {
    return function () {
      if (!warned[name]) { warned[name] = true; report("warn", name + "() is not supported by this bundle; ignored"); }
      if (PROMISING.indexOf(name) >= 0) return Promise.resolve(undefined);
    };
  }

  var session = facade("session", SESSION_METHODS);
  var api = {
    defaultSession: function () { return session; },
    createSession: function () { return session; },
    createRecommendationRequest: function () {
      return facade("builder:" + record("api", "createRecommendationRequest", arguments), BUILDER_METHODS);
    },
    recordAttribution: function () {
      return facade("attribution:" + record("api", "recordAttribution", arguments), ATTRIBUTION_METHODS);
    },
    setAutoLoad: function (flag) {
      if (typeof flag === "boolean") mirror.visit.autoLoad = flag; // echo; the engine confirms
      record("api", "setAutoLoad", arguments);
    },
    isAutoLoad: function () { return mirror.visit.autoLoad; },
    listen: function (event, callback) {
      if (typeof callback === "function") (listeners[event] = listeners[event] || []).push(callback);
    },
    unlisten: function (event, callback) {
      listeners[event] = (listeners[event] || []).filter(function (c) { return c !== callback; });
    },
    customer: apiCall("customer", N),
    resendCartContent: apiCall("resendCartContent", N),
    reportAddToCart: apiCall("reportAddToCart", N),
    recommendedProductAddedToCart: apiCall("recommendedProductAddedToCart", N),
    setResponseMode: function () { /* deprecated no-op in Nosto's client too */ },
    visit: {
      getCustomerId: function () { return mirror.visit.customerId || undefined; },
      setCustomerId: apiCall("visit.setCustomerId"),
      isDoNotTrack: function () { return mirror.visit.doNotTrack; },
      setDoNotTrack: function (flag) {
        if (typeof flag === "boolean") mirror.visit.doNotTrack = flag; // echo; the engine confirms
        record("api", "visit.setDoNotTrack", arguments);
        return mirror.visit.doNotTrack;
      },
      setStore: unsupported("visit.setStore"),
      setCustomerIdentifierService: unsupported("visit.setCustomerIdentifierService")
    },
    placements: {
      getPlacements: function () {
        return Array.prototype.map.call(doc.querySelectorAll(".nosto_element[id]"), function (e) { return e.id; });
      },
      injectCampaigns: function (campaigns, targets) {
        var filled = [], unfilled = [];
        Object.keys(campaigns || {}).forEach(function (id) {
          var content = campaigns[id], html = typeof content === "string" ? content : content && content.html;
          var element = (targets && targets[id]) || doc.getElementById(id);
          if (element && typeof html === "string") { element.innerHTML = html; filled.push(id); } else unfilled.push(id);
        });
        return Promise.resolve({ filledElements: filled, unFilledElements: unfilled });
      },
      removeContent: function (id) { var e = doc.getElementById(id); if (e) e.innerHTML = ""; },
      reset: function () { /* nothing cached page-side */ }
    },
    // Not in nosto.d.ts: for QA tools and tests. ready() resolves once the engine runs.
    internal: {
      ready: function () { return whenReady; },
      mirror: function () { return copy(mirror); },
      journal: function () { return journal.slice(); },
      outbox: function () { return copy(outbox); },
      getSettings: function () { return { account: account, endpoint: endpoint, version: VERSION }; },
      // With data-test-clock the engine's retry timers wait for these ticks, not real time.
      tick: function (ms) { if (ready) post({ kind: "tick", ms: ms }); }
    }
  };
  UNSUPPORTED.forEach(function (name) { api[name] = unsupported(name); });
  api.pageTagging = function () { return {}; }; // nosto.d.ts: empty with the Session API

  // ----- the outbox: built bodies, stored until the collector acknowledges them -----

  function keep(eid, entry) {
    entry.page = page;
    outbox[eid] = entry;
    store.put("o:" + eid, entry, entry.private);
    bound();
  }

  function release(eid) {
    delete outbox[eid];
    store.remove("o:" + eid);
    compact();
  }

  // Bounded in count and bytes: the oldest non-order bodies go first, loudly; orders never.
  function bound() {
    var eids = Object.keys(outbox), bytes = 0, dropped = 0;
    eids.forEach(function (eid) { bytes += outbox[eid].body.length; });
    for (var i = 0; i < eids.length && (eids.length - dropped > OUTBOX_MAX_COUNT || bytes > OUTBOX_MAX_BYTES); i++) {
      var entry = outbox[eids[i]];
      if (entry.order) continue;
      bytes -= entry.body.length; dropped++;
      delete outbox[eids[i]]; store.remove("o:" + eids[i]);
    }
    if (dropped) report("error", dropped + " unsent events were dropped: the outbox is full (Nosto unreachable?)");
  }

  // With nothing in flight and every call applied, the journal of this page is not needed.
  function compact() {
    if (applied < seq || Object.keys(outbox).length) return;
    journalKeys.forEach(store.remove);
    journalKeys = [];
  }

  // Leftovers of pages that are gone: bodies are sent again (the collector keeps each event id
  // once), calls the engine never saw are replayed in an engine of their own.
  function adopt() {
    var now = Date.now(), alive = {}, journals = {}, held = 0;
    store.list("p:").forEach(function (kv) {
      var other = kv[0].slice(2);
      if (other === page) return;
      if (!kv[1].gone && now - kv[1].t < ORPHAN_AFTER_MS) { alive[other] = true; return; }
      held += kv[1].held || 0;
      store.remove(kv[0]);
    });
    store.list("o:").forEach(function (kv) {
      var entry = kv[1], eid = kv[0].slice(2);
      if (entry.page === page || alive[entry.page] || outbox[eid]) return;
      if (entry.private) held--;
      keep(eid, entry);
      post({ kind: "resend", eid: eid, url: entry.url, body: entry.body });
    });
    store.list("j:").forEach(function (kv) {
      var entry = kv[1];
      if (entry.page === page || alive[entry.page]) return;
      if (entry.private) held--;
      (journals[entry.page] = journals[entry.page] || []).push(entry);
    });
    // What a closed tab held with customer data lived in its sessionStorage and is gone.
    if (held > 0) {
      report("warn", held + " events with customer data were lost with a closed tab (customer data " +
        "is kept in sessionStorage only); the next request reports the count");
      post({ kind: "lost", count: held });
    }
    Object.keys(journals).forEach(function (other) {
      post({ kind: "replay", page: other, calls: journals[other] });
    });
  }

  // Pages announce they are alive; a page going away says how many events with customer data
  // it still holds (only in this tab's sessionStorage): a count, never the data.
  function heartbeat(gone) {
    var held = 0;
    if (gone) {
      journal.forEach(function (entry) { if (entry.private && entry.seq > applied) held++; });
      Object.keys(outbox).forEach(function (eid) { if (outbox[eid].private) held++; });
    }
    store.put("p:" + page, { t: Date.now(), gone: !!gone, held: held }, false);
  }

  // When the page is hidden, whatever is unacknowledged goes out once as a beacon
  // (CORS-simple text/plain), or with fetch keepalive within its budget. It also stays stored:
  // a beacon can be lost (a server down at that moment), and the next page sends it again;
  // the collector keeps each event id once.
  function beaconAll() {
    var budget = BEACON_BUDGET;
    Object.keys(outbox).forEach(function (eid) {
      var entry = outbox[eid];
      if (!entry.beaconed) {
        try { entry.beaconed = win.navigator.sendBeacon(entry.url, new Blob([entry.body], { type: "text/plain;charset=UTF-8" })); } catch (e) { /* fall back */ }
      }
      if (!entry.beaconed && entry.body.length < budget) {
        budget -= entry.body.length;
        try {
          win.fetch(entry.url, { method: "POST", body: entry.body, keepalive: true,
            headers: { "Content-Type": "text/plain;charset=UTF-8" } }).catch(function () {});
        } catch (e) { /* the next page sends it */ }
      }
    });
  }

  win.addEventListener("pagehide", function () { beaconAll(); heartbeat(true); });
  win.addEventListener("pageshow", function (event) { if (event.persisted) heartbeat(false); });
  doc.addEventListener("visibilitychange", function () {
    if (doc.visibilityState === "hidden") beaconAll();
    else Object.keys(outbox).forEach(function (eid) { outbox[eid].beaconed = false; });
  });
  win.addEventListener("online", function () { if (ready) post({ kind: "online" }); });
  heartbeat(false);
  setInterval(heartbeat, HEARTBEAT_MS);

  function onMessage(event) {
    var m;
    try { m = JSON.parse(event.data); } catch (e) { return; } // not ours (PyScript's own)
    switch (m && m.kind) {
      case "ready":
        ready = true;
        if (script && script.hasAttribute("data-test-clock")) post({ kind: "clock", manual: true });
        adopt(); flush(); markReady(true);
        break;
      case "built":
        if (m.inject && waiting[m.eid]) waiting[m.eid].inject = true;
        keep(m.eid, { url: m.url, body: m.body, private: m.private, order: m.order });
        emit("prerequest", JSON.parse(m.body));
        post({ kind: "stored", eid: m.eid });
        break;
      case "applied":
        if (m.page === page) { applied = Math.max(applied, m.seq); compact(); }
        else store.list("j:" + m.page + ":").forEach(function (kv) { store.remove(kv[0]); });
        break;
      case "acked":
        release(m.eid);
        emit("taggingsent", m.message);
        if (m.message && m.message.errors && m.message.errors.length) emit("servererror", m.message.errors);
        settle(m.eid, m.response, m.message);
        break;
      case "dropped":
        release(m.eid); report("error", m.reason); emit("servererror", [m.reason]); settle(m.eid);
        break;
      case "settled": settle(m.eid); break;
      case "state": mirror = m.state; break;
      case "object": objects[m.target] = m.data; break;
      case "visitor": if (m.visitor) writeCookie(m.visitor); break;
      case "log":
        report(m.level === "warn" ? "warn" : "error", m.message);
        if (m.level !== "warn") emit("scripterror", { msg: m.message, level: m.level });
        break;
    }
  }

  function startEngine() {
    if (!account) {
      report("error", "the script tag needs data-account=\"<your Nosto account id>\"; calls are kept but nothing is sent");
      return;
    }
    var failed = false;
    function fail(why) {
      if (failed) return;
      failed = true;
      report("error", "the engine could not start from " + runtime + " (" + why + "); calls are " +
        "kept in the journal. Check that the bundle's runtime/ files are served there and that " +
        "WebAssembly is allowed (CSP 'wasm-unsafe-eval').");
    }
    var timeout = Number(script && script.getAttribute("data-start-timeout-ms")) || START_TIMEOUT_MS;
    setTimeout(function () { if (!ready) fail("not ready after " + timeout / 1000 + " s"); }, timeout);
    // PyScript reads its page config when its module loads: unless the page has PyScript
    // config of its own, switch off its page plugins (editor, terminal, game, error banner):
    // they cost main-thread time and must never draw on a storefront.
    var configs = [];
    if (!doc.querySelector("py-config,mpy-config,script[type=py][config],script[type=mpy][config]")) {
      configs = ["py-config", "mpy-config"].map(function (name) {
        var element = doc.createElement(name);
        element.hidden = true;
        element.textContent = PYSCRIPT_PAGE_CONFIG;
        return doc.documentElement.appendChild(element);
      });
    }
    function dropConfigs() { configs.forEach(function (e) { e.remove(); }); configs = []; }
    import(runtime + "pyscript/core.js").then(function (pyscript) {
      dropConfigs();
      // Start the worker in a task of its own: after PyScript's module evaluation, in the
      // same task, it is a long task (over 50 ms) on a busy CPU.
      return new Promise(function (resolve) { setTimeout(resolve, 0, pyscript); });
    }).then(function (pyscript) {
      return pyscript.PyWorker(runtime + "engine.py", {
        version: runtime + "snapshot.mjs",
        config: { packages: ["nosto-tagging"], packages_cache: "passthrough", sync_main_only: true }
      });
    }).then(function (w) {
      worker = w;
      w.onmessage = onMessage; // polyscript forwards worker messages to onmessage only
      post({ kind: "config", account: account, endpoint: endpoint, visitor: cookie, version: VERSION });
    }).catch(function (error) { dropConfigs(); fail(error && error.message || error); });
  }

  function nostojs(callback) {
    try {
      return Promise.resolve(callback(api));
    } catch (error) {
      report("error", "a nostojs callback threw: " + (error && error.stack || error));
      return Promise.resolve(undefined);
    }
  }
  nostojs.nostoTagging = VERSION;

  var queued = (existing && existing.q) || [];
  win.nostojs = nostojs;
  for (var i = 0; i < queued.length; i++) nostojs(queued[i]);
  startEngine();
}

install(window, document, document.currentScript);
