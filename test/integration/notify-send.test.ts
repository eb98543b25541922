// send() over real sockets on 127.0.0.1 against the recording receiver.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import { send, type SendRequest } from '../../src/notify/send.js';
import { slack } from '../../src/targets/slack.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';

let rx: Receiver;
before(async () => {
  rx = await startReceiver();
});
after(async () => {
  await rx.close();
});

const SECRET_PATH = '/services/T000/B000/XXXXsecrettokenXXXX';
const req = (over: Partial<SendRequest> = {}): SendRequest => ({
  url: rx.url + SECRET_PATH,
  headers: { 'content-type': 'application/json', 'webhook-id': 'evt_1' },
  body: '{"hello":"world"}',
  timeoutMs: 2_000,
  allowHttp: true,
  allowPrivate: true,
  ...over,
});

function noSecret(reason: string): void {
  assert.ok(!reason.includes('secrettoken') && !reason.includes('/services/'), `reason leaks the URL: ${reason}`);
}

test('2xx: delivered; POST with headers and body as given', async () => {
  const n = rx.requests.length;
  const r = await send(req());
  assert.deepEqual(r, { outcome: 'delivered', status: 200 });
  const got = rx.requests[n]!;
  assert.equal(got.method, 'POST');
  assert.equal(got.path, SECRET_PATH);
  assert.equal(got.headers['webhook-id'], 'evt_1');
  assert.equal(got.headers['content-length'], String(Buffer.byteLength('{"hello":"world"}')));
  assert.equal(got.body, '{"hello":"world"}');
});

test('500: retryable with the status as the reason and a short body as the detail', async () => {
  rx.respond({ status: 500, body: 'boom' });
  const r = await send(req());
  assert.equal(r.outcome, 'retryable');
  assert.equal(r.outcome === 'retryable' && r.reason, 'HTTP 500');
  assert.equal(r.outcome === 'retryable' && r.detail, 'boom');
});

test('429 + Retry-After seconds, 503 + HTTP-date: retryable with retryAfterMs', async () => {
  rx.respond({ status: 429, headers: { 'retry-after': '2' }, body: 'rate_limited' });
  const r = await send(req());
  assert.ok(r.outcome === 'retryable' && r.retryAfterMs === 2000, JSON.stringify(r));
  const at = new Date(Date.now() + 30_000).toUTCString();
  rx.respond({ status: 503, headers: { 'retry-after': at } });
  const r2 = await send(req());
  assert.ok(r2.outcome === 'retryable' && r2.retryAfterMs! > 25_000 && r2.retryAfterMs! <= 30_000, JSON.stringify(r2));
  rx.respond({ status: 408 });
  assert.equal((await send(req())).outcome, 'retryable');
});

test('400 and 410: permanent', async () => {
  rx.respond({ status: 400, body: 'bad request' }, { status: 410, body: '' });
  const a = await send(req());
  const b = await send(req());
  assert.deepEqual(a, { outcome: 'permanent', status: 400, reason: 'HTTP 400', detail: 'bad request' });
  assert.deepEqual(b, { outcome: 'permanent', status: 410, reason: 'HTTP 410' });
});

test("Slack's plain-text errors, read by the Slack type, are permanent with the word as the reason", async () => {
  for (const [status, err] of [
    [400, 'invalid_payload'],
    [404, 'channel_not_found'],
    [410, 'channel_is_archived'],
    [404, 'no_service'],
    [403, 'invalid_token'],
  ] as const) {
    rx.respond({ status, body: err });
    const r = await send(req({ classify: slack.classify }));
    assert.deepEqual(r, { outcome: 'permanent', status, reason: `HTTP ${status}: ${err}` });
  }
});

test('redirects are refused, never followed (even to the metadata address)', async () => {
  const n = rx.requests.length;
  rx.respond(
    { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } },
    { status: 307, headers: { location: `${rx.url}/elsewhere` } },
  );
  assert.deepEqual(await send(req()), { outcome: 'permanent', status: 302, reason: 'redirect refused (HTTP 302)' });
  assert.deepEqual(await send(req()), { outcome: 'permanent', status: 307, reason: 'redirect refused (HTTP 307)' });
  assert.equal(rx.requests.length, n + 2, 'no follow-up request');
});

test('timeout: a held-open request ends as retryable within the timeout', async () => {
  rx.respond({ hold: true });
  const t0 = Date.now();
  const r = await send(req({ timeoutMs: 300 }));
  assert.deepEqual(r, { outcome: 'retryable', reason: 'timeout after 300 ms' });
  assert.ok(Date.now() - t0 < 2_000);
  rx.release();
});

test('network error (connection refused) is retryable and names no URL', async () => {
  const closed = await startReceiver();
  const url = closed.url + SECRET_PATH;
  await closed.close();
  const r = await send(req({ url }));
  assert.equal(r.outcome, 'retryable');
  assert.ok(r.outcome === 'retryable' && /network error ECONNREFUSED/.test(r.reason));
  noSecret(r.outcome === 'retryable' ? r.reason : '');
});

