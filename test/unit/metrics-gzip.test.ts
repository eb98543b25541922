// The gzip stream built from cached deflate pieces: CRC-32 combination, and a valid single-member
// gzip that zlib and the system's gzip(1) both read back byte for byte. That the renderer reuses
// pieces across scrapes unless a resource of their bucket changed is tested with its series
// (metrics-audience-generation-job-series.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { constants, gunzipSync, gzipSync, inflateRawSync } from 'node:zlib';
import { crc32, crc32Combine, createPieceDeflate, gzipFrame, type DeflatedPiece } from '../../src/metrics/gzip.js';

const deflatePiece = createPieceDeflate();

// A seeded byte source, so a failure replays.
function bytes(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = (x >>> 0) % 7 === 0 ? x & 0xff : 97 + (i % 5);
  }
  return b;
}

test('crc32 matches gzip trailers; crc32Combine(crc(A), crc(B), |B|) = crc(A+B), empty parts included', () => {
  for (const [na, nb, seed] of [
    [0, 0, 1],
    [0, 17, 2],
    [31, 0, 3],
    [1, 1, 4],
    [1000, 70_000, 5],
    [65_536, 3, 6],
  ] as const) {
    const a = bytes(na, seed);
    const b = bytes(nb, seed + 100);
    const whole = Buffer.concat([a, b]);
    const fromGzip = gzipSync(whole).readUInt32LE(gzipSync(whole).length - 8);
    assert.equal(crc32(whole), fromGzip, `crc32 of ${whole.length} bytes`);
    assert.equal(crc32Combine(crc32(a), crc32(b), nb), crc32(whole), `combine ${na}+${nb}`);
  }
});

test('gzipFrame of independently deflated pieces is one valid gzip member (zlib and gzip -t agree)', async () => {
  const parts = [bytes(10, 7), Buffer.alloc(0), bytes(200_000, 8), bytes(1, 9), bytes(70_000, 10)];
  const pieces = await Promise.all(parts.map((p) => deflatePiece(p)));
  const gz = Buffer.concat([...gzipFrame(pieces)]);
  assert.deepEqual(gunzipSync(gz), Buffer.concat(parts));
  let gzipTool = true;
  try {
    execFileSync('gzip', ['--version'], { stdio: 'ignore' });
  } catch {
    gzipTool = false;
  }
  if (gzipTool) {
    assert.deepEqual(execFileSync('gzip', ['-dc'], { input: gz }), Buffer.concat(parts), 'gzip(1) decodes it');
    execFileSync('gzip', ['-t'], { input: gz }); // throws on a CRC or length mismatch
  }
  const empty = Buffer.concat([...gzipFrame([])]);
  assert.equal(gunzipSync(empty).length, 0);
});

test('pieces from the shared deflate streams refer to nothing before them: each inflates alone, any order frames', async () => {
  const parts = [bytes(5_000, 11), bytes(5_000, 11), bytes(300, 12), bytes(40_000, 13), bytes(5_000, 11)];
  const pieces: DeflatedPiece[] = [];
  for (const p of parts) pieces.push(await deflatePiece(p)); // one after another, as a scrape does
  for (const [i, p] of pieces.entries()) {
    assert.deepEqual(inflateRawSync(p.data, { finishFlush: constants.Z_SYNC_FLUSH }), parts[i], `piece ${i} alone`);
    assert.equal(p.data.subarray(-4).toString('hex'), '0000ffff', 'ends at a flush point');
  }
  // Piece 1 repeats piece 0 byte for byte: a back-reference would break this order.
  const order = [4, 1, 2, 0, 3];
  const gz = Buffer.concat([...gzipFrame(order.map((i) => pieces[i]!))]);
  assert.deepEqual(gunzipSync(gz), Buffer.concat(order.map((i) => parts[i]!)));
});
