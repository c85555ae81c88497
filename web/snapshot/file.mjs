// The snapshot file: our header words, JSON meta (build id, dlopen handles, which 64 KiB pages
// of Pyodide's snapshot are stored), then the stored pages; its checks, and its pages in order.

const PAGE = 65536;
const MAGIC = 0x6e73_6e32; // "nsn2": our header before Pyodide's snapshot
export const HEADER_WORDS = 8; // magic, meta length, memory length, checksum, stored length, 3 spare
const PYODIDE_MAGIC = 1886286592;
export const HEAD_BYTES = HEADER_WORDS * 4 + 8192; // our header and meta
const PAGES_PER_RUN = 32; // 2 MiB of memory between pauses of `wrap`

// The checksum: four Fletcher-style sums side by side, word i of the stored pages in lane i % 4
// (four independent chains of additions run about four times faster than one), then mixed.
const LANES = 4;
const startSums = () => [1, 0, 1, 0, 1, 0, 1, 0]; // [a, b] of each lane

/** Add `words[from..to)` (indexes from the start of what is summed) to the running `sums`. */
function addWords(sums, words, from, to = words.length) {
  let i = from;
  while (i < to && i % LANES) addWord(sums, i, words[i++]);
  let [a0, b0, a1, b1, a2, b2, a3, b3] = sums;
  const whole = i + (to - i - ((to - i) % LANES));
  for (; i < whole; i += LANES) {
    a0 = (a0 + words[i]) | 0;
    b0 = (b0 + a0) | 0;
    a1 = (a1 + words[i + 1]) | 0;
    b1 = (b1 + a1) | 0;
    a2 = (a2 + words[i + 2]) | 0;
    b2 = (b2 + a2) | 0;
    a3 = (a3 + words[i + 3]) | 0;
    b3 = (b3 + a3) | 0;
  }
  sums.splice(0, 8, a0, b0, a1, b1, a2, b2, a3, b3);
  while (i < to) addWord(sums, i, words[i++]);
}

function addWord(sums, index, word) {
  const lane = (index % LANES) * 2;
  sums[lane] = (sums[lane] + word) | 0;
  sums[lane + 1] = (sums[lane + 1] + sums[lane]) | 0;
}

function digest(sums) {
  let mixed = 0;
  for (let lane = 0; lane < sums.length; lane += 2) {
    mixed = Math.imul(mixed ^ sums[lane + 1] ^ Math.imul(sums[lane], 0x9e3779b1), 0x85ebca6b);
  }
  return mixed >>> 0;
}

/** A 32-bit checksum of `chunks` taken as one byte string (each a multiple of 4 bytes long). */
export function checksum(...chunks) {
  const sums = startSums();
  for (const bytes of chunks) {
    addWords(sums, new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength >>> 2), 0);
  }
  return digest(sums);
}

/**
 * Read `blob` (a multiple of 4 bytes long) into one buffer, taking its checksum as the bytes
 * arrive (the sums keep pace with the read instead of following it): `{ bytes, sum }`.
 */
export async function readSummed(blob) {
  const bytes = new Uint8Array(blob.size);
  const words = new Uint32Array(bytes.buffer);
  const reader = blob.stream().getReader();
  const sums = startSums();
  let filled = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value.length > bytes.length - filled) throw new Error("corrupt (longer than its size)");
    const summed = filled >>> 2;
    bytes.set(value, filled);
    filled += value.length;
    addWords(sums, words, summed, filled >>> 2);
  }
  if (filled !== bytes.length) throw new Error("truncated");
  return { bytes, sum: digest(sums) };
}

/** Give back the memory of `bytes` (a buffer JavaScript made) now, not at a garbage collection
 * some time later. */
export function free(bytes) {
  bytes?.buffer.transfer?.(0);
}

export function isZero(page) {
  const words = new Uint32Array(page.buffer, page.byteOffset, page.byteLength >>> 2);
  for (let i = 0; i < words.length; i++) if (words[i]) return false;
  return true;
}

