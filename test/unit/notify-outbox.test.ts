// The outbox worker with a fake clock, fake timers and a scripted send: deterministic, no sockets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import { createOutboxWorker, type OutboxWorkerOptions, type WorkerTarget } from '../../src/notify/outbox.js';
import type { SendRequest, SendResult } from '../../src/notify/send.js';
import type { OutboxEntry } from '../../src/state/types.js';
import { MemoryOutbox } from '../helpers/memory-outbox.js';
import { fakeTime } from '../helpers/fake-time.js';
import { change, entryFor, ARN, COLLABORATION, MODEL, T0 } from '../helpers/notify-fixtures.js';
import { parseTarget, type TargetInput } from '../helpers/targets.js';
import { resourceEventFromJobEvent } from '../../src/state/legacy-job.js';
import { createRng } from '../../src/dev/sim/prng.js';

const HOOK = 'https://hooks.example.com/services/T0/B0/sekrit-token';
const target = (over: Partial<TargetInput> = {}): WorkerTarget =>
  parseTarget({
    name: 'audit',
    type: 'webhook',
    url: HOOK,
    statuses: ['ACTIVE'],
    allowHttp: false,
    timeoutMs: 1000,
    ...over,
  });

const ARN_B = ARN.replace(/1$/, '2');
function ev(target: string, to: string, arn = ARN, updateTime = T0 + 60_000): OutboxEntry {
  return entryFor(target, change('CREATE_PENDING', to, { arn, updateTime }));
}

interface Call {
  at: number;
  req: SendRequest;
  id: string;
}

function harness(
  over: Partial<OutboxWorkerOptions> = {},
  script: (c: Call) => SendResult | Promise<SendResult> = () => ({ outcome: 'delivered', status: 200 }),
) {
  const time = fakeTime(T0);
  const store = new MemoryOutbox();
  const calls: Call[] = [];
  const outcomes: string[] = [];
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'debug' }, { write: (s: string) => void lines.push(JSON.parse(s)) });
  const worker = createOutboxWorker({
    store,
    targets: [target()],
    clock: time.clock,
    log,
    timers: time.timers,
    random: () => 1,
    baseDelayMs: 1000,
    maxDelayMs: 60_000,
    send: async (req) => {
      const c = { at: time.clock.now(), req, id: req.headers['webhook-id'] ?? JSON.parse(req.body).text };
      calls.push(c);
      return script(c);
    },
    onOutcome: (t, o) => outcomes.push(`${t}:${o}`),
    ...over,
  });
  return { time, store, calls, outcomes, lines, worker };
}

test('delivers, marks delivered, one log line with redacted endpoint and no secret', async () => {
  const h = harness();
  const e = ev('audit', 'ACTIVE');
  h.store.add(e);
  h.worker.start();
  await h.time.settle();
  assert.equal(h.calls.length, 1);
  assert.equal(h.calls[0]?.req.headers['webhook-id'], e.id);
  assert.equal(h.store.pending().length, 0);
  assert.deepEqual(h.store.ops, [{ op: 'delivered', id: e.id }]);
  assert.deepEqual(h.outcomes, ['audit:delivered']);
  const line = h.lines.find((l) => l['msg'] === 'notification delivered');
  assert.ok(line);
  assert.equal(line['endpoint'], 'https://hooks.example.com');
  assert.equal(line['arn'], ARN);
  assert.equal(line['eventId'], e.id);
  assert.equal(line['attempt'], 1);
  assert.equal(line['httpStatus'], 200);
  assert.ok(!JSON.stringify(h.lines).includes('sekrit'));
});

