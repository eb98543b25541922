// Where the daemon's memory goes, part by part, per resource: the snapshots the store keeps (as
// read from Get answers, shared strings and all), the same without sharing, the renderer's cached
// text and gzip pieces under each metrics.statusSeries, and a checkpoint line as the state dir
// writes it. Each part is measured in this process as the growth of the V8 heap (after full GCs)
// and of memory outside it (Buffers), over the bench's fleet of audience generation jobs.
//
//   node --expose-gc --import tsx bench/memory-parts.ts [--jobs N]
//
// These are the parts that grow with the fleet; the rest of the daemon's RSS is Node itself, the
// code and the fixed-size parts (see docs/performance.md, "Where the memory goes").
import { parseArgs } from 'node:util';
import { snapshotFromWire } from '../src/aws/resource-deserialize.js';
import { KINDS } from '../src/kinds/index.js';
import type { ResourceSnapshot } from '../src/kinds/resource.js';
import { createPieceDeflate } from '../src/metrics/gzip.js';
import { ResourceSeriesRenderer } from '../src/metrics/resource-series.js';
import type { StatusSeries } from '../src/metrics/resource-families.js';

const { values: args } = parseArgs({ options: { jobs: { type: 'string', default: '10000' } } });
const N = Number(args.jobs);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  process.stderr.write('memory-parts: run with node --expose-gc\n');
  process.exit(2);
}

/** Heap and external bytes after full collections. */
function used(): { heap: number; external: number } {
  for (let i = 0; i < 4; i++) gc!();
  const m = process.memoryUsage();
  // `external` includes the ArrayBuffers (Buffers) already.
  return { heap: m.heapUsed, external: m.external };
}

/** The bench's fleet (bench/run.ts): 4 collaborations, 2 models each, 1 in 15 failed, the others scored. */
function wire(i: number): Record<string, unknown> {
  const c = i % 4;
  const hex = ((i * 2654435761) >>> 0).toString(16).padStart(8, '0');
  const failed = i % 15 === 1;
  return {
    createTime: new Date(1_795_000_000_000 + i * 1000).toISOString(),
    updateTime: new Date(1_795_000_600_000 + i * 1000).toISOString(),
    // A fresh string per answer, as JSON.parse gives each Get answer its own copy.
    audienceGenerationJobArn: `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/${hex}-0001-4${hex.slice(0, 3)}-8${hex.slice(3, 6)}-${String(i).padStart(12, '0')}`,
    name: `bench-${String(i).padStart(5, '0')}`,
    status: failed ? 'CREATE_FAILED' : 'ACTIVE',
    configuredAudienceModelArn: `arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/bench-c${c}-m${i % 2}`.slice(0),
    collaborationId: JSON.parse(`"0000000${c}-0007-4000-8000-000000000000"`),
    ...(failed
      ? { statusDetails: { statusCode: 'INTERNAL_ERROR', message: 'bench' } }
      : {
          metrics: {
            relevanceMetrics: [
              { audienceSize: { type: 'ABSOLUTE', value: 10_000 }, score: 0.5 + (i % 40) / 100 },
              { audienceSize: { type: 'PERCENTAGE', value: 20 }, score: 0.3 + (i % 30) / 100 },
            ],
            recallMetric: 0.2 + (i % 50) / 100,
          },
        }),
  };
}

const AGJ = KINDS.audienceGenerationJob;
const rows: string[] = [];
const row = (part: string, heap: number, external: number, note = '') =>
  rows.push(`| ${part} | ${(heap / N).toFixed(0)} | ${(external / N).toFixed(0)} | ${((heap + external) / 1e6).toFixed(1)} | ${note} |`);

// 1. Snapshots in the store, as the daemon holds them (shared strings: src/intern.ts).
const before = used();
const store = new Map<string, ResourceSnapshot>();
for (let i = 0; i < N; i++) {
  const s = snapshotFromWire(AGJ, AGJ.get.member!, JSON.parse(JSON.stringify(wire(i))), 'GetAudienceGenerationJob');
  s.statusSince = s.updateTime;
  store.set(s.id, s);
}
const after = used();
row('snapshots in the store (Map entry, snapshot, its strings and results)', after.heap - before.heap, after.external - before.external);

// 2. Its state dir line: what one resource weighs in a checkpoint or a journal record (written, not kept).
const line = Buffer.byteLength(JSON.stringify([...store.values()]));
rows.push(
  `| its JSON in a checkpoint (written ~64 KB at a time, not kept) | | | ${(line / 1e6).toFixed(1)} | ${(line / N).toFixed(0)} bytes per resource on disk |`,
);

// 3. The renderer's pieces under each statusSeries: text (Buffers) and gzip pieces. One renderer
// at a time, dropped before the next is measured.
async function pieces(mode: StatusSeries): Promise<void> {
  let before = used();
  const r = new ResourceSeriesRenderer(createPieceDeflate());
  const lease = r.plain(store, mode);
  const bytes = lease.value.reduce((a, b) => a + b.length, 0);
  lease.release();
  let after = used();
  row(
    `rendered text pieces, statusSeries ${mode}`,
    after.heap - before.heap,
    after.external - before.external,
    `${(bytes / N).toFixed(0)} bytes of text per resource`,
  );
  before = after;
  const z = await r.gzipPieces(store, mode);
  const zBytes = z.reduce((a, p) => a + p.data.length, 0);
  after = used();
  row(
    `their gzip pieces, statusSeries ${mode}`,
    after.heap - before.heap,
    after.external - before.external,
    `${(zBytes / N).toFixed(0)} bytes compressed per resource`,
  );
  if (r.activeLeases !== 0) throw new Error('leases left');
}
for (const mode of ['all', 'nonTerminalOnly'] as StatusSeries[]) await pieces(mode);

process.stdout.write(
  [
    `memory per resource by part, ${N} audience generation jobs (the bench's fleet), node ${process.version}`,
    '',
    '| part | heap bytes / resource | outside the heap bytes / resource | MB in all | |',
    '|---|---|---|---|---|',
    ...rows,
    '',
  ].join('\n'),
);
