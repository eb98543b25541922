// The pooled agents and the CONNECT handshake over real sockets on 127.0.0.1: the bound on
// sockets per origin, idle sockets closed by the client after the pool's idle timeout, absolute-
// form requests with Proxy-Authorization on one kept-alive proxy connection, and every way a
// CONNECT can fail (refused, silent, not HTTP) as a ProxyTunnelError that names no password.
// Through an https:// proxy, end to end with the daemon: test/integration/aws-keepalive.test.ts
// covers tinyproxy; the https:// proxy case is at the end of this file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import https from 'node:https';
import net, { type AddressInfo, type Socket } from 'node:net';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createProxyAwareAgents, poolOptions, type PoolOptions } from '../../src/net/proxy-agent.js';
import { authority, openTunnel, ProxyTunnelError } from '../../src/net/tunnel.js';
import { startSimulator } from '../../src/dev/sim/server.js';
import { ROOT, DAEMON_CREDS, runCli, workdir } from '../helpers/daemon.js';

const CERT = join(ROOT, 'test/fixtures/tls/localhost.crt');
const KEY = join(ROOT, 'test/fixtures/tls/localhost.key');

async function listen<T extends net.Server>(server: T): Promise<{ server: T; port: number; close(): Promise<void> }> {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        (server as unknown as http.Server).closeAllConnections?.();
        server.close(() => r());
      }),
  };
}

/** An http server counting connections; each socket's close is recorded with who closed it first. */
async function origin(handler: http.RequestListener = (_q, s) => s.end('ok')) {
  const server = http.createServer(handler);
  // The server never closes an idle connection first in these tests.
  server.keepAliveTimeout = 60_000;
  const sockets: Socket[] = [];
  const closed: Array<Promise<void>> = [];
  server.on('connection', (s: Socket) => {
    sockets.push(s);
    closed.push(new Promise((r) => s.on('close', () => r())));
  });
  return { ...(await listen(server)), sockets, closed };
}

const get = (url: string, agent: http.Agent) =>
  new Promise<string>((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve(body));
      })
      .on('error', reject);
  });

const pool = (over: Partial<PoolOptions> = {}): PoolOptions => ({ ...poolOptions({ maxSockets: 3, maxFreeSockets: 3 }), ...over });

test('direct: at most maxSockets connections for 20 concurrent requests; idle sockets closed by the client after the idle timeout', async () => {
  const o = await origin((_q, s) => setTimeout(() => s.end('ok'), 20));
  const agents = createProxyAwareAgents(pool({ idleTimeoutMs: 150 }), {});
  try {
    const bodies = await Promise.all(Array.from({ length: 20 }, () => get(`http://127.0.0.1:${o.port}/`, agents.http)));
    assert.deepEqual(new Set(bodies), new Set(['ok']));
    assert.equal(o.sockets.length, 3, `20 requests on ${o.sockets.length} connections`);
    // The server keeps idle connections for a minute; these close because the client's pool let them go.
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('idle connections still open after 5 s')), 5_000);
    });
    await Promise.race([Promise.all(o.closed), late]).finally(() => clearTimeout(timer));
  } finally {
    agents.destroy();
    await o.close();
  }
});

/** A forward proxy for http:// targets that keeps client connections alive, recording each request line and its Proxy-Authorization. */
async function forwardProxy() {
  const seen: Array<{ line: string; auth: string | undefined }> = [];
  const upstream = new http.Agent({ keepAlive: true });
  const server = http.createServer((req, res) => {
    seen.push({ line: `${req.method} ${req.url}`, auth: req.headers['proxy-authorization'] });
    const target = new URL(req.url ?? '');
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    const up = http.request(target, { method: req.method, headers, agent: upstream }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    req.pipe(up);
  });
  let connections = 0;
  server.on('connection', () => connections++);
  const l = await listen(server);
  return { ...l, seen, connections: () => connections, upstream };
}

test('http:// through a proxy: absolute form with Proxy-Authorization, several requests on one kept-alive proxy connection', async () => {
  const o = await origin();
  const p = await forwardProxy();
  const agents = createProxyAwareAgents(pool(), { HTTP_PROXY: `http://mon%40itor:s3cr%3At@127.0.0.1:${p.port}` });
  try {
    for (let i = 0; i < 5; i++) assert.equal(await get(`http://127.0.0.1:${o.port}/r${i}?q=1`, agents.http), 'ok');
    assert.deepEqual(
      p.seen.map((s) => s.line),
      [0, 1, 2, 3, 4].map((i) => `GET http://127.0.0.1:${o.port}/r${i}?q=1`),
    );
    assert.ok(p.seen.every((s) => s.auth === `Basic ${Buffer.from('mon@itor:s3cr:t').toString('base64')}`));
    assert.equal(p.connections(), 1, 'one connection to the proxy for five requests');
  } finally {
    agents.destroy();
    p.upstream.destroy();
    await p.close();
    await o.close();
  }
});

/** A raw TCP "proxy" that answers a CONNECT with `answer` (undefined: never answers); records what it was sent. */
async function rawProxy(answer: string | undefined) {
  const received: string[] = [];
  const server = net.createServer((s) => {
    s.on('data', (d: Buffer) => {
      received.push(d.toString('latin1'));
      if (answer !== undefined) s.end(answer);
    });
  });
  return { ...(await listen(server)), received };
}

test('CONNECT: the request line, Host and Basic credentials; a tunnel that carries the target bytes', async () => {
  const echo = await listen(net.createServer((s) => s.pipe(s)));
  const heads: string[] = [];
  const proxy = await listen(
    net.createServer((client) => {
      client.once('data', (d: Buffer) => {
        heads.push(d.toString('latin1'));
        const upstream = net.connect(echo.port, '127.0.0.1', () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          client.pipe(upstream).pipe(client);
        });
      });
    }),
  );
  try {
    const socket = await openTunnel(new URL(`http://u:p%20w@127.0.0.1:${proxy.port}`), '127.0.0.1', echo.port, { timeoutMs: 2_000 });
    socket.write('ping');
    const back = await new Promise<string>((r) => socket.once('data', (d: Buffer) => r(d.toString())));
    socket.destroy();
    assert.equal(back, 'ping');
    assert.equal(
      heads[0],
      `CONNECT 127.0.0.1:${echo.port} HTTP/1.1\r\nHost: 127.0.0.1:${echo.port}\r\nProxy-Authorization: Basic ${Buffer.from('u:p w').toString('base64')}\r\nProxy-Connection: keep-alive\r\n\r\n`,
    );
    assert.equal(authority('::1', 443), '[::1]:443');
    assert.equal(authority('[::1]', 443), '[::1]:443');
    assert.equal(authority('hooks.example.com', 8443), 'hooks.example.com:8443');
  } finally {
    await proxy.close();
    await echo.close();
  }
});