test('an entry of an older release (the job event shape of old) is delivered with the body of today', async () => {
  const h = harness();
  const job = {
    arn: ARN,
    name: 'lookalike-q3',
    status: 'CREATE_FAILED',
    createTime: T0,
    updateTime: T0 + 60_000,
    configuredAudienceModelArn: MODEL,
    collaborationId: COLLABORATION,
    statusDetails: { statusCode: 'INSUFFICIENT_SEED', message: 'too few' },
    metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.5 }] },
    detail: 'full' as const,
  };
  const old: OutboxEntry = {
    id: 'evt_0123456789abcdef0123456789abcdef',
    target: 'audit',
    event: resourceEventFromJobEvent({
      type: 'audience_generation_job.status_changed',
      transition: 'status_changed',
      arn: ARN,
      name: job.name,
      previousStatus: 'CREATE_IN_PROGRESS',
      status: 'CREATE_FAILED',
      updateTime: job.updateTime,
      observedAt: job.updateTime + 5_000,
      job,
    }),
    createdAt: T0,
    attempts: 0,
    nextAttemptAt: T0,
  };
  h.store.add(old);
  h.worker.start();
  await h.time.settle();
  assert.equal(h.calls.length, 1);
  assert.equal(h.calls[0]?.req.headers['webhook-id'], old.id);
  const body = JSON.parse(h.calls[0]!.req.body);
  assert.equal(body.type, 'audience_generation_job.status_changed');
  assert.equal(body.id, old.id);
  assert.equal(body.data.kind, 'audienceGenerationJob');
  assert.equal(body.data.statusCode, 'INSUFFICIENT_SEED');
  assert.equal(body.data.message, 'too few');
  assert.deepEqual(body.data.job.metrics, { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.5 }] });
  assert.equal(body.data.job.collaborationId, COLLABORATION);
  assert.equal(body.data.job.createTime, new Date(T0).toISOString());
  assert.deepEqual(h.outcomes, ['audit:delivered']);
});

test('retryable: attempt recorded durably with backoff before the next send; same id on retry', async () => {
  let n = 0;
  const h = harness({}, () =>
    ++n === 1 ? { outcome: 'retryable', status: 500, reason: 'HTTP 500' } : { outcome: 'delivered', status: 200 },
  );
  const e = ev('audit', 'ACTIVE');
  h.store.add(e);
  h.worker.start();
  await h.time.settle();
  assert.deepEqual(h.store.ops, [{ op: 'attempt', id: e.id, attempts: 1, nextAttemptAt: T0 + 1000, lastError: 'HTTP 500' }]);
  await h.time.advance(999);
  assert.equal(h.calls.length, 1, 'not before the backoff');
  await h.time.advance(1);
  assert.equal(h.calls.length, 2);
  assert.equal(h.calls[1]?.req.headers['webhook-id'], e.id);
  assert.notEqual(h.calls[1]?.req.headers['webhook-timestamp'], undefined);
  assert.deepEqual(h.outcomes, ['audit:retried', 'audit:delivered']);
});

test('per job in order: a later event waits for the earlier one; other jobs proceed', async () => {
  let failures = 2;
  const h = harness({}, (c) =>
    c.id === first.id && failures-- > 0
      ? { outcome: 'retryable', reason: 'network error ECONNRESET' }
      : { outcome: 'delivered', status: 200 },
  );
  const first = ev('audit', 'CREATE_IN_PROGRESS', ARN, T0 + 1);
  const second = ev('audit', 'ACTIVE', ARN, T0 + 2);
  const other = ev('audit', 'ACTIVE', ARN_B, T0 + 3);
  h.store.add(first, second, other);
  h.worker.start();
  await h.time.advance(10_000);
  const order = h.calls.map((c) => c.id);
  assert.deepEqual(order, [first.id, other.id, first.id, first.id, second.id]);
  assert.equal(h.store.pending().length, 0);
});

test('Retry-After on 429 pauses the whole target; never re-sent before it', async () => {
  let n = 0;
  const h = harness({}, () =>
    ++n === 1 ? { outcome: 'retryable', status: 429, reason: 'HTTP 429', retryAfterMs: 5000 } : { outcome: 'delivered', status: 200 },
  );
  const a = ev('audit', 'ACTIVE', ARN);
  const b = ev('audit', 'ACTIVE', ARN_B);
  h.store.add(a, b);
  h.worker.start();
  await h.time.advance(4999);
  assert.equal(h.calls.length, 1, 'neither the same event nor another event before Retry-After');
  await h.time.advance(1);
  await h.time.advance(1000);
  assert.deepEqual(
    h.calls.map((c) => [c.at - T0, c.id]),
    [
      [0, a.id],
      [5000, a.id],
      [5100, b.id],
    ],
  );
});

