// Readiness is about this pod (config, state), not AWS: with every AWS call failing /readyz stays
// 200 while the per-scope metrics say which List scope is down and since when it last succeeded.
// Real simulator on 127.0.0.1, /metrics and /readyz over HTTP, sweeps triggered explicitly.
import { test } from 'node:test';
import { spawnSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type ConfigInput } from '../../src/config/schema.js';
import { createApp, type App, type AppOptions } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import { createResourceClient, type ResourceClient } from '../../src/aws/resource-client.js';

const CREDS = { accessKeyId: 'AKIDSCOPEHEALTH', secretAccessKey: 'scope-health-secret' };
const COLLAB_A = '5f6e7d8c-0000-4000-8000-0000000000b1';
const COLLAB_B = '5f6e7d8c-0000-4000-8000-0000000000b2';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/scope-health';
const KEY_A = `audienceGenerationJob|ListAudienceGenerationJobs|collaborationId=${COLLAB_A}`;
const KEY_B = `audienceGenerationJob|ListAudienceGenerationJobs|collaborationId=${COLLAB_B}`;
const UP = 'cleanroomsml_monitor_discovery_scope_up';
const LAST = 'cleanroomsml_monitor_discovery_scope_last_success_timestamp_seconds';

async function metric(app: App, name: string, scope: string): Promise<number | undefined> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{scope="${scope}"}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function start(sim: Simulator, extra: Partial<ConfigInput> = {}, opts: Partial<AppOptions> = {}) {
  const config = configSchema.parse({
    aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 1 },
    discovery: [{ collaborationId: COLLAB_A }, { collaborationId: COLLAB_B }],
    polling: { schedule: '0 0 0 1 1 *' },
    state: { dir: await mkdtemp(join(tmpdir(), 'crml-scopehealth-')) },
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
    ...extra,
  });
  const app = await createApp({
    config,
    log: createLogger({ level: 'silent' }),
    credentials: async () => CREDS,
    schedule: false,
    retryDelayMs: { min: 1, max: 5 },
    ...opts,
  });
  await app.start();
  return app;
}

test('every AWS call failing: /readyz stays 200, each scope says up 0 and keeps its last success time', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  sim.putJobs([
    { name: 'a', collaborationId: COLLAB_A, configuredAudienceModelArn: MODEL, status: 'CREATE_IN_PROGRESS' },
    { name: 'b', collaborationId: COLLAB_B, configuredAudienceModelArn: MODEL, status: 'CREATE_IN_PROGRESS' },
  ]);
  const app = await start(sim);
  try {
    assert.equal((await fetch(`${app.url}/readyz`)).status, 200, 'ready before any sweep: config and state are loaded');
    assert.equal(await metric(app, UP, KEY_A), undefined, 'no series before the scope was listed');
    assert.equal((await app.sweepNow())?.ok, true);
    assert.equal(await metric(app, UP, KEY_A), 1);
    assert.equal(await metric(app, UP, KEY_B), 1);
    const okAt = await metric(app, LAST, KEY_A);
    assert.ok(okAt !== undefined && Math.abs(okAt - Date.now() / 1000) < 60, `last success ${okAt}`);

    sim.setFaults({ errorRatio: 1 });
    const r = await app.sweepNow();
    assert.equal(r?.ok, false);
    assert.deepEqual([...(r?.failedScopes ?? [])].sort(), [KEY_A, KEY_B]);
    const ready = await fetch(`${app.url}/readyz`);
    assert.equal(ready.status, 200, `readyz: ${await ready.text()}`);
    assert.equal(await metric(app, UP, KEY_A), 0);
    assert.equal(await metric(app, UP, KEY_B), 0);
    assert.equal(await metric(app, LAST, KEY_A), okAt, 'the last success time stays');
    assert.equal((await fetch(`${app.url}/metrics`).then((x) => x.text())).includes('cleanroomsml_monitor_ready 1'), true);

    sim.setFaults({});
    await app.sweepNow();
    assert.equal(await metric(app, UP, KEY_A), 1, 'recovers');
  } finally {
    await app.stop();
    await sim.close();
  }
});

test('one denied scope: only its series says 0; a scope removed by a reload loses its series', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  const real = createResourceClient({ region: 'us-east-1', endpoint: sim.url, credentials: async () => CREDS });
  // The simulator has one identity; a discovery role without access to one collaboration is
  // played by a client that answers AccessDenied for that collaboration only.
  const api: ResourceClient = {
    get: (k, r, o) => real.get(k, r, o),
    async list(k, l, p, o) {
      if (p.collaborationId === COLLAB_B)
        throw Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException', httpStatus: 403, $retryable: false });
      return real.list(k, l, p, o);
    },
  };
  const app = await start(sim, {}, { resources: api });
  try {
    const r = await app.sweepNow();
    assert.deepEqual(r?.failedScopes, [KEY_B]);
    assert.equal((await fetch(`${app.url}/readyz`)).status, 200);
    assert.equal(await metric(app, UP, KEY_A), 1);
    assert.equal(await metric(app, UP, KEY_B), 0);
    assert.equal(await metric(app, LAST, KEY_B), 0, 'never succeeded');
    if (spawnSync('promtool', ['--version'], { stdio: 'ignore' }).status === 0) {
      const text = await (await fetch(`${app.url}/metrics`)).text();
      const check = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      assert.equal(check.status, 0, `promtool: ${check.stdout}${check.stderr}`);
    }

    const next = configSchema.parse({
      aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 1 },
      discovery: [{ collaborationId: COLLAB_A }],
      polling: { schedule: '0 0 0 1 1 *' },
      state: { dir: app.config.state.dir },
      server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
    });
    assert.equal(await app.reload(next), true);
    await app.sweepNow();
    assert.equal(await metric(app, UP, KEY_B), undefined, 'series of a scope no longer configured are dropped');
    assert.equal(await metric(app, LAST, KEY_B), undefined);
    assert.equal(await metric(app, UP, KEY_A), 1);
  } finally {
    await app.stop();
    await sim.close();
  }
});
