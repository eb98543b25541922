// docs/reliability.md rows 1 and 2: at-least-once delivery across SIGKILLs of the real daemon (dist/cli.js)
// on 127.0.0.1: simulator (SigV4-verified) -> daemon -> recording receiver.
// Scale of test 2 (the defaults give the figures in docs/reliability.md): CRML_DELIVERY_CHANGES (200), CRML_DELIVERY_KILLS (20),
// CRML_DELIVERY_SEED (PRNG seed of the kill instants).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/dev/sim/server.js';
import { createRng } from '../../src/dev/sim/prng.js';
import { startReceiver, type Recorded } from '../helpers/receiver.js';
import { baseConfig, DAEMON_CREDS, startDaemon, until, workdir, type Daemon } from '../helpers/daemon.js';

const SECRET = `whsec_${Buffer.from('delivery-crash-signing-key-0123456789').toString('base64')}`;
const COLLAB = '3b2a1c0d-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const ALL = ['CREATE_PENDING', 'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'ACTIVE', 'DELETE_PENDING', 'DELETE_IN_PROGRESS', 'DELETE_FAILED'];

interface Hook {
  id: string;
  ts: number;
  arn: string;
  status: string;
  updateTime: string;
  at: number;
}

function parseHook(r: Recorded): Hook {
  const b = JSON.parse(r.body) as { id: string; data: { arn: string; status: string; updateTime: string } };
  assert.equal(b.id, r.headers['webhook-id'], 'body id equals webhook-id');
  return {
    id: b.id,
    ts: Number(r.headers['webhook-timestamp']),
    arn: b.data.arn,
    status: b.data.status,
    updateTime: b.data.updateTime,
    at: r.at,
  };
}

test('1. SIGKILL while the receiver holds a delivery open: redelivered after restart with the same webhook-id and a valid new signature', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('crash1');
  let daemon: Daemon | undefined;
  try {
    const [job] = sim.putJobs([{ name: 'held-open', status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB }]);
    const arn = job!.audienceGenerationJobArn as string;
    await w.writeConfig(
      baseConfig({
        simUrl: sim.url,
        stateDir: w.stateDir,
        collaborationId: COLLAB,
        targets: [{ name: 'audit', type: 'webhook', url: `${rx.url}/hook`, secret: SECRET, allowHttp: true }],
      }),
    );
    rx.respond({ hold: true });
    daemon = await startDaemon(w);
    // First sight (CREATE_IN_PROGRESS) is not in the default statuses: nothing is sent yet.
    await until(
      async () =>
        ((await (await fetch(`${daemon!.adminUrl}/api/jobs`)).json()) as { jobs: { status?: string }[] }).jobs[0]?.status ===
        'CREATE_IN_PROGRESS',
      'first sweep',
    );
    sim.setStatus(arn, { status: 'ACTIVE' });
    const [first] = await rx.waitFor(1, 10_000);
    assert.equal(rx.verify(first!, [SECRET]).ok, true);
    await daemon.kill('SIGKILL');
    rx.release(); // the connection is gone with the process; nothing to answer
    // Make sure the redelivery's webhook-timestamp (seconds) must differ from the first one.
    const firstTs = Number(first!.headers['webhook-timestamp']);
    await until(() => Math.floor(Date.now() / 1000) > firstTs, 'the next second', 2_000);
    daemon = await startDaemon(w);
    const got = await rx.waitFor(2, 10_000);
    const again = got[1]!;
    assert.equal(again.headers['webhook-id'], first!.headers['webhook-id'], 'same webhook-id');
    assert.equal(again.body, first!.body, 'same body bytes');
    assert.ok(Number(again.headers['webhook-timestamp']) > firstTs, 'new webhook-timestamp');
    assert.notEqual(again.headers['webhook-signature'], first!.headers['webhook-signature'], 'new signature');
    assert.deepEqual(rx.verify(again, [SECRET]), { ok: true }, 'the new signature verifies');
    // Delivered now: it is not sent a third time, and nothing is pending.
    await until(
      async () => ((await (await fetch(`${daemon!.adminUrl}/api/outbox`)).json()) as { pending: unknown[] }).pending.length === 0,
      'empty outbox',
    );
    await new Promise((r) => setTimeout(r, 1_500));
    assert.equal(rx.requests.length, 2);
    console.log(
      `# test 1: first attempt at ${new Date(first!.at).toISOString()}, redelivery ${again.at - first!.at} ms later, same id ${String(first!.headers['webhook-id'])}`,
    );
    assert.equal(await daemon.kill('SIGTERM'), 0, 'clean exit');
  } finally {
    await daemon?.kill('SIGKILL');
    await rx.close();
    await sim.close();
  }
});