test('one broken target never delays another', async () => {
  const never = new Promise<SendResult>(() => {});
  const h = harness(
    {
      targets: [
        target({ name: 'broken', url: 'https://broken.example.com/x' }),
        target({ name: 'good', url: 'https://good.example.com/x' }),
      ],
    },
    (c) => (c.req.url.includes('broken') ? never : { outcome: 'delivered', status: 200 }),
  );
  for (let i = 0; i < 3; i++) h.store.add(ev('broken', 'ACTIVE', ARN, T0 + i), ev('good', 'ACTIVE', ARN, T0 + i));
  h.worker.start();
  await h.time.advance(1000);
  assert.deepEqual(
    h.calls.filter((c) => c.req.url.includes('good')).map((c) => c.at - T0),
    [0, 100, 200],
  );
  assert.equal(h.store.pending().filter((e) => e.target === 'good').length, 0);
  assert.equal(h.calls.filter((c) => c.req.url.includes('broken')).length, 1, 'the broken lane holds its one in-flight send');
});

test('permanent failure: dead-lettered at once with the reason; the next event of the job proceeds', async () => {
  const h = harness({}, (c) =>
    c.id === a.id ? { outcome: 'permanent', status: 410, reason: 'HTTP 410' } : { outcome: 'delivered', status: 200 },
  );
  const a = ev('audit', 'CREATE_IN_PROGRESS', ARN, T0 + 1);
  const b = ev('audit', 'ACTIVE', ARN, T0 + 2);
  h.store.add(a, b);
  h.worker.start();
  await h.time.advance(200);
  assert.equal(h.calls.length, 2);
  const [dead] = h.store.deadLetters();
  assert.equal(dead?.id, a.id);
  assert.equal(dead?.reason, 'HTTP 410');
  assert.equal(dead?.attempts, 1);
  assert.deepEqual(h.outcomes, ['audit:failed', 'audit:dead_lettered', 'audit:delivered']);
  const line = h.lines.find((l) => l['msg'] === 'notification dead-lettered');
  assert.equal(line?.['endpoint'], 'https://hooks.example.com');
});

test('retryable failures are dead-lettered after maxAttempts, and after maxAgeMs', async () => {
  const h = harness({ maxAttempts: 3 }, () => ({ outcome: 'retryable', status: 503, reason: 'HTTP 503' }));
  h.store.add(ev('audit', 'ACTIVE'));
  h.worker.start();
  await h.time.advance(60_000);
  assert.equal(h.calls.length, 3);
  assert.match(h.store.deadLetters()[0]?.reason ?? '', /^gave up after 3 attempts over \d+ s: HTTP 503$/);

  const old = harness({ maxAgeMs: 3_600_000 }, () => ({ outcome: 'retryable', reason: 'timeout after 1000 ms' }));
  old.store.add({ ...ev('audit', 'ACTIVE'), createdAt: T0 - 2 * 3_600_000 });
  old.worker.start();
  await old.time.settle();
  assert.equal(old.calls.length, 1, 'an old event still gets one attempt');
  assert.equal(old.store.deadLetters().length, 1);
});

test('rate limit: Slack at most one message per second per webhook; webhooks 10/s', async () => {
  const h = harness({ targets: [target({ name: 's', type: 'slack' }), target({ name: 'w' })] });
  for (let i = 0; i < 5; i++) {
    const arn = ARN.replace(/1$/, String(i));
    h.store.add(ev('s', 'ACTIVE', arn), ev('w', 'ACTIVE', arn));
  }
  h.worker.start();
  await h.time.advance(10_000);
  const at = (name: string) => h.calls.filter((c) => (c.req.headers['webhook-id'] === undefined) === (name === 's')).map((c) => c.at - T0);
  assert.deepEqual(at('s'), [0, 1000, 2000, 3000, 4000]);
  assert.deepEqual(at('w'), [0, 100, 200, 300, 400]);
});

