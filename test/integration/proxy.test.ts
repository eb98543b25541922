// HTTPS_PROXY / HTTP_PROXY / NO_PROXY end to end through a real proxy (tinyproxy on 127.0.0.1),
// with the real daemon (dist/cli.js run) in a child process: AWS calls to the simulator, STS
// AssumeRole and webhooks (plain http and https through a CONNECT tunnel) all go through the
// proxy, counted at the proxy; NO_PROXY sends them direct; a refused target is refused before
// anything reaches the proxy. Only 127.0.0.1 receives traffic.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer as createHttpsServer } from 'node:https';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../src/dev/sim/server.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { CLI, ROOT, daemonEnv, until } from '../helpers/daemon.js';
import { startTinyproxy, tinyproxyMissing, type Tinyproxy } from '../helpers/tinyproxy.js';

const JOB = 'arn:aws:cleanrooms-ml:us-east-1:210987654321:audience-generation-job/55555555-aaaa-4bbb-8ccc-000000000001';
const ROLE = 'arn:aws:iam::210987654321:role/cleanroomsml-monitor-proxy';
const TEMP = { accessKeyId: 'ASIAPROXYTEMPORARY01', secretAccessKey: 'proxy-temporary-secret', sessionToken: 'proxy-session-token' };
const CERT = join(ROOT, 'test/fixtures/tls/localhost.crt');
const KEY = join(ROOT, 'test/fixtures/tls/localhost.key');
const missing = tinyproxyMissing();

/** AssumeRole on 127.0.0.1 (AWS_ENDPOINT_URL_STS), answering the temporary identity the simulator accepts. */
async function startSts(): Promise<{ url: string; calls: number; server: Server }> {
  const sts = { url: '', calls: 0, server: createServer() };
  sts.server.on('request', (req, res) => {
    req.resume();
    req.on('end', () => {
      sts.calls++;
      res.setHeader('content-type', 'text/xml');
      res.end(
        `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${TEMP.accessKeyId}</AccessKeyId><SecretAccessKey>${TEMP.secretAccessKey}</SecretAccessKey><SessionToken>${TEMP.sessionToken}</SessionToken><Expiration>${new Date(Date.now() + 3600_000).toISOString()}</Expiration></Credentials><AssumedRoleUser><Arn>arn:aws:sts::210987654321:assumed-role/x/y</Arn><AssumedRoleId>AROA:x</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></AssumeRoleResponse>`,
      );
    });
  });
  await new Promise<void>((r) => sts.server.listen(0, '127.0.0.1', r));
  sts.url = `http://127.0.0.1:${(sts.server.address() as AddressInfo).port}`;
  return sts;
}

