// The interpreter module polyscript's XWorker loads in the worker (its `version` option): `loadPyodide` starts
// Python with the engine imported, from a memory snapshot when this browser keeps a good one.
//
// Every start installs the wheels itself (stored zips: entries are written straight into the
// in-memory filesystem) and loads pydantic_core's shared library from an Emscripten pre-run hook,
// before the runtime initialises, so the library lands at the same memory and table positions in
// every start; a snapshot restored over that memory finds its code where it left it.
//
// - Plain start (first visit, or no usable snapshot): Python starts, the wheels are installed, the
//   engine modules are imported; then, before any page data exists, a snapshot of that memory is
//   made and kept in Cache Storage for the next page (written after the engine is handed over).
// - Restore: a snapshot of another build or a truncated one is refused before any wasm is
//   instantiated; the pages are read and checksummed while the wasm instantiates, and a corrupt
//   one is refused before Pyodide reads it: the same instantiation then starts Python plainly.
//   A refused one is deleted. Pyodide restores from Pyodide's header alone and the stored pages
//   are copied straight into the wasm memory; pages of zeros are neither read nor written. A restore that fails after instantiation restarts plainly (from
//   the compiled wasm module it kept) and marks the runtime so that no snapshot is made again.
// Either way one console.debug line says what happened. Snapshots of other runtimes are deleted.
import { loadPyodide as loadPlainPyodide, version } from "./pyodide.mjs";

export { version };

// Filled in by the build: {buildId, hashSeed, site, so, wheels: [...], imports: [...]}.
const MANIFEST = /*NOSTO_SNAPSHOT_MANIFEST*/ {};
const CACHE = "nosto-tagging-snapshots";
const MAGIC = 0x6e73_6e32; // "nsn2": our header before Pyodide's snapshot
const HEADER_WORDS = 8; // magic, meta length, memory length, checksum, stored length, 3 spare
const PAGE = 65536;
const PYODIDE_MAGIC = 1886286592;
const RUNTIME = new URL(".", import.meta.url).href;
const SNAPSHOT_URL = RUNTIME + "engine.snapshot";
const REFUSED_URL = RUNTIME + "engine.snapshot.refused";
const KEEP_AFTER_MS = 1000;
const HEAD_BYTES = HEADER_WORDS * 4 + 8192; // our header and meta

const inNode = typeof process === "object" && !!process.versions?.node;

function debug(text) {
  console.debug(`nosto-tagging: ${text}`);
}

async function readBytes(url) {
  if (inNode && url.startsWith("file:")) {
    const { readFile } = await import("node:fs/promises");
    return new Uint8Array(await readFile(new URL(url)));
  }
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}

/** Entries of a zip whose members are all stored (the build writes the wheels so). */
export function storedEntries(bytes) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let end = bytes.length - 22;
  while (end >= 0 && view.getUint32(end, true) !== 0x06054b50) end--;
  if (end < 0) throw new Error("not a zip archive");
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const names = new TextDecoder();
  const entries = [];
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error("bad zip central directory");
    const method = view.getUint16(at + 10, true);
    const size = view.getUint32(at + 20, true);
    const nameLength = view.getUint16(at + 28, true);
    const skip = nameLength + view.getUint16(at + 30, true) + view.getUint16(at + 32, true);
    const local = view.getUint32(at + 42, true);
    const name = names.decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (method !== 0) throw new Error(`zip member ${name} is compressed`);
    const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    entries.push([name, bytes.subarray(start, start + size)]);
    at += 46 + skip;
  }
  return entries;
}

/** A 32-bit checksum of `chunks` taken as one byte string (each a multiple of 4 bytes long). */
export function checksum(...chunks) {
  let a = 1,
    b = 0;
  for (const bytes of chunks) {
    const words = new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2);
    for (let i = 0; i < words.length; i++) {
      a = (a + words[i]) | 0;
      b = (b + a) | 0;
    }
  }
  return (b ^ Math.imul(a, 0x9e3779b1)) >>> 0;
}

function isZero(page) {
  const words = new Uint32Array(page.buffer, page.byteOffset, page.byteLength >>> 2);
  for (let i = 0; i < words.length; i++) if (words[i]) return false;
  return true;
}

