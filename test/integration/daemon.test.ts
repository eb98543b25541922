// The daemon end to end over real HTTP on 127.0.0.1: simulator (SigV4-verified) -> client -> sweep
// -> state -> metrics + outbox -> a real recording receiver. Sweeps are triggered explicitly
// (schedule disabled) so the test is deterministic without sleeping for a timeline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { createApp, type App } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startSimulator } from '../../src/dev/sim/server.js';
import { startReceiver } from '../helpers/receiver.js';
import { verifyWebhook } from '../../src/targets/webhook-body.js';

const CREDS = { accessKeyId: 'AKIDTESTDAEMON', secretAccessKey: 'test-secret-key-daemon' };
const SECRET = `whsec_${Buffer.from('daemon-test-secret-0123456789').toString('base64')}`;
const ARN_OK = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/11111111-aaaa-4bbb-8ccc-000000000001';
const ARN_FAIL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/11111111-aaaa-4bbb-8ccc-000000000002';
const METRICS = {
  relevanceMetrics: [
    { audienceSize: { type: 'ABSOLUTE' as const, value: 10000 }, score: 0.91 },
    { audienceSize: { type: 'PERCENTAGE' as const, value: 20 }, score: 0.66 },
  ],
  recallMetric: 0.42,
};

async function scrape(app: App): Promise<string> {
  const res = await fetch(`${app.url}/metrics`);
  assert.equal(res.status, 200);
  return res.text();
}

function sample(text: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`)) continue;
    const ok = Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`));
    if (ok) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}

