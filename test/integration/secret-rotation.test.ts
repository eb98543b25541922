// A webhook URL and secret mounted the Kubernetes way (a timestamped dir, `..data` -> it, the file ->
// ..data/<key>) is rotated by writing a new dir and swapping `..data` atomically: the running
// monitor notices within its poll interval, reloads (cleanroomsml_monitor_config_last_reload_*),
// and sends the next webhook to the new URL, signed with the new secret. A rotation to an invalid
// secret is refused and the last good URL and secret keep working. Simulator and receiver on 127.0.0.1.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rename, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load.js';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver, type Recorded } from '../helpers/receiver.js';
import { until } from '../helpers/daemon.js';

const CREDS = { accessKeyId: 'AKIDROTATE', secretAccessKey: 'rotate-secret-key' };
const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/44444444-aaaa-4bbb-8ccc-000000000001';
const OLD = `whsec_${Buffer.from('rotation-old-signing-key-0001').toString('base64')}`;
const NEW = `whsec_${Buffer.from('rotation-new-signing-key-0002').toString('base64')}`;

const statusOf = (r: Recorded) => (JSON.parse(r.body) as { data: { status: string } }).data.status;

/** Writes `files` the way the kubelet does: new dir, `..data_tmp` symlink, rename over `..data`. */
async function kubeletWrite(dir: string, version: number, files: Record<string, string>): Promise<void> {
  const ts = `..2026_11_29_00_00_0${version}.${version}`;
  await mkdir(join(dir, ts));
  for (const [k, v] of Object.entries(files)) await writeFile(join(dir, ts, k), v);
  await symlink(ts, join(dir, '..data_tmp'));
  await rename(join(dir, '..data_tmp'), join(dir, '..data'));
  for (const k of Object.keys(files)) await symlink(join('..data', k), join(dir, k)).catch(() => {});
}

test('a Secret rotated by a symlink swap is picked up without a restart: the next webhook goes to the new URL, signed with the new secret', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  sim.putJobs([{ arn: ARN, name: 'rotating', status: 'CREATE_PENDING' }]);
  const rx = await startReceiver();
  const dir = await mkdtemp(join(tmpdir(), 'crml-rotate-'));
  const secrets = join(dir, 'secrets');
  await mkdir(secrets);
  await kubeletWrite(secrets, 1, { 'webhook-secret': `${OLD}\n`, 'webhook-url': `${rx.url}/hook/v1\n` });
  const configPath = join(dir, 'config.yaml');
  await writeFile(
    configPath,
    JSON.stringify({
      aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 2 },
      jobs: [{ arn: ARN }],
      polling: { schedule: '0 0 0 1 1 *' },
      notifications: {
        targets: [
          {
            name: 'audit',
            type: 'webhook',
            urlFile: 'secrets/webhook-url',
            secretFile: 'secrets/webhook-secret',
            allowHttp: true,
            everyTransition: true,
          },
        ],
      },
      state: { dir: join(dir, 'state') },
      server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
    }),
  );
  const app = await createApp({
    config: await loadConfig(configPath),
    configPath,
    log: createLogger({ level: 'silent' }),
    credentials: async () => CREDS,
    schedule: false,
    secretPollMs: 50,
    outbox: { baseDelayMs: 10, maxDelayMs: 50 },
  });
  await app.start();
  const reloadAt = async () => {
    const m = await (await fetch(`${app.url}/metrics`)).text();
    const v = (n: string) => Number(/^(\S+) (\S+)$/m.exec(m.split('\n').find((l) => l.startsWith(`${n} `)) ?? '')?.[2]);
    return {
      ok: v('cleanroomsml_monitor_config_last_reload_successful'),
      at: v('cleanroomsml_monitor_config_last_reload_success_timestamp_seconds'),
    };
  };
  try {
    await app.sweepNow();
    sim.setStatus(ARN, { status: 'CREATE_IN_PROGRESS' });
    await app.sweepNow();
    const first = await until(() => rx.requests.some((q) => statusOf(q) === 'CREATE_IN_PROGRESS'), 'first webhook', 5_000).then(
      () => rx.requests.find((q) => statusOf(q) === 'CREATE_IN_PROGRESS')!,
    );
    assert.equal(rx.verify(first, [OLD]).ok, true, 'signed with the old secret');
    assert.equal(first.path, '/hook/v1');
    const before = await reloadAt();

    await new Promise((r) => setTimeout(r, 1_100)); // the reload timestamp has second resolution
    await kubeletWrite(secrets, 2, { 'webhook-secret': `${NEW}\n`, 'webhook-url': `${rx.url}/hook/v2\n` });
    await until(async () => (await reloadAt()).at > before.at, 'reload after the rotation', 5_000);
    assert.equal((await reloadAt()).ok, 1);

    sim.setStatus(ARN, { status: 'ACTIVE' });
    await app.sweepNow();
    await until(() => rx.requests.some((q) => statusOf(q) === 'ACTIVE'), 'ACTIVE webhook', 5_000);
    const active = rx.requests.find((q) => statusOf(q) === 'ACTIVE')!;
    assert.equal(rx.verify(active, [NEW]).ok, true, 'the next webhook is signed with the new secret');
    assert.equal(rx.verify(active, [OLD]).ok, false);
    assert.equal(active.path, '/hook/v2', 'and sent to the rotated URL');

    // A broken rotation (not a whsec_ secret) is refused; the monitor keeps the new secret.
    await kubeletWrite(secrets, 3, { 'webhook-secret': 'not-a-valid-secret!\n', 'webhook-url': `${rx.url}/hook/v3\n` });
    await until(async () => (await reloadAt()).ok === 0, 'refused reload', 5_000);
    sim.setStatus(ARN, { status: 'DELETE_PENDING' });
    await app.sweepNow();
    await until(() => rx.requests.some((q) => statusOf(q) === 'DELETE_PENDING'), 'DELETE_PENDING webhook', 5_000);
    const third = rx.requests.find((q) => statusOf(q) === 'DELETE_PENDING')!;
    assert.equal(rx.verify(third, [NEW]).ok, true, 'still signed with the last good secret');
    assert.equal(third.path, '/hook/v2', 'and sent to the last good URL');
  } finally {
    await app.stop();
    await rx.close();
    await sim.close();
  }
});
