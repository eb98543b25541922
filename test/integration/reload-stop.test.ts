// stop() while a reload runs: the reload that was waiting for an in-flight delivery must not
// start a new outbox worker or a new scheduler once stop() has begun. Seen from outside: after
// stop() the simulator gets no List and the receiver no request, and a reload asked for after
// stop() does nothing. In-process app, simulator and receiver on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../../src/app.js';
import { parseConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/log.js';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver } from '../helpers/receiver.js';
import { until } from '../helpers/daemon.js';

const CREDS = { accessKeyId: 'AKIDRELOADSTOP', secretAccessKey: 'reload-stop-secret' };
const COLLAB = '6a7b8c9d-0e1f-4a2b-8c3d-4e5f6a7b8c9d';

const listCalls = (sim: { stats(): { requests: Record<string, Record<string, number>> } }) =>
  Object.values(sim.stats().requests['ListAudienceGenerationJobs'] ?? {}).reduce((a, n) => a + n, 0);

test('stop() during a reload leaves no outbox worker and no scheduler running', { timeout: 30_000 }, async () => {
  const sim = await startSimulator({ credentials: CREDS });
  const rx = await startReceiver();
  const dir = await mkdtemp(join(tmpdir(), 'crml-reload-stop-'));
  const config = (schedule: string) =>
    parseConfig(
      JSON.stringify({
        aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 2 },
        discovery: [{ collaborationId: COLLAB }],
        polling: { schedule },
        notifications: { targets: [{ name: 'audit', type: 'webhook', url: `${rx.url}/hook`, allowHttp: true }] },
        state: { dir: join(dir, 'state') },
        server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
      }),
      { env: {}, readSecretFile: async () => '' },
    );
  const [job] = sim.putJobs([{ name: 'stop-race', status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB }]);
  const app = await createApp({
    config: await config('* * * * * *'),
    log: createLogger({ level: 'silent' }),
    credentials: async () => CREDS,
    outbox: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  let stopped = false;
  try {
    await app.start();
    await until(() => app.store.resources().size === 1, 'the job tracked');
    // A delivery held open 800 ms: the reload waits for it before it replaces the worker.
    rx.respond({ status: 200, body: 'ok', delayMs: 800 });
    sim.setStatus(String(job!.audienceGenerationJobArn), { status: 'ACTIVE' });
    await rx.waitFor(1, 10_000);
    // A new schedule, so the reload also replaces the scheduler; stop() starts while it waits.
    const reloaded = app.reload(await config('*/1 * * * * *'));
    const t0 = Date.now();
    await app.stop();
    stopped = true;
    const stopMs = Date.now() - t0;
    const lists = listCalls(sim);
    const requests = rx.requests.length;
    // Three ticks of the 1 s schedule: a leaked scheduler would List, a leaked worker would send.
    sim.setStatus(String(job!.audienceGenerationJobArn), { status: 'DELETE_PENDING' });
    await new Promise((r) => setTimeout(r, 3_000));
    assert.equal(listCalls(sim), lists, 'no List after stop()');
    assert.equal(rx.requests.length, requests, 'no delivery after stop()');
    assert.ok(stopMs < 9_500, `stop() took ${stopMs} ms`);
    assert.equal(await reloaded, false, 'the reload overtaken by stop() did not apply');
    assert.equal(await app.reload(await config('*/2 * * * * *')), false, 'no reload after stop()');
  } finally {
    if (!stopped) await app.stop();
    await rx.close();
    await sim.close();
  }
});
