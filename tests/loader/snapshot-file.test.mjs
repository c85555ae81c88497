// The snapshot file (web/snapshot/file.mjs): put together from a memory copy, opened again from
// one buffer and checked.
import assert from "node:assert/strict";
import { test } from "node:test";
import { checkHead, checksum, free, HEADER_WORDS, openFile, wrap } from "../../web/snapshot/file.mjs";

const PAGE = 65536;

/** A memory of `pages` pages: Pyodide's header words on the first, every third page zeros. */
function memory(pages) {
  const body = new Uint8Array(pages * PAGE);
  const words = new Uint32Array(body.buffer);
  for (let i = 0; i < words.length; i++) if (Math.floor(i / (PAGE / 4)) % 3 !== 1) words[i] = i * 2654435761;
  words[0] = 1886286592; // Pyodide's magic
  words[1] = 64; // its header's length
  return body;
}

async function madeFile() {
  const body = memory(7);
  const file = await wrap({ meta: { buildId: "b" }, body });
  const header = new Uint32Array(file.buffer, file.byteOffset, HEADER_WORDS);
  const meta = checkHead(file, file.length, "b");
  return { body, file, meta, sum: header[3], stored: file.subarray(HEADER_WORDS * 4 + header[1]) };
}

test("a file opened from one buffer gives back its stored pages, meta and body length", async () => {
  const { body, file, meta, sum, stored } = await madeFile();
  assert.equal(meta.pages, "1011011");
  assert.equal(checksum(stored), sum);
  const opened = openFile(file.slice(), "b");
  assert.deepEqual(opened.stored, stored);
  assert.deepEqual(opened.meta, meta);
  assert.equal(opened.bodyLength, body.length);
});

test("another build's, a shorter, a longer or a changed file is refused, saying which", async () => {
  const { file } = await madeFile();
  assert.throws(() => openFile(file.slice(), "another"), /made by another build \(b\)/);
  assert.throws(() => openFile(file.slice(0, file.length - 4096), "b"), /truncated/);
  const longer = new Uint8Array(file.length + 8);
  longer.set(file);
  assert.throws(() => openFile(longer, "b"), /truncated/);
  const changed = file.slice();
  changed[changed.length - (changed.length >> 2)] ^= 0xff;
  assert.throws(() => openFile(changed, "b"), /corrupt \(checksum\)/);
  const notOurs = file.slice();
  notOurs[0] ^= 0xff;
  assert.throws(() => openFile(notOurs, "b"), /not a snapshot/);
});

test("a buffer is given back by transferring it to a length of zero", () => {
  const lengths = [];
  free({ buffer: { transfer: (length) => lengths.push(length) } });
  assert.deepEqual(lengths, [0]);
  free({ buffer: {} }); // a browser without ArrayBuffer.prototype.transfer: nothing to do
  free(null);
});
