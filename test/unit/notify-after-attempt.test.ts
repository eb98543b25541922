// What follows one delivery attempt, decided from plain values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterAttempt, type AttemptFacts, type RetryPolicy } from '../../src/notify/after-attempt.js';
import { createRng } from '../../src/dev/sim/prng.js';
import { parseTarget } from '../helpers/targets.js';

const NOW = 1_000_000;
const f = (over: Partial<AttemptFacts> = {}): AttemptFacts => ({
  attempt: 1,
  ageMs: 0,
  now: NOW,
  policy: { baseDelayMs: 5_000, maxDelayMs: 900_000, maxAttempts: 15, maxAgeMs: 86_400_000 },
  random: () => 0.5,
  ...over,
});

test('delivered, and a permanent failure is dead-lettered at once with its reason', () => {
  assert.deepEqual(afterAttempt({ outcome: 'delivered', status: 200 }, f()), { kind: 'delivered' });
  assert.deepEqual(afterAttempt({ outcome: 'permanent', status: 404, reason: 'HTTP 404' }, f()), {
    kind: 'dead',
    reason: 'HTTP 404',
    lastError: 'HTTP 404',
  });
});

test('a retryable failure backs off with full jitter; attempts or age used up dead-letter it', () => {
  const r = { outcome: 'retryable' as const, status: 500, reason: 'HTTP 500' };
  assert.deepEqual(
    afterAttempt(r, f({ attempt: 3 })),
    { kind: 'retry', delayMs: 10_000, lastError: 'HTTP 500' },
    'half of 5 s * 2^2 at random 0.5',
  );
  assert.deepEqual(afterAttempt(r, f({ attempt: 15, ageMs: 3_600_000 })), {
    kind: 'dead',
    reason: 'gave up after 15 attempts over 3600 s: HTTP 500',
    lastError: 'HTTP 500',
  });
  assert.equal(afterAttempt(r, f({ attempt: 2, ageMs: 86_400_000 })).kind, 'dead');
});

test('Retry-After: never retried sooner; on 429/503 the lane pauses until then, on other statuses it does not', () => {
  const d = afterAttempt({ outcome: 'retryable', status: 429, reason: 'HTTP 429', retryAfterMs: 60_000 }, f());
  assert.deepEqual(d, { kind: 'retry', delayMs: 60_000, lastError: 'HTTP 429', pauseLaneUntil: NOW + 60_000 });
  const e = afterAttempt({ outcome: 'retryable', status: 500, reason: 'HTTP 500', retryAfterMs: 60_000 }, f());
  assert.deepEqual(e, { kind: 'retry', delayMs: 60_000, lastError: 'HTTP 500' });
  // Retry-After wins over the deadline too: the last try then comes late, not early.
  const late = afterAttempt(
    { outcome: 'retryable', status: 503, reason: 'HTTP 503', retryAfterMs: 600_000 },
    f({ attempt: 4, ageMs: 86_400_000 - 10_000 }),
  );
  assert.equal(late.kind === 'retry' && late.delayMs, 600_000);
});

// The policy a target gets when its config says nothing about retries.
const DEFAULTS: RetryPolicy = parseTarget({ name: 'audit', type: 'webhook', url: 'https://hooks.example.com/x' }).retry;
const HOUR = 3_600_000;
const DOWN = { outcome: 'retryable' as const, status: 503, reason: 'HTTP 503' };

/** Attempts against a receiver that answers 503 until `upAt` (ms after the event), then 200; every delay as decided. */
function deliverThrough(policy: RetryPolicy, upAt: number, random: () => number) {
  const attempts: number[] = [];
  let t = 0;
  for (let n = 1; ; n++) {
    attempts.push(t);
    if (t >= upAt) return { delivered: true, at: t, attempts };
    const d = afterAttempt(DOWN, { attempt: n, ageMs: t, now: t, policy, random });
    if (d.kind === 'dead') return { delivered: false, at: t, attempts };
    assert.equal(d.kind, 'retry');
    if (d.kind === 'retry') t += d.delayMs;
  }
}

test('defaults: retried until maxAgeMs whatever the count; a receiver down 23 h gets it, at 24 h it is dead-lettered', () => {
  assert.equal(DEFAULTS.maxAttempts, 0, 'no count limit by default');
  assert.equal(DEFAULTS.maxAgeMs, 24 * HOUR);
  const draws: Array<[string, () => number]> = [
    ['always the floor', () => 0],
    ['always the ceiling', () => 0.999999],
    ['seeded 1', createRng(1)],
    ['seeded 2', createRng(2)],
    ['seeded 3', createRng(3)],
  ];
  for (const [name, random] of draws) {
    const back = deliverThrough(DEFAULTS, 23 * HOUR, random);
    assert.equal(back.delivered, true, `${name}: delivered once the receiver is back after 23 h`);
    assert.ok(back.at - 23 * HOUR <= DEFAULTS.maxDelayMs, `${name}: within one backoff cap of its return (${back.at - 23 * HOUR} ms)`);
    const gone = deliverThrough(DEFAULTS, Infinity, random);
    assert.equal(gone.delivered, false, `${name}: a receiver that never comes back`);
    assert.ok(gone.at >= 24 * HOUR, `${name}: not dead-lettered before 24 h (${gone.at / HOUR} h)`);
    assert.ok(gone.at <= 24 * HOUR + DEFAULTS.baseDelayMs, `${name}: dead-lettered at the 24 h mark (${gone.at / HOUR} h)`);
    // Backoff throughout: never two tries closer than the base delay, none further apart than the cap.
    const gaps = gone.attempts.slice(1).map((a, i) => a - gone.attempts[i]!);
    assert.ok(Math.min(...gaps) >= DEFAULTS.baseDelayMs && Math.max(...gaps) <= DEFAULTS.maxDelayMs, `${name}: gaps within the policy`);
  }
});

test('a receiver back at 24 h 1 min, after the last try at 24 h: dead-lettered; a count, when configured, still applies', () => {
  assert.equal(deliverThrough(DEFAULTS, 24 * HOUR + 60_000, () => 0.5).delivered, false);
  const counted = deliverThrough({ ...DEFAULTS, maxAttempts: 3 }, Infinity, () => 0.5);
  assert.equal(counted.attempts.length, 3);
  assert.ok(counted.at < HOUR);
});
