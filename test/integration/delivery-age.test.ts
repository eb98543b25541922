// The retry policy as configured by default (no count, retried until retry.maxAgeMs) and the bounds of
// the dead letters, against the real daemon (dist/cli.js) and a real receiver on 127.0.0.1, with the
// delays shortened: a receiver that refuses each event more often than the old default count (15)
// still gets every event; one that never comes back gets them dead-lettered at maxAgeMs; past
// deadLetters.maxCount and deadLetters.maxAgeMs the oldest dead letters are dropped, logged and
// counted on /metrics.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver } from '../helpers/receiver.js';
import {
  baseConfig,
  DAEMON_CREDS,
  getText,
  metricSample,
  observed,
  outboxOf,
  startDaemon,
  until,
  workdir,
  type Daemon,
} from '../helpers/daemon.js';

const COLLAB = '7d6c5b4a-3e2f-4a1b-8c9d-0e1f2a3b4c5d';
const SECRET = `whsec_${Buffer.from('delivery-age-signing-key-0123456789').toString('base64')}`;
const JOBS = 3;
/** The `late` receiver answers 503 to the first REFUSALS requests of each event: more than the old default of 15 attempts. */
const REFUSALS = 20;
const GONE_MAX_AGE_MS = 3_000;
const DEAD_MAX_AGE_MS = 4_000;