test('at most 64 KiB of a response body is read; reasons are short and scrubbed of the URL', async () => {
  rx.respond({ status: 400, body: `${SECRET_PATH} ${'x'.repeat(2 * 1024 * 1024)}` });
  const r = await send(req());
  assert.equal(r.outcome, 'permanent');
  assert.ok(r.outcome === 'permanent' && r.reason.length < 260);
  noSecret(r.outcome === 'permanent' ? r.reason : '');
});

test('metadata literals are refused without connecting: 169.254.169.254, [::ffff:169.254.169.254], [fd00:ec2::254]', async () => {
  for (const host of [
    '169.254.169.254',
    '[::ffff:169.254.169.254]',
    '[::ffff:a9fe:a9fe]',
    '[fd00:ec2::254]',
    '169.254.170.23',
    '[64:ff9b::a9fe:a9fe]',
  ]) {
    const t0 = Date.now();
    const r = await send(req({ url: `http://${host}/latest/meta-data/iam`, allowHttp: true, allowPrivate: true }));
    assert.equal(r.outcome, 'permanent', host);
    assert.match(r.outcome === 'permanent' ? r.reason : '', /^address refused: .*(metadata|link-local)/, host);
    assert.ok(Date.now() - t0 < 200, `${host} refused immediately`);
  }
});

test('a name resolving to a metadata address is refused after DNS; a name resolving to loopback is used', async () => {
  let asked = 0;
  const resolve = async (h: string) => {
    asked += 1;
    if (h === 'evil.example') return [{ address: '169.254.169.254', family: 4 }];
    if (h === 'rebind.example')
      return [
        { address: '127.0.0.1', family: 4 },
        { address: '::ffff:169.254.169.254', family: 6 },
      ];
    return [{ address: '127.0.0.1', family: 4 }];
  };
  const before = rx.connections();
  const evil = await send(req({ url: `http://evil.example:${rx.port}/x` }), { resolve });
  assert.equal(evil.outcome, 'permanent');
  assert.match(
    evil.outcome === 'permanent' ? evil.reason : '',
    /address refused: link-local or cloud metadata .*resolved from evil\.example/,
  );
  const rebind = await send(req({ url: `http://rebind.example:${rx.port}/x` }), { resolve });
  assert.equal(rebind.outcome, 'permanent');
  assert.equal(rx.connections(), before, 'never connected');
  const n = rx.requests.length;
  const ok = await send(req({ url: `http://sink.test:${rx.port}/x` }), { resolve });
  assert.deepEqual(ok, { outcome: 'delivered', status: 200 });
  assert.equal(rx.requests[n]?.headers.host, `sink.test:${rx.port}`);
  assert.equal(asked, 3);
});

test('http is refused without allowHttp; loopback and private are refused unless allowed', async () => {
  const before = rx.connections();
  assert.deepEqual(await send(req({ allowHttp: false })), {
    outcome: 'permanent',
    reason: 'http refused (https required unless allowHttp: true)',
  });
  const r = await send(req({ url: `https://127.0.0.1:${rx.port}/x`, allowHttp: false, allowPrivate: false }));
  assert.match(r.outcome === 'permanent' ? r.reason : '', /address refused: loopback/);
  const p = await send(req({ url: `https://10.0.0.1/x`, allowHttp: false, allowPrivate: false }));
  assert.match(p.outcome === 'permanent' ? p.reason : '', /address refused: private/);
  const viaDns = await send(req({ url: `https://localhost:${rx.port}/x`, allowHttp: false, allowPrivate: false }), {
    resolve: async () => [{ address: '127.0.0.1', family: 4 }],
  });
  assert.match(viaDns.outcome === 'permanent' ? viaDns.reason : '', /address refused: loopback/);
  assert.equal(rx.connections(), before);
  // allowHttp does not permit private addresses by itself (the config defaults allowPrivate to allowHttp).
  assert.equal((await send(req({ allowHttp: true, allowPrivate: false }))).outcome, 'permanent');
});

test('a resolver that never answers: the delivery is retryable after the DNS bound, nothing is sent', async () => {
  const n = rx.requests.length;
  const host = `never-answers.example:${rx.port}`;
  const t0 = Date.now();
  const r = await send(req({ url: `http://${host}${SECRET_PATH}` }), { resolve: () => new Promise(() => {}), dnsTimeoutMs: 150 });
  const ms = Date.now() - t0;
  assert.ok(r.outcome === 'retryable', r.outcome);
  assert.match(r.reason, /DNS lookup timed out after 150 ms/);
  assert.ok(ms >= 140 && ms < 2_000, `${ms} ms`);
  assert.equal(rx.requests.length, n, 'nothing reached the receiver');
  noSecret(r.reason);
});

test('a name resolving to the receiver is sent to the checked address (no second resolution)', async () => {
  const n = rx.requests.length;
  let lookups = 0;
  const r = await send(req({ url: `http://hooks.test:${rx.port}${SECRET_PATH}` }), {
    resolve: async () => {
      lookups++;
      return [{ address: '127.0.0.1', family: 4 }];
    },
    env: {},
  });
  assert.deepEqual(r, { outcome: 'delivered', status: 200 });
  assert.equal(lookups, 1);
  assert.equal(rx.requests[n]!.headers.host, `hooks.test:${rx.port}`);
});
