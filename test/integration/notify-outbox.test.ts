// The outbox worker over real sockets on 127.0.0.1 with real time (short delays).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parseTarget, type TargetInput } from '../helpers/targets.js';
import { createOutboxWorker, type OutboxWorkerOptions, type WorkerTarget } from '../../src/notify/outbox.js';
import { route } from '../../src/notify/route.js';
import { systemClock } from '../../src/clock.js';
import type { OutboxEntry } from '../../src/state/types.js';
import { MemoryOutbox } from '../helpers/memory-outbox.js';
import { startReceiver, type Receiver } from '../helpers/receiver.js';
import { change, entryFor, ARN } from '../helpers/notify-fixtures.js';

const SECRET = `whsec_${Buffer.alloc(32, 3).toString('base64')}`;
const PATH = '/hooks/secret-path-token';
const ARN_B = ARN.replace(/1$/, '2');

function tgt(rx: Receiver, over: Partial<TargetInput> = {}): WorkerTarget {
  return parseTarget({
    name: 'audit',
    type: 'webhook',
    url: rx.url + PATH,
    statuses: ['ACTIVE'],
    allowHttp: true,
    timeoutMs: 2000,
    secret: SECRET,
    ...over,
  });
}
function ev(target: string, to: string, arn = ARN, updateTime = 1_000): OutboxEntry {
  const now = Date.now();
  return { ...entryFor(target, change('CREATE_PENDING', to, { arn, updateTime })), createdAt: now, nextAttemptAt: now };
}
function worker(store: MemoryOutbox, targets: WorkerTarget[], over: Partial<OutboxWorkerOptions> = {}, lines: string[] = []) {
  return createOutboxWorker({
    store,
    targets,
    clock: systemClock,
    baseDelayMs: 50,
    maxDelayMs: 200,
    log: pino({ level: 'debug' }, { write: (s: string) => void lines.push(s) }),
    ...over,
  });
}
const idOf = (r: { headers: Record<string, unknown> }) => r.headers['webhook-id'];
const until = async (cond: () => boolean, ms = 5000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
};

test('per-job order under retries; signatures verify on every attempt with the same id', async () => {
  const rx = await startReceiver();
  const a1 = ev('audit', 'CREATE_IN_PROGRESS', ARN, 1);
  const a2 = ev('audit', 'ACTIVE', ARN, 2);
  const b1 = ev('audit', 'ACTIVE', ARN_B, 3);
  let a1Failures = 2;
  rx.setDefault((r) => (idOf(r) === a1.id && a1Failures-- > 0 ? { status: 500, body: 'try later' } : { status: 204 }));
  const store = new MemoryOutbox();
  store.add(a1, a2, b1);
  // Retries 300+ ms apart, sends 1 ms apart: job B's event must slip in between A's attempts.
  const w = worker(store, [tgt(rx, { ratePerSecond: 1000 })], { baseDelayMs: 300, maxDelayMs: 600 });
  w.start();
  await until(() => store.pending().length === 0);
  await w.stop(1000);
  await rx.close();
  const ids = rx.requests.map(idOf);
  assert.equal(ids.filter((i) => i === a1.id).length, 3);
  assert.ok(ids.lastIndexOf(a1.id) < ids.indexOf(a2.id), 'ACTIVE never before CREATE_IN_PROGRESS');
  assert.ok(ids.indexOf(b1.id) < ids.lastIndexOf(a1.id), 'another job did not wait for the failing one');
  for (const r of rx.requests) assert.deepEqual(rx.verify(r, [SECRET]), { ok: true });
});

test('a target holding requests open does not delay another target', async () => {
  const slow = await startReceiver();
  const fast = await startReceiver();
  slow.setDefault({ hold: true });
  const store = new MemoryOutbox();
  for (let i = 0; i < 3; i++)
    store.add(ev('slow', 'ACTIVE', ARN.replace(/1$/, String(i))), ev('fast', 'ACTIVE', ARN.replace(/1$/, String(i))));
  const w = worker(store, [tgt(slow, { name: 'slow', timeoutMs: 3000 }), tgt(fast, { name: 'fast' })]);
  const t0 = Date.now();
  w.start();
  await fast.waitFor(3, 2000);
  assert.ok(Date.now() - t0 < 1000, `fast target served in ${Date.now() - t0} ms`);
  await w.stop(100);
  await slow.close();
  await fast.close();
});

