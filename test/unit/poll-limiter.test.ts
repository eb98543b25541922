// The adaptive rate limiter (AIMD) on an injected clock and timers, no sleeps: it starts at the
// ceiling, halves once per congestion event, regains the ceiling on clean answers, and spaces requests at its rate.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveRateLimiter } from '../../src/poll/limiter.js';
import type { Timers as AllTimers } from '../../src/clock.js';

type Timers = Pick<AllTimers, 'setTimeout' | 'clearTimeout'>;

function fakeTime() {
  let now = 0;
  let timers: Array<{ at: number; fn: () => void; id: number }> = [];
  let seq = 0;
  const t: Timers = {
    setTimeout: (fn, ms) => {
      const id = ++seq;
      timers.push({ at: now + ms, fn, id });
      return id;
    },
    clearTimeout: (h) => {
      timers = timers.filter((x) => x.id !== h);
    },
  };
  return {
    clock: { now: () => now },
    timers: t,
    /** Advance time, firing due timers in order. */
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        timers.sort((a, b) => a.at - b.at);
        const next = timers[0];
        if (!next || next.at > end) break;
        timers.shift();
        now = next.at;
        next.fn();
      }
      now = end;
    },
  };
}

test('starts at the ceiling; a throttle halves the rate once per burst; clean answers regain the ceiling', () => {
  const time = fakeTime();
  const l = new AdaptiveRateLimiter({ maxPerSecond: 40, clock: time.clock, timers: time.timers });
  assert.equal(l.currentRate, 40);
  l.onThrottle();
  assert.equal(l.currentRate, 20);
  l.onThrottle(); // same congestion event (in-flight requests answering together)
  assert.equal(l.currentRate, 20);
  time.advance(100);
  l.onThrottle(); // a new event, later than one request interval at 20/s
  assert.equal(l.currentRate, 10);
  let n = 0;
  while (l.currentRate < 40 && n < 100_000) {
    l.onSuccess();
    n++;
  }
  assert.equal(l.currentRate, 40, 'never above the ceiling');
  assert.ok(n > 50, `regained over many clean answers (${n}), not at once`);
});

test('never below the floor', () => {
  const time = fakeTime();
  const l = new AdaptiveRateLimiter({ maxPerSecond: 4, minPerSecond: 1, clock: time.clock, timers: time.timers });
  for (let i = 0; i < 10; i++) {
    l.onThrottle();
    time.advance(5_000);
  }
  assert.equal(l.currentRate, 1);
});

test('acquire spaces requests at the current rate (no burst beyond one second of tokens)', async () => {
  const time = fakeTime();
  const l = new AdaptiveRateLimiter({ maxPerSecond: 10, clock: time.clock, timers: time.timers });
  const granted: number[] = [];
  const all = Array.from({ length: 21 }, () => l.acquire().then(() => granted.push(time.clock.now())));
  for (let i = 0; i < 40; i++) {
    time.advance(100);
    await Promise.resolve();
  }
  await Promise.all(all);
  assert.equal(granted.length, 21);
  const within = (from: number, to: number) => granted.filter((t) => t >= from && t < to).length;
  assert.ok(within(0, 1000) <= 11, `first second: ${within(0, 1000)}`);
  assert.ok(granted[20]! >= 1900, `the 21st request waits for its tokens (${granted[20]} ms)`);
});

test('an aborted acquire leaves the queue and rejects with the reason', async () => {
  const time = fakeTime();
  const l = new AdaptiveRateLimiter({ maxPerSecond: 1, clock: time.clock, timers: time.timers });
  await l.acquire();
  const ac = new AbortController();
  const p = l.acquire(ac.signal);
  ac.abort(new Error('sweep stopped'));
  await assert.rejects(p, /sweep stopped/);
});
