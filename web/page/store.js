// Write-ahead storage: every call and built body is stored before the call returns or the
// body is sent; private ones go to sessionStorage (this tab only), others to localStorage;
// memory if neither works (said once), or when the page has no account (nothing is stored).
// Each account has its own keys (`space`): two accounts on one origin never see each other's
// entries. What waits is bounded (purge.js): see docs/delivery.md.

export const KEY = "nosto-tagging:"; // Web Storage key prefix

// A URL without its query and fragment (reset tokens, ?email=, order keys are personal data).
export const bare = (url) => url && String(url).split(/[?#]/)[0];

export function makeStore(win, report, enabled = true, space = "") {
  const ours = KEY + space;
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
          if (key && key.indexOf(ours) === 0) callback(key.slice(ours.length), storage.getItem(key), isPrivate);
        }
      } catch (e) { /* unreadable storage holds nothing for us */ }
    });
    Object.keys(memory).forEach((key) => callback(key, memory[key]));
  }
  function write(key, text, isPrivate) {
    try {
      const storage = area(isPrivate);
      if (!storage) throw new Error("Web Storage is unavailable");
      storage.setItem(ours + key, text);
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
    // A private entry is never shared: nothing of it reaches localStorage, whatever the caller.
    put(key, value, isPrivate, shared) {
      if (shared && !isPrivate) write(key, JSON.stringify(shared), false);
      write(key, JSON.stringify(value), isPrivate || !!shared);
    },
    remove(key) {
      delete memory[key];
      [false, true].forEach((isPrivate) => {
        try { area(isPrivate).removeItem(ours + key); } catch (e) { /* gone already */ }
      });
    },
    // [[key, value], ...] of keys starting with `prefix`, in key order
    list(prefix) {
      const found = {};
      each((key, text) => {
        if (key.indexOf(prefix) === 0) { try { found[key] = JSON.parse(text); } catch (e) { /* skip */ } }
      });
      return Object.keys(found).sort().map((key) => [key, found[key]]);
    }
  };
  return self;
}
