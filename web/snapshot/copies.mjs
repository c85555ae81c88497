// Decoded copies of the runtime's large files (the main wasm, the standard library's zip, the
// wheels), kept in Cache Storage beside the snapshot. The HTTP cache holds them as they were
// served, brotli-compressed, and decodes them again on every read: for pyodide.asm.wasm that is
// most of a repeat page's wasm step in Chromium. Cache Storage hands back the bytes it was given.
import { bytesOf, debug, MANIFEST, readBytes, RUNTIME, urlOf } from "./runtime.mjs";

const COPIED = new Set(MANIFEST.copies.map((name) => RUNTIME + name));

/**
 * A `fetch` for the runtime's start: a file of `COPIED` from its copy in `cache` when one is
 * kept, otherwise from the network, its copy then kept for the next start (a copy is written
 * whole or not at all: `put` stores nothing of a body that fails). Any other request, and every
 * request without a `cache`, is the plain `fetch`.
 *
 * Its `using(response, use)` is `use(response)`; when `use` throws on a copy, the copy is
 * deleted (one debug line says why) and `use` is given the file from the network instead, whose
 * copy is kept anew.
 */
export function copiesFetch(cache, plain = globalThis.fetch.bind(globalThis)) {
  if (!cache) return plain;
  const copies = new WeakMap(); // a copy handed out -> its URL
  const fetchFile = async (input, init) => {
    const url = urlOf(input);
    if (!COPIED.has(url)) return plain(input, init);
    const copy = await cache.match(url).catch(() => undefined);
    if (copy) {
      copies.set(copy, url);
      return copy;
    }
    const response = await plain(input, init);
    if (response.ok) cache.put(url, response.clone()).catch(() => {}); // lost: the next start
    return response;
  };
  fetchFile.using = async (response, use) => {
    try {
      return await use(response);
    } catch (error) {
      const url = copies.get(response);
      if (!url) throw error;
      debug(`copy of ${url.slice(RUNTIME.length)} refused (${error}); fetched again`);
      await cache.delete(url).catch(() => {});
      return use(await fetchFile(url));
    }
  };
  return fetchFile;
}

/** Delete every decoded copy of this runtime from `cache` (none without one). */
export async function forgetCopies(cache) {
  await Promise.all([...COPIED].map((url) => cache?.delete(url).catch(() => false)));
}

/**
 * `use(bytes)` of the file at `url`, read with `fetchFile`: when `use` throws on the bytes of a
 * copy, the file is read again from the network.
 */
export async function readUsing(url, fetchFile, use) {
  if (!fetchFile.using) return use(await readBytes(url, fetchFile)); // Node reads file: URLs
  return fetchUsing(url, fetchFile, async (read) => use(await bytesOf(url, read)));
}

/**
 * `use(response)` of the file at `url`, fetched with `fetchFile`: when `use` throws on a copy,
 * it is given the file from the network (`copiesFetch`'s `using`).
 */
export async function fetchUsing(url, fetchFile, use) {
  const response = await fetchFile(url);
  return fetchFile.using ? fetchFile.using(response, use) : use(response);
}
