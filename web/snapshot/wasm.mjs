// The main wasm, pyodide.asm.wasm: compiled early in `loadPyodide` (once a kept snapshot is
// opened), beside the glue's import and Pyodide's set-up, and handed to Pyodide's
// instantiation; while Pyodide sets up, the small modules Emscripten makes to put JavaScript
// functions in the wasm table are compiled once per signature.
import { fetchUsing } from "./copies.mjs";
import { mark, RUNTIME, urlOf } from "./runtime.mjs";

const WASM_URL = RUNTIME + "pyodide.asm.wasm";
// Emscripten's wrapper of one JavaScript function: a module of a few dozen bytes.
const SMALL_MODULE = 128;

/**
 * The main wasm's module, compiled as its bytes arrive, read with `fetchFile` (from a decoded
 * copy, or from the network with a copy then kept: `copiesFetch`). A copy that fails to compile
 * is read again from the network.
 */
export async function compileWasm(fetchFile) {
  const module = await fetchUsing(WASM_URL, fetchFile, (source) =>
    WebAssembly.compileStreaming(source),
  );
  mark("wasm compiled");
  return module;
}

/**
 * Run `start` (Pyodide's set-up) with three globals answering it here:
 * - `fetch` is `fetchFile`, except for the main wasm, compiled already (`compiled`, a promise of
 *   its module from `compileWasm`): Pyodide's own fetch of it gets an empty response it never
 *   reads;
 * - `WebAssembly.instantiateStreaming` instantiates `compiled`;
 * - `WebAssembly.Module` compiles the bytes of a small module once: Emscripten wraps each
 *   JavaScript function it puts in the wasm table in a module of its own, compiled
 *   synchronously: about 260 of them, of 29 distinct signatures.
 * Pyodide only logs an instantiation that fails, and its start would wait for ever: a compile
 * that fails fails `start` here. Without `compiled` (under Node) `start` runs as it is.
 */
export async function whileSettingUp(fetchFile, compiled, start) {
  if (!compiled) return start(); // under Node: Pyodide reads the files from the disk
  const plain = {
    fetch: globalThis.fetch,
    streaming: WebAssembly.instantiateStreaming,
    Module: WebAssembly.Module,
  };
  globalThis.fetch = (input, init) =>
    urlOf(input) === WASM_URL
      ? Promise.resolve(new Response(null))
      : fetchFile(input, init);
  WebAssembly.instantiateStreaming = async (_source, imports) => {
    const module = await compiled;
    return { module, instance: await WebAssembly.instantiate(module, imports) };
  };
  WebAssembly.Module = compiledOnce(plain.Module);
  try {
    const unanswered = new Promise(() => {}); // a compiled module leaves `start` to settle
    return await Promise.race([start(), compiled.then(() => unanswered)]);
  } finally {
    globalThis.fetch = plain.fetch;
    WebAssembly.instantiateStreaming = plain.streaming;
    WebAssembly.Module = plain.Module;
  }
}

/** `WebAssembly.Module` (`Plain`), with a small module's bytes compiled once. */
function compiledOnce(Plain) {
  const known = new Map(); // the bytes, joined -> their module
  function Module(bytes, ...rest) {
    if (!(bytes instanceof Uint8Array) || bytes.length > SMALL_MODULE) {
      return new Plain(bytes, ...rest);
    }
    const key = bytes.join();
    let module = known.get(key);
    if (!module) known.set(key, (module = new Plain(bytes, ...rest)));
    return module;
  }
  Module.prototype = Plain.prototype; // `instanceof WebAssembly.Module` holds
  Object.setPrototypeOf(Module, Plain); // and its static methods are Plain's
  return Module;
}
