// Make a memory snapshot of the started engine with the runtime's own snapshot.mjs under Node,
// restore it in a fresh Pyodide and run the engine there. Usage: node snapcheck.mjs SPEC.json —
// SPEC is {runtime (the folder's path, ending in /), script (Python run after each start, printing
// JSON), snapshot (where the snapshot file goes), results (where the JSON answer goes)}.
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

// pyodide.mjs imports the optional `ws` package unless `require` exists; we need no sockets.
globalThis.require ??= createRequire(import.meta.url);

async function start(module, spec, snapshot) {
  const started = performance.now();
  const pyodide = await module.loadPyodide({
    indexURL: spec.runtime, // a path: Pyodide under Node reads its files with fs
    nostoSnapshot: snapshot,
    stdout: (line) => process.stderr.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
  return { pyodide, ms: Math.round(performance.now() - started) };
}

const run = (started, spec) => JSON.parse(started.pyodide.runPython(spec.script));

async function main(spec) {
  console.debug = () => {}; // snapshot.mjs says which start it made; the answer says it too
  const module = await import(pathToFileURL(`${spec.runtime}snapshot.mjs`).href);
  const plain = await start(module, spec);
  const made = module.forBuild.makeSnapshot(plain.pyodide); // before the script imports more
  if (!made) throw new Error("Pyodide made no snapshot of the started engine");
  plain.answer = run(plain, spec);
  const file = await module.forBuild.wrap(made);
  await writeFile(spec.snapshot, file);
  const restored = await start(module, spec, file);
  restored.answer = run(restored, spec);
  const results = { plain: plain.answer, restored: restored.answer, plainMs: plain.ms };
  await writeFile(spec.results, JSON.stringify({ ...results, restoredMs: restored.ms }));
}

try {
  await main(JSON.parse(await readFile(process.argv[2], "utf8")));
  process.exit(0);
} catch (error) {
  process.stderr.write(`snapcheck.mjs: ${error?.stack ?? error}\n`);
  process.exit(1);
}
