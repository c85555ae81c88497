// What waits in Web Storage is bounded. Run by the adoption chunk each time this page adopts
// what closed pages left (once its engine runs): heartbeats of pages gone for an hour go; calls
// and bodies older than KEEP_MS, then the oldest beyond MAX_BYTES (orders last), are dropped
// and counted. `entries`: what the store holds, when the caller has read it already (the
// adoption chunk reads each storage area once a run); what is dropped is taken out of it too.

export const PAGE_GONE_MS = 3600000; // heartbeats of pages silent for an hour
export const KEEP_MS = 7 * 86400000; // calls and bodies older than 7 days
export const MAX_BYTES = 1000000; // what all pages of the account keep, at most

export function purge(store, now, report, entries = store.list("")) {
  const kept = [], gone = {};
  let bytes = 0, dropped = 0;
  const drop = (key) => { store.remove(key); gone[key] = true; };
  entries.forEach(([key, value]) => {
    const time = value.t || value.time || 0;
    if (key[0] === "p") { if (now - time > PAGE_GONE_MS) drop(key); return; }
    if (now - time > KEEP_MS) { drop(key); dropped++; return; }
    const size = JSON.stringify(value).length;
    bytes += size;
    kept.push([!!value.order, time, key, size]);
  });
  kept.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  for (let i = 0; bytes > MAX_BYTES && i < kept.length; i++) {
    drop(kept[i][2]); bytes -= kept[i][3]; dropped++;
  }
  for (let i = entries.length - 1; i >= 0; i--) if (gone[entries[i][0]]) entries.splice(i, 1);
  if (dropped) report("warn", dropped + " stored events were dropped: older than 7 days or beyond 1 MB (Nosto unreachable?)");
  return dropped;
}
