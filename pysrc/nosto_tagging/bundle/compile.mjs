// Byte-compile zips with Pyodide's own Python (the host's CPython has the wrong magic number).
// Usage: node compile.mjs JOBS.json — JOBS is {pyodideDir, script, results, jobs: [{src, dst,
// prefix, wheel}]}; `script` is pyc.py, run inside Pyodide; per-job results go to `results`.
import { readFile, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

// pyodide.mjs imports the optional `ws` package unless `require` exists; we need no sockets.
globalThis.require ??= createRequire(import.meta.url);

async function main(spec) {
  const started = performance.now();
  const { loadPyodide } = await import(pathToFileURL(join(spec.pyodideDir, "pyodide.mjs")).href);
  // Load no packages: under Node, loadPackage falls back to the CDN.
  const pyodide = await loadPyodide({
    indexURL: spec.pyodideDir.endsWith("/") ? spec.pyodideDir : `${spec.pyodideDir}/`,
    stdout: (line) => process.stderr.write(`${line}\n`),
    stderr: (line) => process.stderr.write(`${line}\n`),
  });
  const booted = performance.now();

  const namespace = pyodide.globals.get("dict")();
  pyodide.runPython(await readFile(spec.script, "utf8"), { globals: namespace });
  const recompile = namespace.get("recompile_zip");

  pyodide.FS.mkdirTree("/nosto-build");
  const results = [];
  for (const [index, job] of spec.jobs.entries()) {
    const src = `/nosto-build/in-${index}.zip`;
    const dst = `/nosto-build/out-${index}.zip`;
    pyodide.FS.writeFile(src, await readFile(job.src));
    const t0 = performance.now();
    let stats;
    try {
      stats = recompile(src, dst, job.prefix, job.wheel);
    } catch (error) {
      throw new Error(`while compiling ${job.src}:\n${error?.message ?? error}`);
    }
    results.push({
      ...stats.toJs({ dict_converter: Object.fromEntries }),
      src: job.src,
      ms: Math.round(performance.now() - t0),
    });
    stats.destroy();
    await writeFile(job.dst, pyodide.FS.readFile(dst));
    pyodide.FS.unlink(src);
    pyodide.FS.unlink(dst);
  }
  const python = pyodide.runPython("import sys; sys.version");
  const summary = { bootMs: Math.round(booted - started), python, results };
  await writeFile(spec.results, JSON.stringify(summary));
}

try {
  await main(JSON.parse(await readFile(process.argv[2], "utf8")));
} catch (error) {
  // A PythonError's message is the Python traceback; keep Node's minified-source dump out.
  process.stderr.write(`compile.mjs: ${error?.message ?? error}\n`);
  process.exit(1);
}
