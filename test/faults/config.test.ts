// Scenario 5, config: SIGHUP applies a valid new config without a restart and refuses an invalid one
// (the old one keeps running); every invalid fixture is refused by the real CLI within 1 s, with
// its expected message and no secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startReceiver } from '../helpers/receiver.js';
import { clockEnv } from '../helpers/clock-env.js';
import { arn, baseConfig, CLI, REPO, scenario, sleep, startDaemon, startSim, waitFor, waitReady, type Daemon } from './harness.js';

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
