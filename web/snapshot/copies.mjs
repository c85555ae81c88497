// Decoded copies of the runtime's large files (the main wasm, the standard library's zip, the
// wheels), kept in Cache Storage beside the snapshot. The HTTP cache holds them as they were
// served, brotli-compressed, and decodes them again on every read: for pyodide.asm.wasm that is
// most of a repeat page's wasm step in Chromium. Cache Storage hands back the bytes it was given.
import { MANIFEST, RUNTIME } from "./runtime.mjs";

const COPIED = new Set(MANIFEST.copies.map((name) => RUNTIME + name));

/**
 * A `fetch` for the runtime's start: a file of `COPIED` from its copy in `cache` when one is
 * kept, otherwise from the network, its copy then kept for the next start (a copy is written
 * whole or not at all: `put` stores nothing of a body that fails). Any other request, and every
 * request without a `cache`, is the plain `fetch`.
 */
export function copiesFetch(cache, plain = globalThis.fetch.bind(globalThis)) {
  if (!cache) return plain;
  return async (input, init) => {
    const url = String(input instanceof Request ? input.url : input);
    if (!COPIED.has(url)) return plain(input, init);
    const copy = await cache.match(url).catch(() => undefined);
    if (copy) return copy;
    const response = await plain(input, init);
    if (response.ok) cache.put(url, response.clone()).catch(() => {}); // lost: the next start
    return response;
  };
}

/** Run `start` with the global `fetch` replaced by `fetchFile` (Pyodide fetches the wasm and
 * the standard library with the global one, as it creates its settings). */
export async function withFetch(fetchFile, start) {
  const plain = globalThis.fetch;
  globalThis.fetch = fetchFile;
  try {
    return await start();
  } finally {
    globalThis.fetch = plain;
  }
}