test('delivered but not recorded (full disk): never sent again; the record is retried until it lands', async () => {
  const h = harness();
  const e = ev('audit', 'ACTIVE');
  const later = ev('audit', 'DELETE_PENDING');
  h.store.failNext = new Error('ENOSPC');
  h.store.add(e);
  h.store.add(later);
  h.worker.start();
  await h.time.advance(500);
  assert.equal(h.calls.length, 1);
  assert.equal(h.store.pending().length, 2, 'the delivery could not be recorded yet');
  await h.time.advance(5_000);
  assert.equal(h.calls.filter((c) => c.req.headers['webhook-id'] === e.id).length, 1, 'no second send of a delivered event');
  assert.ok(!h.store.pending().some((p) => p.id === e.id), 'the record landed on a later try');
  assert.equal(h.calls[1]?.req.headers['webhook-id'], later.id, "the job's next event follows, in order");
});

test('stop(): no new sends; waits for in-flight up to the deadline, then leaves it pending', async () => {
  let release: (r: SendResult) => void = () => {};
  const h = harness({}, () => new Promise<SendResult>((r) => (release = r)));
  h.store.add(ev('audit', 'ACTIVE'));
  h.worker.start();
  await h.time.settle();
  assert.equal(h.calls.length, 1);
  const stopped = h.worker.stop(2000);
  await h.time.advance(2000);
  await stopped;
  release({ outcome: 'delivered', status: 200 });
  await h.time.settle();
  assert.deepEqual(h.store.ops, [], 'no store write after the deadline');
  assert.equal(h.store.pending().length, 1);
  assert.ok(h.calls[0]?.req.signal?.aborted, 'in-flight request aborted');
  h.store.add(ev('audit', 'CREATE_FAILED'));
  await h.time.advance(10_000);
  assert.equal(h.calls.length, 1, 'nothing new after stop');
});

test('stop(): an in-flight send finishing within the deadline is recorded', async () => {
  let release: (r: SendResult) => void = () => {};
  const h = harness({}, () => new Promise<SendResult>((r) => (release = r)));
  const e = ev('audit', 'ACTIVE');
  h.store.add(e);
  h.worker.start();
  await h.time.settle();
  const stopped = h.worker.stop(2000);
  release({ outcome: 'delivered', status: 200 });
  await stopped;
  assert.deepEqual(h.store.ops, [{ op: 'delivered', id: e.id }]);
});

test('retryDeadLetters re-sends with the same id; entries of unconfigured targets are dead-lettered at start', async () => {
  let n = 0;
  const h = harness({}, () =>
    ++n === 1 ? { outcome: 'permanent', status: 404, reason: 'HTTP 404' } : { outcome: 'delivered', status: 200 },
  );
  const e = ev('audit', 'ACTIVE');
  const orphan = ev('gone', 'ACTIVE');
  h.store.add(e, orphan);
  h.worker.start();
  await h.time.settle();
  assert.deepEqual(
    new Map(h.store.deadLetters().map((d) => [d.id, d.reason])),
    new Map([
      [orphan.id, 'target "gone" is not configured'],
      [e.id, 'HTTP 404'],
    ]),
  );
  assert.equal(await h.worker.retryDeadLetters([e.id]), 1);
  await h.time.advance(200);
  assert.equal(h.calls.at(-1)?.req.headers['webhook-id'], e.id);
  assert.equal(h.store.pending().length, 0);
  assert.equal(h.store.deadLetters().length, 1);
});

const HOUR = 3_600_000;
const always503 = (): SendResult => ({ outcome: 'retryable', status: 503, reason: 'HTTP 503' });

