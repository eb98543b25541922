// One gzip member assembled from independently deflated pieces. Each piece is raw deflate ended by
// a full flush (byte-aligned, not final, no back-reference into earlier pieces), so pieces can be
// cached and concatenated; an empty final block and the trailer (CRC-32 combined from the pieces'
// CRCs, total length) close the stream. Every gzip reader accepts it as an ordinary single-member
// file. This lets /metrics compress only the job lines that changed since the last scrape.
import * as zlib from 'node:zlib';

export interface DeflatedPiece {
  /** Raw deflate data ending in a full flush (00 00 ff ff), referring to nothing before it. */
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

/**
 * A long-lived raw deflate stream that compresses pieces one after another: one zlib context
 * (~256 KB) and one 16 KB output buffer serve thousands of pieces, where a one-shot deflate per
 * piece allocated and freed both every time (~300 KB of malloc churn per piece, which fragments
 * the heap and waits for GC). Each piece is written with Z_FULL_FLUSH: its output ends
 * byte-aligned in 00 00 ff ff and the dictionary is reset, so it refers to nothing before it,
 * exactly like an independent deflate ended by a sync flush.
 */
class PieceDeflater {
  private z: zlib.DeflateRaw | undefined;
  private out: Buffer[] = [];
  private outBytes = 0;
  private tail: Promise<unknown> = Promise.resolve();
  /** Pieces queued or being compressed here. */
  queued = 0;

  private stream(): zlib.DeflateRaw {
    if (this.z && !this.z.destroyed) return this.z;
    const z = zlib.createDeflateRaw({ flush: zlib.constants.Z_FULL_FLUSH });
    // Output is pushed (and emitted, the stream flowing) before the write's callback runs.
    z.on('data', (c: Buffer) => {
      this.out.push(c);
      this.outBytes += c.length;
    });
    // A zlib error destroys the stream; the write callback rejects that piece and the next
    // piece gets a fresh stream.
    z.on('error', () => {});
    return (this.z = z);
  }

  deflate(plain: Buffer): Promise<Buffer> {
    this.queued++;
    const run = this.tail.then(
      () =>
        new Promise<Buffer>((resolve, reject) => {
          this.out = [];
          this.outBytes = 0;
          this.stream().write(plain, (err) => {
            const parts = this.out;
            const bytes = this.outBytes;
            this.out = [];
            this.outBytes = 0;
            if (err) return reject(err);
            // Kept for long: an exact-size copy, never a view pinning zlib's 16 KB buffer.
            const data = Buffer.allocUnsafeSlow(bytes);
            let at = 0;
            for (const part of parts) at += part.copy(data, at);
            if (bytes < 4 || data.readUInt32BE(bytes - 4) !== 0x0000ffff) {
              this.z?.destroy();
              return reject(new Error('deflate: a piece did not end at a flush point'));
            }
            resolve(data);
          });
        }),
    );
    this.tail = run.catch(() => {}).finally(() => this.queued--);
    return run;
  }
}

/** Deflates one piece in the thread pool (never blocks the event loop). */
export type PieceDeflate = (plain: Buffer) => Promise<DeflatedPiece>;

/**
 * Two long-lived streams: two compressions at a time at most. libuv's pool has 4 threads and the
 * state store's fsyncs and DNS lookups need them too. One per metrics registry.
 */
export function createPieceDeflate(): PieceDeflate {
  const streams = [new PieceDeflater(), new PieceDeflater()] as const;
  return async (plain) => {
    // Nothing to say is zero bytes of deflate: a second flush in a row would produce no output.
    if (plain.length === 0) return { data: Buffer.alloc(0), crc: 0, length: 0 };
    const d = streams[0].queued <= streams[1].queued ? streams[0] : streams[1];
    const data = await d.deflate(plain);
    return { data, crc: crc32(plain), length: plain.length };
  };
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