test('2. SIGKILLs at random moments during status changes: every change delivered, duplicates share their id, per-job order kept', async () => {
  const CHANGES = Number(process.env.CRML_DELIVERY_CHANGES ?? 200);
  const KILLS = Number(process.env.CRML_DELIVERY_KILLS ?? 20);
  const SEED = Number(process.env.CRML_DELIVERY_SEED ?? 20261128);
  const JOBS = 10;
  const rounds = Math.ceil(CHANGES / JOBS);
  const rng = createRng(SEED);
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('crash2');
  let daemon: Daemon | undefined;
  const started = Date.now();
  try {
    const jobs = sim.putJobs(
      Array.from({ length: JOBS }, (_, i) => ({ name: `churn-${i}`, status: 'CREATE_PENDING', collaborationId: COLLAB })),
    );
    // Every driven state (arn, status, updateTime) must reach the receiver; first sight included.
    const driven: Array<{ arn: string; status: string; updateTime: string }> = jobs.map((j) => ({
      arn: j.audienceGenerationJobArn as string,
      status: j.status as string,
      updateTime: j.updateTime as string,
    }));
    await w.writeConfig(
      baseConfig({
        simUrl: sim.url,
        stateDir: w.stateDir,
        collaborationId: COLLAB,
        targets: [
          {
            name: 'audit',
            type: 'webhook',
            url: `${rx.url}/hook`,
            secret: SECRET,
            allowHttp: true,
            everyTransition: true,
            retry: { baseDelayMs: 100, maxDelayMs: 500 },
          },
        ],
      }),
    );
    // Slow answers widen the window in which a kill lands mid-delivery.
    rx.setDefault(() => ({ status: 200, body: 'ok', delayMs: Math.floor(rng() * 250) }));
    daemon = await startDaemon(w);
    const key = (h: { arn: string; status: string; updateTime: string }) => `${h.arn} ${h.status} ${h.updateTime}`;
    const received = () => new Set(rx.requests.map((r) => key(parseHook(r))));
    await until(() => driven.every((d) => received().has(key(d))), 'first-sight events', 15_000);

    // Kill instants: KILLS distinct rounds, each at a random delay after that round's changes.
    const killRounds = new Set<number>();
    while (killRounds.size < Math.min(KILLS, rounds)) killRounds.add(Math.floor(rng() * rounds));
    let kills = 0;
    let changes = 0;
    const status = new Map(jobs.map((j) => [j.audienceGenerationJobArn as string, j.status as string]));
    for (let r = 0; r < rounds; r++) {
      const round: typeof driven = [];
      for (const j of jobs) {
        if (changes >= CHANGES) break;
        const arn = j.audienceGenerationJobArn as string;
        const choices = ALL.filter((s) => s !== status.get(arn));
        const next = choices[Math.floor(rng() * choices.length)]!;
        const wire = sim.setStatus(arn, { status: next })!;
        status.set(arn, next);
        round.push({ arn, status: next, updateTime: wire.updateTime as string });
        changes++;
      }
      driven.push(...round);
      if (killRounds.has(r)) {
        await new Promise((res) => setTimeout(res, Math.floor(rng() * 1_500)));
        await daemon.kill('SIGKILL');
        kills++;
        daemon = await startDaemon(w);
      }
      // The next change of a job may only come once this one was observed (a poller cannot see a
      // state that lasted less than a poll); delivered implies observed.
      await until(
        () => {
          const got = received();
          return round.every((d) => got.has(key(d)));
        },
        `round ${r} delivered`,
        20_000,
      );
    }
    assert.equal(kills, Math.min(KILLS, rounds));
    await until(
      async () => ((await (await fetch(`${daemon!.adminUrl}/api/outbox`)).json()) as { pending: unknown[] }).pending.length === 0,
      'empty outbox',
    );

    const hooks = rx.requests.map(parseHook);
    for (const r of rx.requests) assert.equal(rx.verify(r, [SECRET]).ok, true, 'every request is validly signed');
    const drivenKeys = new Set(driven.map(key));
    // Every change delivered; nothing that did not happen.
    for (const d of driven)
      assert.ok(
        hooks.some((h) => key(h) === key(d)),
        `not delivered: ${key(d)}`,
      );
    for (const h of hooks) assert.ok(drivenKeys.has(key(h)), `unexpected event ${key(h)}`);
    // Every duplicate shares its id: one id per event, one event per id.
    const idsByEvent = new Map<string, Set<string>>();
    const eventsById = new Map<string, Set<string>>();
    for (const h of hooks) {
      idsByEvent.set(key(h), (idsByEvent.get(key(h)) ?? new Set()).add(h.id));
      eventsById.set(h.id, (eventsById.get(h.id) ?? new Set()).add(key(h)));
    }
    for (const [k, ids] of idsByEvent) assert.equal(ids.size, 1, `event ${k} arrived under ${ids.size} ids`);
    for (const [id, ks] of eventsById) assert.equal(ks.size, 1, `id ${id} carried ${ks.size} events`);
    // Per-job order: along the arrival sequence, a job's updateTime never goes back.
    const last = new Map<string, string>();
    for (const h of hooks) {
      const prev = last.get(h.arn);
      assert.ok(prev === undefined || prev <= h.updateTime, `job ${h.arn}: ${h.updateTime} arrived after ${prev}`);
      last.set(h.arn, h.updateTime);
    }
    const duplicates = hooks.length - eventsById.size;
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    console.log(
      `# test 2: ${changes} status changes + ${JOBS} first sights = ${driven.length} events, ${kills} SIGKILLs, ${hooks.length} requests, ${duplicates} duplicates (all with their event's id), per-job order kept, ${seconds} s, seed ${SEED}`,
    );
    assert.equal(eventsById.size, driven.length);
    assert.equal(await daemon.kill('SIGTERM'), 0);
  } finally {
    await daemon?.kill('SIGKILL');
    await rx.close();
    await sim.close();
  }
});