test('400/410: dead-lettered with the reason, no tight loop; URL redacted everywhere', async () => {
  const rx = await startReceiver();
  rx.setDefault({ status: 410, body: `gone: ${PATH}` });
  const store = new MemoryOutbox();
  const lines: string[] = [];
  const outcomes: string[] = [];
  store.add(ev('audit', 'ACTIVE'));
  const w = worker(store, [tgt(rx)], { onOutcome: (_t, o) => outcomes.push(o) }, lines);
  w.start();
  await until(() => store.deadLetters().length === 1);
  await new Promise((r) => setTimeout(r, 300));
  await w.stop(1000);
  await rx.close();
  assert.equal(rx.requests.length, 1, 'a permanent failure is not retried');
  const dead = store.deadLetters()[0]!;
  assert.equal(dead.reason, 'HTTP 410: gone: [redacted]');
  assert.deepEqual(outcomes, ['failed', 'dead_lettered']);
  const all = lines.join('\n') + JSON.stringify(store.deadLetters());
  assert.ok(!all.includes('secret-path-token'), 'no URL path in logs or dead letters');
  assert.ok(!all.includes(SECRET.slice(6)), 'no secret');
  assert.match(lines.join('\n'), new RegExp(`"endpoint":"http://127.0.0.1:${rx.port}"`));
});

test('Slack-style 429 with Retry-After: 1 during a burst: nothing before it, about one per second', async () => {
  const rx = await startReceiver();
  rx.respond({ status: 429, headers: { 'retry-after': '1' }, body: 'rate_limited' });
  const store = new MemoryOutbox();
  for (let i = 0; i < 4; i++) store.add(ev('slack', 'ACTIVE', ARN.replace(/1$/, String(i))));
  const w = worker(store, [tgt(rx, { name: 'slack', type: 'slack', secret: undefined })]);
  w.start();
  await until(() => store.pending().length === 0, 8000);
  await w.stop(1000);
  await rx.close();
  const at = rx.requests.map((r) => r.at);
  assert.equal(at.length, 5);
  assert.ok(at[1]! - at[0]! >= 990, `re-sent ${at[1]! - at[0]!} ms after a Retry-After: 1`);
  for (let i = 2; i < at.length; i++) assert.ok(at[i]! - at[i - 1]! >= 950, `spacing ${at[i]! - at[i - 1]!} ms`);
  const body = JSON.parse(rx.requests[1]!.body);
  assert.ok(Array.isArray(body.blocks) && typeof body.text === 'string' && typeof body.attachments[0].color === 'string');
});

test('with the real journal store: delivered entries leave the outbox, attempts survive a reopen', async (t) => {
  let mod: typeof import('../../src/state/store.js');
  try {
    mod = await import('../../src/state/store.js');
  } catch {
    t.skip('src/state/store.ts not available');
    return;
  }
  const dir = await mkdtemp(join(tmpdir(), 'notify-store-'));
  const rx = await startReceiver();
  rx.respond({ status: 503 });
  const log = pino({ level: 'silent' });
  try {
    let store = await mod.openStateStore({ dir, clock: systemClock, log });
    const transitions = [
      change('CREATE_PENDING', 'CREATE_IN_PROGRESS', { updateTime: 1 }),
      change('CREATE_IN_PROGRESS', 'ACTIVE', { updateTime: 2 }),
    ];
    const enqueue = route(transitions, [tgt(rx, { statuses: ['CREATE_IN_PROGRESS', 'ACTIVE'] })], {
      notifyOnFirstSeenTerminal: false,
      now: Date.now(),
    });
    await store.commit({ upsert: [], remove: [], enqueue });
    const w = createOutboxWorker({ store, targets: [tgt(rx)], clock: systemClock, log, baseDelayMs: 50, maxDelayMs: 100 });
    w.start();
    await until(() => store.pending().length === 0);
    await w.stop(1000);
    await store.close();
    assert.deepEqual(rx.requests.map(idOf), [enqueue[0]!.id, enqueue[0]!.id, enqueue[1]!.id]);
    store = await mod.openStateStore({ dir, clock: systemClock, log });
    assert.equal(store.pending().length, 0, 'nothing to send again after a restart');
    await store.close();
  } finally {
    await rx.close();
    await rm(dir, { recursive: true, force: true });
  }
});