test('CONNECT failures: refused, silent, not HTTP; each a ProxyTunnelError that names the proxy without its password', async () => {
  const cases: Array<{ answer: string | undefined; code: string; match: RegExp; status?: number }> = [
    {
      answer: 'HTTP/1.1 407 Proxy Authentication Required\r\n\r\n',
      code: 'EPROXYREFUSED',
      match: /refused CONNECT to example\.test:443: HTTP 407/,
      status: 407,
    },
    { answer: 'HTTP/1.0 403 Forbidden\r\nContent-Length: 0\r\n\r\n', code: 'EPROXYREFUSED', match: /HTTP 403/, status: 403 },
    { answer: undefined, code: 'EPROXYTIMEOUT', match: /did not open a tunnel within 200 ms/ },
    { answer: 'SSH-2.0-OpenSSH_9.2\r\n\r\n', code: 'EPROXYPROTOCOL', match: /did not answer CONNECT with HTTP/ },
  ];
  for (const c of cases) {
    const p = await rawProxy(c.answer);
    try {
      const err = await openTunnel(new URL(`http://user:hunter2@127.0.0.1:${p.port}`), 'example.test', 443, { timeoutMs: 200 }).then(
        () => assert.fail('expected a failure'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof ProxyTunnelError, String(err));
      assert.equal(err.code, c.code);
      assert.equal(err.statusCode, c.status);
      assert.match(err.message, c.match);
      assert.ok(err.message.includes(`http://127.0.0.1:${p.port}`) && !err.message.includes('hunter2'), err.message);
      assert.match(p.received.join(''), /^CONNECT example\.test:443 HTTP\/1\.1\r\n/);
    } finally {
      await p.close();
    }
  }
});

/** An https:// CONNECT proxy (TLS to the proxy, then the tunnel) that counts tunnels and checks credentials. */
async function tlsConnectProxy(user: string, pass: string) {
  const tunnels: string[] = [];
  const server = https.createServer({ key: await readFile(KEY), cert: await readFile(CERT) });
  server.on('connect', (req: http.IncomingMessage, client: Socket, head: Buffer) => {
    if (req.headers['proxy-authorization'] !== `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`) {
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
      return;
    }
    tunnels.push(req.url ?? '');
    const [host, port] = [(req.url ?? '').replace(/:\d+$/, ''), Number((req.url ?? '').split(':').pop())];
    const upstream = net.connect(port, host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length) upstream.write(head);
      client.pipe(upstream).pipe(client);
    });
    upstream.on('error', () => client.destroy());
    client.on('error', () => upstream.destroy());
  });
  return { ...(await listen(server)), tunnels };
}

test('https:// proxy with credentials: the daemon reads over TLS inside TLS, one tunnel per pooled connection', async () => {
  const proxy = await tlsConnectProxy('monitor', 'pr0xy:pass');
  const sim = await startSimulator({ credentials: DAEMON_CREDS, tls: { key: await readFile(KEY), cert: await readFile(CERT) } });
  const arns = Array.from(
    { length: 12 },
    (_, i) => `arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-dddd-4bbb-8ccc-${String(i).padStart(12, '0')}`,
  );
  sim.putJobs(arns.map((arn, i) => ({ arn, name: `tls-${i}`, status: 'CREATE_IN_PROGRESS' })));
  const w = await workdir('tls-proxy');
  try {
    await w.writeConfig({
      aws: { region: 'us-east-1', endpoint: sim.url, maxAttempts: 1 },
      jobs: arns.map((arn) => ({ arn })),
      polling: { concurrency: 2, maxRequestsPerSecond: 100 },
      state: { dir: w.stateDir },
    });
    const once = await runCli(w, ['once', '--config', w.configPath], {
      HTTPS_PROXY: `https://monitor:${encodeURIComponent('pr0xy:pass')}@localhost:${proxy.port}`,
      NODE_EXTRA_CA_CERTS: CERT,
    });
    const out = once.stdout + once.stderr;
    assert.equal(once.code, 0, out);
    const { connections, requests } = sim.stats();
    assert.equal(requests.GetAudienceGenerationJob!.success, 12);
    assert.ok(proxy.tunnels.length >= 1 && proxy.tunnels.length <= 2, `12 calls in ${proxy.tunnels.length} tunnels`);
    assert.equal(connections, proxy.tunnels.length);
    assert.ok(proxy.tunnels.every((t) => t === `127.0.0.1:${sim.port}`));
    assert.ok(!out.includes('pr0xy'), 'the proxy password is never printed');
  } finally {
    await proxy.close();
    await sim.close();
  }
});