test('jobs move to ACTIVE and CREATE_FAILED: metrics, signed webhooks, Slack, and no resend after restart', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  const receiver = await startReceiver();
  const stateDir = await mkdtemp(join(tmpdir(), 'crml-daemon-'));
  const config = configSchema.parse({
    aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 2 },
    jobs: [{ arn: ARN_OK }, { arn: ARN_FAIL }],
    polling: { schedule: '0 0 0 1 1 *' },
    notifications: {
      targets: [
        { name: 'audit', type: 'webhook', url: `${receiver.url}/hook`, secret: SECRET, allowHttp: true },
        { name: 'team-slack', type: 'slack', url: `${receiver.url}/slack/T0/B0/x`, allowHttp: true },
      ],
    },
    state: { dir: stateDir },
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
  });
  const log = createLogger({ level: 'silent' });
  const opts = {
    config,
    log,
    credentials: async () => CREDS,
    schedule: false,
    retryDelayMs: { min: 5, max: 20 },
    outbox: { baseDelayMs: 10, maxDelayMs: 50 },
  };

  await sim.putJobs([
    { name: 'lookalike-ok', arn: ARN_OK, status: 'CREATE_PENDING' },
    { name: 'lookalike-fail', arn: ARN_FAIL, status: 'CREATE_PENDING' },
  ]);
  let app = await createApp(opts);
  try {
    await app.start();
    try {
      const first = await app.sweepNow();
      assert.equal(first?.ok, true);
      assert.equal(first?.transitions, 2, 'both jobs first seen');

      await sim.setStatus(ARN_OK, { status: 'CREATE_IN_PROGRESS' });
      await app.sweepNow();
      await sim.setStatus(ARN_OK, { status: 'ACTIVE', metrics: METRICS });
      await sim.setStatus(ARN_FAIL, {
        status: 'CREATE_FAILED',
        statusDetails: { statusCode: 'INSUFFICIENT_SEED', message: 'Seed audience has fewer than 500 users' },
      });
      const third = await app.sweepNow();
      assert.equal(third?.notifications, 4, 'two terminal transitions x two targets');

      const got = await receiver.waitFor(4, 10_000);
      const hooks = got.filter((r) => r.path === '/hook');
      const slack = got.filter((r) => r.path.startsWith('/slack'));
      assert.equal(hooks.length, 2);
      assert.equal(slack.length, 2);
      for (const h of hooks) {
        assert.equal(verifyWebhook({ body: h.body, headers: h.headers, secrets: [SECRET], nowMs: Date.now() }).ok, true);
        const body = JSON.parse(h.body) as {
          id: string;
          type: string;
          data: { arn: string; previousStatus: string; status: string; job: Record<string, unknown> };
        };
        assert.equal(body.type, 'audience_generation_job.status_changed');
        assert.equal(body.id, h.headers['webhook-id']);
        assert.match(body.id, /^evt_/);
        assert.equal(typeof body.data.job.updateTime, 'string');
      }
      const byArn = Object.fromEntries(
        hooks.map((h) => {
          const b = JSON.parse(h.body) as {
            data: { arn: string; previousStatus: string; status: string; job: { statusDetails?: { message?: string } } };
          };
          return [b.data.arn, b.data];
        }),
      );
      assert.equal(byArn[ARN_OK]?.previousStatus, 'CREATE_IN_PROGRESS');
      assert.equal(byArn[ARN_OK]?.status, 'ACTIVE');
      assert.equal(byArn[ARN_FAIL]?.previousStatus, 'CREATE_PENDING');
      assert.equal(byArn[ARN_FAIL]?.status, 'CREATE_FAILED');
      assert.equal(byArn[ARN_FAIL]?.job.statusDetails?.message, 'Seed audience has fewer than 500 users');
      // Beside data.job, as for every kind: the kind, and the failure's statusCode and message.
      const dataOf = (arn: string) =>
        hooks.map((h) => (JSON.parse(h.body) as { data: Record<string, unknown> & { arn: string } }).data).find((d) => d.arn === arn);
      assert.equal(dataOf(ARN_OK)?.['kind'], 'audienceGenerationJob');
      assert.equal(dataOf(ARN_OK)?.['statusCode'], undefined);
      assert.deepEqual(
        (dataOf(ARN_OK)?.['job'] as { metrics?: unknown } | undefined)?.metrics,
        METRICS,
        'audience sizes are numbers, as AWS wrote them',
      );
      assert.equal(dataOf(ARN_FAIL)?.['statusCode'], 'INSUFFICIENT_SEED');
      assert.equal(dataOf(ARN_FAIL)?.['message'], 'Seed audience has fewer than 500 users');
      const slackTexts = slack.map((s) => JSON.parse(s.body) as { text: string; blocks: unknown[] });
      assert.ok(slackTexts.every((m) => typeof m.text === 'string' && m.text.length > 0 && Array.isArray(m.blocks)));
      assert.ok(
        slack.some((s) => s.body.includes('Seed audience has fewer than 500 users')),
        'failure message reaches Slack',
      );

      const m = await scrape(app);
      const st = 'cleanroomsml_audience_generation_job_status';
      // At rest, under the default metrics.statusSeries (nonTerminalOnly): the current status alone, no zeros.
      assert.equal(sample(m, st, { arn: ARN_OK, status: 'ACTIVE' }), 1);
      for (const s of ['CREATE_PENDING', 'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'DELETE_PENDING', 'DELETE_IN_PROGRESS', 'DELETE_FAILED']) {
        assert.equal(sample(m, st, { arn: ARN_OK, status: s }), undefined, `no ${s} sample at rest`);
      }
      assert.equal(sample(m, st, { arn: ARN_FAIL, status: 'CREATE_FAILED' }), 1);
      assert.equal(sample(m, st, { arn: ARN_FAIL, status: 'ACTIVE' }), undefined);
      assert.equal(
        sample(m, 'cleanroomsml_audience_generation_job_relevance_score', {
          arn: ARN_OK,
          audience_size_type: 'ABSOLUTE',
          audience_size: '10000',
        }),
        0.91,
      );
      assert.equal(
        sample(m, 'cleanroomsml_audience_generation_job_relevance_score', {
          arn: ARN_OK,
          audience_size_type: 'PERCENTAGE',
          audience_size: '20',
        }),
        0.66,
      );
      assert.equal(sample(m, 'cleanroomsml_audience_generation_job_recall_ratio', { arn: ARN_OK }), 0.42);
      assert.equal(sample(m, 'cleanroomsml_audience_generation_job_info', { arn: ARN_OK, name: 'lookalike-ok' }), 1);
      assert.equal(sample(m, 'cleanroomsml_monitor_transitions_total', { from: 'CREATE_IN_PROGRESS', to: 'ACTIVE' }), 1);
      assert.equal(sample(m, 'cleanroomsml_monitor_notifications_total', { target: 'audit', outcome: 'delivered' }), 2);
      assert.ok(
        (sample(m, 'cleanroomsml_monitor_api_requests_total', { operation: 'GetAudienceGenerationJob', outcome: 'success' }) ?? 0) >= 4,
      );
      assert.equal((await fetch(`${app.url}/readyz`)).status, 200);
      assert.equal((await fetch(`${app.url}/healthz`)).status, 200);
    } finally {
      await app.stop();
    }

    // Restart on the same state dir with nothing changed: nothing is sent again.
    const before = receiver.requests.length;
    app = await createApp(opts);
    await app.start();
    try {
      const again = await app.sweepNow();
      assert.equal(again?.transitions, 0);
      assert.equal(again?.notifications, 0);
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(receiver.requests.length, before, 'restart sends nothing again');
    } finally {
      await app.stop();
    }
  } finally {
    await app.stop().catch(() => {});
    await receiver.close();
    await sim.close();
  }
});
