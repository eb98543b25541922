// `once --json` prints each audience generation job in its GetAudienceGenerationJob shape, as the
// simulator on 127.0.0.1 serves it, minus what the monitor never keeps (the seed audience, tags);
// the table's RECALL column comes from the job's recall result.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../src/clock.js';
import { onceCommand } from '../../src/commands/once.js';
import { configSchema } from '../../src/config/schema.js';
import { startSimulator } from '../../src/dev/sim/server.js';
import { createLogger } from '../../src/log.js';

const CREDS = { accessKeyId: 'AKIDONCEJOBS', secretAccessKey: 'once-jobs-secret-key' };
const COLLAB = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/m-1';
const arnOf = (id: string) => `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/${id}`;

// The verb reads credentials as in production: from the environment (this file runs in its own process).
process.env['AWS_ACCESS_KEY_ID'] = CREDS.accessKeyId;
process.env['AWS_SECRET_ACCESS_KEY'] = CREDS.secretAccessKey;
delete process.env['AWS_SESSION_TOKEN'];
delete process.env['AWS_PROFILE'];

test('once --json: every job in the Get shape the service answers, never the seed or tags; the table shows the recall', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  try {
    sim.putJobs([
      {
        arn: arnOf('b-1'),
        name: 'beta',
        description: 'second',
        status: 'ACTIVE',
        collaborationId: COLLAB,
        configuredAudienceModelArn: MODEL,
        statusDetails: { statusCode: 'OK', message: 'fine' },
        metrics: {
          relevanceMetrics: [
            { audienceSize: { type: 'ABSOLUTE', value: 10000 }, score: 4.2 },
            { audienceSize: { type: 'PERCENTAGE', value: 20 }, score: 1.5 },
          ],
          recallMetric: 0.375,
        },
        seedAudience: { roleArn: 'arn:aws:iam::123456789012:role/seed', sqlParameters: { queryString: 'SELECT secret FROM t' } },
        tags: { team: 'ml' },
        protectedQueryIdentifier: 'pq-1',
      },
      { arn: arnOf('a-1'), name: 'alpha', status: 'CREATE_FAILED', collaborationId: COLLAB, configuredAudienceModelArn: MODEL },
    ]);
    const served = new Map(sim.jobs().map((j) => [j['audienceGenerationJobArn'] as string, j]));
    const config = configSchema.parse({
      aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 1 },
      discovery: [{ collaborationId: COLLAB }],
      state: { dir: '/nonexistent/once-touches-no-state' },
    });
    const run = async (json: boolean) => {
      let out = '';
      const code = await onceCommand(config, {
        json,
        out: (s) => (out += s),
        log: createLogger({ level: 'silent' }),
        clock: systemClock,
      });
      return { code, out };
    };

    const json = await run(true);
    assert.equal(json.code, 0, json.out);
    const parsed = JSON.parse(json.out) as { jobs: Array<Record<string, unknown>>; errors: unknown[] };
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(
      parsed.jobs.map((j) => j['name']),
      ['alpha', 'beta'],
    );
    for (const j of parsed.jobs) {
      const { seedAudience: _s, tags: _t, ...want } = served.get(j['audienceGenerationJobArn'] as string)!;
      assert.deepEqual(j, want);
      // In the model's member order.
      assert.deepEqual(
        Object.keys(j),
        Object.keys(want).filter((k) => k in j),
      );
    }
    assert.ok(!json.out.includes('SELECT') && !json.out.includes('seedAudience') && !json.out.includes('"tags"'));

    const table = await run(false);
    assert.equal(table.code, 0);
    const lines = table.out.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+STATUS\s+UPDATED\s+RECALL$/);
    assert.match(lines[1]!, /^alpha\s+CREATE_FAILED\s+\S+Z\s+-$/);
    assert.match(lines[2]!, /^beta\s+ACTIVE\s+\S+Z\s+0\.375$/);
  } finally {
    await sim.close();
  }
});
