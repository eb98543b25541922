// One gzip member assembled from independently deflated pieces. Each piece is raw deflate ended by
// a sync flush (byte-aligned, not final, no back-reference into earlier pieces), so pieces can be
// cached and concatenated; an empty final block and the trailer (CRC-32 combined from the pieces'
// CRCs, total length) close the stream. Every gzip reader accepts it as an ordinary single-member
// file. This lets /metrics compress only the job lines that changed since the last scrape.
import * as zlib from 'node:zlib';
import { promisify } from 'node:util';

const deflateRawAsync = promisify(zlib.deflateRaw);

export interface DeflatedPiece {
  /** Raw deflate data ending in a sync flush (00 00 ff ff). */
  data: Buffer;
  /** CRC-32 of the uncompressed bytes. */
  crc: number;
  /** Uncompressed length in bytes. */
  length: number;
}

// ---- CRC-32 (IEEE, reflected, as gzip uses) --------------------------------------------------

const POLY = 0xedb88320;
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ POLY : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32Js(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// Node 22.2+ has zlib.crc32 (native); Node 20 does not.
const nativeCrc32 = (zlib as unknown as { crc32?: (data: Uint8Array) => number }).crc32;

export function crc32(buf: Uint8Array): number {
  return nativeCrc32 ? nativeCrc32(buf) >>> 0 : crc32Js(buf);
}

/** a(x) * b(x) mod p(x) over GF(2), reflected (zlib's multmodp); a must be non-zero. */
function multmodp(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** x^(2^k) mod p(x), k = 0..31. */
const X2N = (() => {
  const t = new Uint32Array(32);
  let p = 0x40000000; // x^1
  t[0] = p;
  for (let n = 1; n < 32; n++) t[n] = p = multmodp(p, p);
  return t;
})();

/** x^(n * 2^k) mod p(x). */
function x2nmodp(n: number, k: number): number {
  let p = 0x80000000; // x^0
  while (n > 0) {
    if (n % 2 === 1) p = multmodp(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** CRC-32 of A followed by B, from crc(A), crc(B) and B's length (zlib's crc32_combine). */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multmodp(x2nmodp(lengthB, 3), crcA) ^ crcB) >>> 0;
}

// ---- pieces and framing ----------------------------------------------------------------------

/** A standalone, exact-size copy (never a slice of a shared pool or a larger buffer). */
export function exactCopy(src: Uint8Array): Buffer {
  const out = Buffer.allocUnsafeSlow(src.length);
  out.set(src);
  return out;
}

// At most two compressions at a time: libuv's pool has 4 threads and the state store's fsyncs
// and DNS lookups need them too; also bounds the zlib contexts (~256 KB each) alive at once.
const MAX_PARALLEL = 2;
let running = 0;
const waiting: Array<() => void> = [];

/** Deflate one piece in the thread pool (never blocks the event loop). */
export async function deflatePiece(plain: Buffer): Promise<DeflatedPiece> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolve) => waiting.push(resolve));
  running++;
  try {
    // zlib hands back a view into its 16 KB output buffer; a piece is kept for long, so keep an
    // exact-size copy instead (3,000 pieces x 16 KB would be ~50 MB for ~2.5 MB of data).
    const data = exactCopy(await deflateRawAsync(plain, { finishFlush: zlib.constants.Z_SYNC_FLUSH }));
    return { data, crc: crc32(plain), length: plain.length };
  } finally {
    running--;
    waiting.shift()?.();
  }
}

// 10-byte header: magic, deflate, no flags, no mtime (reproducible), no extra flags, OS unknown.
const HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0xff]);
// An empty final block, as zlib writes it.
const FINAL_BLOCK = zlib.deflateRawSync(Buffer.alloc(0));

/** The gzip stream of the pieces, in order: header, their data, final block, trailer. */
export function* gzipFrame(pieces: Iterable<DeflatedPiece>): Generator<Buffer> {
  yield HEADER;
  let crc = 0;
  let length = 0;
  for (const p of pieces) {
    crc = length === 0 ? p.crc : crc32Combine(crc, p.crc, p.length);
    length += p.length;
    yield p.data;
  }
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc >>> 0, 0);
  trailer.writeUInt32LE(length % 0x100000000, 4);
  yield Buffer.concat([FINAL_BLOCK, trailer]);
}