/**
 * Our file, as one buffer: header words, JSON meta (build id, dlopen handles, which 64 KiB pages
 * of Pyodide's snapshot are stored: about 40% of the memory is zero pages, left out), then the
 * pages. One pass over the memory finds the zero pages, sums and copies the others. `pause`, when
 * given, is awaited between runs of pages, so that the thread answers other work meanwhile.
 */
export async function wrap({ meta, body }, pause = null) {
  const count = Math.ceil(body.length / PAGE);
  const words = new Uint32Array(body.buffer, body.byteOffset, body.byteLength >>> 2);
  const pageWords = PAGE >>> 2;
  const bits = new Array(count).fill("0");
  // The page map has one character per page whichever they are: the meta's length is known now.
  const metaText = () => JSON.stringify({ ...meta, pages: bits.join("") });
  const metaLength = (new TextEncoder().encode(metaText()).length + 3) & ~3;
  const headLength = HEADER_WORDS * 4 + metaLength;
  const file = new Uint8Array(headLength + words.length * 4); // trimmed to what is stored
  const kept = new Uint32Array(file.buffer, headLength);
  const sums = startSums();
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (pause && i && i % PAGES_PER_RUN === 0) await pause();
    const start = i * pageWords;
    const end = Math.min(start + pageWords, words.length);
    let used = start;
    while (used < end && words[used] === 0) used++;
    if (used === end) continue;
    bits[i] = "1";
    kept.set(words.subarray(start, end), at);
    addWords(sums, kept, at, at + end - start);
    at += end - start;
  }
  const storedLength = at * 4;
  file.fill(0x20, 0, headLength);
  file.set(new TextEncoder().encode(metaText()), HEADER_WORDS * 4);
  new Uint32Array(file.buffer, 0, HEADER_WORDS).set([
    MAGIC,
    metaLength,
    body.length,
    digest(sums), // checksum() of the stored pages
    storedLength,
  ]);
  return file.subarray(0, headLength + storedLength);
}

/** The meta of a snapshot file from its first bytes and its size, or throws saying why not. */
export function checkHead(head, size, buildId) {
  if (head.byteLength < HEADER_WORDS * 4 || head.byteOffset % 4) throw new Error("too short");
  const header = new Uint32Array(head.buffer, head.byteOffset, HEADER_WORDS);
  if (header[0] !== MAGIC) throw new Error("not a snapshot");
  const [, metaLength, , , storedLength] = header;
  if (size !== HEADER_WORDS * 4 + metaLength + storedLength) throw new Error("truncated");
  if (head.byteLength < HEADER_WORDS * 4 + metaLength) throw new Error("meta too long");
  const meta = JSON.parse(new TextDecoder().decode(head.subarray(32, 32 + metaLength)));
  if (meta.buildId !== buildId) throw new Error(`made by another build (${meta.buildId})`);
  return meta;
}

/**
 * The pieces of Pyodide's snapshot (its body: Pyodide's header, then the memory) that a file
 * holds, in order: [offset in the body, length, the bytes or null for a page of zeros].
 */
export function* pieces(stored, meta, bodyLength) {
  let at = 0;
  for (let i = 0; i < meta.pages.length; i++) {
    const length = Math.min(PAGE, bodyLength - i * PAGE);
    const kept = meta.pages[i] === "1";
    yield [i * PAGE, length, kept ? stored.subarray(at, at + length) : null];
    if (kept) at += length;
  }
}

/** Check the stored pages of a snapshot file (from `openSnapshot`; `sum` their checksum as
 * read, `expected` the header's), or throw why they are bad. */
export function check(stored, meta, sum, expected, bodyLength) {
  if (sum !== expected) throw new Error("corrupt (checksum)");
  let at = 0;
  for (const [, length, bytes] of pieces(stored, meta, bodyLength)) if (bytes) at += length;
  if (at !== stored.length || meta.pages.length !== Math.ceil(bodyLength / PAGE)) {
    throw new Error("corrupt (page map)");
  }
  const header = new Uint32Array(stored.buffer, stored.byteOffset, 2);
  if (meta.pages[0] !== "1" || header[0] !== PYODIDE_MAGIC || header[1] > PAGE) {
    throw new Error("no Pyodide snapshot inside");
  }
}
