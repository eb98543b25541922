// Every AWS call on a kept-alive connection, counted where the connections arrive (127.0.0.1
// only): the simulator's /_sim/stats counts the TCP connections that carried AWS requests, a
// local STS endpoint counts its own, and tinyproxy logs each CONNECT tunnel it opened. Also: a
// server (or load balancer) that drops connections idle past its timeout, resetting the next
// request sent on one, costs no failed sweep.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema } from '../../src/config/schema.js';
import { createApp } from '../../src/app.js';
import { createLogger } from '../../src/log.js';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import { ROOT, DAEMON_CREDS, runCli, workdir } from '../helpers/daemon.js';
import { startTinyproxy, tinyproxyMissing } from '../helpers/tinyproxy.js';

const CREDS = { accessKeyId: 'AKIDKEEPALIVE', secretAccessKey: 'keep-alive-secret' };
const COLLAB = '5f6e7d8c-0000-4000-8000-0000000000c1';
const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/keep-alive-model';
const jobArn = (i: number, account = '123456789012') =>
  `arn:aws:cleanrooms-ml:us-east-1:${account}:audience-generation-job/0f1e2d3c-cccc-4bbb-8ccc-${String(i).padStart(12, '0')}`;
const CERT = join(ROOT, 'test/fixtures/tls/localhost.crt');
const KEY = join(ROOT, 'test/fixtures/tls/localhost.key');
const N = 40;
const CONCURRENCY = 4;

const awsCalls = (sim: Simulator) =>
  Object.values(sim.stats().requests).reduce((n, byOutcome) => n + Object.values(byOutcome ?? {}).reduce((a, b) => a + b, 0), 0);

/** N running jobs, each named in `jobs:`: the first sweep reads every one with a Get. */
function fleet(sim: Simulator, account?: string): string[] {
  const arns = Array.from({ length: N }, (_, i) => jobArn(i, account));
  sim.putJobs(
    arns.map((arn, i) => ({
      arn,
      name: `job-${i}`,
      collaborationId: COLLAB,
      configuredAudienceModelArn: MODEL,
      status: 'CREATE_IN_PROGRESS',
    })),
  );
  return arns;
}

async function monitor(sim: Simulator, arns: string[], aws: Record<string, unknown> = {}) {
  const config = configSchema.parse({
    aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 1, ...aws },
    jobs: arns.map((arn) => ({ arn })),
    polling: { schedule: '0 0 0 1 1 *', concurrency: CONCURRENCY, maxRequestsPerSecond: 100 },
    state: { dir: await mkdtemp(join(tmpdir(), 'crml-keepalive-')) },
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
  });
  const app = await createApp({ config, log: createLogger({ level: 'silent' }), credentials: async () => CREDS, schedule: false });
  await app.start();
  return app;
}

test('direct: the calls of two sweeps share at most polling.concurrency connections', async () => {
  const sim = await startSimulator({ credentials: CREDS });
  const app = await monitor(sim, fleet(sim));
  try {
    assert.equal((await app.sweepNow())?.ok, true);
    sim.setStatus(jobArn(7), { status: 'ACTIVE' });
    assert.equal((await app.sweepNow())?.ok, true);
    assert.equal(app.store.resources().get(jobArn(7))?.status, 'ACTIVE');
    const calls = awsCalls(sim);
    const { connections } = sim.stats();
    assert.ok(calls > N, `${calls} calls`);
    assert.ok(connections >= 1 && connections <= CONCURRENCY, `${calls} calls on ${connections} connections`);
    console.log(`# direct: ${calls} AWS calls on ${connections} connections`);
  } finally {
    await app.stop();
    await sim.close();
  }
});

test('connections reset after sitting idle (as a load balancer that forgot them) cost no failed sweep, with one attempt per call', async () => {
  // The simulator judges idleness on its own clock: moved forward here, no waiting.
  let now = Date.now();
  const sim = await startSimulator({ credentials: CREDS, clock: { now: () => now } });
  const app = await monitor(sim, fleet(sim));
  try {
    assert.equal((await app.sweepNow())?.ok, true);
    sim.setFaults({ resetIdleAfterMs: 60_000 });
    now += 61_000;
    sim.setStatus(jobArn(3), { status: 'ACTIVE' });
    const r = await app.sweepNow();
    assert.equal(r?.ok, true, JSON.stringify(r?.scopeErrors));
    assert.equal(app.store.resources().get(jobArn(3))?.status, 'ACTIVE');
    const { idleResets } = sim.stats();
    assert.ok(idleResets >= 1, `the sweep met connections reset for idleness: ${idleResets}`);
    const metrics = await (await fetch(`${app.url}/metrics`)).text();
    assert.ok(!/cleanroomsml_monitor_api_requests_total\{[^}]*outcome="error"[^}]*\} [1-9]/.test(metrics), 'no call counted as failed');
    const resent = [...metrics.matchAll(/^cleanroomsml_monitor_api_requests_resent_total\{[^}]*\} (\d+)$/gm)].reduce(
      (a, m) => a + Number(m[1]),
      0,
    );
    assert.equal(resent, idleResets, 'each request met by a reset was counted as sent again');
    console.log(`# idle resets: ${idleResets} requests sent again at once on a fresh connection`);
  } finally {
    await app.stop();
    await sim.close();
  }
});