test('default retry policy: a receiver down for 23 h still gets the event; one down past 24 h dead-letters it at 24 h', async () => {
  // No retry settings anywhere: the target's config defaults, as a user gets them.
  const defaults = { baseDelayMs: undefined, maxDelayMs: undefined, random: createRng(7) };
  let upAt = T0 + 23 * HOUR;
  const back = harness(defaults, (c) => (c.at >= upAt ? { outcome: 'delivered', status: 200 } : always503()));
  const e = ev('audit', 'ACTIVE');
  back.store.add(e);
  back.worker.start();
  await back.time.advance(23 * HOUR + 15 * 60_000);
  assert.equal(back.store.deadLetters().length, 0, 'not given up on');
  assert.deepEqual(back.store.pending(), [], 'delivered');
  const last = back.calls.at(-1)!;
  assert.equal(last.id, e.id);
  assert.ok(last.at - upAt <= 15 * 60_000, `delivered ${(last.at - upAt) / 1000} s after the receiver came back (the cap is 15 min)`);
  assert.ok(back.calls.length > 15, `${back.calls.length} attempts: the count no longer ends it`);

  upAt = Infinity;
  const gone = harness(defaults, () => always503());
  gone.store.add(ev('audit', 'ACTIVE'));
  gone.worker.start();
  await gone.time.advance(24 * HOUR - 1);
  assert.equal(gone.store.deadLetters().length, 0, 'still retried just before 24 h');
  await gone.time.advance(60_000);
  const [dead] = gone.store.deadLetters();
  assert.ok(dead, 'dead-lettered once 24 h are up');
  assert.equal(dead.deadAt - T0, 24 * HOUR, 'the last try falls on maxAgeMs');
  const gaps = gone.calls.slice(1).map((c, i) => c.at - gone.calls[i]!.at);
  assert.ok(Math.min(...gaps) >= 5_000 && Math.max(...gaps) <= 15 * 60_000, 'every gap within [baseDelayMs, maxDelayMs]');
  await gone.time.advance(HOUR);
  assert.equal(gone.calls.at(-1)!.at - T0, 24 * HOUR, 'nothing sent after the dead letter');
});

test('journal full: attempts that cannot be recorded back off as recorded ones would, never every baseDelayMs', async () => {
  const h = harness({}, always503);
  const e = ev('audit', 'ACTIVE');
  h.store.add(e);
  h.store.failAll = Object.assign(new Error('the state journal holds 67108865 bytes'), { name: 'StateJournalFullError' });
  h.worker.start();
  await h.time.advance(5 * 60_000);
  const gaps = h.calls.slice(1).map((c, i) => c.at - h.calls[i]!.at);
  // random() = 1: each delay is its ceiling, base 1 s doubling up to the 60 s cap.
  assert.deepEqual(gaps.slice(0, 8), [1_000, 2_000, 4_000, 8_000, 16_000, 32_000, 60_000, 60_000]);
  assert.equal(h.store.ops.length, 0, 'nothing could be recorded');
  assert.ok(h.lines.some((l) => l['msg'] === 'could not record a delivery attempt; retrying on its backoff schedule'));
  // The journal takes records again: the next attempt records the whole count so far.
  const sent = h.calls.length;
  h.store.failAll = undefined;
  await h.time.advance(60_000);
  assert.equal(h.calls.length, sent + 1);
  assert.deepEqual(h.store.ops.at(-1), {
    op: 'attempt',
    id: e.id,
    attempts: sent + 1,
    nextAttemptAt: h.calls.at(-1)!.at + 60_000,
    lastError: 'HTTP 503',
  });
});

test('journal full when an entry is given up on: never sent again; the dead letter is recorded once the journal takes it', async () => {
  const h = harness({ maxAgeMs: 10_000 }, always503);
  const e = ev('audit', 'ACTIVE');
  const later = ev('audit', 'DELETE_PENDING');
  h.store.add(e, later);
  h.store.failAll = new Error('ENOSPC');
  h.worker.start();
  await h.time.advance(60_000);
  const sends = h.calls.filter((c) => c.id === e.id).length;
  assert.ok(sends <= 5, `${sends} sends within its 10 s age, on the backoff schedule`);
  assert.deepEqual(h.outcomes.slice(-2), ['audit:failed', 'audit:dead_lettered']);
  assert.equal(h.calls.filter((c) => c.id === later.id).length, 0, 'the next event of the job waits for the record (per-job order)');
  await h.time.advance(10 * 60_000);
  assert.equal(h.calls.filter((c) => c.id === e.id).length, sends, 'not sent again while the record waits');
  h.store.failAll = undefined;
  await h.time.advance(60_000);
  assert.equal(h.store.deadLetters()[0]?.id, e.id, 'recorded as a dead letter');
  assert.equal(h.store.deadLetters()[0]?.attempts, sends);
  assert.equal(h.calls.filter((c) => c.id === e.id).length, sends);
  assert.ok(
    h.calls.some((c) => c.id === later.id),
    'then the job moves on',
  );
});

