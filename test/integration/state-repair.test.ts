// A state written by a build that let Infinity in (JSON has none: it wrote `null`) is repaired
// at start-up: the real daemon loads it, /metrics stays valid exposition and the pending Slack
// message built from that job is delivered, not dead-lettered on `toFixed` of null.
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { startSimulator } from '../../src/dev/sim/server.js';
import { baseConfig, DAEMON_CREDS, getText, outboxOf, startDaemon, until, workdir } from '../helpers/daemon.js';
import { startReceiver } from '../helpers/receiver.js';

const COLLAB = '5f6e7d8c-0000-4000-8000-00000000aa01';

test('a state with null (once Infinity) metrics loads repaired: /metrics valid, the Slack message delivered', async () => {
  const sim = await startSimulator({ credentials: DAEMON_CREDS });
  const rx = await startReceiver();
  const w = await workdir('state-repair');
  try {
    const [job] = sim.putJobs([{ name: 'old-infinity', status: 'ACTIVE', collaborationId: COLLAB }]);
    const updateTime = Date.parse(job!.updateTime as string);
    const snapshot = {
      arn: job!.audienceGenerationJobArn,
      name: 'old-infinity',
      status: 'ACTIVE',
      createTime: updateTime,
      updateTime,
      configuredAudienceModelArn: job!.configuredAudienceModelArn,
      collaborationId: COLLAB,
      detail: 'full',
      // What JSON.stringify made of Infinity; and a score past the model's documented range, which
      // is kept (the API reader accepts it too, src/aws/number-range.ts).
      metrics: {
        relevanceMetrics: [
          { audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: null },
          { audienceSize: { type: 'ABSOLUTE', value: 2000 }, score: 11 },
        ],
        recallMetric: null,
      },
    };
    const event = {
      type: 'audience_generation_job.status_changed',
      transition: 'status_changed',
      arn: snapshot.arn,
      name: snapshot.name,
      previousStatus: 'CREATE_IN_PROGRESS',
      status: 'ACTIVE',
      updateTime,
      observedAt: updateTime,
      job: snapshot,
    };
    const entry = { id: 'evt_oldinfinity0001', target: 'team-slack', event, createdAt: Date.now(), attempts: 0, nextAttemptAt: 0 };
    await mkdir(w.stateDir, { recursive: true, mode: 0o700 });
    await writeFile(
      join(w.stateDir, 'state.json'),
      JSON.stringify({ version: 1, seq: 1, jobs: [snapshot], outbox: [entry], deadLetters: [] }),
    );
    await w.writeConfig(
      baseConfig({
        simUrl: sim.url,
        stateDir: w.stateDir,
        collaborationId: COLLAB,
        targets: [{ name: 'team-slack', type: 'slack', url: `${rx.url}/services/T0/B0/x`, allowHttp: true }],
      }),
    );

    const d = await startDaemon(w);
    try {
      await rx.waitFor(1, 10_000);
      await until(async () => (await outboxOf(d)).pending.length === 0, 'the outbox to drain');
      const box = await outboxOf(d);
      assert.equal(box.deadLetters.length, 0, `dead-lettered: ${JSON.stringify(box.deadLetters)}`);
      assert.match(rx.requests[0]!.body, /old-infinity/);
      // Two values in the job, two in the copy the pending event carries; the score of 11 is kept.
      assert.match(d.stdout(), /state held 4 invalid value\(s\)/);
      assert.match(rx.requests[0]!.body, /2,000 [^\n]* +11\\n/, 'the score of 11 in the relevance table');

      const metrics = await getText(`${d.url}/metrics`);
      for (const line of metrics.split('\n')) {
        if (line === '' || line.startsWith('#')) continue;
        const value = line.slice(line.lastIndexOf(' ') + 1);
        assert.ok(!Number.isNaN(Number(value)) || /^[+-]Inf$|^NaN$/.test(value), `invalid sample: ${line}`);
        assert.ok(value !== 'null', line);
      }
    } finally {
      await d.kill();
    }
  } finally {
    await rx.close();
    await sim.close();
  }
});
