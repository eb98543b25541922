// Audience generation job series through the one declaration-driven renderer: the family names and
// label sets users' dashboards read (unchanged from the releases that rendered them on their own),
// one sample per relevance label set, the nonTerminalOnly option, and the piece cache: a change
// re-renders (and re-compresses) only the pieces of its bucket, a scrape holding pieces never sees
// them rewritten, and the gzip pieces decompress to the plain text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { snapshotFromWire } from '../../src/aws/resource-deserialize.js';
import { KINDS } from '../../src/kinds/index.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { createPieceDeflate, gzipFrame, type PieceDeflate } from '../../src/metrics/gzip.js';
import { ResourceSeriesRenderer } from '../../src/metrics/resource-series.js';
import { resourceFromJob } from '../../src/state/legacy-job.js';
import { oneOfEach } from '../helpers/resources.js';
import { ARN_A, ARN_B, MODEL_ARN, snap } from '../helpers/snapshots.js';

const AGJ = KINDS.audienceGenerationJob;
const COLLABORATION = '5f6e7d8c-0000-4000-8000-000000000001';
const CREATED = '2026-11-28T12:00:00.000Z';
const UPDATED = '2026-11-28T12:05:00.000Z';

/** A job as GetAudienceGenerationJob answers it, read by the client's own deserializer. */
function job(arn: string, over: Record<string, unknown> = {}): ResourceSnapshot {
  const wire = {
    createTime: CREATED,
    updateTime: UPDATED,
    audienceGenerationJobArn: arn,
    name: 'lookalike-q4',
    status: 'CREATE_IN_PROGRESS',
    configuredAudienceModelArn: MODEL_ARN,
    collaborationId: COLLABORATION,
    ...over,
  };
  return snapshotFromWire(AGJ, AGJ.get.member!, wire, 'GetAudienceGenerationJob');
}

const scored = {
  status: 'ACTIVE',
  metrics: {
    relevanceMetrics: [
      { audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.9 },
      { audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.8 }, // same label set: dropped
      { audienceSize: { type: 'PERCENTAGE', value: 5 }, score: 0.7 },
      { audienceSize: { type: 'ABSOLUTE', value: 5000 } }, // no score yet: no sample
    ],
    recallMetric: 0.4,
  },
};

