// The pure scheduling core: backoff, retention, due times, and the sweep plan built from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pollBackoffDelay, isDue, isRetired, jobDueAt, scopeDueAt, type ScheduleParams } from '../../src/poll/due.js';
import { planSweep, type ListScope } from '../../src/poll/plan.js';
import { ARN_A, ARN_B, MODEL_ARN, snap } from '../helpers/snapshots.js';

const P: ScheduleParams = { activeIntervalMs: 30_000, terminalIntervalMs: 600_000, maxBackoffMs: 600_000, retentionMs: 7 * 86_400_000 };
const NOW = Date.parse('2026-12-01T00:00:00.000Z');
const COLLAB = '5f6e7d8c-0000-4000-8000-000000000001';
const scope: ListScope = { key: `c=${COLLAB}|m=`, input: { collaborationId: COLLAB }, discovery: true };
const arn = (i: number) => ARN_A.replace(/0001$/, String(9000 + i));

test('backoff doubles per failure from one interval, capped, with equal jitter', () => {
  assert.equal(pollBackoffDelay(1, P, 0), 15_000);
  assert.equal(pollBackoffDelay(1, P, 0.999999), 30_000);
  assert.equal(pollBackoffDelay(2, P, 1 - 1e-9), 60_000);
  assert.equal(pollBackoffDelay(3, P, 0), 60_000);
  assert.equal(pollBackoffDelay(50, P, 1 - 1e-9), 600_000, 'capped at maxBackoff');
  for (let f = 1; f < 12; f++) assert.ok(pollBackoffDelay(f + 1, P, 0) >= pollBackoffDelay(f, P, 0), 'monotone');
});

test('retention: only terminal jobs, from their updateTime; 0 keeps forever; no flapping around the boundary', () => {
  const old = snap({ status: 'ACTIVE', updateTime: NOW - P.retentionMs });
  assert.equal(isRetired(old, NOW, P.retentionMs), true);
  assert.equal(isRetired(old, NOW - 1, P.retentionMs), false);
  assert.equal(isRetired({ ...old, status: 'CREATE_IN_PROGRESS' }, NOW, P.retentionMs), false, 'a stuck running job stays');
  assert.equal(isRetired(old, NOW, 0), false);
  // Once retired, it stays retired for every later `now` (monotone in now): no flapping.
  for (let t = NOW; t < NOW + 30 * 86_400_000; t += 3_600_000) assert.equal(isRetired(old, t, P.retentionMs), true);
});

test('due times: discovery every sweep, Get-only terminal jobs at the slow interval, failing jobs after their backoff', () => {
  const base = { lastCheckedAt: NOW, consecutiveFailures: 0, lastFailureAt: undefined, backoffMs: 0 };
  assert.equal(jobDueAt({ ...base, job: snap({ status: 'ACTIVE' }), coverage: 'discovery' }, P), 0);
  assert.equal(jobDueAt({ ...base, job: snap({ status: 'ACTIVE' }), coverage: 'get' }, P), NOW + 600_000);
  assert.equal(jobDueAt({ ...base, job: snap({ status: 'CREATE_IN_PROGRESS' }), coverage: 'get' }, P), 0);
  assert.equal(jobDueAt({ ...base, job: snap({ status: 'ACTIVE' }), coverage: 'scope', scopeDueAt: NOW + 5 }, P), NOW + 5);
  assert.equal(
    jobDueAt({ ...base, job: snap(), coverage: 'discovery', consecutiveFailures: 3, lastFailureAt: NOW, backoffMs: 120_000 }, P),
    NOW + 120_000,
  );
  // A static scope is slow only when every job it stands for is terminal.
  assert.equal(scopeDueAt([snap({ status: 'ACTIVE' }), snap({ status: 'CREATE_FAILED' })], NOW, P), NOW + 600_000);
  assert.equal(scopeDueAt([snap({ status: 'ACTIVE' }), snap({ status: 'CREATE_PENDING' })], NOW, P), 0);
  assert.equal(scopeDueAt([snap({ status: 'ACTIVE' })], undefined, P), 0, 'never listed: now');
  // Half an interval of slack: a sweep starting a little early still acts.
  assert.equal(isDue(NOW + 10_000, NOW, 30_000), true);
  assert.equal(isDue(NOW + 20_000, NOW, 30_000), false);
});

test('plan: changed jobs Get, unchanged ones not, first sight within budget (running jobs first), backfill separate', () => {
  const known = new Map([
    [arn(1), snap({ arn: arn(1), status: 'CREATE_IN_PROGRESS', updateTime: NOW - 60_000 })],
    [arn(2), snap({ arn: arn(2), status: 'ACTIVE', updateTime: NOW - 60_000 })],
    [arn(3), snap({ arn: arn(3), status: 'ACTIVE', updateTime: NOW - 60_000, detail: 'summary' })],
  ]);
  const listed = [
    snap({ arn: arn(1), status: 'ACTIVE', updateTime: NOW - 1000, detail: 'summary' }),
    snap({ arn: arn(2), status: 'ACTIVE', updateTime: NOW - 60_000, detail: 'summary' }),
    snap({ arn: arn(3), status: 'ACTIVE', updateTime: NOW - 60_000, detail: 'summary' }),
    snap({ arn: arn(4), status: 'ACTIVE', updateTime: NOW - 90_000, detail: 'summary' }),
    snap({ arn: arn(5), status: 'CREATE_PENDING', updateTime: NOW - 5_000, detail: 'summary' }),
  ];
  const p = planSweep({
    staticArns: new Set(),
    discovery: [{ collaborationId: COLLAB }],
    known,
    results: [{ scope, jobs: listed }],
    detailBudget: 1,
    now: NOW,
    retentionMs: P.retentionMs,
  });
  assert.deepEqual(p.get, [arn(1), arn(5)], 'the change, then the new running job (budget 1)');
  assert.deepEqual(
    p.adopt.map((s) => s.arn),
    [arn(4)],
    'old finished job adopted from its summary',
  );
  assert.deepEqual(p.backfill, [], 'no budget left');
  const roomy = planSweep({
    staticArns: new Set(),
    discovery: [{ collaborationId: COLLAB }],
    known,
    results: [{ scope, jobs: listed }],
    detailBudget: 10,
    now: NOW,
  });
  assert.deepEqual(roomy.get, [arn(1), arn(5)]);
  assert.deepEqual(
    roomy.adopt.map((s) => s.arn),
    [arn(4)],
    'finished first sights are adopted at once...',
  );
  assert.deepEqual(roomy.backfill, [arn(4), arn(3)], '...and read in full after the main commit');
});

