// Scenario files, timelines driven by an injected clock, the demo scenario and the synthetic fleet.
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CleanRoomsMlError } from '../../src/aws/errors.js';
import { createResourceClient, type ResourceClient } from '../../src/aws/resource-client.js';
import { DEMO_SCENARIO } from '../../src/dev/sim/demo-scenario.js';
import { buildFleet } from '../../src/dev/sim/fleet.js';
import { loadScenarioFile, parseScenario } from '../../src/dev/sim/scenario.js';
import { SimInputError } from '../../src/dev/sim/schemas.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import { ResourceStore, stepAt } from '../../src/dev/sim/resource-store.js';
import { KINDS } from '../../src/kinds/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/scenarios/${name}`, import.meta.url));
const CREDS = { accessKeyId: 'AKIDSCEN', secretAccessKey: 'scenario-secret' };
const T0 = Date.parse('2026-11-28T12:00:00.000Z');
const AGJ = KINDS.audienceGenerationJob;
const clientOf = (sim: Simulator): ResourceClient =>
  createResourceClient({ region: 'us-east-1', endpoint: sim.url, credentials: async () => CREDS });
const getJob = (client: ResourceClient, arn: string) => client.get(AGJ, { arn, parents: {} });
const recall = (j: { results: Record<string, unknown> }) => (j.results['recall_ratio'] as Array<{ value: number }> | undefined)?.[0]?.value;

describe('scenario files', () => {
  it('loads YAML and JSON', async () => {
    const s = await loadScenarioFile(fixture('basic.yaml'));
    assert.equal(s.jobs.length, 2);
    assert.equal(s.jobs[0]!.timeline[2]!.metrics?.recallMetric, 0.42);
    assert.equal((await loadScenarioFile(fixture('basic.json'))).jobs[0]!.name, 'json-job');
  });
  const invalid: Array<[string, RegExp]> = [
    ['invalid-status.yaml', /jobs\[0\]\.timeline\[1\]\.status: must be one of CREATE_PENDING/],
    ['invalid-order.yaml', /jobs\[1\]\.timeline\[1\]\.at: must be later than timeline\[0\]\.at/],
    ['invalid-unknown-key.yaml', /jobs\[0\]\.timeline\[0\]: .*statusDetail/],
    ['invalid-duration.yaml', /jobs\[0\]\.timeline\[0\]\.at: must be a duration/],
    [
      'invalid-metrics.yaml',
      /jobs\[0\]\.collaborationId: must be a lowercase UUID[\s\S]*jobs\[0\]\.timeline\[0\]\.metrics\.relevanceMetrics\[0\]\.audienceSize\.value[\s\S]*recallMetric/,
    ],
  ];
  for (const [file, re] of invalid) {
    it(`rejects ${file} naming the field`, async () => {
      await assert.rejects(
        loadScenarioFile(fixture(file)),
        (e: unknown) => e instanceof SimInputError && re.test(e.message) && e.message.includes(file),
      );
    });
  }
  it('rejects a missing file clearly', async () => {
    await assert.rejects(loadScenarioFile(fixture('nope.yaml')), /cannot read scenario/);
  });
});

describe('scenario timeline on an injected clock', () => {
  let now = T0;
  let sim: Simulator;
  let client: ResourceClient;
  const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/scenario-0001';
  before(async () => {
    sim = await startSimulator({ clock: { now: () => now }, scenario: await loadScenarioFile(fixture('basic.yaml')), credentials: CREDS });
    client = clientOf(sim);
  });
  after(() => sim.close());

  it('advances statuses lazily with updateTime = the step time', async () => {
    const at = async (sec: number) => {
      now = T0 + sec * 1000;
      return getJob(client, ARN);
    };
    let j = await at(0);
    assert.equal(j.status, 'CREATE_PENDING');
    assert.equal(j.createTime, T0);
    assert.deepEqual(j.results, {});
    j = await at(19.999);
    assert.equal(j.status, 'CREATE_PENDING');
    j = await at(20);
    assert.equal(j.status, 'CREATE_IN_PROGRESS');
    assert.equal(j.updateTime, T0 + 20_000);
    j = await at(46);
    assert.equal(j.status, 'ACTIVE');
    assert.equal(j.updateTime, T0 + 45_000);
    assert.equal(recall(j), 0.42);
    j = await at(121);
    assert.equal(j.status, 'DELETE_PENDING');
    assert.equal(recall(j), 0.42, 'metrics carry forward');
    assert.equal(j.createTime, T0);
  });

  it('does not show a job before its first step', async () => {
    now = T0 + 1000;
    const names = async () => (await client.list(AGJ, AGJ.lists[0]!, {})).items.map((s) => s.name);
    assert.deepEqual(await names(), ['lookalike-1']);
    const failing = sim.jobs().length; // only existing jobs
    assert.equal(failing, 1);
    now = T0 + 51_000;
    assert.deepEqual((await names()).sort(), ['failing', 'lookalike-1']);
    const failed = sim.jobs().find((j) => j['name'] === 'failing')!;
    assert.equal(failed['status'], 'CREATE_FAILED');
    assert.deepEqual(failed['statusDetails'], { statusCode: 'INVALID_SEED_AUDIENCE', message: 'seed too small' });
  });

  it('freezes a timeline once the control API sets a status', async () => {
    now = T0 + 30_000;
    sim.setStatus(ARN, { status: 'CREATE_FAILED', statusDetails: { message: 'manual' } });
    now = T0 + 500_000;
    const j = await getJob(client, ARN);
    assert.equal(j.status, 'CREATE_FAILED');
    assert.equal(j.updateTime, T0 + 30_000);
  });
});

