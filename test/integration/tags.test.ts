// AWS tags through the monitor and the simulator on 127.0.0.1: each team's target gets its own
// news at a real local receiver (a value, a list, '*', a fallback, a target without a selector),
// an export job routed by its job's tags, `data.tags` in the webhook body, the _tags series with
// the tags.keys labels (promtool-clean), a retag picked up by the refresh with no updateTime
// change, and a discovery tag filter keeping resources out until their tags match.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { createApp, type App } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

const CREDS = { accessKeyId: 'AKIDTESTTAGS', secretAccessKey: 'test-secret-key-tags' };
const M = '11111111-1111-4111-8111-111111111111';
const C = 'cccccccc-cccc-4ccc-8ccc-cccccccccccc';
const HOUR = 3_600_000;

interface Rig {
  sim: Simulator;
  receiver: Receiver;
  app: App;
  /** Moves the monitor's clock on (the simulator keeps the real one: AWS times do not move). */
  advance(ms: number): void;
  close(): Promise<void>;
}

async function rig(config: Record<string, unknown>, targets: Array<Record<string, unknown>>): Promise<Rig> {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  const receiver = await startReceiver();
  const stateDir = await mkdtemp(join(tmpdir(), 'crml-tags-'));
  let offset = 0;
  const parsed = configSchema.parse({
    aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 2 },
    polling: { schedule: '0 0 0 1 1 *' },
    notifications: {
      targets: targets.map((t) => ({ type: 'webhook', url: `${receiver.url}/${t['name']}`, allowHttp: true, ...t })),
    },
    state: { dir: stateDir },
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
    ...config,
  });
  const app = await createApp({
    config: parsed,
    log: createLogger({ level: 'silent' }),
    credentials: async () => CREDS,
    clock: { now: () => Date.now() + offset },
    schedule: false,
    retryDelayMs: { min: 5, max: 20 },
    outbox: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  return {
    sim,
    receiver,
    app,
    advance: (ms) => {
      offset += ms;
    },
    close: async () => {
      await app.stop();
      await receiver.close();
      await sim.close();
    },
  };
}

async function scrape(app: App): Promise<string> {
  const res = await fetch(`${app.url}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

const lines = (text: string, family: string) => text.split('\n').filter((l) => l.startsWith(`${family}{`));

async function retag(sim: Simulator, id: string, tags: Record<string, string>): Promise<Record<string, unknown>> {
  const res = await fetch(`${sim.url}/_sim/resources/${encodeURIComponent(id)}/tags`, { method: 'POST', body: JSON.stringify({ tags }) });
  assert.equal(res.status, 200, await res.clone().text());
  return (await res.json()) as Record<string, unknown>;
}

/** Who got what: `target <- resource name` for every request since `from`. */
function deliveries(receiver: Receiver, from = 0): string[] {
  return receiver.requests
    .slice(from)
    .map((r) => `${r.path.slice(1)} <- ${(JSON.parse(r.body) as { data: { name: string } }).data.name}`)
    .sort();
}

async function settle(receiver: Receiver, n: number): Promise<void> {
  await receiver.waitFor(n, 10_000);
  // Nothing more than expected arrives: give a stray delivery a moment to show.
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(receiver.requests.length, n, deliveries(receiver).join('\n'));
}

test('each team gets its own news: value, list, *, fallback, no selector; an export job by its job’s tags; retag picked up by the refresh', async () => {
  const r = await rig(
    {
      discovery: [{ membershipId: M, kinds: ['trainedModel', 'mlInputChannel'] }, { collaborationId: C }, { kinds: ['audienceExportJob'] }],
      tags: { keys: ['team', 'cost-center'], refreshInterval: '1h' },
    },
    [
      { name: 'growth', tags: { team: 'growth' } },
      { name: 'risk', tags: { team: ['risk', 'fraud'] } },
      { name: 'finance', tags: { 'cost-center': '*' } },
      { name: 'catch-all', fallback: true },
      { name: 'audit' },
    ],
  );
  const { sim, receiver, app } = r;
  try {
    const ids = sim
      .putResources([
        {
          kind: 'trainedModel',
          name: 'growth-model',
          status: 'CREATE_IN_PROGRESS',
          membershipId: M,
          collaborationId: C,
          tags: { team: 'growth' },
        },
        {
          kind: 'trainedModel',
          name: 'fraud-model',
          status: 'CREATE_IN_PROGRESS',
          membershipId: M,
          collaborationId: C,
          tags: { team: 'fraud', 'cost-center': 'cc-7', owner: 'ana' },
        },
        { kind: 'mlInputChannel', name: 'untagged-channel', status: 'CREATE_IN_PROGRESS', membershipId: M, collaborationId: C },
        { kind: 'audienceGenerationJob', name: 'risk-audience', status: 'CREATE_IN_PROGRESS', collaborationId: C, tags: { team: 'risk' } },
      ])
      .map((x) => (x as { id: string }).id);
    const [growthModel, fraudModel, channel, audience] = ids as [string, string, string, string];
    const [exportJob] = sim.putResources([
      { kind: 'audienceExportJob', name: 'risk-export', status: 'CREATE_IN_PROGRESS', audienceGenerationJobArn: audience },
    ]) as [{ id: string }];
    await app.start();
    const first = await app.sweepNow();
    assert.equal(first?.ok, true, JSON.stringify(first?.scopeErrors));
    // Export jobs are listed per known audience generation job: the second sweep finds it.
    const again = await app.sweepNow();
    assert.equal((first?.transitions ?? 0) + (again?.transitions ?? 0), 5);

    for (const id of [...ids, exportJob.id]) assert.ok(sim.setResourceStatus(id, { status: 'ACTIVE' }));
    const second = await app.sweepNow();
    assert.equal(second?.notifications, 11);
    await settle(receiver, 11);
    assert.deepEqual(deliveries(receiver), [
      'audit <- fraud-model',
      'audit <- growth-model',
      'audit <- risk-audience',
      'audit <- risk-export',
      'audit <- untagged-channel',
      'catch-all <- untagged-channel',
      'finance <- fraud-model',
      'growth <- growth-model',
      'risk <- fraud-model',
      'risk <- risk-audience',
      'risk <- risk-export',
    ]);
    // data.tags: every tag as AWS returned it (unlisted keys too), after inheritance; {} when none.
    const bodyOf = (target: string, name: string) =>
      receiver.requests
        .filter((q) => q.path === `/${target}`)
        .map((q) => JSON.parse(q.body) as { id: string; data: Record<string, unknown> })
        .find((b) => b.data['name'] === name)!;
    assert.deepEqual(bodyOf('audit', 'fraud-model').data['tags'], { team: 'fraud', 'cost-center': 'cc-7', owner: 'ana' });
    assert.deepEqual(bodyOf('audit', 'risk-export').data['tags'], { team: 'risk' });
    assert.deepEqual(bodyOf('audit', 'untagged-channel').data['tags'], {});

    // The _tags series: the keys of tags.keys each resource carries, as labels; promtool-clean.
    let text = await scrape(app);
    const tagLine = (family: string, id: string) => lines(text, `cleanroomsml_${family}_tags`).find((l) => l.includes(`"${id}"`));
    assert.equal(
      tagLine('trained_model', fraudModel),
      `cleanroomsml_trained_model_tags{arn="${fraudModel}",tag_team="fraud",tag_cost_center="cc-7"} 1`,
    );
    assert.equal(tagLine('trained_model', growthModel), `cleanroomsml_trained_model_tags{arn="${growthModel}",tag_team="growth"} 1`);
    assert.equal(tagLine('ml_input_channel', channel), `cleanroomsml_ml_input_channel_tags{arn="${channel}"} 1`);
    assert.match(tagLine('audience_export_job', exportJob.id) ?? '', /tag_team="risk"\} 1$/);
    try {
      execFileSync('promtool', ['--version'], { stdio: 'ignore' });
      assert.equal(execFileSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' }).trim(), '');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }

    // Retagged in AWS: no status change, no new updateTime. The refresh reads it within the interval.
    const before = sim.resources().find((x) => x['id'] === growthModel)!;
    const after = await retag(sim, growthModel, { team: 'risk' });
    assert.equal(after['updateTime'], before['updateTime']);
    const quiet = await app.sweepNow();
    assert.equal(quiet?.getCalls, 0, 'within the interval: no call for tags');
    assert.match(tagLine('trained_model', growthModel) ?? '', /tag_team="growth"/);
    r.advance(HOUR + 1000);
    const refreshed = await app.sweepNow();
    assert.equal(refreshed?.ok, true);
    assert.ok((refreshed?.tagRefreshes ?? 0) >= 3, `the tagged resources read again: ${refreshed?.tagRefreshes}`);
    assert.equal(refreshed?.transitions, 0, 'a retag is no transition');
    text = await scrape(app);
    assert.equal(tagLine('trained_model', growthModel), `cleanroomsml_trained_model_tags{arn="${growthModel}",tag_team="risk"} 1`);
    // Its next news goes to its new team.
    assert.ok(sim.setResourceStatus(growthModel, { status: 'DELETE_FAILED', statusDetails: { statusCode: 'X', message: 'y' } }));
    await app.sweepNow();
    await settle(receiver, 13);
    assert.deepEqual(deliveries(receiver, 11), ['audit <- growth-model', 'risk <- growth-model']);
  } finally {
    await r.close();
  }
});

test('discovery tag filter: only resources carrying the tags are watched; a retag brings one in, another out', async () => {
  const r = await rig(
    { discovery: [{ membershipId: M, kinds: ['trainedModel'], tags: { team: 'fraud' } }], tags: { keys: ['team'], refreshInterval: '1h' } },
    [{ name: 'audit', statuses: ['success', 'failure', 'inProgress'] }],
  );
  const { sim, receiver, app } = r;
  try {
    const [fraud, growth] = sim.putResources([
      {
        kind: 'trainedModel',
        name: 'fraud-model',
        status: 'CREATE_IN_PROGRESS',
        membershipId: M,
        collaborationId: C,
        tags: { team: 'fraud' },
      },
      {
        kind: 'trainedModel',
        name: 'growth-model',
        status: 'CREATE_IN_PROGRESS',
        membershipId: M,
        collaborationId: C,
        tags: { team: 'growth' },
      },
    ]) as [{ id: string }, { id: string }];
    await app.start();
    const first = await app.sweepNow();
    assert.equal(first?.ok, true, JSON.stringify(first?.scopeErrors));
    assert.equal(first?.getCalls, 2, 'each new resource read once for its tags');
    assert.equal(first?.transitions, 1);
    await settle(receiver, 1);
    assert.deepEqual(deliveries(receiver), ['audit <- fraud-model']);
    let text = await scrape(app);
    assert.equal(lines(text, 'cleanroomsml_trained_model_tags').length, 1);
    assert.ok(!text.includes(growth.id), 'the resource outside the filter has no series (nor its versions listed)');
    const api = (await (await fetch(`${app.adminUrl}/api/resources`)).json()) as { resources: Array<{ id: string; tags?: unknown }> };
    assert.deepEqual(
      api.resources.map((x) => [x.id, x.tags]),
      [[fraud.id, { team: 'fraud' }]],
    );

    // Known, outside: a status change costs it no Get and no notification.
    assert.ok(sim.setResourceStatus(growth.id, { status: 'ACTIVE' }));
    const second = await app.sweepNow();
    assert.deepEqual([second?.getCalls, second?.notifications], [1, 0]);

    // Retagged into the filter: the refresh reads it, and it is first seen then.
    await retag(sim, growth.id, { team: 'fraud' });
    await retag(sim, fraud.id, { team: 'growth' });
    r.advance(HOUR + 1000);
    const third = await app.sweepNow();
    assert.equal(third?.ok, true);
    text = await scrape(app);
    assert.ok(text.includes(`cleanroomsml_trained_model_tags{arn="${growth.id}",tag_team="fraud"} 1`));
    const ofKind = (id: string) => text.split('\n').filter((l) => l.startsWith('cleanroomsml_trained_model_') && l.includes(id));
    assert.deepEqual(ofKind(fraud.id), [], 'retagged out: its series are gone');
    assert.ok(ofKind(growth.id).length > 5);
    assert.equal(receiver.requests.length, 1, 'coming in at rest and going out are not notified');
  } finally {
    await r.close();
  }
});