/**
 * Our file, as a Blob: header words, JSON meta (build id, dlopen handles, which 64 KiB pages of
 * Pyodide's snapshot are stored: about 40% of the memory is zero pages, left out), then the pages.
 */
function wrap({ meta, body }) {
  const count = Math.ceil(body.length / PAGE);
  const stored = [];
  let bits = "";
  for (let i = 0; i < count; i++) {
    const page = body.subarray(i * PAGE, (i + 1) * PAGE);
    const keep = !isZero(page);
    if (keep) stored.push(page);
    bits += keep ? "1" : "0";
  }
  const storedLength = stored.reduce((sum, page) => sum + page.length, 0);
  const json = new TextEncoder().encode(JSON.stringify({ ...meta, pages: bits }));
  const metaLength = (json.length + 3) & ~3;
  const head = new Uint8Array(HEADER_WORDS * 4 + metaLength).fill(0x20);
  new Uint32Array(head.buffer, 0, HEADER_WORDS).set([
    MAGIC,
    metaLength,
    body.length,
    checksum(...stored),
    storedLength,
  ]);
  head.set(json, HEADER_WORDS * 4);
  return new Blob([head, ...stored]);
}

/** The meta of a snapshot file from its first bytes and its size, or throws saying why not. */
function checkHead(head, size, buildId) {
  if (head.byteLength < HEADER_WORDS * 4 || head.byteOffset % 4) throw new Error("too short");
  const header = new Uint32Array(head.buffer, head.byteOffset, HEADER_WORDS);
  if (header[0] !== MAGIC) throw new Error("not a snapshot");
  const [, metaLength, , , storedLength] = header;
  if (size !== HEADER_WORDS * 4 + metaLength + storedLength) throw new Error("truncated");
  if (head.byteLength < HEADER_WORDS * 4 + metaLength) throw new Error("meta too long");
  const meta = JSON.parse(new TextDecoder().decode(head.subarray(32, 32 + metaLength)));
  if (meta.buildId !== buildId) throw new Error(`made by another build (${meta.buildId})`);
  return meta;
}

/**
 * The pieces of Pyodide's snapshot (its body: Pyodide's header, then the memory) that a file
 * holds, in order: [offset in the body, length, the bytes or null for a page of zeros].
 */
function* pieces(stored, meta, bodyLength) {
  let at = 0;
  for (let i = 0; i < meta.pages.length; i++) {
    const length = Math.min(PAGE, bodyLength - i * PAGE);
    const kept = meta.pages[i] === "1";
    yield [i * PAGE, length, kept ? stored.subarray(at, at + length) : null];
    if (kept) at += length;
  }
}

/** Check the stored pages of a snapshot file (from `openSnapshot`), or throw why they are bad. */
function check(stored, meta, sum, bodyLength) {
  if (checksum(stored) !== sum) throw new Error("corrupt (checksum)");
  let at = 0;
  for (const [, length, bytes] of pieces(stored, meta, bodyLength)) if (bytes) at += length;
  if (at !== stored.length || meta.pages.length !== Math.ceil(bodyLength / PAGE)) {
    throw new Error("corrupt (page map)");
  }
  const header = new Uint32Array(stored.buffer, stored.byteOffset, 2);
  if (meta.pages[0] !== "1" || header[0] !== PYODIDE_MAGIC || header[1] > PAGE) {
    throw new Error("no Pyodide snapshot inside");
  }
}

/**
 * Make Pyodide restore the checked snapshot file `stored` with no memory image in between: its
 * `restoreSnapshot` is given Pyodide's header alone (it checks the magic number and its build id,
 * and reads the JavaScript state), then the stored pages are copied straight into the wasm
 * memory and the pages of zeros are cleared where the fresh memory is not zero already (only
 * below the heap's break can it be anything else).
 */
function restoreFrom(Module, stored, meta, bodyLength) {
  const restoreHeader = Module.API.restoreSnapshot;
  Module.API.restoreSnapshot = () => {
    Module.API.restoreSnapshot = restoreHeader; // and `stored` is not held once restored
    const headerLength = new Uint32Array(stored.buffer, stored.byteOffset, 2)[1];
    const state = restoreHeader(stored.slice(0, headerLength));
    const memory = Module.HEAP8;
    // Above the heap's break nothing was written since instantiation: zero, and not even read
    // (reading untouched memory makes some of it resident too).
    const written = typeof Module._sbrk === "function" ? Module._sbrk(0) >>> 0 : memory.length;
    for (const [offset, length, bytes] of pieces(stored, meta, bodyLength)) {
      const start = Math.max(offset, headerLength);
      const end = offset + length;
      if (start >= end) continue;
      const target = memory.subarray(start - headerLength, end - headerLength);
      if (bytes) target.set(bytes.subarray(start - offset));
      else if (start - headerLength < written && !isZero(target)) target.fill(0);
    }
    return state;
  };
}

