// Write-ahead storage: every call and built body is stored before the call returns or the
// body is sent; private ones go to sessionStorage (this tab only), others to localStorage;
// memory if neither works (said once), or when the page has no account (nothing is stored).
// What waits is bounded (purge): see the README's "Nothing accepted is lost".

export const KEY = "nosto-tagging:"; // Web Storage key prefix
export const PAGE_GONE_MS = 3600000; // heartbeats of pages silent for an hour
export const KEEP_MS = 7 * 86400000; // calls and bodies older than 7 days
export const MAX_BYTES = 1000000; // what all pages of the origin keep, at most

// A URL without its query and fragment (reset tokens, ?email=, order keys are personal data).
export const bare = (url) => url && String(url).split(/[?#]/)[0];

export function makeStore(win, report, enabled = true) {
  const memory = {};
  let warned = !enabled;
  function area(isPrivate) {
    try { return enabled ? (isPrivate ? win.sessionStorage : win.localStorage) : null; } catch (e) { return null; }
  }
  function each(callback) {
    [false, true].forEach((isPrivate) => {
      const storage = area(isPrivate);
      try {
        for (let i = 0; storage && i < storage.length; i++) {
          const key = storage.key(i);
          if (key && key.indexOf(KEY) === 0) callback(key.slice(KEY.length), storage.getItem(key), isPrivate);
        }
      } catch (e) { /* unreadable storage holds nothing for us */ }
    });
    Object.keys(memory).forEach((key) => callback(key, memory[key]));
  }
  function write(key, text, isPrivate) {
    try {
      const storage = area(isPrivate);
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
  }
  const self = {
    // `shared`: a copy for localStorage without what only this tab may keep (a page URL's
    // query); the whole `value` then goes to sessionStorage, and this tab reads it first.
    put(key, value, isPrivate, shared) {
      if (shared) write(key, JSON.stringify(shared), false);
      write(key, JSON.stringify(value), isPrivate || !!shared);
    },
    remove(key) {
      delete memory[key];
      [false, true].forEach((isPrivate) => {
        try { area(isPrivate).removeItem(KEY + key); } catch (e) { /* gone already */ }
      });
    },
    // [[key, value], ...] of keys starting with `prefix`, in key order
    list(prefix) {
      const found = {};
      each((key, text) => {
        if (key.indexOf(prefix) === 0) { try { found[key] = JSON.parse(text); } catch (e) { /* skip */ } }
      });
      return Object.keys(found).sort().map((key) => [key, found[key]]);
    },
    // At start: heartbeats of pages gone for an hour go; calls and bodies older than KEEP_MS,
    // then the oldest beyond MAX_BYTES (orders last), are dropped and counted.
    purge(now) {
      const kept = [];
      let bytes = 0, dropped = 0;
      each((key, text) => {
        let value;
        try { value = JSON.parse(text); } catch (e) { value = {}; }
        const time = value.t || value.time || 0;
        if (key[0] === "p") { if (now - time > PAGE_GONE_MS) self.remove(key); return; }
        if (now - time > KEEP_MS) { self.remove(key); dropped++; return; }
        bytes += text.length;
        kept.push([!!value.order, time, key, text.length]);
      });
      kept.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      for (let i = 0; bytes > MAX_BYTES && i < kept.length; i++) {
        self.remove(kept[i][2]); bytes -= kept[i][3]; dropped++;
      }
      if (dropped) report("warn", dropped + " stored events were dropped: older than 7 days or beyond 1 MB (Nosto unreachable?)");
      return dropped;
    }
  };
  return self;
}
