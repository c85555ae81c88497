// The nostojs facade: journals every api call, forwards it to the Python engine in a
// worker, and does what only the page can do (cookies, sending). No session logic here:
// the engine decides. Built into nosto.js after protocol.js (nosto_tagging.bundle).

var VERSION = "__NOSTO_TAGGING_VERSION__";
var DEFAULT_ENDPOINT = "https://connect.nosto.com/ev1";
var VISITOR_COOKIE = "2c.cId";
var VISITOR_MAX_AGE_S = 4 * 365 * 24 * 3600; // Nosto's cookies live four years
var RESPONSE_TIMEOUT_MS = 5000; // update()/load() resolve empty after this; delivery goes on
var START_TIMEOUT_MS = 30000;   // say once that the engine is not up (a wasm fetch can just hang)

// The api surface of nosto.d.ts the loader journals. Kinds: "self" returns the session,
// "action" returns a new Action; on an Action, "self" returns it and "perform" a Promise.
var SESSION_METHODS = {
  setCart: "self", setCustomer: "self",
  viewFrontPage: "action", viewCart: "action", viewProduct: "action", viewOther: "action"
};
var ACTION_METHODS = { update: "perform", load: "perform" };

function install(win, doc, script) {
  var existing = win.nostojs;
  if (existing && existing.nostoTagging) return; // a second inclusion is a no-op

  var account = script && script.getAttribute("data-account");
  var base = (script && script.src) || win.location.href;
  var endpoint = new URL(script && script.getAttribute("data-endpoint") || DEFAULT_ENDPOINT, win.location.href).href;
  var runtime = new URL(script && script.getAttribute("data-runtime") || "runtime/", base).href;

  var journal = [];   // every call, in call order (kept in memory; see docs/architecture.md)
  var unsent = [];    // calls not yet handed to the engine
  var outbox = {};    // eid -> {url, body} built by the engine, kept until acknowledged
  var waiting = {};   // eid -> resolve of an update()/load() promise
  var mirror = {};    // engine state for synchronous getters
  var worker = null, ready = false, flushQueued = false, markReady;
  var whenReady = new Promise(function (resolve) { markReady = resolve; });
  var visitor = visitorId();

  function report(level, message) {
    try { win.console[level]("nosto-tagging: " + message); } catch (e) { /* no console */ }
  }

  function randomHex(bytes) {
    var buf = new Uint8Array(bytes), out = "";
    win.crypto.getRandomValues(buf);
    for (var i = 0; i < buf.length; i++) out += (buf[i] < 16 ? "0" : "") + buf[i].toString(16);
    return out;
  }

  function visitorId() {
    var match = doc.cookie.match(/(?:^|;\s*)2c\.cId=([0-9a-f]{24})(?:;|$)/);
    if (match) return match[1];
    var id = randomHex(12);
    doc.cookie = VISITOR_COOKIE + "=" + id + "; path=/; max-age=" + VISITOR_MAX_AGE_S +
      "; SameSite=Lax" + (win.location.protocol === "https:" ? "; Secure" : "");
    return id;
  }

  function record(target, method, args) {
    var entry = {
      eid: randomHex(16), time: Date.now(), url: win.location.href, referrer: doc.referrer,
      target: target, method: method, args: encodeArgs(args)
    };
    journal.push(entry);
    unsent.push(entry);
    if (!flushQueued) { flushQueued = true; Promise.resolve().then(flush); }
    return entry.eid;
  }

  function flush() {
    flushQueued = false;
    if (!ready || !unsent.length) return;
    var calls = unsent; unsent = [];
    post({ kind: "calls", calls: calls });
  }

  function post(message) { worker.postMessage(JSON.stringify(message)); }

  function settle(eid, response) {
    var resolve = waiting[eid];
    if (resolve) { delete waiting[eid]; resolve(response); }
  }

  function emptyResponse() { return JSON.parse(JSON.stringify(PROTOCOL.emptyActionResponse)); }

  function perform(target, method, args) {
    var eid = record(target, method, args);
    return new Promise(function (resolve) {
      waiting[eid] = resolve;
      setTimeout(function () { settle(eid, emptyResponse()); }, RESPONSE_TIMEOUT_MS);
    });
  }

  function facade(target, methods, self, makeAction) {
    Object.keys(methods).forEach(function (method) {
      self[method] = function () {
        var kind = methods[method];
        if (kind === "perform") return perform(target, method, arguments);
        var eid = record(target, method, arguments);
        return kind === "action" ? makeAction(eid) : self;
      };
    });
    return self;
  }

  function makeAction(id) { return facade("action:" + id, ACTION_METHODS, {}, null); }

  var session = facade("session", SESSION_METHODS, {}, makeAction);
  var api = {
    defaultSession: function () { return session; },
    // Not in nosto.d.ts: for QA tools and tests. ready() resolves once the engine runs.
    internal: {
      ready: function () { return whenReady; },
      mirror: function () { return mirror; },
      journal: function () { return journal.slice(); },
      outbox: function () { return outbox; }
    }
  };

  function onMessage(event) {
    var message;
    try { message = JSON.parse(event.data); } catch (e) { return; } // not ours (PyScript's own)
    switch (message && message.kind) {
      case "ready": ready = true; flush(); markReady(true); break;
      case "built": outbox[message.eid] = { url: message.url, body: message.body }; break;
      case "acked": delete outbox[message.eid]; settle(message.eid, message.response); break;
      case "dropped":
        delete outbox[message.eid]; report("error", message.reason); settle(message.eid, emptyResponse());
        break;
      case "state": mirror = message.state; break;
      case "log": report(message.level === "warn" ? "warn" : "error", message.message); break;
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
    import(runtime + "pyscript/core.js").then(function (pyscript) {
      return pyscript.PyWorker(runtime + "engine.py", {
        version: runtime + "pyodide.mjs",
        config: { packages: ["nosto-tagging"], packages_cache: "passthrough", sync_main_only: true }
      });
    }).then(function (w) {
      worker = w;
      w.onmessage = onMessage; // polyscript forwards worker messages to onmessage only
      post({ kind: "config", account: account, endpoint: endpoint, visitor: visitor, version: VERSION });
    }).catch(function (error) { fail(error && error.message || error); });
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
