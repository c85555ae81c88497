// What waits in Web Storage is bounded. Run by the adoption chunk each time this page adopts
// what closed pages left (once its engine runs): heartbeats of pages gone for an hour go; calls
// and bodies older than KEEP_MS, then the oldest beyond MAX_BYTES (orders last), are dropped
// and counted.

export const PAGE_GONE_MS = 3600000; // heartbeats of pages silent for an hour
export const KEEP_MS = 7 * 86400000; // calls and bodies older than 7 days
export const MAX_BYTES = 1000000; // what all pages of the account keep, at most

export function purge(store, now, report) {
  const kept = [];
  let bytes = 0, dropped = 0;
  store.list("").forEach(([key, value]) => {
    const time = value.t || value.time || 0;
    if (key[0] === "p") { if (now - time > PAGE_GONE_MS) store.remove(key); return; }
    if (now - time > KEEP_MS) { store.remove(key); dropped++; return; }
    const size = JSON.stringify(value).length;
    bytes += size;
    kept.push([!!value.order, time, key, size]);
  });
  kept.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 0; bytes > MAX_BYTES && i < kept.length; i++) {
    store.remove(kept[i][2]); bytes -= kept[i][3]; dropped++;
  }
  if (dropped) report("warn", dropped + " stored events were dropped: older than 7 days or beyond 1 MB (Nosto unreachable?)");
  return dropped;
}
