// Where this browser keeps snapshots: Cache Storage, one entry per runtime folder; a runtime
// whose restore failed is marked so that no snapshot of it is made again.
import { checkHead, check, free, HEADER_WORDS, HEAD_BYTES, readSummed, wrap } from "./file.mjs";
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
  const checked = readSummed(blob.slice(HEADER_WORDS * 4 + metaLength)).then((read) => {
    check(read.bytes, meta, read.sum, sum, bodyLength);
    return read.bytes;
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
