// The snapshot file (web/snapshot/file.mjs): put together from a memory copy, read back as a
// stream in chunks of any size with its checksum taken on the way, checked.
import assert from "node:assert/strict";
import { test } from "node:test";
import { check, checkHead, checksum, free, HEADER_WORDS, readSummed, wrap } from "../../web/snapshot/file.mjs";

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

/** A Blob-like body streamed in chunks of the given sizes (cycled), `extra` bytes past `size`. */
function chunked(bytes, sizes, extra = 0) {
  const all = new Uint8Array(bytes.length + extra);
  all.set(bytes);
  return {
    size: bytes.length,
    stream() {
      let at = 0, n = 0;
      return new ReadableStream({
        pull(controller) {
          if (at >= all.length) return controller.close();
          const size = sizes[n++ % sizes.length];
          controller.enqueue(all.slice(at, at + size));
          at += size;
        },
      });
    },
  };
}

async function madeFile() {
  const body = memory(7);
  const file = await wrap({ meta: { buildId: "b" }, body });
  const header = new Uint32Array(file.buffer, file.byteOffset, HEADER_WORDS);
  const meta = checkHead(file, file.length, "b");
  return { body, file, meta, sum: header[3], stored: file.subarray(HEADER_WORDS * 4 + header[1]) };
}

test("the stored pages read in chunks of any size sum to the header's checksum", async () => {
  const { body, meta, sum, stored } = await madeFile();
  assert.equal(meta.pages, "1011011");
  assert.equal(checksum(stored), sum);
  for (const sizes of [[1], [3, 5, 7], [65536], [stored.length]]) {
    const read = await readSummed(chunked(stored, sizes));
    assert.equal(read.sum, sum, `chunks of ${sizes}`);
    assert.deepEqual(read.bytes, stored);
    check(read.bytes, meta, read.sum, sum, body.length);
  }
});

test("a body shorter or longer than its size, or changed, is refused", async () => {
  const { body, meta, sum, stored } = await madeFile();
  const short = chunked(stored.subarray(0, stored.length - 4096), [4096]);
  await assert.rejects(readSummed({ size: stored.length, stream: short.stream }), /truncated/);
  await assert.rejects(readSummed(chunked(stored, [4096], 8)), /longer than its size/);
  const changed = stored.slice();
  changed[changed.length >> 1] ^= 0xff;
  const read = await readSummed(chunked(changed, [1000]));
  assert.throws(() => check(read.bytes, meta, read.sum, sum, body.length), /corrupt \(checksum\)/);
});

test("words swapped, in one lane of the sums or across lanes, change the checksum", async () => {
  const { stored, sum } = await madeFile();
  for (const [i, j] of [[100, 101], [100, 104], [100, 100 + 16384]]) {
    const swapped = stored.slice();
    const words = new Uint32Array(swapped.buffer);
    [words[i], words[j]] = [words[j], words[i]];
    assert.notEqual(words[i], words[j]);
    assert.notEqual(checksum(swapped), sum, `words ${i} and ${j}`);
  }
});

test("a buffer is given back by transferring it to a length of zero", () => {
  const lengths = [];
  free({ buffer: { transfer: (length) => lengths.push(length) } });
  assert.deepEqual(lengths, [0]);
  free({ buffer: {} }); // a browser without ArrayBuffer.prototype.transfer: nothing to do
  free(null);
});
