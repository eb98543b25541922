import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diff } from '../../src/diff.js';
import { snap } from '../helpers/snapshots.js';

const NOW = Date.parse('2026-11-28T12:05:00.000Z');
const later = (ms: number) => Date.parse('2026-11-28T12:00:00.000Z') + ms;

test('first sight yields first_seen from null', () => {
  const t = diff(undefined, snap({ status: 'CREATE_IN_PROGRESS' }), NOW);
  assert.deepEqual(
    t.map((x) => [x.kind, x.from, x.to, x.observedAt]),
    [['first_seen', null, 'CREATE_IN_PROGRESS', NOW]],
  );
});

test('a status change yields status_changed with both statuses', () => {
  const t = diff(snap(), snap({ status: 'ACTIVE', updateTime: later(60_000) }), NOW);
  assert.deepEqual(
    t.map((x) => [x.kind, x.from, x.to]),
    [['status_changed', 'CREATE_PENDING', 'ACTIVE']],
  );
  assert.equal(t[0]!.snapshot.status, 'ACTIVE');
});

test('no change yields nothing, even with a newer updateTime', () => {
  assert.deepEqual(diff(snap(), snap(), NOW), []);
  assert.deepEqual(diff(snap(), snap({ updateTime: later(5) }), NOW), []);
});

test('an older observation never reports a status going backwards', () => {
  const prev = snap({ status: 'ACTIVE', updateTime: later(60_000) });
  assert.deepEqual(diff(prev, snap({ status: 'CREATE_IN_PROGRESS', updateTime: later(1_000) }), NOW), []);
});

test('metrics appearing on an unchanged status is reported only from a full view', () => {
  const prev = snap({ status: 'ACTIVE' });
  const metrics = { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.9 }], recallMetric: 0.4 };
  assert.deepEqual(
    diff(prev, snap({ status: 'ACTIVE', metrics }), NOW).map((x) => x.kind),
    ['metrics_appeared'],
  );
  assert.deepEqual(diff(prev, snap({ status: 'ACTIVE', metrics, detail: 'summary' }), NOW), []);
  assert.deepEqual(diff(snap({ status: 'ACTIVE', metrics }), snap({ status: 'ACTIVE', metrics }), NOW), []);
});

test('a 404 after being seen yields vanished from the last status', () => {
  const t = diff(snap({ status: 'ACTIVE' }), undefined, NOW);
  assert.deepEqual(
    t.map((x) => [x.kind, x.from, x.to]),
    [['vanished', 'ACTIVE', 'VANISHED']],
  );
  assert.deepEqual(diff(undefined, undefined, NOW), []);
});

test('an unknown future status is diffed as given', () => {
  const t = diff(snap({ status: 'ACTIVE' }), snap({ status: 'ARCHIVED', updateTime: later(1) }), NOW);
  assert.deepEqual(
    t.map((x) => x.to),
    ['ARCHIVED'],
  );
});
