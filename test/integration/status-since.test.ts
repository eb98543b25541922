// "Time in current status": cleanroomsml_audience_generation_job_status_since_timestamp_seconds is
// the updateTime at which the monitor first saw the current status; an update that keeps the
// status (new metrics) does not move it, and it survives a restart (persisted with the snapshot).
// Simulator on 127.0.0.1 with an injected clock; /metrics scraped over HTTP.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { createApp, type App } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startSimulator } from '../../src/dev/sim/server.js';

const CREDS = { accessKeyId: 'AKIDSTATUSSINCE', secretAccessKey: 'status-since-secret' };
const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/22222222-aaaa-4bbb-8ccc-000000000001';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/status-since';
const NAME = 'cleanroomsml_audience_generation_job_status_since_timestamp_seconds';

async function since(app: App): Promise<number | undefined> {
  const text = await (await fetch(`${app.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${NAME}{arn="${ARN}"}`));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

test('status_since: first sight, a status change, a same-status update, and a restart', async () => {
  let simNow = Date.parse('2026-11-28T10:00:00.000Z');
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS, clock: { now: () => simNow } });
  sim.putJobs([{ arn: ARN, name: 'since', configuredAudienceModelArn: MODEL, status: 'CREATE_IN_PROGRESS' }]);
  const config = configSchema.parse({
    aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 2 },
    jobs: [{ arn: ARN }],
    polling: { schedule: '0 0 0 1 1 *' },
    state: { dir: await mkdtemp(join(tmpdir(), 'crml-since-')) },
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
  });
  const opts = { config, log: createLogger({ level: 'silent' }), credentials: async () => CREDS, schedule: false };
  let app = await createApp(opts);
  await app.start();
  try {
    await app.sweepNow();
    assert.equal(await since(app), Date.parse('2026-11-28T10:00:00.000Z') / 1000, 'first sight: the updateTime seen');

    simNow = Date.parse('2026-11-28T11:00:00.000Z');
    sim.setStatus(ARN, { status: 'ACTIVE' });
    await app.sweepNow();
    assert.equal(await since(app), Date.parse('2026-11-28T11:00:00.000Z') / 1000, 'status change: its updateTime');

    simNow = Date.parse('2026-11-28T12:00:00.000Z');
    sim.setStatus(ARN, {
      status: 'ACTIVE',
      metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.5 }], recallMetric: 0.2 },
    });
    await app.sweepNow();
    const text = await (await fetch(`${app.url}/metrics`)).text();
    assert.ok(
      text.includes(
        `cleanroomsml_audience_generation_job_updated_timestamp_seconds{arn="${ARN}"} ${Date.parse('2026-11-28T12:00:00.000Z') / 1000}`,
      ),
      'the update was seen',
    );
    assert.equal(await since(app), Date.parse('2026-11-28T11:00:00.000Z') / 1000, 'same status: unchanged');
    assert.ok(text.includes(`# TYPE ${NAME} gauge`));
  } finally {
    await app.stop();
  }
  app = await createApp(opts);
  await app.start();
  try {
    assert.equal(await since(app), Date.parse('2026-11-28T11:00:00.000Z') / 1000, 'kept across a restart');
    await app.sweepNow();
    assert.equal(await since(app), Date.parse('2026-11-28T11:00:00.000Z') / 1000);
  } finally {
    await app.stop();
    await sim.close();
  }
});
