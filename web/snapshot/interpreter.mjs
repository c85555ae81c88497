// What is done to a started interpreter: the wheels' files written, the engine imported, its
// memory snapshotted, and after a restore what a snapshot does not hold put back.
import { debug, MANIFEST } from "./runtime.mjs";

/**
 * Write the wheels' files into site-packages, each a view of the fetched wheel (no copy); the
 * library's wheel is copied member by member instead, so that its buffer (mostly the library,
 * which a restore never writes and a plain start unlinks once imported) can be freed.
 */
export function install(pyodide, wheels, withLibraryFile) {
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

/** Import the engine, then run its rehearsal (the module's `rehearse()`: a first action on
 * made-up data), so that what the first action loads and builds is in the snapshot too. */
export function importEngine(pyodide) {
  pyodide.runPython(`import importlib
for _m in ${JSON.stringify(MANIFEST.imports)}:
    importlib.import_module(_m)
importlib.import_module(${JSON.stringify(MANIFEST.rehearsal)}).rehearse()
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

export function afterRestore(pyodide, wheels, meta) {
  const Module = pyodide._module;
  const dso = Module.LDSO.loadedLibsByName[`${MANIFEST.site}/${MANIFEST.so}`];
  for (const handle of meta.handles) Module.LDSO.loadedLibsByHandle[handle] = dso;
  install(pyodide, wheels, false); // files for modules imported later; the library is loaded
  pyodide.runPython("import random\nrandom.seed()\ndel random");
}

/** Drop what only start-up needed: Pyodide keeps the snapshot buffer and our factory (which
 * holds the compiled library and the snapshot) in its config otherwise. */
export function release(pyodide) {
  const config = pyodide._api.config;
  config._loadSnapshot = undefined;
  config.createPyodideModule = undefined;
}
