// Where this browser keeps snapshots: Cache Storage, one entry per runtime folder; a runtime
// whose restore failed is marked so that no snapshot of it is made again.
import { free, openFile, wrap } from "./file.mjs";
import { inNode, MANIFEST, RUNTIME } from "./runtime.mjs";

const CACHE = "nosto-tagging-snapshots";
export const SNAPSHOT_URL = RUNTIME + "engine.snapshot";
export const REFUSED_URL = RUNTIME + "engine.snapshot.refused";

/**
 * Open a kept snapshot (a Response): its whole file is read into one buffer, then its head and
 * its pages are checked (another build's, a truncated or a corrupt one is refused). Returns a
 * promise of `{ stored, meta, bodyLength }`, read and checked while the wasm instantiates; the
 * pre-run hook awaits it, before Pyodide reads anything.
 */
export function openSnapshot(response) {
  const checked = response
    .arrayBuffer()
    .then((buffer) => openFile(new Uint8Array(buffer), MANIFEST.buildId));
  checked.catch(() => {}); // reported through the pre-run hook
  return { checked };
}

export async function openCache() {
  if (inNode || typeof caches === "undefined") return null;
  try {
    return await caches.open(CACHE);
  } catch {
    return null; // storage disabled (private mode, policy): plain starts only
  }
}

/** The stored snapshot file of this runtime, unread (a Response), or null. */
export async function storedSnapshot(cache) {
  if (!cache || (await cache.match(REFUSED_URL))) return null;
  return (await cache.match(SNAPSHOT_URL)) ?? null;
}

/**
 * Keep the snapshot `made` in `cache`. Its file is put together between pauses (the worker's
 * other messages are answered in them) and given to Cache Storage as one buffer: the browser has
 * the bytes when `put` is called, so the write completes even if the page is left right after.
 * Snapshots of older runtimes are deleted then.
 */
export async function keep(cache, made) {
  await pause();
  const file = await wrap(made, pause);
  free(made.body); // the copy of the memory: the file holds what is kept of it
  await cache.put(SNAPSHOT_URL, new Response(file));
  free(file); // written (WebKit's Response holds the buffer itself until then)
  for (const request of await cache.keys()) {
    if (!request.url.startsWith(RUNTIME)) await cache.delete(request); // older runtimes
  }
}

/** A task's pause: resolves once the thread has run what was already queued (no timer clamp). */
function pause() {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
