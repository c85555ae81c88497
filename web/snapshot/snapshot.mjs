// The interpreter module the engine's worker loads (dedicated-engine.mjs, shared-engine.mjs):
// `loadPyodide` starts Python with the engine imported, from a memory snapshot when this browser
// keeps a good one.
//
// Every start installs the wheels itself (stored zips: entries are written straight into the
// in-memory filesystem) and loads pydantic_core's shared library from an Emscripten pre-run hook,
// before the runtime initialises, so the library lands at the same memory and table positions in
// every start; a snapshot restored over that memory finds its code where it left it. The main
// wasm is compiled early too, beside the glue's import (wasm.mjs).
//
// - Plain start (first visit, or no usable snapshot): Python starts, the wheels are installed, the
//   engine modules are imported; then, before any page data exists, a snapshot of that memory is
//   made and kept in Cache Storage for the next page: its file is put together in short runs
//   that let the engine answer the page meanwhile, and handed to Cache Storage as one buffer,
//   which every browser then writes even if the page is left at once (WebKit drops a Blob body).
// - Restore: a snapshot of another build or a truncated one is refused before any wasm is
//   instantiated; the pages are read and checksummed while the wasm compiles, and a corrupt
//   one is refused before Pyodide reads it: the same instantiation then starts Python plainly.
//   A refused one is deleted. Pyodide restores from Pyodide's header alone and the stored pages
//   are copied straight into the wasm memory; pages of zeros are neither read nor written. A
//   restore that fails after instantiation restarts plainly (from the same compiled wasm module)
//   and marks the runtime so that no snapshot is made again.
// Either way one console.debug line says what happened. Snapshots of other runtimes are deleted.
import { copiesFetch, forgetCopies, readUsing } from "./copies.mjs";
import { wrap } from "./file.mjs";
import { afterRestore, importEngine, install, makeSnapshot, release } from "./interpreter.mjs";
import { withLibrary, sharedLibrary } from "./module.mjs";
import { debug, inNode, MANIFEST, mark as markPhase, RUNTIME } from "./runtime.mjs";
import { keep, openCache, openSnapshot, REFUSED_URL, SNAPSHOT_URL, storedSnapshot } from "./store.mjs";
import { compileWasm, whileSettingUp } from "./wasm.mjs";
import { storedEntries } from "./zip.mjs";

export { checksum } from "./file.mjs";

// Pyodide tells a classic worker from a module worker by calling `importScripts` with a data URL
// in a try, as pyodide.mjs is evaluated. In a module worker that call always fails; under a page's
// Trusted Types policy Firefox first reports the string as a violation. With `importScripts`
// hidden, the same test fails without reaching a sink, so pyodide.mjs is imported after that.
globalThis.importScripts = undefined;
const { loadPyodide: loadPlainPyodide, version } = await import("./pyodide.mjs");
export { version };

/**
 * Start Pyodide with Pyodide's `options`, and the engine imported. A start that fails
 * deletes this runtime's decoded copies: the next one reads the files from the network.
 */
export async function loadPyodide(options = {}) {
  try {
    return await start(options);
  } catch (thrown) {
    await forgetCopies(await openCache());
    throw startError(thrown);
  }
}

/**
 * An Error saying why the start failed, whatever was thrown: Emscripten ends a runtime that
 * exits (a fatal Python error) by throwing an object that is no Error, which says nothing once
 * posted to the page.
 */
function startError(thrown) {
  const why = thrown?.message ?? String(thrown);
  return new Error(
    `Python did not start (${why}); the next start reads the runtime's files from the network`,
  );
}

async function start(options) {
  const started = performance.now();
  const phases = [];
  const mark = (name) => {
    markPhase(name);
    phases.push(`${name} ${Math.round(performance.now() - started)}`);
  };
  markPhase("start");
  // The wheels are installed here, not by Pyodide. `nostoSnapshot` (a snapshot file's bytes)
  // replaces Cache Storage: the build uses it under Node to check a snapshot restores.
  const { packages, nostoSnapshot, ...rest } = options;
  // The str hash seed is the build's (a snapshot freezes it); pydantic's plugin lookup (a scan of
  // every installed distribution's metadata when the first model is built) is off: the worker
  // installs no pydantic plugin.
  const env = { PYTHONHASHSEED: String(MANIFEST.hashSeed), PYDANTIC_DISABLE_PLUGINS: "__all__" };
  const base = { ...rest, env: { ...rest.env, ...env } };
  // The glue is imported while Cache Storage is asked for a kept snapshot and its head checked.
  const glue = import("./pyodide.asm.mjs").then((module) => {
    mark("glue");
    return module.default;
  });
  glue.catch(() => {}); // awaited below
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
      mark("snapshot opened");
    } catch (error) {
      refuse(error);
    }
  }
  // The main wasm is compiled from here, beside the glue's import and Pyodide's set-up, and the
  // wheels are asked for then: the snapshot's pages are asked for first, as they are needed first.
  const fetchFile = copiesFetch(cache);
  const compiled = inNode ? null : compileWasm(fetchFile);
  compiled?.catch(() => {}); // awaited by the instantiation
  const wheels = Promise.all(
    MANIFEST.wheels.map(async (file) => [
      file,
      await readUsing(RUNTIME + file, fetchFile, storedEntries),
    ]),
  ).then((entries) => new Map(entries));
  const library = wheels.then(async (found) => {
    const compiled = await WebAssembly.compile(sharedLibrary(found));
    mark("library");
    return compiled;
  });
  library.catch(() => {}); // reported by the start that needs it
  const createModule = await glue;
  let pyodide = null;
  if (snapshot) {
    snapshot.checked.then(() => mark("snapshot checked")).catch(() => {});
    const factory = withLibrary(createModule, library, snapshot);
    try {
      pyodide = await whileSettingUp(fetchFile, compiled, () =>
        loadPlainPyodide({
          ...base,
          _loadSnapshot: new Uint8Array(0), // a restore; restoreFrom gives Pyodide the pages
          _snapshotDeserializer: (name) => globalThis[name],
          createPyodideModule: factory,
        }),
      );
      if (factory.state.error) throw factory.state.error;
    } catch (thrown) {
      pyodide = null;
      // The runtime's own files missing (the network down) fail the start; the snapshot is kept.
      const filesFailed = await Promise.all([compiled, library]).then(() => false, () => true);
      if (nostoSnapshot || filesFailed) throw thrown;
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
    const factory = withLibrary(createModule, library);
    pyodide = await whileSettingUp(fetchFile, compiled, () =>
      loadPlainPyodide({ ...base, createPyodideModule: factory }),
    );
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
      keep(cache, made).catch((error) => debug(`snapshot not kept (${error?.message ?? error})`));
    }
  }
  release(pyodide);
  globalThis.nostoTaggingStart = "plain";
  debug(`engine started plainly (ms since start: ${phases.join(", ")})`);
  return pyodide;
}

/** Build-time helpers (Node): make a snapshot file, and restore one to check it. */
export const forBuild = { wrap, makeSnapshot, MANIFEST };
