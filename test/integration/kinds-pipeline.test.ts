// Every kind through the daemon and the simulator on 127.0.0.1: discovery by the entry that can
// list it, a transition to ACTIVE and one to a failed status, its series scraped over HTTP, and
// a signed webhook of the right type at a real local receiver.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { createApp, type App } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startSimulator } from '../../src/dev/sim/server.js';
import { KINDS } from '../../src/kinds/index.js';
import type { KindName } from '../../src/kinds/kind.js';
import { entryList } from '../../src/kinds/discovery.js';
import { startReceiver } from '../helpers/receiver.js';
import { verifyWebhook } from '../../src/targets/webhook-body.js';

const CREDS = { accessKeyId: 'AKIDTESTKINDS', secretAccessKey: 'test-secret-key-kinds' };
const SECRET = `whsec_${Buffer.from('kinds-pipeline-test-secret-0123456789').toString('base64')}`;
const M = '11111111-1111-4111-8111-111111111111';
const C = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';

async function scrape(app: App): Promise<string> {
  const res = await fetch(`${app.url}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

interface Case {
  kind: KindName;
  /** The discovery entry that lists it. */
  entry: Record<string, unknown>;
  /** Extra control keys of the simulated resources. */
  extra: Record<string, unknown>;
  failed: string;
}

const CASES: Case[] = [
  { kind: 'trainedModel', entry: { membershipId: M }, extra: { membershipId: M, collaborationId: C }, failed: 'CREATE_FAILED' },
  { kind: 'trainedModelInferenceJob', entry: { membershipId: M }, extra: { membershipId: M, collaborationId: C }, failed: 'CREATE_FAILED' },
  { kind: 'mlInputChannel', entry: { membershipId: M }, extra: { membershipId: M, collaborationId: C }, failed: 'CREATE_FAILED' },
  {
    kind: 'trainedModel',
    entry: { collaborationId: C, view: 'collaboration' },
    extra: { membershipId: M, collaborationId: C },
    failed: 'CANCEL_FAILED',
  },
  {
    kind: 'trainedModelInferenceJob',
    entry: { collaborationId: C, view: 'collaboration' },
    extra: { membershipId: M, collaborationId: C },
    failed: 'CANCEL_FAILED',
  },
  {
    kind: 'mlInputChannel',
    entry: { collaborationId: C, view: 'collaboration' },
    extra: { membershipId: M, collaborationId: C },
    failed: 'DELETE_FAILED',
  },
  { kind: 'audienceModel', entry: { kinds: ['audienceModel'] }, extra: {}, failed: 'CREATE_FAILED' },
];

/** The simulator, a webhook receiver and a daemon (no schedule: the test sweeps) watching `discovery`. */
async function pipeline(discovery: unknown[], targetKinds?: string[]) {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  const receiver = await startReceiver();
  const stateDir = await mkdtemp(join(tmpdir(), 'crml-kinds-'));
  const target = { name: 'audit', type: 'webhook', url: `${receiver.url}/hook`, secret: SECRET, allowHttp: true };
  const config = configSchema.parse({
    aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 2 },
    discovery,
    polling: { schedule: '0 0 0 1 1 *' },
    notifications: { targets: [{ ...target, ...(targetKinds ? { kinds: targetKinds } : {}) }] },
    state: { dir: stateDir },
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
  });
  const app = await createApp({
    config,
    log: createLogger({ level: 'silent' }),
    credentials: async () => CREDS,
    schedule: false,
    retryDelayMs: { min: 5, max: 20 },
    outbox: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  const close = async () => {
    await app.stop();
    await receiver.close();
    await sim.close();
  };
  return { sim, receiver, app, close };
}

for (const c of CASES) {
  test(`${c.kind} discovered by ${JSON.stringify(c.entry)}: to ACTIVE and to ${c.failed}, series, webhooks`, async () => {
    const kind = KINDS[c.kind];
    const { sim, receiver, app, close } = await pipeline([c.entry]);
    try {
      const [ok, bad] = sim.putResources([
        { kind: c.kind, name: `${kind.snake}-ok`, status: 'CREATE_IN_PROGRESS', ...c.extra },
        { kind: c.kind, name: `${kind.snake}-bad`, status: 'CREATE_IN_PROGRESS', ...c.extra },
      ]) as [{ id: string }, { id: string }];
      await app.start();
      const first = await app.sweepNow();
      assert.equal(first?.ok, true, JSON.stringify(first?.scopeErrors));
      assert.equal(first?.transitions, 2, 'both first seen');
      assert.equal(first?.notifications, 0, 'nothing in progress is notified by default');

      assert.ok(sim.setResourceStatus(ok.id, { status: 'ACTIVE' }));
      assert.ok(
        sim.setResourceStatus(bad.id, {
          status: c.failed,
          statusDetails: { statusCode: 'INTERNAL_ERROR', message: 'the run failed: <!channel>' },
        }),
      );
      const second = await app.sweepNow();
      assert.equal(second?.ok, true);
      assert.equal(second?.notifications, 2);

      const hooks = await receiver.waitFor(2, 10_000);
      const bodies = hooks.map((h) => {
        assert.equal(verifyWebhook({ body: h.body, headers: h.headers, secrets: [SECRET], nowMs: Date.now() }).ok, true);
        return JSON.parse(h.body) as { type: string; id: string; data: Record<string, any> };
      });
      const byId = new Map(bodies.map((b) => [b.data.arn as string, b]));
      for (const b of bodies) {
        assert.equal(b.type, `${kind.snake}.status_changed`);
        assert.equal(b.data.kind, c.kind);
        assert.equal(b.data.previousStatus, 'CREATE_IN_PROGRESS');
        assert.equal(typeof b.data.resource.updateTime, 'string');
      }
      assert.equal(byId.get(ok.id)?.data.status, 'ACTIVE');
      assert.equal(byId.get(ok.id)?.data.statusCode, undefined);
      assert.equal(byId.get(bad.id)?.data.status, c.failed);
      // Failure details come from the Get of the view, or from the List item where it carries
      // them; the collaboration view of inference jobs has neither (the model's fact).
      const view = (c.entry['view'] as 'member' | 'collaboration' | undefined) ?? 'member';
      const listed = entryList(c.entry, kind);
      const details = (kind.get[view]?.members ?? ('list' in listed ? listed.list.members : [])).includes('statusDetails');
      assert.equal(byId.get(bad.id)?.data.statusCode, details ? 'INTERNAL_ERROR' : undefined);
      assert.equal(byId.get(bad.id)?.data.message, details ? 'the run failed: <!channel>' : undefined);

      const m = await scrape(app);
      const st = `cleanroomsml_${kind.snake}_status`;
      assert.equal(sample(m, st, { arn: ok.id, status: 'ACTIVE' }), 1);
      // At rest (default metrics.statusSeries: nonTerminalOnly): the current status alone.
      assert.equal(sample(m, st, { arn: ok.id, status: 'CREATE_IN_PROGRESS' }), undefined);
      assert.equal(sample(m, st, { arn: bad.id, status: c.failed }), 1);
      assert.equal(sample(m, `cleanroomsml_${kind.snake}_info`, { arn: ok.id, name: `${kind.snake}-ok` }), 1);
      assert.ok(sample(m, `cleanroomsml_${kind.snake}_updated_timestamp_seconds`, { arn: ok.id })! > 0);
      assert.equal(sample(m, 'cleanroomsml_monitor_resources_tracked', { kind: c.kind }), 2);
      assert.equal(sample(m, 'cleanroomsml_monitor_transitions_total', { kind: c.kind, from: 'CREATE_IN_PROGRESS', to: 'ACTIVE' }), 1);
      assert.equal(
        sample(m, 'cleanroomsml_monitor_failures_total', {
          kind: c.kind,
          status: c.failed,
          status_code: details ? 'INTERNAL_ERROR' : 'none',
        }),
        1,
      );

      // Steady: nothing moved, nothing more is sent, and a kind with a Get is not read again.
      const third = await app.sweepNow();
      assert.equal(third?.ok, true);
      assert.equal(third?.transitions, 0);
      assert.equal(third?.getCalls, 0);
    } finally {
      await close();
    }
  });
}

test('trainedModelExportJob: listed per known trained model of the collaboration; to ACTIVE and to CREATE_FAILED, series, webhooks', async () => {
  const { sim, receiver, app, close } = await pipeline([{ collaborationId: C, view: 'collaboration' }], ['trainedModelExportJob']);
  try {
    const [model] = sim.putResources([{ kind: 'trainedModel', name: 'churn', status: 'ACTIVE', membershipId: M, collaborationId: C }]) as [
      { id: string },
    ];
    const [ok, bad] = sim.putResources([
      {
        kind: 'trainedModelExportJob',
        name: 'export-ok',
        status: 'CREATE_IN_PROGRESS',
        membershipId: M,
        collaborationId: C,
        trainedModelArn: model.id,
      },
      {
        kind: 'trainedModelExportJob',
        name: 'export-bad',
        status: 'CREATE_IN_PROGRESS',
        membershipId: M,
        collaborationId: C,
        trainedModelArn: model.id,
      },
    ]) as [{ id: string }, { id: string }];
    await app.start();
    // The model is found, and its export jobs in the same sweep (their List right after the model's).
    const first = await app.sweepNow();
    assert.equal(first?.ok, true, JSON.stringify(first?.scopeErrors));
    assert.ok(app.store.resources().has(ok.id) && app.store.resources().has(bad.id), 'the export jobs in the sweep that found their model');
    assert.equal((await app.sweepNow())?.transitions, 0, 'nothing new the next sweep');
    sim.setResourceStatus(ok.id, { status: 'ACTIVE' });
    sim.setResourceStatus(bad.id, { status: 'CREATE_FAILED', statusDetails: { statusCode: 'EXPORT_FAILED', message: 'bucket gone' } });
    const third = await app.sweepNow();
    assert.equal(third?.notifications, 2);
    const bodies = (await receiver.waitFor(2, 10_000)).map((h) => JSON.parse(h.body) as { type: string; data: Record<string, any> });
    assert.deepEqual(
      bodies.map((b) => b.type),
      ['trained_model_export_job.status_changed', 'trained_model_export_job.status_changed'],
    );
    const failed = bodies.find((b) => b.data.arn === bad.id)!;
    assert.equal(failed.data.statusCode, 'EXPORT_FAILED');
    assert.equal(failed.data.message, 'bucket gone');
    const m = await scrape(app);
    assert.equal(sample(m, 'cleanroomsml_trained_model_export_job_status', { arn: ok.id, status: 'ACTIVE' }), 1);
    assert.equal(sample(m, 'cleanroomsml_trained_model_export_job_status', { arn: bad.id, status: 'CREATE_FAILED' }), 1);
    assert.equal(
      sample(m, 'cleanroomsml_monitor_failures_total', {
        kind: 'trainedModelExportJob',
        status: 'CREATE_FAILED',
        status_code: 'EXPORT_FAILED',
      }),
      1,
    );
  } finally {
    await close();
  }
});

test('audienceExportJob: listed per audience generation job of the entry, never those of other collaborations', async () => {
  const OTHER = 'dddddddd-dddd-4ddd-8ddd-dddddddddddd';
  const { sim, receiver, app, close } = await pipeline(
    [{ collaborationId: C, kinds: ['audienceGenerationJob', 'audienceExportJob'] }],
    ['audienceExportJob'],
  );
  try {
    const [mine, theirs] = sim.putJobs([
      { name: 'seg-mine', status: 'ACTIVE', collaborationId: C },
      { name: 'seg-theirs', status: 'ACTIVE', collaborationId: OTHER },
    ]) as [{ audienceGenerationJobArn: string }, { audienceGenerationJobArn: string }];
    const [ok, bad] = sim.putResources([
      {
        kind: 'audienceExportJob',
        name: 'export-ok',
        status: 'CREATE_IN_PROGRESS',
        audienceGenerationJobArn: mine.audienceGenerationJobArn,
      },
      {
        kind: 'audienceExportJob',
        name: 'export-bad',
        status: 'CREATE_IN_PROGRESS',
        audienceGenerationJobArn: mine.audienceGenerationJobArn,
      },
      {
        kind: 'audienceExportJob',
        name: 'export-other',
        status: 'CREATE_IN_PROGRESS',
        audienceGenerationJobArn: theirs.audienceGenerationJobArn,
      },
    ]) as [{ id: string }, { id: string }, { id: string }];
    await app.start();
    // The job is found, and its export jobs in the same sweep (their List right after the job's).
    const first = await app.sweepNow();
    assert.equal(first?.ok, true, JSON.stringify(first?.scopeErrors));
    const stored = [...app.store.resources().values()].filter((r) => r.kind === 'audienceExportJob').map((r) => r.id);
    assert.deepEqual(stored.sort(), [ok.id, bad.id].sort(), "the two export jobs of the entry's job, not the other collaboration's");
    assert.equal((await app.sweepNow())?.transitions, 0, 'nothing new the next sweep');
    sim.setResourceStatus(ok.id, { status: 'ACTIVE' });
    sim.setResourceStatus(bad.id, { status: 'CREATE_FAILED', statusDetails: { statusCode: 'EXPORT_FAILED', message: 'bucket gone' } });
    const third = await app.sweepNow();
    assert.equal(third?.notifications, 2);
    const bodies = (await receiver.waitFor(2, 10_000)).map((h) => JSON.parse(h.body) as { type: string; data: Record<string, any> });
    assert.deepEqual(
      bodies.map((b) => b.type),
      ['audience_export_job.status_changed', 'audience_export_job.status_changed'],
    );
    assert.equal(bodies.find((b) => b.data.arn === bad.id)?.data.statusCode, 'EXPORT_FAILED');
    const m = await scrape(app);
    assert.equal(sample(m, 'cleanroomsml_audience_export_job_status', { arn: ok.id, status: 'ACTIVE' }), 1);
    assert.equal(sample(m, 'cleanroomsml_audience_export_job_status', { arn: bad.id, status: 'CREATE_FAILED' }), 1);
    assert.equal(sample(m, 'cleanroomsml_monitor_resources_tracked', { kind: 'audienceExportJob' }), 2);
    // At rest, a job's export jobs are listed again only after terminalInterval.
    const fourth = await app.sweepNow();
    assert.equal(fourth?.listCalls, 1 + 1, 'the job List, and the export List of the job that just changed');
  } finally {
    await close();
  }
});

test('trainedModel versions: every version of a model is watched from List pages (ListTrainedModelVersions per model), not only the latest', async () => {
  const { sim, receiver, app, close } = await pipeline([{ membershipId: M }], ['trainedModel']);
  try {
    const [base] = sim.putResources([{ kind: 'trainedModel', name: 'churn', status: 'ACTIVE', membershipId: M, collaborationId: C }]) as [
      { id: string; trainedModelArn: string },
    ];
    const version = (v: string, status: string) => ({
      kind: 'trainedModel',
      name: 'churn',
      status,
      membershipId: M,
      collaborationId: C,
      arn: base.trainedModelArn,
      versionIdentifier: v,
    });
    const [v2] = sim.putResources([version('aaaaaaaa-bbbb-4ccc-8ddd-000000000002', 'ACTIVE')]) as [{ id: string }];
    const [v3] = sim.putResources([version('aaaaaaaa-bbbb-4ccc-8ddd-000000000003', 'CREATE_IN_PROGRESS')]) as [{ id: string }];
    assert.equal(new Set([base.id, v2.id, v3.id]).size, 3);
    await app.start();
    // The model's List shows its latest version; its versions List follows in the same sweep.
    const first = await app.sweepNow();
    assert.equal(first?.ok, true, JSON.stringify(first?.scopeErrors));
    let m = await scrape(app);
    assert.equal(sample(m, 'cleanroomsml_monitor_resources_tracked', { kind: 'trainedModel' }), 3, 'every version');
    assert.equal(sample(m, 'cleanroomsml_trained_model_status', { arn: base.id, status: 'ACTIVE' }), 1, 'the first version as it is');
    // A version that is not the latest changes: seen from the versions List, one Get for its details.
    sim.setResourceStatus(v2.id, { status: 'DELETE_FAILED', statusDetails: { statusCode: 'IN_USE', message: 'still exported' } });
    const third = await app.sweepNow();
    assert.equal(third?.notifications, 1);
    const [hook] = await receiver.waitFor(1, 10_000);
    const body = JSON.parse(hook!.body) as { type: string; data: Record<string, any> };
    assert.equal(body.type, 'trained_model.status_changed');
    assert.equal(body.data.arn, v2.id);
    assert.equal(body.data.status, 'DELETE_FAILED');
    assert.equal(body.data.statusCode, 'IN_USE');
    m = await scrape(app);
    assert.equal(sample(m, 'cleanroomsml_trained_model_status', { arn: v2.id, status: 'DELETE_FAILED' }), 1);
    assert.equal(sample(m, 'cleanroomsml_trained_model_status', { arn: v3.id, status: 'CREATE_IN_PROGRESS' }), 1);
    // Steady: no Get for any version.
    const fourth = await app.sweepNow();
    assert.equal(fourth?.getCalls, 0);
    assert.equal(fourth?.transitions, 0);
  } finally {
    await close();
  }
});
