// How long, and is that normal, against the real daemon (dist/cli.js) and the simulator on
// 127.0.0.1, with phases of about a second: the duration histogram and the usual quantiles on
// /metrics, the webhook body's durationSeconds and history, one slower_than_usual event per phase
// (not again on later sweeps, nor after a restart), the history surviving a restart, and the
// `history` verb through the running daemon's admin API and from the state dir with none running.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startSimulator } from '../../src/dev/sim/server.js';
import type { ResourceView } from '../../src/http/resource-view.js';
import { startReceiver, type Recorded } from '../helpers/receiver.js';
import {
  baseConfig,
  DAEMON_CREDS,
  freePort,
  getText,
  metricSample,
  runCli,
  startDaemon,
  until,
  workdir,
  type Daemon,
} from '../helpers/daemon.js';

const COLLAB = '1a2b3c4d-9b0a-4c1d-8ecf-4b5a6c7d8e9f';
const FAMILY = 'cleanroomsml_audience_generation_job_status_duration';

interface Body {
  type: string;
  data: {
    arn: string;
    status: string;
    durationSeconds?: number;
    inStatusSeconds?: number;
    usual?: { p50Seconds: number; p90Seconds: number; samples: number };
    history?: { status: string; durationSeconds?: number }[];
  };
}
const bodies = (rs: Recorded[]) => rs.map((r) => JSON.parse(r.body) as Body);

