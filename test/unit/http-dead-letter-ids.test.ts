// Which dead letters a POST /api/outbox/retry or /api/outbox/discard body names, from plain values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deadLetterIds } from '../../src/http/server.js';

test('{"all": true} names every dead letter, whatever else the body says', () => {
  assert.equal(deadLetterIds({ all: true }), 'all');
  assert.equal(deadLetterIds({ all: true, ids: ['evt_1'] }), 'all');
});

test('a list of string ids names those (an empty list names none, which is still a valid request)', () => {
  assert.deepEqual(deadLetterIds({ ids: ['evt_1', 'evt_2'] }), ['evt_1', 'evt_2']);
  assert.deepEqual(deadLetterIds({ ids: [] }), []);
});

test('anything else names nothing well: refused', () => {
  assert.equal(deadLetterIds({}), undefined);
  assert.equal(deadLetterIds({ all: 'true' }), undefined);
  assert.equal(deadLetterIds({ all: false }), undefined);
  assert.equal(deadLetterIds({ ids: 'evt_1' }), undefined);
  assert.equal(deadLetterIds({ ids: ['evt_1', 2] }), undefined);
  assert.equal(deadLetterIds({ ids: [null] }), undefined);
});
