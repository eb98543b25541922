// Scenario 5, config: SIGHUP applies a valid new config without a restart and refuses an invalid one
// (the old one keeps running); every invalid fixture is refused by the real CLI within 1 s, with
// its expected message and no secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { clockEnv } from '../helpers/clock-env.js';
import { startReceiver, type Recorded } from '../helpers/receiver.js';
import {
  arn,
  baseConfig,
  CLI,
  COLLAB,
  REPO,
  scenario,
  sleep,
  startDaemon,
  startSim,
  WEBHOOK_SECRET,
  waitFor,
  waitReady,
  type Daemon,
} from './harness.js';

const J1 = arn(1, 'a0');
const J2 = arn(2, 'a0');

test('5a/5b. SIGHUP: a valid config applies without a restart; an invalid one is refused and the old one keeps running', async () => {
  const sim = await startSim();
  const receiver = await startReceiver();
  let d: Daemon | undefined;
  try {
    await sim.put([
      { name: 'reload-1', arn: J1, status: 'CREATE_IN_PROGRESS' },
      { name: 'reload-2', arn: J2, status: 'CREATE_IN_PROGRESS' },
    ]);
    const cfg = baseConfig(sim, receiver.url, { jobs: [{ arn: J1 }] });
    d = await startDaemon({ name: 'reload', receiverUrl: receiver.url, config: cfg });
    await waitReady(d);
    const pid = d.pid;
    const write = (c: unknown) => writeFileSync(d!.configPath, JSON.stringify({ ...(c as object), state: { dir: d!.stateDir } }, null, 2));

    await scenario(
      {
        scenario: '5a SIGHUP valid',
        fault: 'config file gains job J2 and a third target "audit-2", then SIGHUP',
        expected:
          'reloaded without restart (same pid): J2 polled and exported, its ACTIVE reaches audit-2; config_last_reload_successful 1',
      },
      async (obs) => {
        const next = structuredClone(cfg);
        next.jobs = [{ arn: J1 }, { arn: J2 }];
        next.notifications.targets.push({ name: 'audit-2', type: 'webhook', url: `${receiver.url}/hook2`, allowHttp: true });
        write(next);
        const t0 = Date.now();
        d!.proc.kill('SIGHUP');
        await d!.waitLog((l) => l.msg.startsWith('config reloaded'), 5000, '"config reloaded"');
        const m = await waitFor(
          async () => {
            const x = await d!.metrics();
            return x.get('cleanroomsml_audience_generation_job_info', { arn: J2 }) === 1 ? x : undefined;
          },
          10_000,
          'J2 exported',
        );
        const usedMs = Date.now() - t0;
        await sim.setStatus(J2, 'ACTIVE');
        await waitFor(async () => receiver.requests.some((r) => r.path === '/hook2'), 10_000, 'a webhook to audit-2');
        obs(`J2 exported ${(usedMs / 1000).toFixed(1)} s after SIGHUP`);
        obs(`audit-2 got ${receiver.requests.filter((r) => r.path === '/hook2').length} webhook`);
        obs(`reload_successful ${m.get('cleanroomsml_monitor_config_last_reload_successful')}`);
        obs(`pid unchanged ${d!.pid === pid && d!.alive()}`);
        assert.equal(m.get('cleanroomsml_monitor_config_last_reload_successful'), 1);
        assert.ok(d!.alive());
      },
    );

    await scenario(
      {
        scenario: '5b SIGHUP invalid',
        fault: 'config file gets jobs[1].arn "arn:aws:s3:::bucket", then SIGHUP',
        expected: 'refused, config_last_reload_successful 0, the log names jobs[1].arn, the old config keeps polling and notifying',
      },
      async (obs) => {
        const bad = structuredClone(cfg);
        bad.jobs = [{ arn: J1 }, { arn: 'arn:aws:s3:::bucket' }];
        write(bad);
        const before = receiver.requests.length;
        d!.proc.kill('SIGHUP');
        const line = await d!.waitLog((l) => l.msg.startsWith('config reload refused'), 5000, '"config reload refused"');
        const m = await d!.metrics();
        await sim.setStatus(J1, 'ACTIVE');
        await waitFor(
          async () => receiver.requests.slice(before).filter((r) => r.path === '/hook2').length >= 1,
          10_000,
          'the old config (with audit-2) still notifies',
        );
        obs(`log ${String(line.level)}: "${line.msg.slice(0, 90)}"`);
        obs(`reload_successful ${m.get('cleanroomsml_monitor_config_last_reload_successful')}`);
        obs(`J1 ACTIVE still notified to ${new Set(receiver.requests.slice(before).map((r) => r.path.split('/')[1])).size} targets`);
        assert.match(line.msg, /jobs\[1\]\.arn/);
        assert.equal(m.get('cleanroomsml_monitor_config_last_reload_successful'), 0);
        assert.ok(d!.alive());
      },
    );
  } finally {
    await d?.stop();
    await receiver.close();
    await sim.close();
  }
});