/**
 * Open a kept snapshot (a Response): another build's or a truncated one is refused here, from
 * its first bytes and its size (a Blob of a cached body is not read until asked). Returns its
 * meta and a promise of its stored pages, read and checked while the wasm instantiates; the
 * pre-run hook awaits it, before Pyodide reads anything.
 */
async function openSnapshot(response) {
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

async function openCache() {
  if (inNode || typeof caches === "undefined") return null;
  try {
    return await caches.open(CACHE);
  } catch {
    return null; // storage disabled (private mode, policy): plain starts only
  }
}

/** The stored snapshot file of this runtime, unread (a Response), or null. */
async function storedSnapshot(cache) {
  if (!cache || (await cache.match(REFUSED_URL))) return null;
  return (await cache.match(SNAPSHOT_URL)) ?? null;
}

async function keep(cache, made) {
  for (const request of await cache.keys()) {
    if (!request.url.startsWith(RUNTIME)) await cache.delete(request); // older runtimes
  }
  await cache.put(SNAPSHOT_URL, new Response(wrap(made)));
}

function sharedLibrary(wheels) {
  for (const entries of wheels.values()) {
    for (const [name, data] of entries) if (name === MANIFEST.so) return data;
  }
  throw new Error(`${MANIFEST.so} is in none of the wheels`);
}

/**
 * The Emscripten module factory, with the shared library loaded from a pre-run hook, before the
 * runtime initialises (Emscripten then places it at the heap base, the same address every start).
 * The hook waits for the library (a run dependency) while the rest of start-up goes on.
 *
 * Given an opened `snapshot`, the hook also waits for its pages to be read and checked. One that
 * fails the check is refused there, before Pyodide reads it, and this same module starts Python
 * plainly (`state.refused` says why): the wasm is instantiated once either way. The wasm
 * memory is grown to the snapshot's size from the hook (Pyodide's own request for it is ignored).
 */
function withLibrary(createModule, library, wasm, snapshot = null) {
  const path = `${MANIFEST.site}/${MANIFEST.so}`;
  const state = { error: null, refused: null };
  function preload(Module) {
    Module.addRunDependency("nosto-library");
    const restoring = snapshot?.checked.then(
      (stored) => {
        restoreFrom(Module, stored, snapshot.meta, snapshot.bodyLength);
        return true;
      },
      (error) => {
        state.refused = error;
        startPlainly(Module);
        return false;
      },
    );
    Promise.all([library, restoring])
      .then(([compiled, restore]) => {
        const size = restore ? snapshot.bodyLength : 0;
        if (size > Module.HEAP8.length) Module.growMemory(size);
        const dso = Module.newDSO(path, undefined, "loading");
        dso.refcount = Infinity;
        dso.global = false;
        dso.exports = Module.loadWebAssemblyModule(compiled, { nodelete: true }, path, {});
      })
      .catch((error) => {
        state.error = error;
      })
      .finally(() => Module.removeRunDependency("nosto-library"));
  }
  const factory = (settings) => {
    settings.preRun.unshift(preload);
    keepCompiled(settings, wasm);
    return createModule(settings);
  };
  factory.state = state;
  return factory;
}

/**
 * Make a module that Pyodide was asked to restore start Python plainly: Emscripten reads
 * `noInitialRun` after the pre-run hooks, and Pyodide bootstraps a fresh interpreter when
 * `restoreSnapshot` gives no snapshot state.
 */
function startPlainly(Module) {
  Module.noInitialRun = false;
  Module.API.restoreSnapshot = () => undefined;
}

/**
 * Keep the wasm module Pyodide compiles (through its `instantiateWasm` setting) in `wasm`. A
 * second start in this worker (after a restore that failed) instantiates the kept module instead
 * of compiling it again, with the imports Pyodide's own instantiation sets.
 */
function keepCompiled(settings, wasm) {
  const instantiate = settings.instantiateWasm;
  if (!instantiate) return; // Pyodide instantiates the wasm itself: nothing to keep
  settings.instantiateWasm = (imports, receive) => {
    if (wasm.module) {
      Object.assign(imports.env, wasm.imports);
      WebAssembly.instantiate(wasm.module, imports).then(
        (instance) => receive(instance, wasm.module),
        () => instantiate(imports, receive),
      );
      return {};
    }
    const before = { ...imports.env };
    return instantiate(imports, (instance, module) => {
      wasm.module = module;
      wasm.imports = Object.fromEntries(
        Object.entries(imports.env).filter(([name, value]) => before[name] !== value),
      );
      return receive(instance, module);
    });
  };
}

/**
 * Write the wheels' files into site-packages, each a view of the fetched wheel (no copy); the
 * library's wheel is copied member by member instead, so that its buffer (mostly the library,
 * which a restore never writes and a plain start unlinks once imported) can be freed.
 */
function install(pyodide, wheels, withLibraryFile) {
  const { FS } = pyodide;
  const made = new Set();
  for (const entries of wheels.values()) {
    const holdsLibrary = entries.some(([name]) => name === MANIFEST.so);
    for (let [name, data] of entries) {
      if (name.endsWith("/") || (!withLibraryFile && name === MANIFEST.so)) continue;
      if (holdsLibrary && name !== MANIFEST.so) data = data.slice();
      const path = `${MANIFEST.site}/${name}`;
      const dir = path.slice(0, path.lastIndexOf("/"));
      if (!made.has(dir)) {
        FS.mkdirTree(dir);
        made.add(dir);
      }
      FS.writeFile(path, data, { canOwn: true });
    }
  }
}

/** The global name of a JavaScript object Python holds (a worker's `fetch` is inherited). */
function serializer(object) {
  for (let scope = globalThis; scope; scope = Object.getPrototypeOf(scope)) {
    for (const name of Object.getOwnPropertyNames(scope)) {
      try {
        if (globalThis[name] === object) return name;
      } catch {
        // a getter that throws is not what Python holds
      }
    }
  }
  const what = `${Object.prototype.toString.call(object)} ${String(object?.name ?? object).slice(0, 60)}`;
  throw new Error(`Python holds a JavaScript object that is not a global: ${what}`);
}

/** Start Pyodide as polyscript asks (`options`), with the engine imported. */
export async function loadPyodide(options = {}) {
  const started = performance.now();
  const phases = [];
  const mark = (name) => phases.push(`${name} ${Math.round(performance.now() - started)}`);
  // The wheels are installed here, not by Pyodide. `nostoSnapshot` (a snapshot file's bytes)
  // replaces Cache Storage: the build uses it under Node to check a snapshot restores.
  const { packages, nostoSnapshot, ...rest } = options;
  const base = { ...rest, env: { ...rest.env, PYTHONHASHSEED: String(MANIFEST.hashSeed) } };
  const wheels = Promise.all(
    MANIFEST.wheels.map(async (file) => [file, storedEntries(await readBytes(RUNTIME + file))]),
  ).then((entries) => new Map(entries));
  const library = wheels.then((found) => WebAssembly.compile(sharedLibrary(found)));
  library.catch(() => {}); // reported by the start that needs it
  const { default: createModule } = await import("./pyodide.asm.mjs");
  const cache = nostoSnapshot ? null : await openCache();
  const stored = nostoSnapshot ? new Response(nostoSnapshot) : await storedSnapshot(cache);
  const refuse = (error) => {
    if (nostoSnapshot) throw error;
    debug(`snapshot refused (${error?.message ?? error}); plain start`);
    cache?.delete(SNAPSHOT_URL).catch(() => {});
  };
  let snapshot = null;
  if (stored) {
    try {
      snapshot = await openSnapshot(stored);
    } catch (error) {
      refuse(error);
    }
  }
  const wasm = {}; // the compiled wasm module, for a second start
  let pyodide = null;
  if (snapshot) {
    snapshot.checked.then(() => mark("snapshot checked")).catch(() => {});
    const factory = withLibrary(createModule, library, wasm, snapshot);
    try {
      pyodide = await loadPlainPyodide({
        ...base,
        _loadSnapshot: new Uint8Array(0), // a restore; restoreFrom gives Pyodide the pages
        _snapshotDeserializer: (name) => globalThis[name],
        createPyodideModule: factory,
      });
      if (factory.state.error) throw factory.state.error;
    } catch (thrown) {
      pyodide = null;
      if (nostoSnapshot) throw thrown;
      if (!factory.state.refused) {
        const error = factory.state.error ?? thrown; // a bad body fails Pyodide's own checks
        debug(`snapshot restore failed (${error?.message ?? error}); plain start`);
        cache?.delete(SNAPSHOT_URL).catch(() => {});
        await cache?.put(REFUSED_URL, new Response("restore failed"));
      }
    }
    if (factory.state.refused) {
      refuse(factory.state.refused);
    } else if (pyodide) {
      mark("restored");
      afterRestore(pyodide, await wheels, snapshot.meta);
      release(pyodide);
      mark("installed");
      globalThis.nostoTaggingStart = "restored";
      debug(`engine restored from a snapshot (ms since start: ${phases.join(", ")})`);
      return pyodide;
    }
  }
  if (!pyodide) {
    const factory = withLibrary(createModule, library, wasm);
    pyodide = await loadPlainPyodide({ ...base, createPyodideModule: factory });
    if (factory.state.error) throw factory.state.error;
  }
  mark("python");
  install(pyodide, await wheels, true);
  importEngine(pyodide);
  pyodide.FS.unlink(`${MANIFEST.site}/${MANIFEST.so}`); // loaded; its bytes are not needed again
  mark("imported");
  if (cache && !(await cache.match(REFUSED_URL))) {
    const made = makeSnapshot(pyodide); // a copy of the memory: no page data exists yet
    mark("snapshot made");
    if (made) {
      // The checksum and the write wait until the page's own start-up work is done.
      setTimeout(() => {
        keep(cache, made).catch((error) => debug(`snapshot not kept (${error?.message ?? error})`));
      }, KEEP_AFTER_MS);
    }
  }
  release(pyodide);
  globalThis.nostoTaggingStart = "plain";
  debug(`engine started plainly (ms since start: ${phases.join(", ")})`);
  return pyodide;
}

function importEngine(pyodide) {
  // The standard-library modules the host's own Python imports may be missing (trimmed); ours not.
  pyodide.runPython(`import importlib
for _m in ${JSON.stringify(MANIFEST.imports)}:
    try:
        importlib.import_module(_m)
    except ImportError:
        if _m.startswith("nosto_tagging"):
            raise
del _m, importlib`);
}

/** A snapshot file of `pyodide` as it is now (null if Pyodide cannot make one). */
export function makeSnapshot(pyodide) {
  const Module = pyodide._module;
  const path = `${MANIFEST.site}/${MANIFEST.so}`;
  const handles = Object.entries(Module.LDSO.loadedLibsByHandle)
    .filter(([, dso]) => dso.name === path)
    .map(([handle]) => Number(handle));
  const config = pyodide._api.config;
  config._makeSnapshot = true;
  try {
    const body = pyodide.makeMemorySnapshot({ serializer });
    return { meta: { buildId: MANIFEST.buildId, handles }, body };
  } catch (error) {
    debug(`no snapshot made (${error?.message ?? error})`);
    return null;
  } finally {
    config._makeSnapshot = false;
  }
}

function afterRestore(pyodide, wheels, meta) {
  const Module = pyodide._module;
  const dso = Module.LDSO.loadedLibsByName[`${MANIFEST.site}/${MANIFEST.so}`];
  for (const handle of meta.handles) Module.LDSO.loadedLibsByHandle[handle] = dso;
  install(pyodide, wheels, false); // files for modules imported later; the library is loaded
  pyodide.runPython("import random\nrandom.seed()\ndel random");
}

/** Drop what only start-up needed: Pyodide keeps the snapshot buffer and our factory (which
 * holds the compiled library and the snapshot) in its config otherwise. */
function release(pyodide) {
  const config = pyodide._api.config;
  config._loadSnapshot = undefined;
  config.createPyodideModule = undefined;
}

/** Build-time helpers (Node): make a snapshot file, and restore one to check it. */
export const forBuild = { wrap, makeSnapshot, MANIFEST };
