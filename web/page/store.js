// Write-ahead storage: every call and built body is stored before the call returns or the
// body is sent; private ones go to sessionStorage (this tab only), others to localStorage;
// memory if neither works (said once).

export const KEY = "nosto-tagging:"; // Web Storage key prefix

export function makeStore(win, report) {
  const memory = {};
  let warned = false;
  function area(isPrivate) {
    try { return isPrivate ? win.sessionStorage : win.localStorage; } catch (e) { return null; }
  }
  function each(callback) {
    [false, true].forEach((isPrivate) => {
      const storage = area(isPrivate);
      try {
        for (let i = 0; storage && i < storage.length; i++) {
          const key = storage.key(i);
          if (key && key.indexOf(KEY) === 0) callback(key.slice(KEY.length), storage.getItem(key));
        }
      } catch (e) { /* unreadable storage holds nothing for us */ }
    });
    Object.keys(memory).forEach((key) => callback(key, memory[key]));
  }
  return {
    put(key, value, isPrivate) {
      const text = JSON.stringify(value), storage = area(isPrivate);
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
    }
  };
}