/** An https receiver for `localhost` (certificate in test/fixtures/tls). */
async function startTlsReceiver(): Promise<{ port: number; paths: string[]; hosts: string[]; close(): Promise<void> }> {
  const paths: string[] = [];
  const hosts: string[] = [];
  const server = createHttpsServer({ key: await readFile(KEY), cert: await readFile(CERT) }, (req, res) => {
    req.resume();
    req.on('end', () => {
      paths.push(req.url ?? '');
      hosts.push(req.headers.host ?? '');
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    paths,
    hosts,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

interface World {
  proxy: Tinyproxy;
  sim: Simulator;
  sts: Awaited<ReturnType<typeof startSts>>;
  rx: Receiver;
  tls: Awaited<ReturnType<typeof startTlsReceiver>>;
  close(): Promise<void>;
}

async function world(): Promise<World> {
  const proxy = await startTinyproxy();
  const sim = await startSimulator({ credentials: TEMP });
  const sts = await startSts();
  const rx = await startReceiver();
  const tls = await startTlsReceiver();
  sim.putJobs([{ arn: JOB, name: 'proxied', status: 'CREATE_IN_PROGRESS' }]);
  return {
    proxy,
    sim,
    sts,
    rx,
    tls,
    async close() {
      await Promise.all([proxy.close(), sim.close(), rx.close(), tls.close(), new Promise<void>((r) => sts.server.close(() => r()))]);
    },
  };
}

/** Runs the daemon with `env` until the job's ACTIVE webhooks arrived (or `expectRefusal`), then SIGTERM. */
async function runDaemon(w: World, env: Record<string, string>, targets: unknown[], waitFor: () => boolean): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'crml-proxy-'));
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    JSON.stringify({
      aws: { region: 'us-east-1', endpoint: w.sim.url, roleArn: ROLE, maxAttempts: 2, requestTimeoutMs: 3_000 },
      jobs: [{ arn: JOB }],
      polling: { schedule: '* * * * * *' },
      notifications: { targets },
      state: { dir: join(dir, 'state') },
      server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
      log: { level: 'debug' },
    }),
  );
  const child = spawn(process.execPath, [CLI, 'run', '--config', config], {
    env: { ...daemonEnv(dir), AWS_ENDPOINT_URL_STS: w.sts.url, NODE_EXTRA_CA_CERTS: CERT, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise((r) => child.on('exit', r));
  try {
    await until(() => out.includes('"to":"CREATE_IN_PROGRESS"'), 'first sight of the job', 15_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${out}`);
    });
    w.sim.setStatus(JOB, { status: 'ACTIVE' });
    await until(waitFor, 'deliveries', 15_000).catch((e: Error) => {
      throw new Error(`${e.message}\nproxy saw: ${w.proxy.requests().join('\n')}\n${out}`);
    });
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
  return out;
}

const simCalls = (sim: Simulator) =>
  Object.values(sim.stats().requests).reduce((n, byOutcome) => n + Object.values(byOutcome ?? {}).reduce((a, b) => a + b, 0), 0);

test('with HTTPS_PROXY / HTTP_PROXY: AWS, STS and both webhooks go through the proxy', { skip: missing }, async () => {
  const w = await world();
  try {
    const targets = [
      { name: 'plain', type: 'webhook', url: `http://localhost:${w.rx.port}/hook/plain`, allowHttp: true },
      { name: 'tls', type: 'webhook', url: `https://localhost:${w.tls.port}/hook/tls`, allowPrivate: true },
    ];
    const out = await runDaemon(
      w,
      { HTTPS_PROXY: w.proxy.url, HTTP_PROXY: w.proxy.url },
      targets,
      () => w.rx.requests.length >= 1 && w.tls.paths.length >= 1,
    );
    assert.ok(out.includes(`"httpsProxy":"${w.proxy.url}"`), 'the start-up line names the proxy');
    const seen = w.proxy.requests();
    const aws = seen.filter((r) => r.startsWith(`GET ${w.sim.url}/audience-generation-job`));
    assert.ok(aws.length >= 2, `AWS calls through the proxy: ${aws.length}`);
    assert.equal(aws.length, simCalls(w.sim), 'every call the simulator answered came through the proxy');
    assert.ok(
      w.sts.calls >= 1 && seen.filter((r) => r.startsWith(`POST ${w.sts.url}`)).length === w.sts.calls,
      `STS through the proxy: ${w.sts.calls}`,
    );
    // Plain http: the checked address in the request target, so the proxy does not resolve the
    // name again (a proxy replaces Host with the target's authority, RFC 9112 3.2.2).
    assert.ok(seen.includes(`POST http://127.0.0.1:${w.rx.port}/hook/plain`), seen.join('\n'));
    assert.equal(w.rx.requests[0]!.headers.host, `127.0.0.1:${w.rx.port}`);
    // https: a CONNECT tunnel to the name; TLS verified end to end (the daemon trusts the fixture CA only).
    assert.ok(seen.includes(`CONNECT localhost:${w.tls.port}`), seen.join('\n'));
    assert.equal(w.tls.paths[0], '/hook/tls');
    console.log(`# proxy saw ${seen.length} requests: ${aws.length} Clean Rooms ML, ${w.sts.calls} STS, 1 http webhook, 1 CONNECT`);
  } finally {
    await w.close();
  }
});

test('NO_PROXY bypasses the proxy (lower case wins over upper case)', { skip: missing }, async () => {
  const w = await world();
  try {
    const targets = [{ name: 'plain', type: 'webhook', url: `http://localhost:${w.rx.port}/hook/direct`, allowHttp: true }];
    // Upper case names a dead proxy: were it used, nothing would arrive.
    // NODE_USE_ENV_PROXY (Node 24's own proxy support for its global agent) must change nothing:
    // every request here goes through the monitor's agents.
    const env = {
      HTTP_PROXY: 'http://127.0.0.1:9',
      http_proxy: w.proxy.url,
      HTTPS_PROXY: w.proxy.url,
      no_proxy: '127.0.0.1',
      NO_PROXY: '*',
      NODE_USE_ENV_PROXY: '1',
    };
    await runDaemon(w, env, targets, () => w.rx.requests.length >= 1);
    const seen = w.proxy.requests();
    assert.equal(
      seen.filter((r) => r.includes(w.sim.url) || r.includes(w.sts.url)).length,
      0,
      `127.0.0.1 is in no_proxy: ${seen.join('\n')}`,
    );
    assert.ok(simCalls(w.sim) >= 2 && w.sts.calls >= 1, 'AWS and STS answered directly');
    // localhost is not in no_proxy (NO_PROXY=* is overridden by the lower-case spelling), so the webhook went through the proxy.
    assert.ok(seen.includes(`POST http://127.0.0.1:${w.rx.port}/hook/direct`), seen.join('\n'));
  } finally {
    await w.close();
  }
});

test('a refused target is refused before anything reaches the proxy', { skip: missing }, async () => {
  const w = await world();
  try {
    const targets = [
      // A name that resolves to loopback, not allowed for this target; and a metadata literal.
      { name: 'loopback-name', type: 'webhook', url: `https://localhost:${w.tls.port}/h1`, allowPrivate: false },
      { name: 'metadata', type: 'webhook', url: 'http://169.254.169.254/latest/meta-data/', allowHttp: true },
      { name: 'ok', type: 'webhook', url: `http://localhost:${w.rx.port}/hook/ok`, allowHttp: true },
    ];
    const out = await runDaemon(w, { HTTPS_PROXY: w.proxy.url, HTTP_PROXY: w.proxy.url }, targets, () => w.rx.requests.length >= 1);
    assert.match(out, /address refused: loopback/, 'the loopback name was refused');
    assert.match(out, /address refused: link-local or cloud metadata/);
    const seen = w.proxy.requests();
    assert.equal(seen.filter((r) => r.includes('169.254') || r.startsWith('CONNECT') || r.includes('/h1')).length, 0, seen.join('\n'));
    assert.equal(w.tls.paths.length, 0);
    assert.ok(seen.includes(`POST http://127.0.0.1:${w.rx.port}/hook/ok`), 'the allowed target went through the proxy');
  } finally {
    await w.close();
  }
});

test('a malformed proxy URL stops the start with a message naming the variable, not its value', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crml-proxy-bad-'));
  const config = join(dir, 'config.yaml');
  await writeFile(
    config,
    JSON.stringify({
      jobs: [{ arn: JOB }],
      state: { dir: join(dir, 'state') },
      server: { host: '127.0.0.1', port: 0, admin: { port: 0 } },
    }),
  );
  const child = spawn(process.execPath, [CLI, 'run', '--config', config], {
    env: { ...daemonEnv(dir), HTTPS_PROXY: 'socks5://user:hunter2@proxy:1080' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const code = await new Promise((r) => child.on('exit', r));
  assert.equal(code, 1);
  assert.match(out, /error: HTTPS_PROXY: only http:\/\/ and https:\/\/ proxies are supported/);
  assert.ok(!out.includes('hunter2'));
});