const byId = (all: Iterable<ResourceSnapshot>) => new Map([...all].map((s) => [s.id, s]));
const samples = (text: string, family: string) => text.split('\n').filter((l) => l.startsWith(`${family}{`));
const labelNames = (line: string) => [...line.slice(line.indexOf('{') + 1, line.lastIndexOf('}')).matchAll(/(\w+)="/g)].map((m) => m[1]);
const P = 'cleanroomsml_audience_generation_job_';

test('audience generation jobs: the family names, label sets and samples of the releases before', () => {
  const text = new ResourceSeriesRenderer().render(byId([job(ARN_A, scored)]), 'all');
  const families = [...text.matchAll(/^# HELP (cleanroomsml_audience_generation_job_\w+) /gm)].map((m) => m[1]);
  assert.deepEqual(families, [
    `${P}status`,
    `${P}info`,
    `${P}tags`,
    `${P}created_timestamp_seconds`,
    `${P}updated_timestamp_seconds`,
    `${P}status_since_timestamp_seconds`,
    `${P}relevance_score`,
    `${P}recall_ratio`,
  ]);
  for (const f of families) assert.match(text, new RegExp(`^# TYPE ${f} gauge$`, 'm'));
  const c = Date.parse(CREATED) / 1000;
  const u = Date.parse(UPDATED) / 1000;
  const expected = [
    ...['CREATE_PENDING', 'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'ACTIVE', 'DELETE_PENDING', 'DELETE_IN_PROGRESS', 'DELETE_FAILED'].map(
      (s) => `${P}status{arn="${ARN_A}",status="${s}"} ${s === 'ACTIVE' ? 1 : 0}`,
    ),
    `${P}info{arn="${ARN_A}",name="lookalike-q4",collaboration_id="${COLLABORATION}",configured_audience_model_arn="${MODEL_ARN}"} 1`,
    `${P}tags{arn="${ARN_A}"} 1`,
    `${P}created_timestamp_seconds{arn="${ARN_A}"} ${c}`,
    `${P}updated_timestamp_seconds{arn="${ARN_A}"} ${u}`,
    `${P}status_since_timestamp_seconds{arn="${ARN_A}"} ${u}`,
    `${P}relevance_score{arn="${ARN_A}",audience_size_type="ABSOLUTE",audience_size="1000"} 0.9`,
    `${P}relevance_score{arn="${ARN_A}",audience_size_type="PERCENTAGE",audience_size="5"} 0.7`,
    `${P}recall_ratio{arn="${ARN_A}"} 0.4`,
  ];
  assert.deepEqual(
    text.split('\n').filter((l) => l.startsWith(P)),
    expected,
  );
  const sets = Object.fromEntries(families.map((f) => [f, labelNames(samples(text, f!)[0]!)]));
  assert.deepEqual(sets, {
    [`${P}status`]: ['arn', 'status'],
    [`${P}info`]: ['arn', 'name', 'collaboration_id', 'configured_audience_model_arn'],
    [`${P}tags`]: ['arn'],
    [`${P}created_timestamp_seconds`]: ['arn'],
    [`${P}updated_timestamp_seconds`]: ['arn'],
    [`${P}status_since_timestamp_seconds`]: ['arn'],
    [`${P}relevance_score`]: ['arn', 'audience_size_type', 'audience_size'],
    [`${P}recall_ratio`]: ['arn'],
  });
  // Nothing of the other kinds but their headers.
  assert.equal(text.split('\n').filter((l) => l.startsWith('cleanroomsml_') && !l.startsWith(P)).length, 0);
});

test('a job read from the old state records renders exactly as one read from the API', () => {
  const fromState = resourceFromJob(
    snap({
      status: 'ACTIVE',
      createTime: Date.parse(CREATED),
      updateTime: Date.parse(UPDATED),
      metrics: scored.metrics,
    }),
  );
  const r = new ResourceSeriesRenderer();
  assert.equal(r.render(byId([fromState]), 'all'), new ResourceSeriesRenderer().render(byId([job(ARN_A, scored)]), 'all'));
  // No collaboration: the label is there, empty; statusSince wins over updateTime once known.
  const alone = new ResourceSeriesRenderer().render(
    byId([{ ...resourceFromJob(snap({ collaborationId: undefined })), statusSince: 1_000 }]),
    'all',
  );
  assert.ok(
    alone.includes(`${P}info{arn="${ARN_A}",name="lookalike-q4",collaboration_id="",configured_audience_model_arn="${MODEL_ARN}"} 1\n`),
  );
  assert.ok(alone.includes(`${P}status_since_timestamp_seconds{arn="${ARN_A}"} 1\n`));
});

test('label values are escaped; nonTerminalOnly keeps one status sample for every job not under way', () => {
  const r = new ResourceSeriesRenderer();
  const weird = r.render(byId([job(ARN_A, { name: 'q"4\\x\ny' })]), 'all');
  assert.ok(weird.includes('name="q\\"4\\\\x\\ny"'), 'backslash, quote and newline escaped');
  const at = (status: string) => job(`${ARN_B.slice(0, -4)}${status.length.toString().padStart(4, '0')}${status}`, { status });
  const statuses = ['CREATE_IN_PROGRESS', 'DELETE_PENDING', 'ACTIVE', 'CREATE_FAILED', 'DELETE_FAILED', 'ARCHIVED'];
  const jobs = byId(statuses.map(at));
  const all = samples(r.render(jobs, 'all'), `${P}status`);
  assert.equal(all.length, 6 * 7 + 1, 'every known status for each, and the unknown one as given');
  assert.ok(all.some((l) => l.endsWith('status="ARCHIVED"} 1')));
  const slim = samples(r.render(jobs, 'nonTerminalOnly'), `${P}status`);
  assert.equal(slim.length, 2 * 7 + 4, 'under way: all 7; at rest (ACTIVE, failed, unknown): the current one');
  for (const s of ['ACTIVE', 'CREATE_FAILED', 'DELETE_FAILED', 'ARCHIVED'])
    assert.ok(
      slim.some((l) => l.endsWith(`status="${s}"} 1`)),
      s,
    );
});

/** A fleet of jobs (every fourth under way, the rest scored) and one resource of each other kind. */
function fleet(n: number): Map<string, ResourceSnapshot> {
  const jobs = Array.from({ length: n }, (_, i) => {
    const arn = `${ARN_B.slice(0, -5)}${String(i).padStart(5, '0')}`;
    return job(arn, i % 4 ? { ...scored, name: `job-${i}` } : { name: `job-${i}` });
  });
  return byId([...jobs, ...[...oneOfEach().values()].filter((s) => s.kind !== 'audienceGenerationJob')]);
}

test('plain: pieces of whole lines, joined equal to render(); unchanged pieces are handed out again as they are', () => {
  const r = new ResourceSeriesRenderer();
  const all = fleet(500);
  const lease = r.plain(all, 'all');
  const parts = lease.value.map((b) => b.toString('utf8'));
  lease.release();
  assert.ok(parts.length > 500, `${parts.length} chunks`);
  for (const p of parts) assert.ok(p.endsWith('\n'), 'a chunk ends at a line end');
  assert.ok(!parts[0]!.startsWith('\n'), 'the exposition starts with a header');
  assert.equal(parts.join(''), r.render(all, 'all'));
  const again = r.plain(all, 'all');
  assert.equal(again.value.length, lease.value.length);
  assert.ok(
    again.value.every((b, i) => b === lease.value[i]),
    'nothing changed: the very same buffers',
  );
  again.release();
  assert.equal(r.activeLeases, 0);
});

test('a changed job re-renders only the pieces of its bucket, and only those are compressed again', async () => {
  const deflate = createPieceDeflate();
  let compressed = 0;
  const counting: PieceDeflate = (b) => {
    compressed++;
    return deflate(b);
  };
  const r = new ResourceSeriesRenderer(counting);
  const all = fleet(2000);
  const first = await r.gzipPieces(all, 'all');
  const plain = (m: Map<string, ResourceSnapshot>) => {
    const l = r.plain(m, 'all');
    const out = l.value;
    l.release();
    return out;
  };
  const before = plain(all);
  assert.equal(compressed, first.length, 'every header and piece compressed once');
  assert.deepEqual(gunzipSync(Buffer.concat([...gzipFrame(first)])), Buffer.concat(before), 'gzip is the plain text');

  compressed = 0;
  const again = await r.gzipPieces(all, 'all');
  assert.equal(compressed, 0, 'nothing changed: nothing compressed');
  assert.ok(again.every((p, i) => p === first[i]));

  const moved = [...all.keys()][5]!; // a scored one
  all.set(moved, job(moved, { ...scored, status: 'DELETE_IN_PROGRESS', name: 'job-5', updateTime: '2026-11-28T13:00:00.000Z' }));
  const after = plain(all);
  const old = new Set(before);
  const redone = after.filter((b) => !old.has(b));
  assert.equal(redone.length, 8, `one piece per audience generation job family: ${redone.length}`);
  for (const b of redone) assert.ok(b.toString('utf8').includes(`arn="${moved}"`), 'each re-rendered piece holds the changed job');
  assert.equal(after.length, before.length);

  const zipped = await r.gzipPieces(all, 'all');
  assert.equal(compressed, 8, 'only the changed pieces are compressed again');
  const firstSet = new Set(first);
  assert.equal(zipped.filter((p) => !firstSet.has(p)).length, 8);
  assert.deepEqual(gunzipSync(Buffer.concat([...gzipFrame(zipped)])), Buffer.from(r.render(all, 'all')));
  assert.ok(r.render(all, 'all').includes(`${P}status{arn="${moved}",status="DELETE_IN_PROGRESS"} 1\n`));

  const slim = await r.gzipPieces(all, 'nonTerminalOnly');
  assert.deepEqual(
    gunzipSync(Buffer.concat([...gzipFrame(slim)])),
    Buffer.from(r.render(all, 'nonTerminalOnly')),
    'the cardinality option applies to gzip too',
  );
  assert.equal(r.activeLeases, 0);
});

test('a scrape holding pieces never sees them rewritten; once released, a changed piece is rendered in place', () => {
  const r = new ResourceSeriesRenderer();
  const many = fleet(500);
  const moved = [...many.keys()][499]!;
  const slow = r.plain(many, 'all'); // a slow scraper still reading
  const before = Buffer.concat(slow.value).toString('utf8');
  const piece = slow.value.find((b) => b.toString('utf8').includes(`status{arn="${moved}",status="ACTIVE"} 1`))!;
  many.set(moved, job(moved, { ...scored, status: 'DELETE_FAILED', name: 'job-499' }));
  const next = r.plain(many, 'all');
  assert.equal(r.activeLeases, 2);
  assert.equal(Buffer.concat(slow.value).toString('utf8'), before, 'the held state is unchanged');
  const moved2 = next.value.find((b) => b.toString('utf8').includes(`status{arn="${moved}",status="DELETE_FAILED"} 1`))!;
  assert.ok(moved2, 'the next scrape sees the change');
  assert.notEqual(moved2.buffer, piece.buffer, 'rendered into new storage while the old one is held');
  slow.release();
  next.release();
  slow.release(); // a second release is harmless
  assert.equal(r.activeLeases, 0);

  many.set(moved, job(moved, { ...scored, status: 'ACTIVE', name: 'job-499' }));
  const third = r.plain(many, 'all');
  const moved3 = third.value.find((b) => b.toString('utf8').includes(`status{arn="${moved}",status="ACTIVE"} 1`))!;
  assert.equal(moved3.buffer, moved2.buffer, 'no scrape held it: same storage, no allocation');
  assert.equal(Buffer.concat(third.value).toString('utf8'), r.render(many, 'all'));
  third.release();
});
