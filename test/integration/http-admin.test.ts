// The two listeners over real HTTP on 127.0.0.1: the JSON API lives on the admin listener only;
// forged state-changing requests (a web page's text/plain POST, a rebinding Host, any Origin) are
// refused; slow and numerous clients are cut off on both listeners (timeouts injected small).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { startHttpServer, type HttpLimits, type RunningHttpServer } from '../../src/http/server.js';
import { adminHostAllowed } from '../../src/http/admin-address.js';
import { createLogger } from '../../src/log.js';

interface Reply {
  status: number;
  body: string;
}

function request(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: opts.method ?? 'GET', headers: opts.headers ?? {}, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

async function start(limits: { main?: Partial<HttpLimits>; admin?: Partial<HttpLimits> } = {}) {
  const retried: Array<string[] | 'all'> = [];
  const discarded: Array<string[] | 'all'> = [];
  const srv = await startHttpServer(
    { host: '127.0.0.1', port: 0, admin: { enabled: true, host: '127.0.0.1', port: 0 } },
    {
      metrics: async () => ({ value: ['# nothing\n'], release: () => {} }),
      metricsContentType: 'text/plain; version=0.0.4; charset=utf-8',
      readiness: () => ({ ready: true, reasons: [] }),
      resources: { resources: () => ({ resources: [], unseen: [] }), resource: () => undefined, now: () => Date.now() },
      jobs: () => ({ jobs: [{ arn: 'arn:secret-job' }] }),
      outbox: () => ({ pending: [], deadLetters: [{ id: 'evt_1' }] }),
      retryDeadLetters: async (ids) => {
        retried.push(ids);
        return 9;
      },
      discardDeadLetters: async (ids) => {
        discarded.push(ids);
        return 9;
      },
      log: createLogger({ level: 'silent' }),
    },
    limits,
  );
  return { srv, retried, discarded };
}

const hostOf = (url: string) => new URL(url).host;

test('the JSON API is on the admin listener only; the main listener serves /metrics /healthz /readyz', async () => {
  const { srv, retried } = await start();
  try {
    assert.ok(srv.adminUrl !== undefined && srv.adminUrl !== srv.url);
    for (const p of ['/metrics', '/healthz', '/readyz']) assert.equal((await request(`${srv.url}${p}`)).status, 200, p);
    for (const p of ['/api/jobs', '/api/outbox']) {
      const r = await request(`${srv.url}${p}`);
      assert.equal(r.status, 404, p);
      assert.match(r.body, /admin listener/);
    }
    const post = await request(`${srv.url}/api/outbox/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"all":true}',
    });
    assert.equal(post.status, 405);
    assert.equal((await request(`${srv.adminUrl}/metrics`)).status, 404, 'no metrics on the admin listener');
    const jobs = await fetch(`${srv.adminUrl}/api/jobs`);
    assert.equal(jobs.status, 200);
    assert.deepEqual(await jobs.json(), { jobs: [{ arn: 'arn:secret-job' }] });
    // What the CLI sends (fetch, JSON) is accepted.
    const ok = await fetch(`${srv.adminUrl}/api/outbox/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"all":true}',
    });
    assert.equal(ok.status, 200);
    assert.deepEqual(await ok.json(), { requeued: 9 });
    assert.deepEqual(retried, ['all']);
  } finally {
    await srv.close();
  }
});