test('dead letters are bounded per target: past maxCount the oldest go, past maxAgeMs each goes; logged and counted', async () => {
  const evicted: string[] = [];
  const h = harness(
    {
      targets: [target({ deadLetters: { maxCount: 2, maxAgeMs: HOUR } }), target({ name: 'other', url: 'https://other.example.com/x' })],
      onEvicted: (t, reason) => evicted.push(`${t}:${reason}`),
    },
    () => ({ outcome: 'permanent', status: 410, reason: 'HTTP 410' }),
  );
  const arns = [1, 2, 3].map((i) => ARN.replace(/1$/, String(i)));
  h.worker.start();
  const ids: string[] = [];
  for (const arn of arns) {
    const e = ev('audit', 'ACTIVE', arn);
    ids.push(e.id);
    h.store.add(e);
    await h.time.advance(60_000);
  }
  const otherEntry = ev('other', 'ACTIVE', arns[0]);
  h.store.add(otherEntry);
  await h.time.advance(1_000);
  assert.deepEqual(
    h.store.deadLetters().map((d) => d.id),
    [ids[1], ids[2], otherEntry.id],
    'the oldest of "audit" went; "other" has bounds of its own',
  );
  assert.deepEqual(evicted, ['audit:max_count']);
  const line = h.lines.find((l) => l['evicted'] === 'max_count');
  assert.equal(line?.['eventId'], ids[0]);
  assert.equal(line?.['target'], 'audit');
  assert.equal(line?.['deadReason'], 'HTTP 410');
  assert.match(String(line?.['msg']), /deadLetters\.maxCount/);

  // An hour after each was dead-lettered (T0 + 1 min, T0 + 2 min), it goes, at its own time.
  const advanceTo = (at: number) => h.time.advance(at - h.time.clock.now());
  await advanceTo(T0 + HOUR + 60_000 - 1);
  assert.equal(h.store.deadLetters().length, 3, 'none is an hour old yet');
  await advanceTo(T0 + HOUR + 60_000);
  assert.deepEqual(
    h.store.deadLetters().map((d) => d.id),
    [ids[2], otherEntry.id],
  );
  await advanceTo(T0 + HOUR + 120_000);
  assert.deepEqual(
    h.store.deadLetters().map((d) => d.id),
    [otherEntry.id],
    '"other" keeps the default week',
  );
  assert.deepEqual(evicted, ['audit:max_count', 'audit:max_age', 'audit:max_age']);
  assert.ok(h.lines.some((l) => l['evicted'] === 'max_age' && /deadLetters\.maxAgeMs/.test(String(l['msg']))));
});

test('dead-letter bounds: applied at start to what the state kept; a refused discard is tried again', async () => {
  const h = harness({ targets: [target({ deadLetters: { maxCount: 1, maxAgeMs: HOUR } })] }, () => ({
    outcome: 'permanent',
    status: 404,
    reason: 'HTTP 404',
  }));
  for (let i = 1; i <= 3; i++) {
    h.store.add(ev('audit', 'ACTIVE', ARN.replace(/1$/, String(i))));
    await h.store.deadLetter(h.store.pending()[0]!.id, 'HTTP 404', T0 - (4 - i) * 1_000);
  }
  h.store.failNext = new Error('ENOSPC');
  h.worker.start();
  await h.time.advance(0);
  assert.equal(h.store.deadLetters().length, 3, 'the discard could not be recorded');
  assert.ok(h.lines.some((l) => l['msg'] === 'could not drop dead letters over their bounds; will try again'));
  await h.time.advance(59_999);
  assert.equal(h.store.deadLetters().length, 3, 'no tight loop');
  await h.time.advance(1);
  assert.equal(h.store.deadLetters().length, 1, 'dropped on the next try, a minute later');
  assert.equal(h.store.deadLetters()[0]?.deadAt, T0 - 1_000, 'the newest is kept');
});
