// Run the engine in Pyodide under Node and report the standard-library modules it imported.
// Usage: node probe.mjs SPEC.json — SPEC is {pyodideDir, stdlib, wheels, script, results}:
// `stdlib` is the stdlib zip to boot with (the full one to find the import closure, the trimmed
// one to check that it is enough), `wheels` the shipped wheel files, `script` probe.py,
// `results` where the JSON answer goes.
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// pyodide.mjs imports the optional `ws` package unless `require` exists; we need no sockets.
globalThis.require ??= createRequire(import.meta.url);

async function main(spec) {
  const { loadPyodide } = await import(pathToFileURL(join(spec.pyodideDir, "pyodide.mjs")).href);
  const quiet = () => {};
  const pyodide = await loadPyodide({
    indexURL: spec.pyodideDir.endsWith("/") ? spec.pyodideDir : `${spec.pyodideDir}/`,
    stdLibURL: spec.stdlib,
    stdout: (line) => process.stderr.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
  // Local wheel files only: under Node, a package name could make Pyodide reach for its CDN.
  await pyodide.loadPackage(spec.wheels, { messageCallback: quiet, errorCallback: quiet });
  const namespace = pyodide.globals.get("dict")();
  pyodide.runPython(await readFile(spec.script, "utf8"), { globals: namespace });
  const probe = namespace.get("probe");
  const answer = await probe();
  await writeFile(spec.results, answer);
}

try {
  await main(JSON.parse(await readFile(process.argv[2], "utf8")));
  process.exit(0); // the webloop may hold timers; the answer is written
} catch (error) {
  // A PythonError's message is the Python traceback; keep Node's minified-source dump out.
  process.stderr.write(`probe.mjs: ${error?.message ?? error}\n`);
  process.exit(1);
}
