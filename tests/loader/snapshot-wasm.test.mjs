// The main wasm's early compile and what Pyodide's set-up is given in place of three globals
// (web/snapshot/wasm.mjs).
import assert from "node:assert/strict";
import { test } from "node:test";

globalThis.NOSTO_SNAPSHOT_MANIFEST = { copies: [], wheels: [] };
const { compileWasm, whileSettingUp } = await import("../../web/snapshot/wasm.mjs");

const WASM_URL = new URL("../../web/snapshot/pyodide.asm.wasm", import.meta.url).href;
// What Emscripten compiles to put a JavaScript function of signature "ii" in the wasm table:
// a module importing e.f and exporting it as f.
const WRAPPER = [0, 97, 115, 109, 1, 0, 0, 0, 1, 134, 0, 1, 96, 1, 127, 1, 127, 2, 7, 1, 1, 101, 1,
  102, 0, 0, 7, 5, 1, 1, 102, 0, 0];
const EMPTY_MODULE = [0, 97, 115, 109, 1, 0, 0, 0];

const wasmResponse = (bytes) =>
  new Response(new Uint8Array(bytes), { headers: { "Content-Type": "application/wasm" } });

test("the main wasm is compiled from what fetchFile gives, and its end is marked", async () => {
  const asked = [];
  const module = await compileWasm(async (url) => {
    asked.push(String(url));
    return wasmResponse(WRAPPER);
  });
  assert.ok(module instanceof WebAssembly.Module);
  assert.deepEqual(asked, [WASM_URL]);
  assert.equal(performance.getEntriesByName("nosto-tagging:wasm compiled").length, 1);
});

test("while Pyodide sets up, the wasm is the compiled module and small modules compile once", async () => {
  const plain = { fetch, streaming: WebAssembly.instantiateStreaming, Module: WebAssembly.Module };
  const compiled = WebAssembly.compile(new Uint8Array(WRAPPER));
  const asked = [];
  const fetchFile = async (url) => {
    asked.push(String(url));
    return new Response("other");
  };
  const seen = await whileSettingUp(fetchFile, compiled, async () => {
    const wasm = await fetch(new URL(WASM_URL));
    const other = await (await fetch(WASM_URL.replace(".wasm", ".zip"))).text();
    const { module, instance } = await WebAssembly.instantiateStreaming(wasm, {
      e: { f: (x) => x + 1 },
    });
    const first = new WebAssembly.Module(new Uint8Array(WRAPPER));
    const again = new WebAssembly.Module(new Uint8Array(WRAPPER));
    const big = new Uint8Array(200);
    big.set(EMPTY_MODULE);
    big.set([0, 189, 1], 8); // a custom section filling the rest (189 bytes)
    return {
      empty: (await wasm.arrayBuffer()).byteLength,
      other,
      sameModule: module === (await compiled),
      called: instance.exports.f(1),
      once: first === again && first instanceof WebAssembly.Module,
      bigTwice: new WebAssembly.Module(big) !== new WebAssembly.Module(big),
      statics: WebAssembly.Module.exports(first).map((entry) => entry.name),
    };
  });
  assert.deepEqual(seen, {
    empty: 0,
    other: "other",
    sameModule: true,
    called: 2,
    once: true,
    bigTwice: true,
    statics: ["f"],
  });
  assert.deepEqual(asked, [WASM_URL.replace(".wasm", ".zip")]); // the wasm was not fetched
  assert.deepEqual(
    { fetch, streaming: WebAssembly.instantiateStreaming, Module: WebAssembly.Module },
    plain,
  );
});

test("a compile that fails fails the set-up instead of leaving it waiting, globals restored", async () => {
  const plain = { fetch, Module: WebAssembly.Module };
  const compiled = Promise.reject(new Error("no wasm"));
  compiled.catch(() => {});
  const waitsForEver = () => new Promise(() => {});
  await assert.rejects(whileSettingUp(async () => new Response(""), compiled, waitsForEver), /no wasm/);
  assert.deepEqual({ fetch, Module: WebAssembly.Module }, plain);
});

test("without a compiled module (under Node) the set-up runs with the globals untouched", async () => {
  const plain = fetch;
  assert.equal(await whileSettingUp(null, null, async () => fetch === plain), true);
});