test('forged admin requests are refused: text/plain, a foreign Host, any Origin; nothing is re-queued or discarded', async () => {
  const { srv, retried, discarded } = await start();
  try {
    const url = `${srv.adminUrl}/api/outbox/retry`;
    const own = hostOf(srv.adminUrl!);
    const port = new URL(srv.adminUrl!).port;
    const cases: Array<[string, Record<string, string>, number]> = [
      ['the reported attack', { 'content-type': 'text/plain', host: 'evil.example', origin: 'http://evil.example' }, 403],
      ['text/plain (an HTML form or a no-preflight fetch)', { 'content-type': 'text/plain', host: own }, 415],
      ['form encoded', { 'content-type': 'application/x-www-form-urlencoded', host: own }, 415],
      ['no content type', { host: own }, 415],
      ['DNS rebinding: Host evil.example', { 'content-type': 'application/json', host: `evil.example:${port}` }, 421],
      ['Host 127.0.0.1.nip.io', { 'content-type': 'application/json', host: `127.0.0.1.nip.io:${port}` }, 421],
      ['Host localhost.evil.example', { 'content-type': 'application/json', host: 'localhost.evil.example' }, 421],
      ['an Origin, even a local one', { 'content-type': 'application/json', host: own, origin: `http://${own}` }, 403],
      ['Origin null (sandboxed page)', { 'content-type': 'application/json', host: own, origin: 'null' }, 403],
    ];
    for (const [what, headers, status] of cases) {
      const r = await request(url, { method: 'POST', headers, body: '{"all":true}' });
      assert.equal(r.status, status, what);
      const d = await request(`${srv.adminUrl}/api/outbox/discard`, { method: 'POST', headers, body: '{"all":true}' });
      assert.equal(d.status, status, `discard: ${what}`);
    }
    // Reads are guarded the same way: a rebinding page must not read job names or reasons.
    assert.equal((await request(`${srv.adminUrl}/api/outbox`, { headers: { host: `evil.example:${port}` } })).status, 421);
    assert.equal((await request(`${srv.adminUrl}/api/jobs`, { headers: { origin: 'http://evil.example' } })).status, 403);
    assert.deepEqual(retried, [], 'no forged request re-queued anything');
    assert.deepEqual(discarded, [], 'no forged request discarded anything');
    // Any port: `kubectl port-forward 19465:9465` sends the local one.
    for (const host of [own, `localhost:${port}`, `[::1]:${port}`, `LOCALHOST:${port}`, 'localhost:19465', 'localhost']) {
      assert.equal(
        (
          await request(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json; charset=utf-8', host },
            body: '{"ids":["evt_1"]}',
          })
        ).status,
        200,
        host,
      );
    }
    assert.equal(retried.length, 6);
  } finally {
    await srv.close();
  }
});

test('adminHostAllowed: loopback names or the configured host', () => {
  assert.equal(adminHostAllowed('127.0.0.1:9465', '127.0.0.1'), true);
  assert.equal(adminHostAllowed('monitor.local:9465', 'monitor.local'), true);
  assert.equal(adminHostAllowed('10.0.0.5:9465', '0.0.0.0'), false, 'a wildcard bind does not make every name ours');
  assert.equal(adminHostAllowed('[::1]:80', '::1'), true);
  assert.equal(adminHostAllowed('localhost', '127.0.0.1'), true);
  for (const h of [
    undefined,
    '',
    'evil.example:9465',
    'localhost.evil.example:9465',
    '127.0.0.1:9465@evil',
    '127.0.0.1:09465x',
    '127.0.0.1.nip.io',
  ]) {
    assert.equal(adminHostAllowed(h, '127.0.0.1'), false, String(h));
  }
});

/** Opens a raw socket and reports when the server closes it (ms after open), and what it answered. */
function rawSocket(url: string): Promise<{ socket: net.Socket; closed: Promise<{ afterMs: number; data: string }> }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    let data = '';
    const socket = net.connect(Number(port), hostname, () => resolve({ socket, closed }));
    const closed = new Promise<{ afterMs: number; data: string }>((done) => {
      socket.on('data', (c: Buffer) => (data += c.toString()));
      socket.on('close', () => done({ afterMs: Date.now() - t0, data }));
      socket.on('error', () => {});
    });
    socket.once('error', reject);
  });
}

/** Writes `text` one byte every `everyMs` until the socket closes. */
function trickle(socket: net.Socket, text: string, everyMs: number): void {
  let i = 0;
  const timer = setInterval(() => {
    if (socket.destroyed || i >= text.length) return clearInterval(timer);
    socket.write(text[i++]!);
  }, everyMs);
  socket.on('close', () => clearInterval(timer));
}

const SMALL: Partial<HttpLimits> = {
  headersTimeoutMs: 300,
  requestTimeoutMs: 600,
  keepAliveTimeoutMs: 300,
  idleTimeoutMs: 1_000,
  checkIntervalMs: 50,
  maxConnections: 3,
};