test('plan: a failed List scope decides nothing; a skipped (slow) scope defers without failing', () => {
  const known = new Map([
    [ARN_A, snap({ status: 'CREATE_IN_PROGRESS' })],
    [ARN_B, snap({ arn: ARN_B, status: 'ACTIVE' })],
  ]);
  for (const r of [
    { scope, jobs: undefined },
    { scope, jobs: undefined, skipped: true },
  ]) {
    const p = planSweep({
      staticArns: new Set(),
      discovery: [{ collaborationId: COLLAB }],
      known,
      results: [r],
      detailBudget: 100,
      now: NOW,
    });
    assert.deepEqual(p.get, [], 'no Get: absence from a failed listing is not evidence');
    assert.deepEqual(p.unwatched, []);
    assert.deepEqual(p.retired, []);
    assert.deepEqual(p.deferred.sort(), [ARN_A, ARN_B].sort());
  }
  // A complete listing without ARN_B: only then is it asked directly (it may have vanished).
  const p = planSweep({
    staticArns: new Set(),
    discovery: [{ collaborationId: COLLAB }],
    known,
    results: [{ scope, jobs: [snap({ detail: 'summary', status: 'CREATE_IN_PROGRESS' })] }],
    detailBudget: 0,
    now: NOW,
  });
  assert.deepEqual(p.get, [ARN_B]);
});

test('plan: discovered terminal jobs past retention are retired and never re-adopted; static ones stay', () => {
  const oldActive = (a: string) => snap({ arn: a, status: 'ACTIVE', updateTime: NOW - 8 * 86_400_000, detail: 'summary' });
  const known = new Map([[arn(1), { ...oldActive(arn(1)), detail: 'full' as const }]]);
  const results = [{ scope, jobs: [oldActive(arn(1)), oldActive(arn(2)), oldActive(ARN_B)] }];
  const input = {
    staticArns: new Set([ARN_B]),
    discovery: [{ collaborationId: COLLAB }],
    results,
    detailBudget: 100,
    now: NOW,
    retentionMs: P.retentionMs,
  };
  const p = planSweep({ ...input, known });
  assert.deepEqual(p.retired, [arn(1)]);
  assert.deepEqual(
    [...p.adopt.map((s) => s.arn), ...p.backfill],
    [ARN_B, ARN_B],
    'the static job is first seen (and kept), details backfilled',
  );
  assert.ok(!p.summaries.has(arn(2)) && !p.adopt.some((s) => s.arn === arn(2)), 'first sight of a long-finished job: not tracked');
  // The next sweep, with the job forgotten, decides the same: nothing flaps back.
  const again = planSweep({ ...input, known: new Map() });
  assert.deepEqual([...again.get, ...again.adopt.map((s) => s.arn)], [ARN_B]);
  assert.deepEqual(again.retired, []);
  // A newer update (its deletion) brings it back as a first sight.
  const deleting = planSweep({
    ...input,
    known: new Map(),
    results: [{ scope, jobs: [snap({ arn: arn(1), status: 'DELETE_PENDING', updateTime: NOW - 1000, detail: 'summary' })] }],
  });
  assert.deepEqual(deleting.get.sort(), [arn(1), ARN_B].sort());
});

test('plan: backoff and slow interval hold Gets back (isDue), changes included; the known state stays', () => {
  const known = new Map([[ARN_A, snap({ status: 'CREATE_IN_PROGRESS', updateTime: NOW - 60_000 })]]);
  const p = planSweep({
    staticArns: new Set([ARN_B]),
    discovery: [{ collaborationId: COLLAB }],
    known,
    results: [{ scope, jobs: [snap({ status: 'ACTIVE', updateTime: NOW - 1000, detail: 'summary' })] }],
    detailBudget: 10,
    now: NOW,
    isDue: () => false,
  });
  assert.deepEqual(p.get, []);
  assert.deepEqual(p.notDue.sort(), [ARN_A, ARN_B].sort());
});

test('plan: shard ownership filters static and discovered jobs', () => {
  const p = planSweep({
    staticArns: new Set([ARN_A, ARN_B]),
    discovery: [{ collaborationId: COLLAB }],
    known: new Map(),
    results: [{ scope, jobs: [snap({ arn: arn(7), detail: 'summary' }), snap({ arn: arn(8), detail: 'summary' })] }],
    detailBudget: 10,
    now: NOW,
    owns: (a) => a === ARN_A || a === arn(8),
  });
  assert.deepEqual(p.get.sort(), [ARN_A, arn(8)].sort());
  assert.equal(MODEL_ARN.length > 0, true);
});
