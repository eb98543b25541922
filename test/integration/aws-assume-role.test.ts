// A job entry with `roleArn`: the monitor assumes the role through STS (fromTemporaryCredentials,
// signed with the base identity) and reads the job with the temporary credentials. STS is a local
// AssumeRole endpoint on 127.0.0.1 (reached through AWS_ENDPOINT_URL_STS, as the SDK documents);
// the simulator only accepts the temporary key, so a read proves the assumed identity was used.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startSimulator } from '../../src/dev/sim/server.js';
import { runOnce } from '../../src/commands/once.js';
import { systemClock } from '../../src/clock.js';

const BASE = { accessKeyId: 'AKIDBASEIDENTITY0001', secretAccessKey: 'base-identity-secret' };
const TEMP = { accessKeyId: 'ASIATEMPORARY0000001', secretAccessKey: 'temporary-secret', sessionToken: 'temporary-session-token' };
const ROLE = 'arn:aws:iam::210987654321:role/cleanroomsml-monitor-reader';
const JOB = 'arn:aws:cleanrooms-ml:us-east-1:210987654321:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-00000000a55e';

interface StsCall {
  authorization: string;
  form: URLSearchParams;
}

async function startSts(deny: () => boolean): Promise<{ url: string; calls: StsCall[]; server: Server }> {
  const calls: StsCall[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      const form = new URLSearchParams(body);
      calls.push({ authorization: String(req.headers.authorization ?? ''), form });
      res.setHeader('content-type', 'text/xml');
      if (deny()) {
        res.statusCode = 403;
        return res.end(
          `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>User is not authorized to perform: sts:AssumeRole on resource: ${ROLE}</Message></Error><RequestId>r-2</RequestId></ErrorResponse>`,
        );
      }
      const expiration = new Date(Date.now() + 3600_000).toISOString();
      res.end(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${TEMP.accessKeyId}</AccessKeyId><SecretAccessKey>${TEMP.secretAccessKey}</SecretAccessKey><SessionToken>${TEMP.sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::210987654321:assumed-role/cleanroomsml-monitor-reader/cleanroomsml-monitor</Arn><AssumedRoleId>AROAEXAMPLE:cleanroomsml-monitor</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, calls, server };
}

/** STS + simulator + an app watching JOB through ROLE; `close` undoes it all (env included). */
async function setup(deny: boolean, lines?: string[]) {
  const sts = await startSts(() => deny);
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: TEMP });
  const saved = process.env['AWS_ENDPOINT_URL_STS'];
  process.env['AWS_ENDPOINT_URL_STS'] = sts.url;
  sim.putJobs([{ arn: JOB, name: 'cross-account', status: 'CREATE_IN_PROGRESS', collaborationId: '5f6e7d8c-0000-4000-8000-00000000000c' }]);
  const config = configSchema.parse({
    aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 1 },
    jobs: [{ arn: JOB, roleArn: ROLE }],
    polling: { schedule: '0 0 0 1 1 *' },
    state: { dir: await mkdtemp(join(tmpdir(), 'crml-sts-')) },
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
  });
  const log = lines
    ? createLogger({ level: 'info', destination: { write: (s: string) => void lines.push(s) } })
    : createLogger({ level: 'silent' });
  const app = await createApp({ config, log, credentials: async () => BASE, schedule: false });
  await app.start();
  return {
    sts,
    sim,
    app,
    async close() {
      await app.stop();
      await sim.close();
      sts.server.close();
      if (saved === undefined) delete process.env['AWS_ENDPOINT_URL_STS'];
      else process.env['AWS_ENDPOINT_URL_STS'] = saved;
    },
  };
}

