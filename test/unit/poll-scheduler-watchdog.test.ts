// The scheduler watchdog's two decisions, from plain values: was the wall clock stepped, and is a
// sweep overdue.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clockStepped, sweepOverdue } from '../../src/poll/scheduler.js';

test('a step of more than half the gap, at least a second, either way, is a stepped clock', () => {
  const gap = 60_000;
  assert.equal(clockStepped(0, 30_000, gap), false);
  assert.equal(clockStepped(0, 30_001, gap), true);
  assert.equal(clockStepped(5_000, -3_600_000, gap), true);
  // NTP slewing: under a millisecond per second, never a step.
  assert.equal(clockStepped(1_000, 1_010, gap), false);
  // A short gap still needs more than a second.
  assert.equal(clockStepped(0, 1_000, 500), false);
  assert.equal(clockStepped(0, -1_001, 500), true);
});

test('a sweep is overdue once none started for two gaps', () => {
  assert.equal(sweepOverdue(119_999, 60_000), false);
  assert.equal(sweepOverdue(120_000, 60_000), true);
  assert.equal(sweepOverdue(0, 60_000), false);
});
