// One journal line read at load, from plain values: a record, a corrupt line (quarantined with
// the journal), or a record of a later release (the whole state refused).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { journalLineRecord } from '../../src/state/store.js';
import { StateVersionError } from '../../src/state/version.js';

test('a well-formed line is its record', () => {
  assert.deepEqual(journalLineRecord('{"s":7,"t":"delivered","id":"evt_1"}', 3, { count: 0 }), { s: 7, t: 'delivered', id: 'evt_1' });
  assert.deepEqual(journalLineRecord('{"s":8,"t":"revive","ids":"all","at":5}', 4, { count: 0 }), { s: 8, t: 'revive', ids: 'all', at: 5 });
});

test('a line that is not JSON, or not a record, is corrupt, named by its line number', () => {
  const notJson = journalLineRecord('{"s":7,"t":"deliv', 12, { count: 0 });
  assert.ok('corrupt' in notJson);
  assert.match(notJson.corrupt, /^line 12: /);
  const wrongType = journalLineRecord('{"s":7,"t":"exploded"}', 2, { count: 0 });
  assert.deepEqual(wrongType, { corrupt: 'line 2: record.t is "exploded", not a record type' });
  const noSeq = journalLineRecord('{"t":"delivered","id":"evt_1"}', 1, { count: 0 });
  assert.ok('corrupt' in noSeq && noSeq.corrupt.startsWith('line 1: record.s'));
  assert.ok('corrupt' in journalLineRecord('null', 9, { count: 0 }));
});

test('a record written by a later release refuses the state instead of calling it corrupt', () => {
  assert.throws(
    () => journalLineRecord('{"v":99,"s":7,"t":"delivered","id":"evt_1"}', 5, { count: 0 }),
    (err: unknown) => {
      assert.ok(err instanceof StateVersionError);
      assert.match((err as Error).message, /journal\.ndjson line 5/);
      return true;
    },
  );
});
