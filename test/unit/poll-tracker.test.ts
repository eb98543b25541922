// The tracker holds what the current sweeps need, not everything ever seen: the per-parent List
// of an export job's parent (one key per parent) goes once the parent is gone, and so does the
// runtime entry of a resource that left. Runs whole sweeps (runSweep) over an in-memory store and
// a client of plain values: 200 parents come and go, the tracker stays the size of one fleet.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CleanRoomsMlError } from '../../src/aws/errors.js';
import type { ResourceClient } from '../../src/aws/resource-client.js';
import { configSchema } from '../../src/config/schema.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { systemClock } from '../../src/clock.js';
import { createLogger } from '../../src/log.js';
import { createConnections } from '../../src/poll/connections.js';
import { sweepSpec } from '../../src/poll/spec.js';
import { runSweep } from '../../src/poll/sweep.js';
import { ResourceTracker } from '../../src/poll/tracker.js';
import { createMemoryStore } from '../../src/state/memory.js';
import { resource } from '../helpers/resources.js';
import { KINDS } from '../../src/kinds/index.js';
import { job } from '../helpers/snapshots.js';

const COLLAB = '5f6e7d8c-0000-4000-8000-000000000001';
const T = Date.parse('2026-12-01T00:00:00.000Z');
const arn = (i: number) =>
  `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-${String(i).padStart(12, '0')}`;

test("a gone parent's per-parent List and a gone resource leave the tracker: 200 parents come and go, it holds one fleet", async () => {
  const fleet = new Map<string, ResourceSnapshot>();
  const put = (s: ResourceSnapshot) => fleet.set(s.id, s);
  const client: ResourceClient = {
    async list(kind, _list, params) {
      const items = [...fleet.values()].filter(
        (s) =>
          s.kind === kind.kind &&
          (params.audienceGenerationJobArn === undefined || s.parents.audienceGenerationJobArn === params.audienceGenerationJobArn) &&
          (params.collaborationId === undefined || s.parents.collaborationId === params.collaborationId),
      );
      return { items };
    },
    async get(_kind, ref) {
      const s = ref.arn === undefined ? undefined : fleet.get(ref.arn);
      if (!s) throw new CleanRoomsMlError({ name: 'ResourceNotFoundException', message: 'gone', httpStatus: 404 });
      return s;
    },
  };
  const config = configSchema.parse({
    discovery: [{ collaborationId: COLLAB, kinds: ['audienceGenerationJob', 'audienceExportJob'] }],
    polling: { schedule: '*/30 * * * * *' },
  });
  const spec = sweepSpec(config);
  const { schedule: _s, ...everySweep } = spec; // every List on every sweep: the worst case for the tracker
  const tracker = new ResourceTracker();
  const store = createMemoryStore();
  let now = T;
  const deps = {
    store,
    // The rate limiter runs on real time (its bucket refills as it waits); the sweep on the test's clock.
    connections: createConnections(spec, { client: () => client, maxRequestsPerSecond: 1000, clock: systemClock }),
    clock: { now: () => now },
    log: createLogger({ level: 'silent' }),
    tracker,
    concurrency: 4,
    maxAttempts: 1,
    detailBudget: 100,
    maxListPages: 10_000,
  };
  const FLEET = 5;
  const sizes: Array<{ scopes: number; resources: number }> = [];
  for (let round = 0; round < 40; round++) {
    // Five parents at a time, each with an export job; each round the oldest five leave for new ones.
    for (let i = 0; i < FLEET; i++) {
      const n = round * FLEET + i;
      fleet.delete(arn(n - FLEET));
      for (const id of [...fleet.keys()]) if (id.startsWith(`${arn(n - FLEET)}#`)) fleet.delete(id);
      put(job({ arn: arn(n), collaborationId: COLLAB, status: 'ACTIVE', updateTime: now - 60_000 }));
      put(
        resource(KINDS.audienceExportJob, {
          id: `${arn(n)}#export=e@2026-11-30T00:00:00.000Z`,
          parents: { audienceGenerationJobArn: arn(n) },
          updateTime: now - 60_000,
        }),
      );
    }
    for (let s = 0; s < 3; s++) {
      const r = await runSweep(deps, everySweep);
      assert.equal(r.ok, true, `round ${round} sweep ${s}: ${JSON.stringify(r.failedScopes)}`);
      now += 30_000;
    }
    sizes.push(tracker.size());
  }
  assert.equal(store.resources().size, 2 * FLEET, 'the store holds the current fleet');
  const last = sizes.at(-1)!;
  // One List of the collaboration plus one per current parent; a runtime entry per resource.
  assert.ok(last.scopes <= 1 + FLEET, `scopes kept: ${last.scopes}`);
  assert.ok(last.resources <= 2 * FLEET, `runtime entries kept: ${last.resources}`);
  assert.ok(Math.max(...sizes.map((x) => x.scopes)) <= 1 + 2 * FLEET, 'never more than two generations');
});