test('retried until maxAgeMs, not a count: a receiver refusing 20 times gets all; one never back dead-letters at 3 s; dead letters bounded', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('age');
  let daemon: Daemon | undefined;
  const refused = new Map<string, number>();
  rx.setDefault((r) => {
    if (r.path.startsWith('/gone')) return { status: 503, body: 'gone for good' };
    const id = String(r.headers['webhook-id']);
    const n = (refused.get(id) ?? 0) + 1;
    refused.set(id, n);
    return n <= REFUSALS ? { status: 503, body: 'maintenance' } : { status: 200, body: 'ok' };
  });
  // Shortened delays; no maxAttempts: the default applies.
  const retry = (maxAgeMs: number) => ({ baseDelayMs: 50, maxDelayMs: 200, maxAgeMs });
  // Above the lane's pace of the three events' retries, so the attempts are the policy's, not the rate limit's.
  const ratePerSecond = 100;
  try {
    const jobs = sim.putJobs(
      Array.from({ length: JOBS }, (_, i) => ({ name: `age-${i}`, status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB })),
    );
    await w.writeConfig(
      baseConfig({
        simUrl: sim.url,
        stateDir: w.stateDir,
        collaborationId: COLLAB,
        targets: [
          { name: 'late', type: 'webhook', url: `${rx.url}/late`, secret: SECRET, allowHttp: true, ratePerSecond, retry: retry(60_000) },
          {
            name: 'gone',
            type: 'webhook',
            url: `${rx.url}/gone`,
            secret: SECRET,
            allowHttp: true,
            ratePerSecond,
            retry: retry(GONE_MAX_AGE_MS),
            deadLetters: { maxCount: JOBS - 1, maxAgeMs: DEAD_MAX_AGE_MS },
          },
        ],
      }),
    );
    daemon = await startDaemon(w);
    await until(async () => (await observed(daemon!)).size === JOBS, 'first sweep', 10_000);
    assert.equal(rx.requests.length, 0, 'first sight of CREATE_IN_PROGRESS notifies nobody');
    for (const j of jobs) sim.setStatus(j.audienceGenerationJobArn as string, { status: 'ACTIVE' });

    // `gone`: each event dead-lettered once it is maxAgeMs old, the oldest of the three dropped at once (maxCount 2).
    await until(
      async () =>
        metricSample(await getText(`${daemon!.url}/metrics`), 'cleanroomsml_monitor_notifications_total', {
          target: 'gone',
          outcome: 'dead_lettered',
        }) === JOBS,
      'gone: all dead-lettered',
      15_000,
    );
    // The count bound is checked within a second of new dead letters.
    await until(async () => (await outboxOf(daemon!)).deadLetters.length === JOBS - 1, 'maxCount kept', 3_000);
    const gone = (await outboxOf(daemon)).deadLetters.filter((d) => d.target === 'gone');
    assert.equal(gone.length, JOBS - 1, 'maxCount kept');
    for (const d of gone) {
      const age = Date.parse(d.deadAt) - Date.parse(d.createdAt);
      assert.ok(age >= GONE_MAX_AGE_MS && age < GONE_MAX_AGE_MS + 1_500, `dead-lettered at ${age} ms, at maxAgeMs`);
      assert.ok(d.attempts >= 2, `${d.attempts} attempts, on the backoff schedule`);
      assert.match(d.reason, /^gave up after \d+ attempts over 3 s: HTTP 503/);
    }
    let metrics = await getText(`${daemon.url}/metrics`);
    assert.equal(metricSample(metrics, 'cleanroomsml_monitor_dead_letters_evicted_total', { target: 'gone', reason: 'max_count' }), 1);
    assert.equal(metricSample(metrics, 'cleanroomsml_monitor_dead_letters_evicted_total', { target: 'late', reason: 'max_count' }), 0);
    const dropped = daemon
      .stdout()
      .split('\n')
      .filter((l) => l.includes('"evicted":"max_count"'));
    assert.equal(dropped.length, 1, 'one log line per dropped dead letter');
    assert.match(dropped[0]!, /"target":"gone"/);
    assert.ok(!gone.some((d) => dropped[0]!.includes(d.id)), 'the dropped one is not among those kept');

    // `late`: refused more often than the old default count allowed, and still every event arrives.
    const settled = async (outcome: string) =>
      metricSample(await getText(`${daemon!.url}/metrics`), 'cleanroomsml_monitor_notifications_total', { target: 'late', outcome });
    await until(async () => (await settled('delivered')) === JOBS || (await settled('dead_lettered'))! > 0, 'late: settled', 30_000);
    const late = rx.requests.filter((r) => r.path.startsWith('/late'));
    const perEvent = new Map<string, number>();
    for (const r of late) perEvent.set(String(r.headers['webhook-id']), (perEvent.get(String(r.headers['webhook-id'])) ?? 0) + 1);
    assert.equal(perEvent.size, JOBS);
    assert.deepEqual([...perEvent.values()], Array(JOBS).fill(REFUSALS + 1), 'each delivered at its first try after the refusals, once');
    assert.equal((await outboxOf(daemon)).deadLetters.filter((d) => d.target === 'late').length, 0);

    // `gone`'s two dead letters go once each is deadLetters.maxAgeMs old.
    await until(async () => (await outboxOf(daemon!)).deadLetters.length === 0, 'dead letters aged out', DEAD_MAX_AGE_MS + 5_000);
    metrics = await getText(`${daemon.url}/metrics`);
    assert.equal(metricSample(metrics, 'cleanroomsml_monitor_dead_letters_evicted_total', { target: 'gone', reason: 'max_age' }), JOBS - 1);
    assert.equal(metricSample(metrics, 'cleanroomsml_monitor_dead_letters', { target: 'gone' }), 0);
    assert.equal(
      daemon
        .stdout()
        .split('\n')
        .filter((l) => l.includes('"evicted":"max_age"')).length,
      JOBS - 1,
    );
    console.log(
      `# delivery-age: late receiver refusing ${REFUSALS} times: ${JOBS}/${JOBS} delivered at attempt ${REFUSALS + 1}; ` +
        `gone: dead-lettered at ${gone.map((d) => Date.parse(d.deadAt) - Date.parse(d.createdAt)).join(', ')} ms (maxAgeMs ${GONE_MAX_AGE_MS}), ` +
        `1 dropped for maxCount, ${JOBS - 1} for maxAgeMs`,
    );
  } finally {
    await daemon?.kill();
    await rx.close();
    await sim.close();
  }
});
