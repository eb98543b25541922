// Job series rendered as text: same samples as the prom-client gauges they replace, label escaping,
// the nonTerminalOnly cardinality option, streaming in chunks from a per-snapshot cache, and promtool-clean.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { Registry } from 'prom-client';
import { JobSeriesRenderer } from '../../src/metrics/job-series.js';
import { createMetrics } from '../../src/metrics/metrics.js';
import { ARN_A, ARN_B, snap } from '../helpers/snapshots.js';

const jobs = new Map([
  [
    ARN_A,
    snap({
      status: 'ACTIVE',
      name: 'q"4\\x',
      metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.9 }], recallMetric: 0.4 },
    }),
  ],
  [ARN_B, snap({ arn: ARN_B, status: 'CREATE_IN_PROGRESS' })],
]);

test('all: one-hot over every status; nonTerminalOnly: finished jobs keep only their current status', () => {
  const r = new JobSeriesRenderer();
  const all = r.render(jobs, 'all');
  assert.equal(all.split('\n').filter((l) => l.startsWith('cleanroomsml_audience_generation_job_status{')).length, 14);
  assert.ok(all.includes(`cleanroomsml_audience_generation_job_status{arn="${ARN_A}",status="ACTIVE"} 1`));
  assert.ok(all.includes(`cleanroomsml_audience_generation_job_status{arn="${ARN_A}",status="CREATE_FAILED"} 0`));
  assert.ok(all.includes('name="q\\"4\\\\x"'), 'label values escaped');
  assert.ok(
    all.includes(
      `cleanroomsml_audience_generation_job_relevance_score{arn="${ARN_A}",audience_size_type="ABSOLUTE",audience_size="1000"} 0.9`,
    ),
  );
  assert.ok(all.includes(`cleanroomsml_audience_generation_job_recall_ratio{arn="${ARN_A}"} 0.4`));
  const slim = r.render(jobs, 'nonTerminalOnly');
  const status = slim.split('\n').filter((l) => l.startsWith('cleanroomsml_audience_generation_job_status{'));
  assert.equal(status.length, 8, '7 for the running job + 1 for the finished one');
  assert.ok(status.includes(`cleanroomsml_audience_generation_job_status{arn="${ARN_A}",status="ACTIVE"} 1`));
});

test('plain: pieces of whole lines, joined equal to render(); the state is taken at the call', () => {
  const r = new JobSeriesRenderer();
  const many = new Map(
    Array.from({ length: 500 }, (_, i) => {
      const a = `${ARN_B.slice(0, -4)}${String(i).padStart(4, '0')}`;
      return [a, snap({ arn: a, status: i % 2 ? 'ACTIVE' : 'CREATE_IN_PROGRESS' })] as const;
    }),
  );
  const lease = r.plain(many, 'all');
  const parts = lease.value.map((b) => b.toString('utf8'));
  lease.release();
  assert.ok(parts.length > 6, `${parts.length} chunks`);
  for (const p of parts) assert.ok(p.endsWith('\n'), 'a chunk ends at a line end');
  assert.equal(parts.join(''), r.render(many, 'all'));
});

test('a scrape holding pieces never sees them rewritten; once released, a changed piece is rendered in place', () => {
  const r = new JobSeriesRenderer();
  const many = new Map(
    Array.from({ length: 500 }, (_, i) => {
      const a = `${ARN_B.slice(0, -4)}${String(i).padStart(4, '0')}`;
      return [a, snap({ arn: a, status: 'CREATE_IN_PROGRESS' })] as const;
    }),
  );
  const moved = [...many.keys()][499]!;
  const slow = r.plain(many, 'all'); // a slow scraper still reading
  const before = Buffer.concat(slow.value).toString('utf8');
  const piece = slow.value.find((b) => b.toString('utf8').includes(`status{arn="${moved}",status="CREATE_IN_PROGRESS"} 1`))!;
  many.set(moved, snap({ arn: moved, status: 'CREATE_FAILED' }));
  const next = r.plain(many, 'all');
  assert.equal(r.activeLeases, 2);
  assert.equal(Buffer.concat(slow.value).toString('utf8'), before, 'the held state is unchanged');
  assert.ok(
    Buffer.concat(next.value).toString('utf8').includes(`status{arn="${moved}",status="CREATE_FAILED"} 1`),
    'the next scrape sees the change',
  );
  const moved2 = next.value.find((b) => b.toString('utf8').includes(`status{arn="${moved}",status="CREATE_FAILED"} 1`))!;
  assert.notEqual(moved2.buffer, piece.buffer, 'rendered into new storage while the old one is held');
  slow.release();
  next.release();
  slow.release(); // a second release is harmless
  assert.equal(r.activeLeases, 0);

  many.set(moved, snap({ arn: moved, status: 'ACTIVE' }));
  const third = r.plain(many, 'all');
  const moved3 = third.value.find((b) => b.toString('utf8').includes(`status{arn="${moved}",status="ACTIVE"} 1`))!;
  assert.equal(moved3.buffer, moved2.buffer, 'no scrape held it: same storage, no allocation');
  assert.equal(Buffer.concat(third.value).toString('utf8'), r.render(many, 'all'));
  third.release();
});

test('the whole registry output passes promtool check metrics (when promtool is installed)', async (t) => {
  let promtool = true;
  try {
    execFileSync('promtool', ['--version'], { stdio: 'ignore' });
  } catch {
    promtool = false;
  }
  if (!promtool) return t.skip('promtool not installed');
  const registry = new Registry();
  createMetrics(
    registry,
    { jobs: () => jobs, pending: () => [], deadLetters: () => [], targetNames: () => ['t'], now: () => Date.now() },
    'test',
  );
  const text = await registry.metrics();
  const out = execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(out.trim(), '');
});
