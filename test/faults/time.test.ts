// Scenario 6, time: the daemon runs under libfaketime (LD_PRELOAD) with its wall clock read from a
// file; the test jumps it +1 h, then to -1 h, while the monotonic clock runs on (an NTP step).
// Needs Debian's `libfaketime` (apt-get install faketime).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startReceiver } from '../helpers/receiver.js';
import { arn, baseConfig, REPO, ROOT, scenario, sleep, startDaemon, startSim, waitFor, waitReady, type Daemon } from './harness.js';

const LIBS = [
  '/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/aarch64-linux-gnu/faketime/libfaketimeMT.so.1',
  '/usr/lib/faketime/libfaketimeMT.so.1',
];
const J = [1, 2, 3].map((n) => arn(n, 'a1'));

test('6. wall-clock jumps of +1 h and -1 h: no retry storm, no early dead letter, no scheduler stall, no false stuck alert', async () => {
  const lib = LIBS.find((p) => existsSync(p));
  const row = {
    scenario: '6 clock jump',
    fault: 'libfaketime: daemon wall clock +1 h, then -1 h (monotonic unchanged); a webhook target failing with 503 meanwhile',
    expected:
      'API calls/s and the delivery attempts of each event stay at their pace, no dead letter, a change after each jump is detected within ~2 intervals, 0 false transitions, stuck alert built on job timestamps',
  };
  if (!lib) {
    await scenario(row, async () => {
      throw new Error('libfaketime is not installed (apt-get install faketime)');
    });
    return;
  }
  const sim = await startSim();
  const receiver = await startReceiver();
  receiver.setDefault((req) => (req.path.startsWith('/flaky') ? { status: 503, body: 'down' } : { status: 200, body: 'ok' }));
  const spec = join(ROOT, 'faketime.spec');
  writeFileSync(spec, '+0\n');
  let d: Daemon | undefined;
  try {
    await sim.put(
      J.map((a, i) => ({
        name: `clock-${i + 1}`,
        arn: a,
        status: 'CREATE_IN_PROGRESS',
        createTime: new Date(Date.now() - 600_000).toISOString(),
      })),
    );
    const cfg = baseConfig(sim, receiver.url, { jobs: J.map((a) => ({ arn: a })) });
    // Retries every 2-8 s, dead letter after 30 min: a jump of +1 h must not count as 1 h of retrying.
    cfg.notifications.targets.push({
      name: 'flaky',
      type: 'webhook',
      url: `${receiver.url}/flaky`,
      allowHttp: true,
      retry: { baseDelayMs: 2000, maxDelayMs: 8000, maxAttempts: 15, maxAgeMs: 1_800_000 },
    });
    d = await startDaemon({
      name: 'clock',
      receiverUrl: receiver.url,
      config: cfg,
      env: { LD_PRELOAD: lib, FAKETIME_TIMESTAMP_FILE: spec, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' },
    });
    await waitReady(d);
    await scenario(row, async (obs) => {
      const window = async (ms: number) => {
        const t0 = Date.now();
        const m0 = await d!.metrics();
        const f0 = receiver.requests.filter((r) => r.path === '/flaky').length;
        await sleep(ms);
        const m1 = await d!.metrics();
        // Attempts per event: each failing event retries in its own lane, so the window's total
        // grows with the number of events; a storm shows as one event retried too often.
        const perEvent = new Map<string, number>();
        for (const r of receiver.requests.filter((x) => x.path === '/flaky').slice(f0)) {
          const id = String(r.headers['webhook-id']);
          perEvent.set(id, (perEvent.get(id) ?? 0) + 1);
        }
        return {
          api: (await sim.requests(t0)).length / (ms / 1000),
          flaky: receiver.requests.filter((r) => r.path === '/flaky').length - f0,
          flakyMax: Math.max(0, ...perEvent.values()),
          transitions: m1.transitions() - m0.transitions(),
          dead: m1.sum('cleanroomsml_monitor_notifications_total', { outcome: 'dead_lettered' }),
          created: m1.get('cleanroomsml_audience_generation_job_created_timestamp_seconds', { arn: J[2]! }),
        };
      };
      const detect = async (a: string) => {
        const t0 = Date.now();
        await sim.setStatus(a, 'ACTIVE');
        try {
          await waitFor(async () => receiver.requests.some((r) => r.path === '/hook' && r.body.includes(a)), 20_000, `webhook for ${a}`);
          return (Date.now() - t0) / 1000;
        } catch {
          return Infinity; // not within 20 s
        }
      };
      const d0 = await detect(J[0]!); // also starts the failing deliveries to "flaky"
      const base = await window(6000);
      writeFileSync(spec, '+1h\n');
      const fwd = await window(6000);
      const readyAfterFwd = (await d!.get('/readyz')).status;
      const dFwd = await detect(J[1]!);
      writeFileSync(spec, '-1h\n');
      const back = await window(6000);
      const dBack = await detect(J[2]!);
      const missed = d!.stderr.join('').split('missed execution').length - 1;
      const cronWarn = d!.lines.filter((l) => /missed execution/.test(l.msg)).length + missed;
      obs(`API calls/s ${base.api.toFixed(1)} -> ${fwd.api.toFixed(1)} (+1 h) -> ${back.api.toFixed(1)} (-1 h)`);
      obs(
        `503 delivery attempts per 6 s ${base.flaky} -> ${fwd.flaky} -> ${back.flaky} (most for one event ${base.flakyMax} -> ${fwd.flakyMax} -> ${back.flakyMax})`,
      );
      obs(`dead letters ${back.dead}`);
      obs(
        `change detected in ${[d0, dFwd, dBack].map((x) => (x === Infinity ? 'NOT within 20' : x.toFixed(1))).join(' / ')} s (before / after +1 h / after -1 h)`,
      );
      obs(`false transitions ${base.transitions + fwd.transitions + back.transitions}`);
      obs(`/readyz after +1 h ${readyAfterFwd}`);
      obs(`job created_timestamp unchanged ${base.created === fwd.created && fwd.created === back.created}`);
      obs(`${cronWarn} node-cron "missed execution" warnings`);
      obs(`schedule re-anchored ${d!.lines.filter((l) => /schedule re-anchored/.test(l.msg)).length} time(s)`);
      const rule = readFileSync(join(REPO, 'helm/cleanroomsml-monitor/templates/prometheusrule.yaml'), 'utf8');
      const stuck = /alert: CleanRoomsMLAudienceJobStuck[\s\S]*?expr: \|-([\s\S]*?)labels:/.exec(rule)?.[1] ?? '';
      const ruleOk = stuck.includes('created_timestamp_seconds') && stuck.includes('time()') && !/monitor_/.test(stuck);
      obs(`stuck rule = Prometheus time() - job createTime: ${ruleOk}`);
      assert.ok(ruleOk, 'the stuck alert must compare job timestamps with Prometheus time(), not monitor time');
      assert.equal(base.created, back.created, 'exported job timestamps come from AWS, not the monitor clock');
      assert.equal(back.dead, 0, 'no early dead letter');
      assert.ok(fwd.flakyMax <= Math.max(3, base.flakyMax + 1) && back.flakyMax <= Math.max(3, base.flakyMax + 1), 'no retry storm');
      assert.ok(fwd.api <= base.api * 2 + 2 && back.api <= base.api * 2 + 2, 'no API storm');
      // node-cron alone would wait an hour for its old slot; the watchdog re-anchors it.
      assert.ok(back.api >= base.api * 0.6, 'polling keeps its pace after the backward jump');
      assert.ok(dFwd < 5 && dBack < 5, 'changes detected promptly after each jump');
      assert.equal(base.transitions + fwd.transitions + back.transitions, 0);
    });
  } finally {
    await d?.stop();
    await receiver.close();
    await sim.close();
  }
});