test('slow clients are cut off on both listeners: trickled headers, a trickled body, idle sockets; connections are capped', async () => {
  const { srv, retried } = await start({ main: SMALL, admin: SMALL });
  try {
    for (const base of [srv.url, srv.adminUrl!]) {
      // Headers one byte every 50 ms (they would take ~5 s): cut at headersTimeout with 408.
      const h = await rawSocket(base);
      trickle(h.socket, `GET /healthz HTTP/1.1\r\nHost: ${hostOf(base)}\r\nX-Pad: ${'a'.repeat(80)}\r\n\r\n`, 50);
      const hc = await h.closed;
      assert.ok(hc.afterMs < 1_500, `${base}: trickled headers held the socket ${hc.afterMs} ms`);
      assert.match(hc.data, /^HTTP\/1\.1 408/, base);

      // A socket that sends nothing at all.
      const idle = await rawSocket(base);
      const ic = await idle.closed;
      assert.ok(ic.afterMs < 2_000, `${base}: an idle socket was held ${ic.afterMs} ms`);
    }

    // A body announced as 100 bytes, sent one byte every 50 ms: cut at requestTimeout.
    const b = await rawSocket(srv.adminUrl!);
    b.socket.write(
      `POST /api/outbox/retry HTTP/1.1\r\nHost: ${hostOf(srv.adminUrl!)}\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n`,
    );
    trickle(b.socket, `{"all":true${' '.repeat(88)}}`, 50);
    const bc = await b.closed;
    assert.ok(bc.afterMs < 2_000, `a trickled body held the socket ${bc.afterMs} ms`);
    assert.match(bc.data, /^HTTP\/1\.1 408/);

    // A body larger than the cap is refused without reading it all.
    const big = await request(`${srv.adminUrl}/api/outbox/retry`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"ids":[${'"evt_1",'.repeat(4000)}"evt_2"]}`,
    }).catch((e: Error) => ({ status: -1, body: e.message }));
    assert.ok(big.status === 413 || big.status === -1, `oversized body: ${big.status}`);
    assert.deepEqual(retried, []);

    // maxConnections: 3 open sockets; the 4th is closed at once, and served again once they go.
    for (const base of [srv.url, srv.adminUrl!]) {
      const held = await Promise.all([rawSocket(base), rawSocket(base), rawSocket(base)]);
      await new Promise((r) => setTimeout(r, 50));
      const extra = await rawSocket(base);
      const ec = await extra.closed;
      assert.ok(ec.afterMs < 200 && ec.data === '', `${base}: the 4th connection was kept ${ec.afterMs} ms`);
      for (const s of held) s.socket.destroy();
      await new Promise((r) => setTimeout(r, 50));
      const path = base === srv.url ? '/healthz' : '/api/jobs';
      assert.equal((await request(`${base}${path}`)).status, 200, `${base} serves again`);
    }
  } finally {
    await srv.close();
  }
});

test('production limits: every timeout is set and bounded on both listeners', async () => {
  const { MAIN_LIMITS, ADMIN_LIMITS } = await import('../../src/http/server.js');
  for (const l of [MAIN_LIMITS, ADMIN_LIMITS]) {
    assert.ok(l.headersTimeoutMs > 0 && l.headersTimeoutMs <= l.requestTimeoutMs && l.requestTimeoutMs <= 30_000);
    assert.ok(l.checkIntervalMs <= 1_000 && l.maxConnections > 0 && l.maxConnections <= 128 && l.maxBodyBytes <= 64 * 1024);
    assert.ok(l.idleTimeoutMs > 0 && l.keepAliveTimeoutMs > 0);
  }
  const srv: RunningHttpServer = (await start()).srv;
  await srv.close();
});

test('server.admin.enabled: false serves no JSON API at all', async () => {
  const srv = await startHttpServer(
    { host: '127.0.0.1', port: 0, admin: { enabled: false, host: '127.0.0.1', port: 0 } },
    {
      metrics: async () => ({ value: [''], release: () => {} }),
      metricsContentType: 'text/plain',
      readiness: () => ({ ready: true, reasons: [] }),
      resources: { resources: () => assert.fail('not reachable'), resource: () => assert.fail('not reachable'), now: () => 0 },
      jobs: () => ({ jobs: [] }),
      outbox: () => ({}),
      retryDeadLetters: async () => assert.fail('not reachable'),
      discardDeadLetters: async () => assert.fail('not reachable'),
      log: createLogger({ level: 'silent' }),
    },
  );
  try {
    assert.equal(srv.adminUrl, undefined);
    for (const p of ['/api/jobs', '/api/resources', '/static/page.js']) assert.equal((await request(`${srv.url}${p}`)).status, 404, p);
    assert.doesNotMatch((await request(`${srv.url}/`)).body, /<html/i, 'no status page on the main listener');
    assert.equal((await request(`${srv.url}/healthz`)).status, 200);
  } finally {
    await srv.close();
  }
});
