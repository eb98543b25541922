// Long paginations through the simulator on 127.0.0.1 (its maxPageSize fault: one job a page, so
// a small fleet makes a long List): a scope of more than 1,000 pages is read to its end and every
// job is tracked; a scope over polling.maxListPages keeps what its pages held, is marked failed,
// and leaves the jobs it did not reach as they were (no Get for them, nothing "gone").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';

const CREDS = { accessKeyId: 'AKIDLISTPAGES', secretAccessKey: 'list-pages-secret' };
const BIG = '5f6e7d8c-0000-4000-8000-0000000000b1';
const SMALL = '5f6e7d8c-0000-4000-8000-0000000000b2';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/list-pages-model';
const jobArn = (i: number) =>
  `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-bbbb-4bbb-8ccc-${String(i).padStart(12, '0')}`;
const METRICS = { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE' as const, value: 1000 }, score: 0.7 }], recallMetric: 0.3 };
const scopeOf = (collaborationId: string) => `audienceGenerationJob|ListAudienceGenerationJobs|collaborationId=${collaborationId}`;

function calls(sim: Simulator, op: string): number {
  return Object.values(sim.stats().requests[op] ?? {}).reduce((a, b) => a + b, 0);
}

/** `n` finished jobs in BIG (ids 0..n-1, listed in that order) and one in SMALL. */
function fleet(sim: Simulator, n: number): void {
  sim.putJobs([
    ...Array.from({ length: n }, (_, i) => ({
      arn: jobArn(i),
      name: `job-${i}`,
      collaborationId: BIG,
      configuredAudienceModelArn: MODEL,
      status: 'ACTIVE',
      metrics: METRICS,
    })),
    { arn: jobArn(999_999), name: 'small', collaborationId: SMALL, configuredAudienceModelArn: MODEL, status: 'ACTIVE', metrics: METRICS },
  ]);
}

async function monitor(sim: Simulator, polling: Record<string, unknown>) {
  const config = (maxListPages?: number) =>
    configSchema.parse({
      aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 2 },
      discovery: [{ collaborationId: BIG }, { collaborationId: SMALL }],
      polling: { schedule: '0 0 0 1 1 *', maxRequestsPerSecond: 100, ...polling, ...(maxListPages ? { maxListPages } : {}) },
      state: { dir },
      server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
    });
  const dir = await mkdtemp(join(tmpdir(), 'crml-list-pages-'));
  const app = await createApp({
    config: config(),
    log: createLogger({ level: 'silent' }),
    credentials: async () => CREDS,
    schedule: false,
    // First sight of a finished job needs no Get: the List item is enough for these tests.
    detailBudget: 0,
    retryDelayMs: { min: 2, max: 20 },
  });
  await app.start();
  return { app, config };
}

test('a scope of more than 1,000 pages is read to its end: every job tracked, the sweep ok', async () => {
  const sim = await startSimulator({ credentials: CREDS });
  const N = 1_005;
  fleet(sim, N);
  sim.setFaults({ maxPageSize: 1 });
  const { app } = await monitor(sim, {});
  try {
    const r = await app.sweepNow();
    assert.equal(r?.ok, true, JSON.stringify(r?.scopeErrors));
    assert.deepEqual(r.failedScopes, []);
    assert.equal(calls(sim, 'ListAudienceGenerationJobs'), N + 1, 'one page per job of BIG, one for SMALL');
    assert.equal(app.store.resources().size, N + 1);
    for (const i of [0, 500, 999, 1000, N - 1]) assert.ok(app.store.resources().has(jobArn(i)), `job ${i} tracked`);
  } finally {
    await app.stop();
    await sim.close();
  }
});

test('a scope over polling.maxListPages keeps what it read, is marked failed, and leaves the rest as it was', async () => {
  const sim = await startSimulator({ credentials: CREDS });
  fleet(sim, 30);
  sim.setFaults({ maxPageSize: 1 });
  const { app, config } = await monitor(sim, {});
  try {
    // Unknown jobs first, with the cap: only the first 10 pages' jobs are tracked, never 0.
    assert.ok(await app.reload(config(10)));
    const first = await app.sweepNow();
    assert.equal(first?.ok, false);
    assert.deepEqual(first.failedScopes, [scopeOf(BIG)]);
    assert.match(first.scopeErrors[0]!.error, /^ListRunawayError: stopped after 10 pages \(polling\.maxListPages\)/);
    assert.equal(calls(sim, 'ListAudienceGenerationJobs'), 10 + 1);
    const tracked = () => [...app.store.resources().keys()].filter((id) => id !== jobArn(999_999)).sort();
    assert.deepEqual(
      tracked(),
      Array.from({ length: 10 }, (_, i) => jobArn(i)),
    );
    assert.ok(app.store.resources().has(jobArn(999_999)), 'the other scope is committed');
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    assert.ok(metrics.includes(`cleanroomsml_monitor_discovery_scope_up{scope="${scopeOf(BIG)}"} 0`), 'the capped scope counts as failed');
    assert.ok(metrics.includes(`cleanroomsml_monitor_discovery_scope_up{scope="${scopeOf(SMALL)}"} 1`));

    // Without the cap every job is read; then with it again: a job within the first 10 pages
    // that moved is seen, one beyond them keeps its state (no Get, not dropped) until read again.
    assert.ok(await app.reload(config(1_000)));
    assert.equal((await app.sweepNow())?.ok, true);
    assert.equal(tracked().length, 30);
    assert.ok(await app.reload(config(10)));
    sim.setStatus(jobArn(3), { status: 'DELETE_IN_PROGRESS' });
    sim.setStatus(jobArn(25), { status: 'DELETE_IN_PROGRESS' });
    const gets = calls(sim, 'GetAudienceGenerationJob');
    const capped = await app.sweepNow();
    assert.deepEqual(capped?.failedScopes, [scopeOf(BIG)]);
    assert.equal(app.store.resources().get(jobArn(3))?.status, 'DELETE_IN_PROGRESS', 'read within the cap: decided');
    assert.equal(app.store.resources().get(jobArn(25))?.status, 'ACTIVE', 'beyond the cap: left as it was');
    assert.equal(tracked().length, 30, 'nothing beyond the cap is dropped');
    assert.equal(calls(sim, 'GetAudienceGenerationJob') - gets, 1, 'one Get: the job that moved within the cap, none beyond it');
  } finally {
    await app.stop();
    await sim.close();
  }
});
