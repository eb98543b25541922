import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSteadyClock } from '../../src/clock.js';

test('a wall-clock step moves nothing; a persistent divergence is adopted once, later', () => {
  let wall = 1_000_000;
  let mono = 0;
  const reanchored: number[] = [];
  const c = createSteadyClock({
    wall: () => wall,
    mono: () => mono,
    toleranceMs: 60_000,
    reanchorAfterMs: 900_000,
    onReanchor: (s) => reanchored.push(s),
  });
  assert.equal(c.now(), 1_000_000);
  mono += 1_000;
  wall += 1_000 + 3_600_000; // +1 h step
  assert.equal(c.now(), 1_001_000, 'the step is ignored');
  mono += 1_000;
  wall -= 7_200_000 - 1_000; // then -1 h from the true time
  assert.equal(c.now(), 1_002_000);
  mono += 10_000;
  wall = 1_012_000; // back in tolerance: divergence forgotten
  assert.equal(c.now(), 1_012_000);
  wall += 3_600_000; // a real correction that persists
  assert.equal(c.now(), 1_012_000);
  mono += 900_000;
  wall += 900_000;
  assert.equal(c.now(), wall, 'adopted after 15 min');
  assert.deepEqual(reanchored, [3_600_000]);
});
