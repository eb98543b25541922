// Statuses the service model does not list (AWS adds enum values) through the real daemon
// (dist/cli.js) against the simulator on 127.0.0.1: classified by their shape, a new failure is
// notified to a default target at a real receiver and counted in failures_total scraped over HTTP;
// a new status at rest is exported one-hot, heard only by a target that names it (config takes
// the word with a warning), and not notified by default; one under way is polled like any other.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startSimulator } from '../../src/dev/sim/server.js';
import { baseConfig, DAEMON_CREDS, getText, metricSample, observed, runCli, startDaemon, until, workdir } from '../helpers/daemon.js';
import { type Recorded, startReceiver } from '../helpers/receiver.js';

const COLLAB = '7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d';
const STATUS = 'cleanroomsml_audience_generation_job_status';
const FAILURES = 'cleanroomsml_monitor_failures_total';

const bodyOf = (r: Recorded) => JSON.parse(r.body) as { data: { arn: string; status: string; previousStatus: string | null } };

test('a status no model lists is notified, counted and exported as its shape says; statuses: takes it with a warning', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('status-unknown');
  try {
    const jobs = sim.putJobs(
      ['cancel-failed', 'something-failed', 'cancelled', 'updating'].map((name) => ({
        name,
        status: 'CREATE_IN_PROGRESS',
        collaborationId: COLLAB,
      })),
    );
    const [cancelFailed, somethingFailed, cancelled, updating] = jobs.map((j) => j.audienceGenerationJobArn as string) as [
      string,
      string,
      string,
      string,
    ];
    await w.writeConfig(
      baseConfig({
        simUrl: sim.url,
        stateDir: w.stateDir,
        collaborationId: COLLAB,
        targets: [
          // No statuses: the default classes, success and failure.
          { name: 'default', type: 'webhook', url: `${rx.url}/default`, allowHttp: true },
          // A word no kind's model lists: accepted, with a warning at check-config and at start.
          { name: 'cancellations', type: 'webhook', url: `${rx.url}/cancellations`, allowHttp: true, statuses: ['CANCELLED'] },
        ],
      }),
    );
    const check = await runCli(w, ['check-config', '--config', w.configPath]);
    assert.equal(check.code, 0, check.stderr);
    assert.match(check.stderr, /notifications\.targets\[1\]\.statuses\[0\]: warning: CANCELLED is not a status of any kind/);

    const d = await startDaemon(w);
    try {
      assert.match(d.stdout(), /"field":"notifications\.targets\[1\]\.statuses\[0\]"[^\n]*config: CANCELLED is not a status of any kind/);
      await until(async () => (await observed(d)).size === 4, 'the four jobs tracked');

      // Over the control API, as a test or AWS would: values of no kind's model (CANCEL_FAILED is a
      // trained model's, not an audience generation job's).
      for (const [arn, status] of [
        [cancelFailed, 'CANCEL_FAILED'],
        [somethingFailed, 'SOMETHING_FAILED'],
        [cancelled, 'CANCELLED'],
        [updating, 'UPDATE_IN_PROGRESS'],
      ] as const) {
        const r = await fetch(`${sim.url}/_sim/resources/${encodeURIComponent(arn)}/status`, {
          method: 'POST',
          body: JSON.stringify({ status, statusDetails: { statusCode: 'NEW_CODE', message: 'a reason' } }),
        });
        assert.equal(r.status, 200, await r.text());
      }

      await rx.waitFor(3, 15_000);
      await until(async () => {
        const o = await observed(d);
        return [...o.values()].filter((v) => /^(CANCEL_FAILED|SOMETHING_FAILED|CANCELLED|UPDATE_IN_PROGRESS) /.test(v)).length === 4;
      }, 'the four new statuses observed');
      // A few more sweeps: nothing else may arrive (no default notification of CANCELLED or UPDATE_IN_PROGRESS).
      await new Promise((r) => setTimeout(r, 2_500));
      const heard = rx.requests.map((r) => [r.path, bodyOf(r).data.arn, bodyOf(r).data.status]);
      assert.deepEqual(
        heard.sort(),
        [
          ['/cancellations', cancelled, 'CANCELLED'],
          ['/default', cancelFailed, 'CANCEL_FAILED'],
          ['/default', somethingFailed, 'SOMETHING_FAILED'],
        ].sort(),
      );
      // A failure's details travel with it, as for a known failure.
      const failed = rx.requests.find((r) => bodyOf(r).data.status === 'SOMETHING_FAILED')!;
      assert.match(failed.body, /"statusCode":"NEW_CODE"/);

      const metrics = await getText(`${d.url}/metrics`);
      for (const status of ['CANCEL_FAILED', 'SOMETHING_FAILED'])
        assert.equal(metricSample(metrics, FAILURES, { kind: 'audienceGenerationJob', status, status_code: 'NEW_CODE' }), 1, status);
      assert.equal(metricSample(metrics, FAILURES, { status: 'CANCELLED' }), undefined, 'at rest is no failure');
      // Under way, one-hot: the current value as given (1), every value the model lists at 0; at rest
      // (CANCELLED is neither success nor failure, and not under way) the current value alone (the
      // default metrics.statusSeries: nonTerminalOnly).
      assert.equal(metricSample(metrics, STATUS, { arn: cancelled, status: 'CANCELLED' }), 1);
      assert.equal(metricSample(metrics, STATUS, { arn: cancelled, status: 'CREATE_IN_PROGRESS' }), undefined);
      assert.equal(metrics.split('\n').filter((l) => l.startsWith(`${STATUS}{arn="${cancelled}"`)).length, 1, 'at rest: one sample');
      assert.equal(metricSample(metrics, STATUS, { arn: updating, status: 'UPDATE_IN_PROGRESS' }), 1);
      assert.equal(metricSample(metrics, STATUS, { arn: updating, status: 'CREATE_IN_PROGRESS' }), 0);
      assert.equal(
        metrics.split('\n').filter((l) => l.startsWith(`${STATUS}{arn="${updating}"`)).length,
        8,
        'the 7 statuses of the model and the new one',
      );
      const transitions = metricSample(metrics, 'cleanroomsml_monitor_transitions_total', {
        from: 'CREATE_IN_PROGRESS',
        to: 'UPDATE_IN_PROGRESS',
      });
      assert.equal(transitions, 1);
    } finally {
      await d.kill();
    }
  } finally {
    await rx.close();
    await sim.close();
  }
});
