// The poller's two decisions about the shard layout record, from plain values: what a sweep
// reports of its layout, and when the record is written after a sweep.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { LayoutRecord } from '../../src/poll/handover.js';
import { layoutInfo, recordWriteDue } from '../../src/poll/poller.js';

const record = (o: Partial<LayoutRecord> = {}): LayoutRecord => ({
  version: 1,
  total: 3,
  index: 1,
  scopes: { a: 0, b: 1, c: 1, d: 2 },
  ...o,
});

test("a sweep's layout: its name from the hash, its shard, the top-level Lists it calls, whether a handover goes on", () => {
  const seen: string[] = [];
  const hash = (x: string) => {
    seen.push(x);
    return 'abcdef0123456789';
  };
  const layout = { total: 3, index: 1, scopes: { a: 0, b: 1, c: 1, d: 2 } };
  assert.deepEqual(layoutInfo(layout, record(), hash), { name: 'abcdef012345', total: 3, index: 1, lists: 2, handover: false });
  assert.equal(layoutInfo(layout, record({ handover: { from: 1, completeSweeps: 0 } }), hash).handover, true);
  assert.equal(layoutInfo({ ...layout, index: 0 }, record(), hash).lists, 1);
  assert.equal(layoutInfo({ total: 1, index: 0, scopes: {} }, record(), hash).lists, 0);
  assert.ok(seen.length > 0);
});

test('the record is written when its handover moved or none was written, else at most every 10 s', () => {
  const ho = { from: 1_000, completeSweeps: 1 };
  assert.equal(recordWriteDue(record(), undefined, 0), true);
  assert.equal(recordWriteDue(record({ handover: ho }), record(), 0), true);
  assert.equal(recordWriteDue(record(), record({ handover: ho }), 0), true);
  assert.equal(recordWriteDue(record({ handover: { ...ho, completeSweeps: 2 } }), record({ handover: ho }), 0), true);
  // Only the time of the last complete sweep moved.
  assert.equal(recordWriteDue(record({ handover: ho, lastCompleteSweepAt: 5 }), record({ handover: ho }), 9_999), false);
  assert.equal(recordWriteDue(record({ lastCompleteSweepAt: 5 }), record(), 10_000), true);
});
