// A storm of SIGHUPs against the real daemon (node dist/cli.js run): 50 signals, alternating two
// valid configs and an invalid one, while events are being delivered to a real receiver that holds
// each request open (the first one for 1.5 s). Reloads must run one at a time, a signal during a
// reload must fold into one more reload of the file as it is then, and there must be one outbox
// worker and one scheduler at every moment. Seen from outside: every event is delivered exactly
// once (by webhook-id), the Lists run at the schedule's pace (simulator /_sim/stats), and the last
// valid file is the one in force (its signing secret signs the next webhook).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rename, writeFile } from 'node:fs/promises';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver, type Recorded } from '../helpers/receiver.js';
import { baseConfig, DAEMON_CREDS, getText, metricSample, startDaemon, until, workdir, type Daemon } from '../helpers/daemon.js';

const COLLAB = '3c4d5e6f-7a8b-4c9d-8e0f-1a2b3c4d5e6f';
const SECRET_A = `whsec_${Buffer.from('reload-storm-signing-key-A-0001').toString('base64')}`;
const SECRET_B = `whsec_${Buffer.from('reload-storm-signing-key-B-0002').toString('base64')}`;
const JOBS = 20;
const SIGNALS = 50;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
const idOf = (r: Recorded) => String(r.headers['webhook-id']);
const listCalls = async (simUrl: string): Promise<number> => {
  const s = (await (await fetch(`${simUrl}/_sim/stats`)).json()) as { requests: Record<string, Record<string, number>> };
  return Object.values(s.requests['ListAudienceGenerationJobs'] ?? {}).reduce((a, n) => a + n, 0);
};

