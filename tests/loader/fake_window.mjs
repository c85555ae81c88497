// A fake window for the loader's modules under Node: Web Storage, document, console, timers.

export class FakeStorage {
  constructor() { this.items = new Map(); this.broken = false; }
  get length() { return this.items.size; }
  key(i) { return [...this.items.keys()][i] ?? null; }
  getItem(key) { return this.items.has(key) ? this.items.get(key) : null; }
  setItem(key, value) {
    if (this.broken) throw new Error("QuotaExceededError");
    this.items.set(key, String(value));
  }
  removeItem(key) { this.items.delete(key); }
  keys() { return [...this.items.keys()].sort(); }
}

export function fakeWindow({ href = "http://shop.test/p?x=1", referrer = "http://shop.test/" } = {}) {
  const console = { lines: [] };
  for (const level of ["warn", "error", "log"]) console[level] = (text) => console.lines.push([level, text]);
  const win = {
    localStorage: new FakeStorage(),
    sessionStorage: new FakeStorage(),
    location: new URL(href),
    crypto: globalThis.crypto,
    console,
    beacons: [], fetches: [], beaconAccepts: true,
    navigator: { sendBeacon: (url, blob) => { win.beacons.push([url, blob]); return win.beaconAccepts; } },
    fetch: (url, init) => { win.fetches.push([url, init]); return Promise.resolve(); },
  };
  const doc = { cookie: "", referrer, querySelectorAll: () => [], getElementById: () => null };
  return { win, doc };
}

// `report(level, message)` as the loader's, recording into `lines`.
export function recorder() {
  const lines = [];
  const report = (level, message) => lines.push([level, message]);
  return { lines, report };
}

// The build's data, handed over by the pytest that runs these tests.
export const BUILD = JSON.parse(process.env.NOSTO_PAGE_BUILD || "null");
export const TABLE = JSON.parse(process.env.NOSTO_LOADER_TABLE || "null");
export const PROTOCOL = JSON.parse(process.env.NOSTO_PROTOCOL || "null");
