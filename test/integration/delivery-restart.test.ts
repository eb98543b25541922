// docs/reliability.md row 7, against the real daemon on 127.0.0.1: restarts with nothing changed send
// nothing (clean SIGTERM restart and SIGKILL restart), and canary secrets (webhook URL path tokens,
// query token, whsec_ secret, AWS secret key) appear zero times in everything the monitor emits:
// stdout/stderr of every run, /metrics, /api/*, the state dir (state.json, journal.ndjson, lock),
// dead letters, `outbox list` (text and JSON, via the daemon and offline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver } from '../helpers/receiver.js';
import {
  allDaemonOutput,
  baseConfig,
  DAEMON_CREDS,
  freePort,
  getText,
  metricSample,
  observed,
  outboxOf,
  runCli,
  startDaemon,
  until,
  workdir,
  type Daemon,
} from '../helpers/daemon.js';

const COLLAB = '7f6e5d4c-9b0a-4c1d-8ecf-4b5a6c7d8e9f';
const RAW_KEY = 'restart-CANARYKEY-signing-0123456789';
const SECRET = `whsec_${Buffer.from(RAW_KEY).toString('base64')}`;
const CANARIES = [
  'CANARYHOOKPATH',
  'CANARYSLACKTOKEN',
  'CANARYQUERY',
  'CANARYDEADPATH',
  SECRET,
  SECRET.slice(6),
  RAW_KEY,
  DAEMON_CREDS.secretAccessKey,
];

test('7. restart with nothing changed sends zero webhooks; canary secrets appear zero times in every output', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('restart');
  let daemon: Daemon | undefined;
  const outputs: string[] = [];
  const scrapeAll = async (d: Daemon) => {
    for (const p of ['/metrics', '/readyz', '/healthz', '/']) outputs.push(await getText(`${d.url}${p}`));
    for (const p of ['/api/jobs', '/api/outbox', '/']) outputs.push(await getText(`${d.adminUrl}${p}`));
  };
  try {
    const jobs = sim.putJobs(
      Array.from({ length: 3 }, (_, i) => ({ name: `steady-${i}`, status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB })),
    );
    const port = await freePort();
    await w.writeConfig(
      baseConfig({
        simUrl: sim.url,
        stateDir: w.stateDir,
        collaborationId: COLLAB,
        port,
        adminPort: await freePort(),
        logLevel: 'debug',
        targets: [
          { name: 'audit', type: 'webhook', url: `${rx.url}/hooks/CANARYHOOKPATH?sig=CANARYQUERY`, secret: SECRET, allowHttp: true },
          { name: 'team-slack', type: 'slack', url: `${rx.url}/services/T0/B0/CANARYSLACKTOKEN`, allowHttp: true, ratePerSecond: 10 },
          { name: 'broken', type: 'webhook', url: `${rx.url}/dead/CANARYDEADPATH`, allowHttp: true },
        ],
      }),
    );
    rx.setDefault((r) => (r.path.startsWith('/dead') ? { status: 404, body: `no route ${r.path}` } : { status: 200, body: 'ok' }));
    daemon = await startDaemon(w);
    await until(async () => (await observed(daemon!)).size === 3, 'first sight');
    for (const j of jobs) sim.setStatus(j.audienceGenerationJobArn as string, { status: 'ACTIVE' });
    await until(async () => {
      const o = await outboxOf(daemon!);
      return o.pending.length === 0 && o.deadLetters.length === 3;
    }, 'delivered + dead-lettered');
    const delivered = rx.requests.length;
    assert.equal(delivered, 9, '3 jobs x 3 targets');
    outputs.push((await runCli(w, ['outbox', 'list', '--config', w.configPath])).stdout);
    await scrapeAll(daemon);
    assert.equal(await daemon.kill('SIGTERM'), 0);
    // Offline: `outbox list` opens the store itself.
    const offline = await runCli(w, ['outbox', 'list', '--json', '--config', w.configPath]);
    assert.equal(offline.code, 0, offline.stderr);
    assert.equal((JSON.parse(offline.stdout) as { deadLetters: unknown[] }).deadLetters.length, 3);
    outputs.push(offline.stdout, offline.stderr);

    // Clean restart, then a SIGKILL restart: several sweeps each, zero requests.
    const restarts: string[] = [];
    for (const how of ['SIGTERM', 'SIGKILL'] as const) {
      daemon = await startDaemon(w);
      await until(
        async () =>
          (metricSample(await getText(`${daemon!.url}/metrics`), 'cleanroomsml_monitor_sweeps_total', { outcome: 'success' }) ?? 0) >= 3,
        '3 sweeps',
        10_000,
      );
      await scrapeAll(daemon);
      outputs.push((await runCli(w, ['outbox', 'list', '--json', '--config', w.configPath])).stdout);
      assert.equal(rx.requests.length, delivered, `restart before ${how}: zero webhooks`);
      restarts.push(how);
      await daemon.kill(how);
    }
    const files = await w.stateFiles();
    assert.ok('state.json' in files && 'journal.ndjson' in files, Object.keys(files).join(','));
    const everything = [...allDaemonOutput, ...outputs, ...Object.entries(files).map(([k, v]) => `${k}\n${v}`)].join('\n');
    assert.ok(
      everything.includes('HTTP 404: no route [redacted]') && everything.includes('evt_'),
      'the scanned text holds the dead letters',
    );
    const counts = CANARIES.map((c) => everything.split(c).length - 1);
    assert.deepEqual(
      counts,
      CANARIES.map(() => 0),
      'canary occurrences',
    );
    console.log(
      `# test 7: 9 deliveries, then restarts (${restarts.join(', ')}) with nothing changed: 0 webhooks; ${CANARIES.length} canaries x ${(everything.length / 1024).toFixed(0)} KiB of logs/metrics/API/state/outbox output: 0 occurrences`,
    );
  } finally {
    await daemon?.kill('SIGKILL');
    await rx.close();
    await sim.close();
  }
});
