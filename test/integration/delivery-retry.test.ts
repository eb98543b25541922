// docs/reliability.md rows 3 and 4, against the real daemon (dist/cli.js) on 127.0.0.1: a receiver that is
// down then answers 503 (events queue, then drain in per-job order), and receivers that answer
// 400 / 410 / always 503 (dead letters with reasons, no tight loop, URLs redacted everywhere,
// `outbox list` and `outbox retry --all` through the running daemon).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver, type Recorded } from '../helpers/receiver.js';
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

const COLLAB = '4c3b2a1d-6e7f-4a8b-9cad-1e2f3a4b5c6d';
const SECRET = `whsec_${Buffer.from('delivery-retry-signing-key-CANARY').toString('base64')}`;
const CYCLE = ['CREATE_IN_PROGRESS', 'ACTIVE', 'DELETE_PENDING', 'DELETE_IN_PROGRESS'];

const bodyOf = (r: Recorded) => JSON.parse(r.body) as { id: string; data: { arn: string; status: string; updateTime: string } };

test('3. receiver down (closed port, then 503s): events queue, only job heads are tried, then all drain in per-job order', async () => {
  const JOBS = 5;
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  let rx = await startReceiver();
  const port = rx.port;
  await rx.close(); // connection refused from now on
  const w = await workdir('down');
  let daemon: Daemon | undefined;
  try {
    const jobs = sim.putJobs(
      Array.from({ length: JOBS }, (_, i) => ({ name: `queued-${i}`, status: 'CREATE_PENDING', collaborationId: COLLAB })),
    );
    const arns = jobs.map((j) => j.audienceGenerationJobArn as string);
    const driven = new Map(jobs.map((j) => [j.audienceGenerationJobArn as string, [`CREATE_PENDING ${j.updateTime as string}`]]));
    await w.writeConfig(
      baseConfig({
        simUrl: sim.url,
        stateDir: w.stateDir,
        collaborationId: COLLAB,
        targets: [
          {
            name: 'audit',
            type: 'webhook',
            url: `http://127.0.0.1:${port}/hook`,
            secret: SECRET,
            allowHttp: true,
            everyTransition: true,
            retry: { baseDelayMs: 200, maxDelayMs: 800, maxAttempts: 1000 },
          },
        ],
      }),
    );
    const downSince = Date.now();
    daemon = await startDaemon(w);
    await until(async () => {
      const o = await observed(daemon!);
      return arns.every((a) => o.get(a) === driven.get(a)![0]);
    }, 'first sight observed');
    for (const status of CYCLE) {
      for (const arn of arns) {
        const wire = sim.setStatus(arn, { status })!;
        driven.get(arn)!.push(`${status} ${wire.updateTime as string}`);
      }
      // Wait until the daemon has seen this round before the next (a poller cannot see shorter states).
      await until(async () => {
        const o = await observed(daemon!);
        return arns.every((a) => o.get(a) === driven.get(a)!.at(-1));
      }, `round ${status} observed`);
    }
    const total = JOBS * (CYCLE.length + 1);
    const ob = await outboxOf(daemon);
    assert.equal(ob.pending.length, total, 'every event is queued');
    // Per-job order under failure: only the head of each job has been attempted.
    const tried = ob.pending.filter((e) => e.attempts > 0);
    assert.ok(
      tried.length <= JOBS && new Set(tried.map((e) => e.arn)).size === tried.length,
      `non-head entries were attempted: ${JSON.stringify(tried.map((e) => [e.arn.slice(-4), e.status]))}`,
    );
    assert.ok(
      tried.every((e) => /network error ECONNREFUSED/.test(e.lastError ?? '')),
      'reason recorded',
    );
    const m = await getText(`${daemon.url}/metrics`);
    assert.equal(metricSample(m, 'cleanroomsml_monitor_outbox_pending', { target: 'audit' }), total);
    assert.ok((metricSample(m, 'cleanroomsml_monitor_outbox_oldest_pending_age_seconds', { target: 'audit' }) ?? 0) > 0);
    const retriedWhileDown = metricSample(m, 'cleanroomsml_monitor_notifications_total', { target: 'audit', outcome: 'retried' }) ?? 0;
    const downMs = Date.now() - downSince;
    // Backoff floor 200 ms per head: no tight loop.
    assert.ok(retriedWhileDown <= JOBS * (downMs / 200 + 1), `${retriedWhileDown} retries in ${downMs} ms`);

    // Back, answering 503 for a second, then 200.
    rx = await startReceiver({ port });
    const okFrom = Date.now() + 1_000;
    const ok: Recorded[] = [];
    let refused503 = 0;
    rx.setDefault((r) => {
      if (Date.now() < okFrom) {
        refused503++;
        return { status: 503, body: 'maintenance' };
      }
      ok.push(r);
      return { status: 200, body: 'ok' };
    });
    await until(() => new Set(ok.map((r) => bodyOf(r).id)).size >= total, 'drain', 20_000);
    const drainMs = Math.max(...ok.map((r) => r.at)) - okFrom;
    for (const r of ok) assert.equal(rx.verify(r, [SECRET]).ok, true);
    for (const arn of arns) {
      const seen = ok
        .map(bodyOf)
        .filter((b) => b.data.arn === arn)
        .map((b) => `${b.data.status} ${b.data.updateTime}`);
      assert.deepEqual(seen, driven.get(arn), `job ${arn} drained in order`);
    }
    await until(async () => (await outboxOf(daemon!)).pending.length === 0, 'empty outbox');
    console.log(
      `# test 3: ${total} events queued during ${downMs} ms down (${retriedWhileDown} head retries), ${refused503} requests answered 503, then drained in ${drainMs} ms, every job in order`,
    );
  } finally {
    await daemon?.kill('SIGKILL');
    await rx.close();
    await sim.close();
  }
});