function run(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const p = spawn(process.execPath, [CLI, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (c: Buffer) => (out += c.toString()));
    p.stderr.on('data', (c: Buffer) => (out += c.toString()));
    p.on('exit', (code) => resolve({ code, out, ms: performance.now() - t0 }));
  });
}

test('5c. every invalid config is refused by `check-config`: exit 2 within 1 s, expected message, no secret', async () => {
  const dir = join(REPO, 'test/fixtures/config/invalid');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .sort();
  // The canary secrets the fixtures reference (same as test/unit/config.test.ts).
  const env = {
    ...clockEnv(),
    PATH: process.env['PATH'],
    SLACK_WEBHOOK_URL: 'https://hooks.slack.com/services/T000/B000/CANARYSECRET123',
    WEBHOOK_SECRET: 'whsec_CANARYWEBHOOKSECRETCANARYWEBHOOKSECRET0=',
    EMPTY_WEBHOOK_SECRET: '',
  };
  await scenario(
    {
      scenario: '5c invalid config corpus',
      fault: `${files.length} invalid files (test/fixtures/config/invalid) through \`node dist/cli.js check-config\``,
      expected: 'each: exit 2 within 1 s, every `# expect:` text in the output, no canary secret',
    },
    async (obs) => {
      const bad: string[] = [];
      let maxMs = 0;
      let exit2 = 0;
      let expected = 0;
      let leaks = 0;
      // One at a time: the 1 s budget is per run, not a throughput race with the other scenarios.
      const queue = [...files];
      const worker = async () => {
        for (let f = queue.shift(); f; f = queue.shift()) {
          const text = readFileSync(join(dir, f), 'utf8');
          const expects = [...text.matchAll(/^# expect: (.*)$/gm)].map((m) => m[1]!);
          const r = await run(['check-config', '--config', join(dir, f)], env);
          maxMs = Math.max(maxMs, r.ms);
          if (r.code === 2) exit2++;
          const hasAll = expects.length > 0 && expects.every((e) => r.out.includes(e));
          if (hasAll) expected++;
          if (/canary/i.test(r.out)) leaks++;
          if (r.code !== 2 || !hasAll || r.ms >= 1000 || /canary/i.test(r.out))
            bad.push(`${f} (exit ${r.code}, ${Math.round(r.ms)} ms): ${r.out.trim().slice(0, 120)}`);
        }
      };
      await worker();
      obs(`exit 2: ${exit2}/${files.length}`);
      obs(`expected message: ${expected}/${files.length}`);
      obs(`slowest ${(maxMs / 1000).toFixed(2)} s`);
      obs(`canaries printed ${leaks}`);
      assert.ok(files.length >= 20);
      assert.deepEqual(bad, []);
    },
  );
  await sleep(0);
});

test('5d. a storm of SIGHUPs during in-flight deliveries: one reload at a time, each event once, the last valid file in force', async () => {
  const sim = await startSim();
  const receiver = await startReceiver();
  let d: Daemon | undefined;
  const JOBS = Array.from({ length: 22 }, (_, i) => arn(i + 1, 'a5'));
  const SIGNALS = 50;
  // A second signing secret: which one signs a webhook tells which file is in force.
  const SECRET_B = `whsec_${Buffer.from('faults-reload-storm-variant-b-key').toString('base64')}`;
  try {
    await sim.put(JOBS.map((a, i) => ({ name: `storm-${i + 1}`, arn: a, status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB })));
    // Each delivery held open 300 ms (the first 1.5 s): signals land while a send is in flight.
    let first = true;
    receiver.setDefault(() => {
      const delayMs = first ? 1_500 : 300;
      first = false;
      return { status: 200, body: 'ok', delayMs };
    });
    const variant = (secret: string, schedule: string) => {
      // Discovery: one List per sweep, so List calls count the sweeps.
      const c = baseConfig(sim, receiver.url, { discovery: [{ collaborationId: COLLAB }] });
      c.polling.schedule = schedule;
      c.notifications.targets = [{ name: 'audit', type: 'webhook', url: `${receiver.url}/hook`, secret, allowHttp: true }];
      return c;
    };
    // The same pace written two ways (each reload between them replaces the scheduler), and an invalid file.
    const A = variant('${FAULTS_WEBHOOK_SECRET}', '* * * * * *');
    const B = variant('${STORM_SECRET_B}', '*/1 * * * * *');
    const INVALID = { ...A, notAKey: true };
    d = await startDaemon({ name: 'reload-storm', receiverUrl: receiver.url, config: A, env: { STORM_SECRET_B: SECRET_B } });
    await waitReady(d);
    const write = (c: unknown) => {
      writeFileSync(`${d!.configPath}.tmp`, JSON.stringify({ ...(c as object), state: { dir: d!.stateDir } }, null, 2));
      renameSync(`${d!.configPath}.tmp`, d!.configPath);
    };
    const listCalls = async () =>
      Object.values((await sim.control('GET', '/_sim/stats')).requests.ListAudienceGenerationJobs ?? {}).reduce(
        (a: number, n) => a + (n as number),
        0,
      );
    // Which secret signed a webhook (checked at its own timestamp).
    const inForce = (r: Recorded) => {
      const at = Number(r.headers['webhook-timestamp']) * 1000;
      return receiver.verify(r, [WEBHOOK_SECRET], at).ok ? 'A' : receiver.verify(r, [SECRET_B], at).ok ? 'B' : '?';
    };

    await scenario(
      {
        scenario: '5d SIGHUP storm',
        fault: `${SIGNALS} SIGHUPs 40 ms apart cycling config A, config B (same pace written another way, another signing secret) and an invalid file; 20 jobs turn ACTIVE meanwhile, every delivery held open 0.3 s (the first 1.5 s)`,
        expected:
          'reloads one at a time (signals during one fold into one more), each event delivered once (by webhook-id), List calls at the schedule pace (1/s), the last valid file (B) in force',
      },
      async (obs) => {
        await sim.setStatus(JOBS[0]!, 'ACTIVE');
        await receiver.waitFor(1, 10_000); // the first delivery is now held open
        const t0 = Date.now();
        const lists0 = await listCalls();
        const files = [A, B, INVALID];
        for (let i = 0; i < SIGNALS; i++) {
          write(files[i % 3]);
          d!.proc.kill('SIGHUP');
          const k = Math.floor(i / 2) + 1;
          if (i % 2 === 1 && k < 20) await sim.setStatus(JOBS[k]!, 'ACTIVE');
          await sleep(40);
        }
        assert.equal(files[(SIGNALS - 1) % 3], B, 'the storm ends on B');
        await waitFor(async () => new Set(receiver.requests.map((r) => r.headers['webhook-id'])).size >= 20, 30_000, '20 events delivered');
        // Settled: no reload logged for 1.5 s, then 2 s more for late duplicates.
        const reloadLines = () => d!.lines.filter((l) => typeof l.msg === 'string' && l.msg.startsWith('config reload')).length;
        let seen = -1;
        await waitFor(
          async () => {
            const n = reloadLines();
            if (n === seen) return true;
            seen = n;
            await sleep(1_500);
            return false;
          },
          30_000,
          'reloads to settle',
          0,
        );
        await sleep(2_000);
        const elapsed = (Date.now() - t0) / 1000;
        const lists = (await listCalls()) - lists0;
        const m = await d!.metrics();
        // The file in force signs the next webhook.
        const before = receiver.requests.length;
        await sim.setStatus(JOBS[20]!, 'ACTIVE');
        const [next] = (await receiver.waitFor(before + 1, 10_000)).slice(before);
        // An invalid file after the storm is refused; B keeps signing.
        write(INVALID);
        d!.proc.kill('SIGHUP');
        await waitFor(async () => (await d!.metrics()).get('cleanroomsml_monitor_config_last_reload_successful') === 0, 5_000, 'refused');
        await sim.setStatus(JOBS[21]!, 'ACTIVE');
        const [after] = (await receiver.waitFor(before + 2, 10_000)).slice(before + 1);
        await sleep(1_000);
        const byId = new Map<string, number>();
        for (const r of receiver.requests) byId.set(String(r.headers['webhook-id']), (byId.get(String(r.headers['webhook-id'])) ?? 0) + 1);
        const dup = [...byId.values()].filter((n) => n > 1).length;
        const reloaded = d!.lines.filter((l) => l.msg?.startsWith('config reloaded')).length;
        const refused = d!.lines.filter((l) => l.msg?.startsWith('config reload refused')).length;
        obs(`${dup} of ${byId.size} events delivered more than once (${receiver.requests.length} deliveries)`);
        obs(`${reloaded} reloads applied and ${refused} refused for ${SIGNALS + 1} signals`);
        obs(`List calls ${(lists / elapsed).toFixed(2)}/s over ${elapsed.toFixed(1)} s (one List scope, schedule 1/s)`);
        obs(
          `in force after the storm: ${inForce(next!)} (reload_successful ${m.get('cleanroomsml_monitor_config_last_reload_successful')}), after an invalid file: ${inForce(after!)}`,
        );
        obs(`pid unchanged ${d!.alive()}`);
        assert.equal(byId.size, 22);
        assert.equal(dup, 0, 'no event delivered twice');
        assert.ok(lists <= Math.ceil(elapsed) + 2, `${lists} List calls in ${elapsed.toFixed(1)} s`);
        assert.equal(inForce(next!), 'B');
        assert.equal(inForce(after!), 'B');
        assert.ok(reloaded + refused < SIGNALS, 'signals during a reload were folded');
        assert.ok(d!.alive());
      },
    );
  } finally {
    await d?.stop();
    await receiver.close();
    await sim.close();
  }
});
