// The pure scheduling core: backoff, retention and due times, the same for every kind (at rest
// is what the kind's declaration says).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pollBackoffDelay, isDue, isRetired, resourceDueAt, scopeDueAt, type ScheduleParams } from '../../src/poll/due.js';
import { KINDS } from '../../src/kinds/index.js';
import { job } from '../helpers/snapshots.js';
import { resource } from '../helpers/resources.js';

const P: ScheduleParams = { activeIntervalMs: 30_000, terminalIntervalMs: 600_000, maxBackoffMs: 600_000, retentionMs: 7 * 86_400_000 };
const NOW = Date.parse('2026-12-01T00:00:00.000Z');

test('backoff doubles per failure from one interval, capped, with equal jitter', () => {
  assert.equal(pollBackoffDelay(1, P, 0), 15_000);
  assert.equal(pollBackoffDelay(1, P, 0.999999), 30_000);
  assert.equal(pollBackoffDelay(2, P, 1 - 1e-9), 60_000);
  assert.equal(pollBackoffDelay(3, P, 0), 60_000);
  assert.equal(pollBackoffDelay(50, P, 1 - 1e-9), 600_000, 'capped at maxBackoff');
  for (let f = 1; f < 12; f++) assert.ok(pollBackoffDelay(f + 1, P, 0) >= pollBackoffDelay(f, P, 0), 'monotone');
});

test('retention: only resources at rest, from their updateTime; 0 keeps forever; no flapping around the boundary', () => {
  const old = job({ status: 'ACTIVE', updateTime: NOW - P.retentionMs });
  assert.equal(isRetired(old, NOW, P.retentionMs), true);
  assert.equal(isRetired(old, NOW - 1, P.retentionMs), false);
  assert.equal(isRetired({ ...old, status: 'CREATE_IN_PROGRESS' }, NOW, P.retentionMs), false, 'a stuck running job stays');
  assert.equal(isRetired({ ...old, status: 'CREATE_FAILED' }, NOW, P.retentionMs), true, 'a failure is at rest too');
  // A status no kind's model lists is classified by its shape: at rest unless it reads as work under way.
  assert.equal(isRetired({ ...old, status: 'CANCELLED' }, NOW, P.retentionMs), true, 'a new status at rest retires like a finished one');
  assert.equal(isRetired({ ...old, status: 'SOMETHING_FAILED' }, NOW, P.retentionMs), true, 'a new failure is at rest');
  assert.equal(isRetired({ ...old, status: 'UPDATE_IN_PROGRESS' }, NOW, P.retentionMs), false, 'new work under way stays');
  assert.equal(isRetired({ ...old, status: 'CANCELLED' }, NOW - 1, P.retentionMs), false, 'not before its retention');
  assert.equal(isRetired(old, NOW, 0), false);
  // Once retired, it stays retired for every later `now` (monotone in now): no flapping.
  for (let t = NOW; t < NOW + 30 * 86_400_000; t += 3_600_000) assert.equal(isRetired(old, t, P.retentionMs), true);
});

test("retention and due times follow each kind's declaration: INACTIVE is at rest for a trained model", () => {
  const tm = resource(KINDS.trainedModel, { status: 'INACTIVE', updateTime: NOW - P.retentionMs });
  assert.equal(isRetired(tm, NOW, P.retentionMs), true);
  assert.equal(isRetired({ ...tm, status: 'CANCEL_IN_PROGRESS' }, NOW, P.retentionMs), false);
  const base = { lastCheckedAt: NOW, consecutiveFailures: 0, lastFailureAt: undefined, backoffMs: 0 };
  assert.equal(resourceDueAt({ ...base, job: tm, coverage: 'get' }, P), NOW + 600_000);
  assert.equal(resourceDueAt({ ...base, job: { ...tm, status: 'CANCEL_PENDING' }, coverage: 'get' }, P), 0);
});

test('a status no model lists is polled as its class says: at rest at the slow interval, under way every sweep', () => {
  const base = { lastCheckedAt: NOW, consecutiveFailures: 0, lastFailureAt: undefined, backoffMs: 0 };
  assert.equal(resourceDueAt({ ...base, job: job({ status: 'CANCELLED' }), coverage: 'get' }, P), NOW + P.terminalIntervalMs);
  assert.equal(resourceDueAt({ ...base, job: job({ status: 'UPDATE_IN_PROGRESS' }), coverage: 'get' }, P), 0);
  assert.equal(scopeDueAt([job({ status: 'CANCELLED' })], NOW, P), NOW + P.terminalIntervalMs);
  assert.equal(scopeDueAt([job({ status: 'CANCELLED' }), job({ status: 'UPDATE_PENDING' })], NOW, P), 0);
});

test('due times: discovery every sweep, Get-only resources at rest at the slow interval, failing ones after their backoff', () => {
  const base = { lastCheckedAt: NOW, consecutiveFailures: 0, lastFailureAt: undefined, backoffMs: 0 };
  assert.equal(resourceDueAt({ ...base, job: job({ status: 'ACTIVE' }), coverage: 'discovery' }, P), 0);
  assert.equal(resourceDueAt({ ...base, job: job({ status: 'ACTIVE' }), coverage: 'get' }, P), NOW + 600_000);
  assert.equal(resourceDueAt({ ...base, job: job({ status: 'CREATE_IN_PROGRESS' }), coverage: 'get' }, P), 0);
  assert.equal(resourceDueAt({ ...base, job: undefined, coverage: 'get' }, P), 0, 'never seen: now');
  assert.equal(
    resourceDueAt({ ...base, lastCheckedAt: undefined, job: job({ status: 'ACTIVE' }), coverage: 'get' }, P),
    0,
    'never checked: now',
  );
  assert.equal(resourceDueAt({ ...base, job: job({ status: 'ACTIVE' }), coverage: 'scope', scopeDueAt: NOW + 5 }, P), NOW + 5);
  assert.equal(
    resourceDueAt({ ...base, job: job(), coverage: 'discovery', consecutiveFailures: 3, lastFailureAt: NOW, backoffMs: 120_000 }, P),
    NOW + 120_000,
  );
  // A static List is slow only when every resource it stands for is at rest.
  assert.equal(scopeDueAt([job({ status: 'ACTIVE' }), job({ status: 'CREATE_FAILED' })], NOW, P), NOW + 600_000);
  assert.equal(scopeDueAt([job({ status: 'ACTIVE' }), job({ status: 'CREATE_PENDING' })], NOW, P), 0);
  assert.equal(scopeDueAt([job({ status: 'ACTIVE' }), undefined], NOW, P), 0, 'one never seen: now');
  assert.equal(scopeDueAt([job({ status: 'ACTIVE' })], undefined, P), 0, 'never listed: now');
  // Half an interval of slack: a sweep starting a little early still acts.
  assert.equal(isDue(NOW + 10_000, NOW, 30_000), true);
  assert.equal(isDue(NOW + 15_000, NOW, 30_000), true);
  assert.equal(isDue(NOW + 20_000, NOW, 30_000), false);
});
