// Where this browser keeps snapshots: Cache Storage, one entry per runtime folder; a runtime
// whose restore failed is marked so that no snapshot of it is made again.
import { checkHead, check, HEADER_WORDS, HEAD_BYTES, wrap } from "./file.mjs";
import { inNode, MANIFEST, RUNTIME } from "./runtime.mjs";

const CACHE = "nosto-tagging-snapshots";
export const SNAPSHOT_URL = RUNTIME + "engine.snapshot";
export const REFUSED_URL = RUNTIME + "engine.snapshot.refused";

/**
 * Open a kept snapshot (a Response): another build's or a truncated one is refused here, from
 * its first bytes and its size (a Blob of a cached body is not read until asked). Returns its
 * meta and a promise of its stored pages, read and checked while the wasm instantiates; the
 * pre-run hook awaits it, before Pyodide reads anything.
 */
export async function openSnapshot(response) {
  const blob = await response.blob();
  const head = new Uint8Array(await blob.slice(0, HEAD_BYTES).arrayBuffer());
  const meta = checkHead(head, blob.size, MANIFEST.buildId);
  const [, metaLength, bodyLength, sum] = new Uint32Array(head.buffer, 0, HEADER_WORDS);
  const checked = blob
    .slice(HEADER_WORDS * 4 + metaLength)
    .arrayBuffer()
    .then((buffer) => {
      const stored = new Uint8Array(buffer);
      check(stored, meta, sum, bodyLength);
      return stored;
    });
  checked.catch(() => {}); // reported through the pre-run hook
  return { meta, bodyLength, checked };
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

export async function keep(cache, made) {
  for (const request of await cache.keys()) {
    if (!request.url.startsWith(RUNTIME)) await cache.delete(request); // older runtimes
  }
  await cache.put(SNAPSHOT_URL, new Response(wrap(made)));
}