test('a job with roleArn is read with credentials from STS AssumeRole, signed by the base identity and cached', async () => {
  const { sts, sim, app: a, close } = await setup(false);
  try {
    const first = await a.sweepNow();
    assert.equal(first?.ok, true, 'the job was read with the assumed role');
    assert.equal(a.store.resources().get(JOB)?.status, 'CREATE_IN_PROGRESS');
    assert.equal(sts.calls.length, 1);
    const call = sts.calls[0]!;
    assert.equal(call.form.get('Action'), 'AssumeRole');
    assert.equal(call.form.get('RoleArn'), ROLE);
    assert.equal(call.form.get('RoleSessionName'), 'cleanroomsml-monitor');
    assert.match(
      call.authorization,
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${BASE.accessKeyId}/\\d{8}/us-east-1/sts/aws4_request`),
      'signed by the base identity',
    );

    sim.setStatus(JOB, { status: 'ACTIVE' });
    assert.equal((await a.sweepNow())?.ok, true);
    assert.equal(a.store.resources().get(JOB)?.status, 'ACTIVE');
    assert.equal(sts.calls.length, 1, 'the temporary credentials are reused until near their expiry');
  } finally {
    await close();
  }
});

test('STS refusing AssumeRole: the sweep is not ok, the job keeps its state, the error names the role problem and no secret', async () => {
  const lines: string[] = [];
  const { sim, app: a, close } = await setup(true, lines);
  try {
    const r = await a.sweepNow();
    assert.equal(r?.ok, false);
    assert.equal(a.store.resources().size, 0, 'nothing invented');
    const reached = Object.values(sim.stats().requests.GetAudienceGenerationJob ?? {}).reduce((x, y) => x + y, 0);
    assert.equal(reached, 0, 'no call without the role reached Clean Rooms ML');
    const text = lines.join('');
    assert.match(text, /not authorized to perform: sts:AssumeRole/);
    for (const secret of [BASE.secretAccessKey, TEMP.secretAccessKey]) assert.ok(!text.includes(secret), 'no secret in the log');
  } finally {
    await close();
  }
});

test("once reads each job as run does: the job's role, and a discovery entry's role in its own region", async () => {
  const sts = await startSts(() => false);
  const sim = await startSimulator({ host: '127.0.0.1', port: 0, credentials: TEMP });
  const saved = process.env['AWS_ENDPOINT_URL_STS'];
  process.env['AWS_ENDPOINT_URL_STS'] = sts.url;
  const COLLAB_EU = '5f6e7d8c-0000-4000-8000-0000000000e0';
  const JOB_EU = 'arn:aws:cleanrooms-ml:eu-west-1:210987654321:audience-generation-job/0f1e2d3c-aaaa-4bbb-8ccc-0000000e0e0e';
  try {
    sim.putJobs([
      { arn: JOB, name: 'cross-account', status: 'ACTIVE', collaborationId: '5f6e7d8c-0000-4000-8000-00000000000c' },
      { arn: JOB_EU, name: 'in-europe', status: 'CREATE_IN_PROGRESS', collaborationId: COLLAB_EU },
    ]);
    const config = configSchema.parse({
      aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 1 },
      jobs: [{ arn: JOB, roleArn: ROLE }],
      discovery: [{ collaborationId: COLLAB_EU, region: 'eu-west-1', roleArn: ROLE }],
      state: { dir: '/nonexistent/once-touches-no-state' },
    });
    const r = await runOnce(config, { clock: systemClock, log: createLogger({ level: 'silent' }), credentials: async () => BASE });
    assert.deepEqual(r.errors, [], "the simulator accepts only the assumed role's keys");
    assert.equal(r.ok, true);
    assert.deepEqual(
      r.resources.map((j) => [j.arn, j.status]),
      [
        [JOB, 'ACTIVE'],
        [JOB_EU, 'CREATE_IN_PROGRESS'],
      ],
    );
    const regions = sts.calls.map((c) => /Credential=[^/]+\/\d{8}\/([^/]+)\/sts\//.exec(c.authorization)?.[1]).sort();
    assert.deepEqual(regions, ['eu-west-1', 'us-east-1'], 'one AssumeRole per (role, region), each signed in its region');
    for (const c of sts.calls) assert.equal(c.form.get('RoleArn'), ROLE);
  } finally {
    await sim.close();
    sts.server.close();
    if (saved === undefined) delete process.env['AWS_ENDPOINT_URL_STS'];
    else process.env['AWS_ENDPOINT_URL_STS'] = saved;
  }
});