describe('DEMO_SCENARIO', () => {
  it('is valid and ends as promised within about 60 s', async () => {
    parseScenario(DEMO_SCENARIO);
    let now = T0;
    const sim = await startSimulator({ clock: { now: () => now }, scenario: DEMO_SCENARIO });
    try {
      const statuses = () =>
        sim
          .jobs()
          .map((j) => j['status'])
          .sort();
      assert.deepEqual(statuses(), ['ACTIVE', 'CREATE_PENDING', 'CREATE_PENDING', 'CREATE_PENDING']);
      now = T0 + 60_000;
      assert.deepEqual(statuses(), ['ACTIVE', 'ACTIVE', 'ACTIVE', 'ACTIVE', 'CREATE_FAILED']);
      const collabs = new Set(sim.jobs().map((j) => j['collaborationId']));
      assert.equal(collabs.size, 1);
      const active = sim.jobs().filter((j) => j['status'] === 'ACTIVE');
      for (const j of active) {
        const types = new Set(
          (j['metrics'] as { relevanceMetrics: Array<{ audienceSize: { type: string } }> }).relevanceMetrics.map(
            (m) => m.audienceSize.type,
          ),
        );
        assert.deepEqual([...types].sort(), ['ABSOLUTE', 'PERCENTAGE']);
      }
    } finally {
      await sim.close();
    }
  });
});

describe('synthetic fleet', () => {
  it('is deterministic per seed, ~10% in flight, spread over collaborations', () => {
    const a = buildFleet({ count: 2000, seed: 7, startedAt: T0 });
    const b = buildFleet({ count: 2000, seed: 7, startedAt: T0 });
    assert.deepEqual(a, b);
    assert.notDeepEqual(buildFleet({ count: 50, seed: 8, startedAt: T0 }), a.slice(0, 50));
    const inFlight = a.filter((j) => j.steps.some((s) => s.t > T0)).length;
    assert.ok(inFlight > 120 && inFlight < 280, `in flight ${inFlight}`);
    assert.equal(new Set(a.map((j) => j.fields['collaborationId'])).size, 4);
    assert.equal(new Set(a.map((j) => j.id)).size, 2000);
    assert.ok(a.every((j) => j.kind === 'audienceGenerationJob' && j.fields['audienceGenerationJobArn'] === j.id));
  });

  it('serves a 10,000-job fleet page by page; statuses move with the clock', async () => {
    let now = T0;
    const sim = await startSimulator({ clock: { now: () => now }, jobs: 10_000, seed: 3, credentials: CREDS });
    try {
      const client = clientOf(sim);
      const count = async () => {
        const byStatus: Record<string, number> = {};
        let token: string | undefined;
        let pages = 0;
        do {
          const p = await client.list(AGJ, AGJ.lists[0]!, {}, token ? { nextToken: token } : {});
          for (const s of p.items) byStatus[s.status] = (byStatus[s.status] ?? 0) + 1;
          token = p.nextToken;
          pages++;
        } while (token);
        return { byStatus, pages };
      };
      const first = await count();
      assert.equal(first.pages, 100);
      assert.ok((first.byStatus['CREATE_IN_PROGRESS'] ?? 0) + (first.byStatus['CREATE_PENDING'] ?? 0) > 500);
      now = T0 + 3_600_000;
      const later = await count();
      assert.equal(later.byStatus['CREATE_IN_PROGRESS'] ?? 0, 0);
      assert.equal(later.byStatus['CREATE_PENDING'] ?? 0, 0);
      assert.equal((later.byStatus['ACTIVE'] ?? 0) + (later.byStatus['CREATE_FAILED'] ?? 0), 10_000);
    } finally {
      await sim.close();
    }
  });

  it('pages in O(page): a filtered page never scans the whole store', () => {
    const store = new ResourceStore();
    const fleet = buildFleet({ count: 10_000, seed: 1, startedAt: T0 });
    for (const j of fleet) store.put(j);
    const collab = fleet[0]!.fields['collaborationId'] as string;
    let kept = 0;
    const exists = (r: Parameters<typeof stepAt>[0]) => {
      kept++;
      return stepAt(r, T0 + 86_400_000) !== undefined;
    };
    let after: string | undefined;
    let seen = 0;
    for (;;) {
      const p = store.page('audienceGenerationJob', [['collaborationId', collab]], exists, after, 100);
      seen += p.items.length;
      if (!p.more) break;
      after = p.items[p.items.length - 1]!.id;
    }
    assert.equal(seen, 2500);
    // The collaboration's index is walked, not the 10,000 jobs: each job of it is looked at once
    // (and the first of each next page twice).
    assert.ok(kept <= 2500 + 25, `looked at ${kept} jobs`);
  });
});

describe('unknown statuses', () => {
  it('are served and kept as given (control API accepts any status string)', async () => {
    const sim = await startSimulator({ credentials: CREDS });
    try {
      const [job] = sim.putJobs([{ name: 'future', status: 'ARCHIVED' }]);
      const client = clientOf(sim);
      const out = await getJob(client, job!['audienceGenerationJobArn'] as string);
      assert.equal(out.status, 'ARCHIVED');
      sim.deleteJob(out.arn!);
      await assert.rejects(
        getJob(client, out.arn!),
        (e: unknown) => e instanceof CleanRoomsMlError && e.name === 'ResourceNotFoundException',
      );
    } finally {
      await sim.close();
    }
  });
});