async function view(d: Daemon, id: string): Promise<ResourceView | undefined> {
  const res = await fetch(`${d.adminUrl}/api/resources/${encodeURIComponent(id)}`);
  return res.ok ? ((await res.json()) as ResourceView) : undefined;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('durations, usual, slower than usual once, history across a restart, the history verb with and without a daemon', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('history');
  let daemon: Daemon | undefined;
  try {
    const [j1, j2, slow] = sim
      .putJobs(['quick-1', 'quick-2', 'slow'].map((name) => ({ name, status: 'CREATE_PENDING', collaborationId: COLLAB })))
      .map((j) => j.audienceGenerationJobArn as string) as [string, string, string];
    await w.writeConfig({
      ...baseConfig({
        simUrl: sim.url,
        stateDir: w.stateDir,
        collaborationId: COLLAB,
        adminPort: await freePort(),
        targets: [{ name: 'audit', type: 'webhook', url: `${rx.url}/hook`, allowHttp: true, statuses: ['success', 'failure'] }],
      }),
      durations: { samples: 10, slowerThanUsual: { factor: 2, minimum: '1s', minSamples: 2 } },
    });
    daemon = await startDaemon(w);
    const d = daemon;
    const statusOf = async (id: string) => (await view(d, id))?.status;
    await until(async () => (await statusOf(slow)) === 'CREATE_PENDING' && (await statusOf(j2)) === 'CREATE_PENDING', 'first sight');

    // Two phases of CREATE_IN_PROGRESS the monitor sees begin and end, about 1.5 s each.
    for (const id of [j1, j2]) sim.setStatus(id, { status: 'CREATE_IN_PROGRESS' });
    await until(async () => (await statusOf(j1)) === 'CREATE_IN_PROGRESS' && (await statusOf(j2)) === 'CREATE_IN_PROGRESS', 'in progress');
    await sleep(1_500);
    for (const id of [j1, j2]) sim.setStatus(id, { status: 'ACTIVE' });
    await until(() => rx.requests.length >= 2, 'two ACTIVE webhooks', 20_000);
    for (const b of bodies(rx.requests)) {
      assert.equal(b.type, 'audience_generation_job.status_changed');
      assert.ok(b.data.durationSeconds! >= 1 && b.data.durationSeconds! < 10, `durationSeconds ${b.data.durationSeconds}`);
      assert.deepEqual(
        b.data.history?.map((p) => [p.status, p.durationSeconds !== undefined]),
        [
          ['CREATE_PENDING', false], // first sight: began before the monitor looked
          ['CREATE_IN_PROGRESS', true],
          ['ACTIVE', false],
        ],
      );
    }
    const metrics = await getText(`${d.url}/metrics`);
    assert.equal(metricSample(metrics, `${FAMILY}_seconds_count`, { status: 'CREATE_IN_PROGRESS' }), 2);
    assert.equal(metricSample(metrics, `${FAMILY}_seconds_bucket`, { status: 'CREATE_IN_PROGRESS', le: '60' }), 2);
    assert.equal(metricSample(metrics, `${FAMILY}_seconds_count`, { status: 'CREATE_PENDING' }), undefined, 'first sight is not measured');
    const p50 = metricSample(metrics, `${FAMILY}_usual_seconds`, { status: 'CREATE_IN_PROGRESS', quantile: '0.5' });
    const p90 = metricSample(metrics, `${FAMILY}_usual_seconds`, { status: 'CREATE_IN_PROGRESS', quantile: '0.9' });
    assert.ok(p50! >= 1 && p90! >= p50! && p90! < 10, `usual p50 ${p50} p90 ${p90}`);
    assert.equal(
      metricSample(metrics, 'cleanroomsml_monitor_slower_than_usual', { kind: 'audienceGenerationJob', status: 'CREATE_IN_PROGRESS' }),
      0,
    );

    // The third one stays in CREATE_IN_PROGRESS past max(2 x p90, 1 s): one event, and only one.
    sim.setStatus(slow, { status: 'CREATE_IN_PROGRESS' });
    await until(() => bodies(rx.requests).some((b) => b.type === 'audience_generation_job.slower_than_usual'), 'slower than usual', 30_000);
    const [event] = bodies(rx.requests).filter((b) => b.type === 'audience_generation_job.slower_than_usual');
    assert.equal(event!.data.arn, slow);
    assert.equal(event!.data.status, 'CREATE_IN_PROGRESS');
    assert.ok(event!.data.inStatusSeconds! > 2 * p90!, `inStatusSeconds ${event!.data.inStatusSeconds}`);
    assert.deepEqual(event!.data.usual, { p50Seconds: p50, p90Seconds: p90, samples: 2 });
    const slowView = await view(d, slow);
    assert.deepEqual(slowView?.slowerThanUsual, { usualP50Seconds: p50, usualP90Seconds: p90, samples: 2 });
    assert.equal(
      metricSample(await getText(`${d.url}/metrics`), 'cleanroomsml_monitor_slower_than_usual', {
        kind: 'audienceGenerationJob',
        status: 'CREATE_IN_PROGRESS',
      }),
      1,
    );
    await sleep(2_500); // more sweeps: no second event for the same phase

    // The verb through the running daemon (it owns the state dir).
    const live = await runCli(w, ['history', j1, '--config', w.configPath, '--json']);
    assert.equal(live.code, 0, live.stderr);
    const liveView = JSON.parse(live.stdout) as ResourceView;
    assert.deepEqual(
      liveView.history?.map((e) => e.status),
      ['CREATE_PENDING', 'CREATE_IN_PROGRESS', 'ACTIVE'],
    );
    const text = await runCli(w, ['history', j1, '--config', w.configPath]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /^quick-1 \(audienceGenerationJob\)\n/);
    assert.match(text.stdout, /CREATE_PENDING\s+not measured/);
    assert.match(text.stdout, /CREATE_IN_PROGRESS\s+took \d+ s \(usual \d+ s\)/);
    assert.match(text.stdout, /ACTIVE\s+current/);

    assert.equal(await d.kill('SIGTERM'), 0);
    assert.equal(bodies(rx.requests).filter((b) => b.type.endsWith('.slower_than_usual')).length, 1, 'one event per phase');

    // No daemon: the verb reads the state dir, and finds the same history.
    const offline = await runCli(w, ['history', j1, '--config', w.configPath, '--json']);
    assert.equal(offline.code, 0, offline.stderr);
    assert.deepEqual((JSON.parse(offline.stdout) as ResourceView).history, liveView.history);
    const unknown = await runCli(w, ['history', 'arn:aws:cleanrooms-ml:us-east-1:123456789012:nothing', '--config', w.configPath]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no resource with the id "arn:aws:cleanrooms-ml:us-east-1:123456789012:nothing" in the state dir/);
    const usage = await runCli(w, ['history', '--config', w.configPath]);
    assert.equal(usage.code, 2);

    // A restart: the histories and the mark are back; the slow phase is not notified again.
    const before = rx.requests.length;
    daemon = await startDaemon(w);
    const again = daemon;
    assert.deepEqual((await view(again, j1))?.history, liveView.history);
    assert.equal((await view(again, slow))?.history?.at(-1)?.status, 'CREATE_IN_PROGRESS');
    await sleep(2_500);
    assert.equal(rx.requests.length, before, 'nothing sent again after the restart');
    const missing = await runCli(w, ['history', 'nope', '--config', w.configPath]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /no watched resource has the id "nope"/);
  } finally {
    await daemon?.kill('SIGTERM');
    await rx.close();
    await sim.close();
  }
});