test('50 SIGHUPs (two valid configs and an invalid one) during in-flight deliveries: each event once, Lists at the schedule pace, the last valid file in force', async (t) => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('reload-storm');
  let daemon: Daemon | undefined;
  // Every delivery is held open 300 ms (the first 1.5 s): signals land while a send is in flight.
  // Each stays well under the 3 s a reload waits for in-flight sends, so none is cut short.
  let first = true;
  rx.setDefault(() => {
    const delayMs = first ? 1_500 : 300;
    first = false;
    return { status: 200, body: 'ok', delayMs };
  });
  const variant = (secret: string, schedule: string) => {
    const c = baseConfig({
      simUrl: sim.url,
      stateDir: w.stateDir,
      collaborationId: COLLAB,
      targets: [{ name: 'audit', type: 'webhook', url: `${rx.url}/hook`, secret, allowHttp: true }],
    });
    // The same pace written two ways: each reload between them restarts the scheduler.
    return { ...c, polling: { ...c.polling, schedule } };
  };
  const A = variant(SECRET_A, '* * * * * *');
  const B = variant(SECRET_B, '*/1 * * * * *');
  const INVALID = { ...A, notAKey: true };
  // Written whole, then renamed: a reload never reads half a file.
  // Which secret signed a webhook (checked at its own timestamp: the daemon's clock is not ours).
  const signedBy = (r: Recorded) => {
    const at = Number(r.headers['webhook-timestamp']) * 1000;
    return rx.verify(r, [SECRET_A], at).ok ? 'A' : rx.verify(r, [SECRET_B], at).ok ? 'B' : 'neither';
  };
  const put = async (c: unknown) => {
    await writeFile(`${w.configPath}.tmp`, JSON.stringify(c));
    await rename(`${w.configPath}.tmp`, w.configPath);
  };
  try {
    const jobs = sim.putJobs(
      Array.from({ length: JOBS + 2 }, (_, i) => ({ name: `storm-${i}`, status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB })),
    );
    await put(A);
    daemon = await startDaemon(w);
    const d = daemon;
    const metrics = () => getText(`${d.url}/metrics`);
    await until(
      async () => metricSample(await metrics(), 'cleanroomsml_monitor_resources_tracked', { kind: 'audienceGenerationJob' }) === JOBS + 2,
      'every job tracked',
    );

    // The storm: the files cycle A, B, invalid (the 50th file is B), a signal every 40 ms; a job
    // turns ACTIVE every other signal, the first one before the first signal.
    sim.setStatus(String(jobs[0]!.audienceGenerationJobArn), { status: 'ACTIVE' });
    await rx.waitFor(1, 10_000); // the first delivery is now held open
    const t0 = Date.now();
    const lists0 = await listCalls(sim.url);
    const files = [A, B, INVALID];
    for (let i = 0; i < SIGNALS; i++) {
      await put(files[i % 3]);
      d.child.kill('SIGHUP');
      const k = Math.floor(i / 2) + 1;
      if (i % 2 === 1 && k < JOBS) sim.setStatus(String(jobs[k]!.audienceGenerationJobArn), { status: 'ACTIVE' });
      await sleep(40);
    }
    const last = files[(SIGNALS - 1) % 3];
    assert.notEqual(last, INVALID, 'the storm ends on a valid file');
    const lastValid = last === B ? 'B' : 'A';

    // Quiet: every event delivered, then no reload logged for 1.5 s.
    await until(() => new Set(rx.requests.map(idOf)).size >= JOBS, `${JOBS} events delivered`, 30_000);
    const reloads = () => (d.stdout().match(/"msg":"config reload/g) ?? []).length;
    let seen = -1;
    await until(
      async () => {
        const n = reloads();
        if (n === seen) return true;
        seen = n;
        await sleep(1_500);
        return false;
      },
      'reloads to settle',
      30_000,
    );
    // Late duplicates of a leaked worker would arrive within a few retry delays.
    await sleep(2_000);
    const elapsedS = (Date.now() - t0) / 1_000;
    const lists = (await listCalls(sim.url)) - lists0;

    // The last valid file is in force: the next event is signed with its secret only.
    const m = await metrics();
    assert.equal(metricSample(m, 'cleanroomsml_monitor_config_last_reload_successful'), 1);
    const before = rx.requests.length;
    sim.setStatus(String(jobs[JOBS]!.audienceGenerationJobArn), { status: 'ACTIVE' });
    const [next] = (await rx.waitFor(before + 1, 10_000)).slice(before);
    const inForce = signedBy(next!);

    // An invalid file after the storm is refused; the last valid one keeps signing.
    await put(INVALID);
    d.child.kill('SIGHUP');
    await until(async () => metricSample(await metrics(), 'cleanroomsml_monitor_config_last_reload_successful') === 0, 'refused');
    sim.setStatus(String(jobs[JOBS + 1]!.audienceGenerationJobArn), { status: 'ACTIVE' });
    const [after] = (await rx.waitFor(before + 2, 10_000)).slice(before + 1);
    const afterInvalid = signedBy(after!);
    await sleep(1_500);

    const byId = new Map<string, number>();
    for (const r of rx.requests) byId.set(idOf(r), (byId.get(idOf(r)) ?? 0) + 1);
    const dup = [...byId.values()].filter((n) => n > 1);
    t.diagnostic(
      `events ${byId.size}, deliveries ${rx.requests.length}, events delivered more than once ${dup.length} ` +
        `(max ${Math.max(1, ...dup)}x); List calls ${lists} in ${elapsedS.toFixed(1)} s ` +
        `(${(lists / elapsedS).toFixed(2)}/s at one List scope and a 1 s schedule); ${reloads()} reload log lines; ` +
        `in force after the storm: ${inForce} (last valid file ${lastValid}), after an invalid file: ${afterInvalid}`,
    );
    assert.equal(byId.size, JOBS + 2, 'one event per job that turned ACTIVE');
    assert.deepEqual(dup, [], 'no event delivered twice');
    // One scheduler: one List per tick (1 s), with a tick of slack for the edges of the window.
    assert.ok(lists <= Math.ceil(elapsedS) + 2, `${lists} List calls in ${elapsedS.toFixed(1)} s`);
    assert.equal(inForce, lastValid, 'the last valid file is in force after the storm');
    assert.equal(afterInvalid, lastValid, 'an invalid file keeps the last valid one');
    assert.equal(await daemon.kill('SIGTERM'), 0, 'a clean stop');
  } finally {
    await daemon?.kill('SIGKILL');
    await rx.close();
    await sim.close();
  }
});
