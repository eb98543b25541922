// `once` prints every kind: the built CLI against the simulator on 127.0.0.1, with a membership
// and an account-wide discovery entry beside the audience generation jobs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator } from '../../src/dev/sim/server.js';

const CREDS = { accessKeyId: 'AKIDONCEKINDS', secretAccessKey: 'once-kinds-secret-key' };
const ENV = { ...process.env, AWS_ACCESS_KEY_ID: CREDS.accessKeyId, AWS_SECRET_ACCESS_KEY: CREDS.secretAccessKey, AWS_REGION: 'us-east-1' };
const COLLAB = '7c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const M = '11111111-1111-4111-8111-111111111111';

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['dist/cli.js', ...args], { env: ENV, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

test('once prints every kind: the jobs table, then KIND NAME STATUS UPDATED ID; --json adds "resources"', async () => {
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: CREDS });
  try {
    await sim.putJobs([{ name: 'alpha-audience', status: 'ACTIVE', collaborationId: COLLAB }]);
    sim.putResources([
      { kind: 'trainedModel', name: 'churn-model', status: 'CREATE_IN_PROGRESS', membershipId: M, collaborationId: COLLAB },
      { kind: 'trainedModelInferenceJob', name: 'scoring', status: 'ACTIVE', membershipId: M, collaborationId: COLLAB },
      {
        kind: 'mlInputChannel',
        name: 'purchases',
        status: 'CREATE_FAILED',
        membershipId: M,
        collaborationId: COLLAB,
        statusDetails: { statusCode: 'X', message: 'no table' },
      },
      { kind: 'audienceModel', name: 'seed-model', status: 'ACTIVE' },
    ]);
    const dir = await mkdtemp(join(tmpdir(), 'crml-once-kinds-'));
    const config = join(dir, 'config.yaml');
    await writeFile(
      config,
      [
        'aws:',
        '  region: us-east-1',
        `  endpoint: ${sim.url}`,
        'discovery:',
        `  - collaborationId: ${COLLAB}`,
        `  - membershipId: ${M}`,
        '  - kinds: [audienceModel]',
        '',
      ].join('\n'),
    );
    const table = await cli(['once', '--config', config]);
    assert.equal(table.code, 0, table.stderr);
    const lines = table.stdout.trim().split('\n');
    assert.match(lines[1]!, /^alpha-audience\s+ACTIVE/);
    const head = lines.findIndex((l) => /^KIND\s+NAME\s+STATUS\s+UPDATED\s+ID$/.test(l));
    assert.ok(head > 0, table.stdout);
    assert.deepEqual(
      lines.slice(head + 1).map((l) => l.split(/\s+/).slice(0, 3)),
      [
        ['audienceModel', 'seed-model', 'ACTIVE'],
        ['mlInputChannel', 'purchases', 'CREATE_FAILED'],
        ['trainedModel', 'churn-model', 'CREATE_IN_PROGRESS'],
        ['trainedModelInferenceJob', 'scoring', 'ACTIVE'],
      ],
    );
    const json = await cli(['once', '--config', config, '--json']);
    assert.equal(json.code, 0, json.stderr);
    const parsed = JSON.parse(json.stdout) as { jobs: unknown[]; resources: Array<Record<string, any>> };
    assert.equal(parsed.jobs.length, 1);
    assert.deepEqual(
      parsed.resources.map((r) => [r.kind, r.name, r.status]),
      [
        ['audienceModel', 'seed-model', 'ACTIVE'],
        ['mlInputChannel', 'purchases', 'CREATE_FAILED'],
        ['trainedModel', 'churn-model', 'CREATE_IN_PROGRESS'],
        ['trainedModelInferenceJob', 'scoring', 'ACTIVE'],
      ],
    );
    const channel = parsed.resources[1]!;
    assert.deepEqual(channel.statusDetails, { statusCode: 'X', message: 'no table' });
    assert.match(channel.updateTime, /Z$/);
    assert.equal(channel.id, channel.mlInputChannelArn);
  } finally {
    await sim.close();
  }
});
