// What follows one delivery attempt, decided from plain values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { afterAttempt, type AttemptFacts } from '../../src/notify/after-attempt.js';

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
});