test('4. 400 / 410 dead-letter at once, 503 after N attempts; no tight loop, reasons recorded, URLs redacted; outbox retry --all re-sends with the same id', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('dead');
  const CANARIES = [
    'CANARY400PATHTOKEN',
    'CANARY410PATHTOKEN',
    'CANARYQUERYTOKEN',
    'CANARY503PATHTOKEN',
    SECRET,
    SECRET.slice('whsec_'.length),
  ];
  let daemon: Daemon | undefined;
  try {
    const [job] = sim.putJobs([{ name: 'doomed', status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB }]);
    const arn = job!.audienceGenerationJobArn as string;
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
          { name: 'reject-400', type: 'webhook', url: `${rx.url}/r400/CANARY400PATHTOKEN`, secret: SECRET, allowHttp: true },
          { name: 'gone-410', type: 'webhook', url: `${rx.url}/g410/CANARY410PATHTOKEN?token=CANARYQUERYTOKEN`, allowHttp: true },
          {
            name: 'flaky-503',
            type: 'webhook',
            url: `${rx.url}/u503/CANARY503PATHTOKEN`,
            allowHttp: true,
            retry: { maxAttempts: 3, baseDelayMs: 100, maxDelayMs: 200 },
          },
        ],
      }),
    );
    // A hostile receiver echoes the secret path in its error body: the reason must not carry it.
    let answering = 'errors';
    rx.setDefault((r) => {
      if (answering === 'ok') return { status: 200, body: 'ok' };
      if (r.path.startsWith('/r400')) return { status: 400, body: `bad request for ${r.path}` };
      if (r.path.startsWith('/g410')) return { status: 410, body: 'gone' };
      return { status: 503, body: `unavailable: ${r.path}` };
    });
    daemon = await startDaemon(w);
    await until(async () => (await observed(daemon!)).size === 1, 'first sweep');
    sim.setStatus(arn, { status: 'ACTIVE' });
    await until(async () => (await outboxOf(daemon!)).deadLetters.length === 3, 'three dead letters', 15_000);
    await new Promise((r) => setTimeout(r, 1_500)); // a tight loop would show here
    const count = (p: string) => rx.requests.filter((r) => r.path.startsWith(p)).length;
    assert.equal(count('/r400'), 1, '400: one attempt');
    assert.equal(count('/g410'), 1, '410: one attempt');
    assert.equal(count('/u503'), 3, '503: maxAttempts attempts');
    const firstIds = new Map(rx.requests.map((r) => [r.path.slice(0, 5), r.headers['webhook-id']]));

    const ob = await outboxOf(daemon);
    const reason = (t: string) => ob.deadLetters.find((d) => d.target === t)?.reason ?? '';
    assert.match(reason('reject-400'), /^HTTP 400: bad request for \[redacted\]/);
    assert.equal(reason('gone-410'), 'HTTP 410: gone');
    assert.match(reason('flaky-503'), /^gave up after 3 attempts over \d+ s: HTTP 503: unavailable: \[redacted\]$/);
    const m = await getText(`${daemon.url}/metrics`);
    for (const t of ['reject-400', 'gone-410', 'flaky-503']) {
      assert.equal(metricSample(m, 'cleanroomsml_monitor_dead_letters', { target: t }), 1, `dead_letters{target=${t}}`);
      assert.equal(metricSample(m, 'cleanroomsml_monitor_notifications_total', { target: t, outcome: 'dead_lettered' }), 1);
    }
    assert.equal(metricSample(m, 'cleanroomsml_monitor_notifications_total', { target: 'flaky-503', outcome: 'retried' }), 2);

    // `outbox list` asks the running daemon (it holds the state lock).
    const list = await runCli(w, ['outbox', 'list', '--config', w.configPath]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /dead letters: 3/);
    for (const d of ob.deadLetters) assert.ok(list.stdout.includes(d.id) && list.stdout.includes(d.reason), `outbox list shows ${d.id}`);
    const listJson = await runCli(w, ['outbox', 'list', '--json', '--config', w.configPath]);

    const files = await w.stateFiles();
    const everything = [
      ...allDaemonOutput,
      m,
      JSON.stringify(ob),
      list.stdout,
      list.stderr,
      listJson.stdout,
      await getText(`${daemon.adminUrl}/api/jobs`),
      ...Object.values(files),
    ].join('\n');
    for (const c of CANARIES) assert.equal(everything.split(c).length - 1, 0, `canary ${c.slice(0, 12)}... leaked`);
    assert.ok(
      Object.keys(files).includes('journal.ndjson') && everything.includes('gave up after 3 attempts'),
      'the scan covers the dead letters',
    );

    // Receivers fixed: re-send everything, same ids.
    answering = 'ok';
    const before = rx.requests.length;
    const retry = await runCli(w, ['outbox', 'retry', '--all', '--config', w.configPath]);
    assert.equal(retry.code, 0, retry.stderr);
    assert.match(retry.stdout, /re-queued 3 dead letter/);
    const got = (await rx.waitFor(before + 3, 10_000)).slice(before);
    for (const r of got)
      assert.equal(r.headers['webhook-id'], firstIds.get(r.path.slice(0, 5)), `${r.path.slice(0, 5)} re-sent with its id`);
    assert.equal(rx.verify(got.find((r) => r.path.startsWith('/r400'))!, [SECRET]).ok, true);
    await until(async () => {
      const o = await outboxOf(daemon!);
      return o.deadLetters.length === 0 && o.pending.length === 0;
    }, 'outbox empty after the re-send');
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(rx.requests.length, before + 3, 'each re-sent once');
    console.log(
      `# test 4: 400 -> 1 request, 410 -> 1 request, 503 -> 3 requests (maxAttempts 3), then dead-lettered; no further request in 1.5 s; outbox retry --all re-sent 3 with their ids`,
    );
    assert.equal(await daemon.kill('SIGTERM'), 0);
  } finally {
    await daemon?.kill('SIGKILL');
    await rx.close();
    await sim.close();
  }
});
