// The Emscripten module Pyodide starts: pydantic_core's library loaded from a pre-run hook (the
// same memory and table positions every start), a snapshot's pages restored with no memory image,
// or, when the snapshot is refused there, a plain start of the same instantiation.
import { free, isZero, pieces } from "./file.mjs";
import { MANIFEST, mark } from "./runtime.mjs";

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
    free(stored); // in the wasm memory now
    mark("pages copied");
    return state;
  };
}

export function sharedLibrary(wheels) {
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
export function withLibrary(createModule, library, snapshot = null) {
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
        mark("library loaded");
      })
      .catch((error) => {
        state.error = error;
      })
      .finally(() => Module.removeRunDependency("nosto-library"));
  }
  const factory = (settings) => {
    settings.preRun.unshift(preload);
    markInstantiation(settings);
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

/** Mark the start and the end of the main wasm's instantiation. */
function markInstantiation(settings) {
  const instantiate = settings.instantiateWasm;
  if (!instantiate) return; // Pyodide instantiates the wasm itself
  settings.instantiateWasm = (imports, receive) => {
    mark("wasm start");
    return instantiate(imports, (instance, module) => {
      mark("wasm ready");
      return receive(instance, module);
    });
  };
}