/** AssumeRole on 127.0.0.1, counting its connections and the Connection header of each call. */
async function startSts(temp: { accessKeyId: string; secretAccessKey: string; sessionToken: string }) {
  const sts = { url: '', calls: 0, connections: 0, connectionHeaders: [] as string[], server: createServer() as Server };
  sts.server.on('connection', () => sts.connections++);
  sts.server.on('request', (req, res) => {
    req.resume();
    req.on('end', () => {
      sts.calls++;
      sts.connectionHeaders.push(String(req.headers.connection ?? ''));
      res.setHeader('content-type', 'text/xml');
      res.end(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${temp.accessKeyId}</AccessKeyId><SecretAccessKey>${temp.secretAccessKey}</SecretAccessKey><SessionToken>${temp.sessionToken}</SessionToken><Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::210987654321:assumed-role/x/y</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
    });
  });
  await new Promise<void>((r) => sts.server.listen(0, '127.0.0.1', r));
  sts.url = `http://127.0.0.1:${(sts.server.address() as AddressInfo).port}`;
  return sts;
}

test('STS: role assumptions go through the same kept-alive pool', async () => {
  const temp = { accessKeyId: 'ASIAKEEPALIVE0000001', secretAccessKey: 'keep-alive-temporary', sessionToken: 'keep-alive-session' };
  const sts = await startSts(temp);
  const saved = process.env['AWS_ENDPOINT_URL_STS'];
  process.env['AWS_ENDPOINT_URL_STS'] = sts.url;
  const sim = await startSimulator({ credentials: temp });
  const roles = [1, 2, 3].map((n) => `arn:aws:iam::21098765432${n}:role/cleanroomsml-monitor-reader`);
  const arns = roles.map((_, i) => jobArn(i, `21098765432${i + 1}`));
  sim.putJobs(arns.map((arn, i) => ({ arn, name: `cross-${i}`, collaborationId: COLLAB, status: 'CREATE_IN_PROGRESS' })));
  const config = configSchema.parse({
    aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 1 },
    jobs: arns.map((arn, i) => ({ arn, roleArn: roles[i] })),
    // One call at a time: each role is assumed after the previous one's connection went idle.
    polling: { schedule: '0 0 0 1 1 *', concurrency: 1, maxRequestsPerSecond: 100 },
    state: { dir: await mkdtemp(join(tmpdir(), 'crml-keepalive-sts-')) },
    server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
  });
  const app = await createApp({ config, log: createLogger({ level: 'silent' }), credentials: async () => CREDS, schedule: false });
  await app.start();
  try {
    assert.equal((await app.sweepNow())?.ok, true);
    assert.equal(sts.calls, 3, 'one AssumeRole per role');
    assert.deepEqual(sts.connectionHeaders, ['keep-alive', 'keep-alive', 'keep-alive']);
    assert.equal(sts.connections, 1, `${sts.calls} AssumeRole calls on ${sts.connections} connections`);
  } finally {
    await app.stop();
    await sim.close();
    sts.server.close();
    if (saved === undefined) delete process.env['AWS_ENDPOINT_URL_STS'];
    else process.env['AWS_ENDPOINT_URL_STS'] = saved;
  }
});

test('through a proxy: https calls reuse their CONNECT tunnels (the daemon, tinyproxy, the simulator over TLS)', {
  skip: tinyproxyMissing(),
}, async () => {
  const proxy = await startTinyproxy();
  const sim = await startSimulator({ credentials: DAEMON_CREDS, tls: { key: await readFile(KEY), cert: await readFile(CERT) } });
  const arns = fleet(sim);
  const w = await workdir('keepalive-proxy');
  try {
    assert.match(sim.url, /^https:\/\/127\.0\.0\.1:/);
    await w.writeConfig({
      aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 1 },
      jobs: arns.map((arn) => ({ arn })),
      polling: { concurrency: CONCURRENCY, maxRequestsPerSecond: 100 },
      state: { dir: w.stateDir },
    });
    const once = await runCli(w, ['once', '--config', w.configPath, '--json'], { HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: CERT });
    assert.equal(once.code, 0, once.stdout + once.stderr);
    const tunnels = proxy.requests().filter((r) => r.startsWith(`CONNECT 127.0.0.1:${sim.port}`)).length;
    const calls = awsCalls(sim);
    const { connections } = sim.stats();
    assert.equal(calls, N, 'one Get per job');
    assert.ok(connections >= 1 && connections <= CONCURRENCY, `${calls} calls on ${connections} connections`);
    assert.equal(tunnels, connections, `each connection the simulator saw is one tunnel: ${proxy.requests().join('\n')}`);
    console.log(`# through tinyproxy: ${calls} https calls in ${tunnels} CONNECT tunnels`);
  } finally {
    await proxy.close();
    await sim.close();
  }
});
