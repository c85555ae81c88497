// What every part of the interpreter module shares: the build's manifest of this runtime, where
// the runtime lives, and how to say what happened.

// Filled in by the build (esbuild's define): {buildId, hashSeed, site, so, wheels, imports,
// rehearsal, copies}.
export const MANIFEST = NOSTO_SNAPSHOT_MANIFEST;
export const RUNTIME = new URL(".", import.meta.url).href;
export const inNode = typeof process === "object" && !!process.versions?.node;

/** A User Timing mark of the start-up in this worker ("nosto-tagging:<name>"); the engine's
 * ready message carries them to the page (nosto_tagging.worker.shell.start_marks). */
export function mark(name) {
  performance.mark(`nosto-tagging:${name}`);
}

export function debug(text) {
  console.debug(`nosto-tagging: ${text}`);
}

/** The URL a `fetch` was given (a string, a URL or a Request), as a string. */
export const urlOf = (input) => String(input instanceof Request ? input.url : input);

export async function readBytes(url, fetchFile = fetch) {
  if (inNode && url.startsWith("file:")) {
    const { readFile } = await import("node:fs/promises");
    return new Uint8Array(await readFile(new URL(url)));
  }
  return bytesOf(url, await fetchFile(url));
}

export async function bytesOf(url, response) {
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
