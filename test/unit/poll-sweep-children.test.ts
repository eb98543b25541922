// The children of a parent first seen in a sweep (a new job's audience export jobs) are listed in
// that same sweep, after the main commit and before the backfill: the first full picture takes one
// sweep, not two plus a backfill. Nothing is listed twice: the next sweep calls a quiet parent's
// List at the terminal interval only. Whole sweeps (runSweep) over an in-memory store and a client
// of plain values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/clock.js';
import type { ResourceClient } from '../../src/aws/resource-client.js';
import { configSchema } from '../../src/config/schema.js';
import { KINDS } from '../../src/kinds/index.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { createLogger } from '../../src/log.js';
import { createConnections } from '../../src/poll/connections.js';
import { sweepSpec } from '../../src/poll/spec.js';
import { runSweep } from '../../src/poll/sweep.js';
import { ResourceTracker } from '../../src/poll/tracker.js';
import { createMemoryStore } from '../../src/state/memory.js';
import { resource } from '../helpers/resources.js';
import { job } from '../helpers/snapshots.js';

const COLLAB = '5f6e7d8c-0000-4000-8000-000000000001';
const T = Date.parse('2026-12-01T00:00:00.000Z');
const arn = (i: number) =>
  `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`;
const exportOf = (i: number, e: number, status = 'ACTIVE') =>
  resource(KINDS.audienceExportJob, {
    id: `${arn(i)}#export=e${e}@2026-11-30T00:00:00.000Z`,
    parents: { audienceGenerationJobArn: arn(i) },
    status,
    updateTime: T - 86_400_000,
  });

test("a new parent's children are found in the sweep that finds the parent, before the backfill; nothing is listed twice", async () => {
  const fleet = new Map<string, ResourceSnapshot>();
  const calls: string[] = [];
  const client: ResourceClient = {
    async list(kind, list, params) {
      calls.push(`${list.name}${params.audienceGenerationJobArn ? ` ${params.audienceGenerationJobArn.slice(-2)}` : ''}`);
      const items = [...fleet.values()].filter(
        (s) =>
          s.kind === kind.kind &&
          (params.audienceGenerationJobArn === undefined || s.parents.audienceGenerationJobArn === params.audienceGenerationJobArn),
      );
      return { items };
    },
    async get(_kind, ref) {
      calls.push(`Get ${ref.arn?.slice(-2)}`);
      return fleet.get(ref.arn!)!;
    },
  };
  const put = (...ss: ResourceSnapshot[]) => {
    for (const s of ss) fleet.set(s.id, s);
  };
  put(
    job({ arn: arn(1), collaborationId: COLLAB, status: 'ACTIVE', updateTime: T - 86_400_000 }),
    exportOf(1, 1),
    exportOf(1, 2, 'CREATE_IN_PROGRESS'),
  );
  const config = configSchema.parse({
    discovery: [{ collaborationId: COLLAB, kinds: ['audienceGenerationJob', 'audienceExportJob'] }],
    polling: { schedule: '*/30 * * * * *' },
  });
  const store = createMemoryStore();
  let now = T;
  const deps = {
    store,
    connections: createConnections(sweepSpec(config), { client: () => client, maxRequestsPerSecond: 1000, clock: systemClock }),
    clock: { now: () => now },
    log: createLogger({ level: 'silent' }),
    tracker: new ResourceTracker(),
    concurrency: 1,
    maxAttempts: 1,
    detailBudget: 10,
    maxListPages: 10_000,
  };
  const r1 = await runSweep(deps, sweepSpec(config));
  assert.equal(r1.ok, true);
  assert.deepEqual(
    [...store.resources().keys()].sort(),
    [arn(1), exportOf(1, 1).id, exportOf(1, 2).id].sort(),
    'the job and its export jobs in one sweep',
  );
  assert.deepEqual(calls, ['ListAudienceGenerationJobs', 'ListAudienceExportJobs 01', 'Get 01'], 'the children before the backfill Get');
  assert.equal(r1.listCalls, 2);

  // The next sweep: a second job with an export job; the first job's (quiet) List is not due, the
  // new job's is called once, in this sweep.
  calls.length = 0;
  now += 30_000;
  put(job({ arn: arn(2), collaborationId: COLLAB, status: 'ACTIVE', updateTime: T - 86_400_000 }), exportOf(2, 1));
  const r2 = await runSweep(deps, sweepSpec(config));
  assert.equal(r2.ok, true);
  assert.ok(store.resources().has(exportOf(2, 1).id));
  assert.deepEqual(
    calls.filter((c) => c.startsWith('List')),
    ['ListAudienceGenerationJobs', 'ListAudienceExportJobs 01', 'ListAudienceExportJobs 02'],
    "job 1 has an export job at work: its List every sweep; job 2's once, now",
  );
  calls.length = 0;
  now += 30_000;
  await runSweep(deps, sweepSpec(config));
  assert.deepEqual(
    calls.filter((c) => c.startsWith('List')),
    ['ListAudienceGenerationJobs', 'ListAudienceExportJobs 01'],
    'job 2 is quiet: its export jobs wait for the terminal interval',
  );
});
