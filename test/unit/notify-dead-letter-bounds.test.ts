// Which dead letters go past their target's bounds, decided from plain values.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { DeadLetter } from '../../src/state/types.js';
import { deadLettersOverBounds, type DeadLetterBounds } from '../../src/notify/dead-letter-bounds.js';
import { change, entryFor, ARN, T0 } from '../helpers/notify-fixtures.js';

const DAY = 86_400_000;
function dead(target: string, n: number, deadAt: number): DeadLetter {
  const e = entryFor(target, change('CREATE_PENDING', 'ACTIVE', { arn: ARN.replace(/1$/, String(n)), updateTime: T0 + n }));
  return { ...e, deadAt, reason: 'HTTP 410' };
}
const bounds =
  (m: Record<string, DeadLetterBounds>, fallback: DeadLetterBounds = { maxCount: 10_000, maxAgeMs: 7 * DAY }) =>
  (t: string) =>
    m[t] ?? fallback;

test('within bounds: nothing goes; the next check is when the oldest of any target ages out', () => {
  const list = [dead('a', 1, T0), dead('a', 2, T0 + 1000), dead('b', 3, T0 - DAY)];
  const plan = deadLettersOverBounds(list, bounds({ a: { maxCount: 5, maxAgeMs: DAY }, b: { maxCount: 5, maxAgeMs: 3 * DAY } }), T0 + 5000);
  assert.deepEqual(plan.evict, []);
  assert.equal(plan.nextAt, T0 + DAY, "a's oldest, before b's");
  assert.deepEqual(deadLettersOverBounds([], bounds({}), T0), { evict: [], nextAt: Infinity });
});

test('past maxCount the oldest go, whatever order the store holds them in; counted per target', () => {
  const list = [dead('a', 3, T0 + 3), dead('a', 1, T0 + 1), dead('b', 9, T0), dead('a', 2, T0 + 2), dead('a', 4, T0 + 4)];
  const plan = deadLettersOverBounds(list, bounds({ a: { maxCount: 2, maxAgeMs: DAY }, b: { maxCount: 1, maxAgeMs: DAY } }), T0 + 10);
  assert.deepEqual(
    plan.evict.map((e) => [e.entry.id, e.reason]),
    [
      [list[1]!.id, 'max_count'],
      [list[3]!.id, 'max_count'],
    ],
  );
  assert.equal(plan.nextAt, T0 + DAY, 'b is at its bound, not over it');
});

test('at maxAgeMs since it was dead-lettered it goes (age first, then the count of what is left)', () => {
  const list = [dead('a', 1, T0 - DAY), dead('a', 2, T0 - DAY + 1), dead('a', 3, T0 - 10), dead('a', 4, T0 - 5), dead('a', 5, T0)];
  const plan = deadLettersOverBounds(list, bounds({ a: { maxCount: 2, maxAgeMs: DAY } }), T0);
  assert.deepEqual(
    plan.evict.map((e) => [e.entry.id, e.reason]),
    [
      [list[0]!.id, 'max_age'],
      [list[1]!.id, 'max_count'],
      [list[2]!.id, 'max_count'],
    ],
    'the second is a millisecond short of its day: it goes by the count',
  );
  assert.equal(plan.nextAt, T0 - 5 + DAY, 'the oldest kept ages out next');
});

test('a target the config no longer names gets the fallback bounds', () => {
  const list = [dead('gone', 1, T0 - 8 * DAY), dead('gone', 2, T0 - DAY)];
  const plan = deadLettersOverBounds(list, bounds({}), T0);
  assert.deepEqual(
    plan.evict.map((e) => [e.entry.id, e.reason]),
    [[list[0]!.id, 'max_age']],
  );
  assert.equal(plan.nextAt, T0 + 6 * DAY);
});
