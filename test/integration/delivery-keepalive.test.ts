// Notification deliveries on kept-alive connections, behind the address guard: a pooled socket is
// reused only by a delivery whose guard passed the same addresses, so a name that resolves
// elsewhere (DNS rebinding included) gets a new connection to the new, checked address, and a
// name that now resolves to a forbidden address is refused though a socket to it is pooled. Two
// receivers on 127.0.0.1 and 127.0.0.2 (both loopback) stand for the name's two answers.
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { send, type SendRequest } from '../../src/notify/send.js';

interface Rx {
  server: http.Server;
  connections: number;
  requests: Array<{ host: string; remote: string }>;
  /** Reset a request that arrives on a connection that already served one (a connection the server dropped while idle). */
  resetReused: boolean;
}

async function receiver(host: string, port: number): Promise<Rx> {
  const rx: Rx = { server: http.createServer(), connections: 0, requests: [], resetReused: false };
  const served = new WeakSet<Socket>();
  rx.server.on('connection', () => rx.connections++);
  rx.server.on('request', (req, res) => {
    if (rx.resetReused && served.has(req.socket)) return req.socket.resetAndDestroy();
    served.add(req.socket);
    req.resume();
    req.on('end', () => {
      rx.requests.push({ host: req.headers.host ?? '', remote: req.socket.remoteAddress ?? '' });
      res.end('ok');
    });
  });
  await new Promise<void>((resolve, reject) => {
    rx.server.once('error', reject);
    rx.server.listen(port, host, () => resolve());
  });
  return rx;
}

let a: Rx;
let b: Rx;
let port = 0;
before(async () => {
  // The same port on both addresses, as one name's two answers would be.
  for (let tries = 0; ; tries++) {
    a = await receiver('127.0.0.1', 0);
    port = (a.server.address() as AddressInfo).port;
    try {
      b = await receiver('127.0.0.2', port);
      break;
    } catch (err) {
      a.server.close();
      if (tries > 20) throw err;
    }
  }
});
after(() => {
  for (const rx of [a, b]) {
    rx.server.closeAllConnections();
    rx.server.close();
  }
});

let answer: string[] = [];
const resolve = async (): Promise<LookupAddress[]> => answer.map((address) => ({ address, family: 4 }));
const req = (over: Partial<SendRequest> = {}): SendRequest => ({
  url: `http://hooks.example.test:${port}/hook`,
  headers: { 'content-type': 'application/json', 'webhook-id': 'evt_keepalive' },
  body: '{}',
  timeoutMs: 2_000,
  allowHttp: true,
  allowPrivate: true,
  ...over,
});
const deliver = (over: Partial<SendRequest> = {}) => send(req(over), { resolve, env: {} });

test('a pooled socket serves only deliveries whose guard checked the same addresses', async () => {
  answer = ['127.0.0.1'];
  assert.equal((await deliver()).outcome, 'delivered');
  assert.equal((await deliver()).outcome, 'delivered');
  assert.equal(a.connections, 1, 'two deliveries, one kept-alive connection');
  assert.equal(a.requests[0]!.host, `hooks.example.test:${port}`);

  // The name now resolves elsewhere: a new connection to the new address, not the pooled one.
  answer = ['127.0.0.2'];
  assert.equal((await deliver()).outcome, 'delivered');
  assert.equal(b.requests.length, 1);
  assert.equal(b.requests[0]!.remote, '127.0.0.1', 'reached the 127.0.0.2 receiver');
  assert.equal(a.requests.length, 2, 'nothing more on the old address');

  // Back to the first answer: its pooled socket is reused again.
  answer = ['127.0.0.1'];
  assert.equal((await deliver()).outcome, 'delivered');
  assert.equal(a.requests.length, 3);
  assert.equal(a.connections, 1);

  // Every delivery is checked, pooled sockets or not: a metadata answer (alone or mixed in) and
  // a target no longer allowed private addresses are refused before anything is sent.
  for (const bad of [['169.254.169.254'], ['127.0.0.1', '169.254.169.254']]) {
    answer = bad;
    const r = await deliver();
    assert.equal(r.outcome, 'permanent');
    assert.match(r.outcome === 'permanent' ? r.reason : '', /address refused: link-local or cloud metadata/);
  }
  answer = ['127.0.0.1'];
  const refused = await deliver({ allowPrivate: false });
  assert.equal(refused.outcome, 'permanent');
  assert.equal(a.requests.length, 3, 'no refused delivery reached a receiver');
  assert.equal(a.connections, 1);
});

test('a delivery whose pooled socket the receiver dropped while idle is sent again at once on a new one', async () => {
  answer = ['127.0.0.2'];
  b.resetReused = true;
  try {
    const before = b.connections;
    assert.equal((await deliver()).outcome, 'delivered', 'the first one may reuse the socket of the previous test');
    assert.equal((await deliver()).outcome, 'delivered');
    assert.ok(b.connections - before >= 2, `each reused socket was reset, each delivery went out again: ${b.connections - before}`);
  } finally {
    b.resetReused = false;
  }
});
