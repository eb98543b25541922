// The sweep's pure decision, with plain values: what to store, remove, enqueue and report.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type Observed, type Targets } from '../../src/poll/decide.js';
import { stampStatusSince, type JobSnapshot } from '../../src/domain.js';
import { ARN_A, ARN_B, snap } from '../helpers/snapshots.js';

const NOW = Date.parse('2026-12-01T00:00:00.000Z');
const T0 = NOW - 60_000;
const ARN_C = ARN_A.replace(/0001$/, '0003');
const TARGETS: Targets = {
  targets: [{ name: 'ops', statuses: ['ACTIVE', 'CREATE_FAILED', 'DELETE_FAILED'] }],
  notifyOnFirstSeenTerminal: false,
};
const none: Observed = { adopted: [], fetched: [], summaries: new Map(), forget: [], backfill: false };
// Stored snapshots carry when their status began, as the store holds them.
const state = (...jobs: JobSnapshot[]) => new Map(jobs.map((j) => [j.arn, stampStatusSince(undefined, j)]));

test('a Get that shows a new status: stored, one transition, one notification per target that lists the status', () => {
  const before = state(snap({ status: 'CREATE_IN_PROGRESS', updateTime: T0 }));
  const job = snap({ status: 'ACTIVE', updateTime: T0 + 1000 });
  const d = decide(before, { ...none, fetched: [{ arn: ARN_A, job }] }, TARGETS, NOW);
  assert.deepEqual(d.upsert, [{ ...job, statusSince: T0 + 1000 }], 'a new status began at the update that shows it');
  assert.deepEqual(d.remove, []);
  assert.deepEqual(
    d.transitions.map((t) => [t.kind, t.from, t.to, t.observedAt]),
    [['status_changed', 'CREATE_IN_PROGRESS', 'ACTIVE', NOW]],
  );
  assert.deepEqual(
    d.enqueue.map((e) => [e.target, e.event.status, e.createdAt]),
    [['ops', 'ACTIVE', NOW]],
  );
  assert.equal(d.jobErrors, 0);
  assert.equal(d.retryableFailure, false);
  // A target that does not list ACTIVE hears nothing.
  assert.deepEqual(
    decide(before, { ...none, fetched: [{ arn: ARN_A, job }] }, { ...TARGETS, targets: [{ name: 'x', statuses: ['CREATE_FAILED'] }] }, NOW)
      .enqueue,
    [],
  );
});

test('a job first seen already finished: stored, reported as first_seen, notified only with notifyOnFirstSeenTerminal', () => {
  const s = snap({ status: 'ACTIVE', detail: 'summary' });
  const d = decide(new Map(), { ...none, adopted: [s] }, TARGETS, NOW);
  assert.deepEqual(d.upsert, [{ ...s, statusSince: s.updateTime }]);
  assert.deepEqual(
    d.transitions.map((t) => [t.kind, t.from, t.to]),
    [['first_seen', null, 'ACTIVE']],
  );
  assert.deepEqual(d.enqueue, []);
  assert.equal(decide(new Map(), { ...none, adopted: [s] }, { ...TARGETS, notifyOnFirstSeenTerminal: true }, NOW).enqueue.length, 1);
});

test('404: a job seen before vanished (removed, reported); a configured job never seen is a job error and nothing is stored', () => {
  const before = state(snap({ status: 'ACTIVE' }));
  const d = decide(
    before,
    {
      ...none,
      fetched: [
        { arn: ARN_A, error: { outcome: 'not_found', retryable: false } },
        { arn: ARN_B, error: { outcome: 'not_found', retryable: false } },
      ],
    },
    TARGETS,
    NOW,
  );
  assert.deepEqual(d.remove, [ARN_A]);
  assert.deepEqual(d.upsert, []);
  assert.deepEqual(
    d.transitions.map((t) => [t.arn, t.kind, t.to]),
    [[ARN_A, 'vanished', 'VANISHED']],
  );
  assert.equal(d.jobErrors, 1, 'only the never-seen ARN');
});

test('a retryable failure leaves the job as it was and fails the main pass, not the backfill', () => {
  const before = state(snap({ status: 'CREATE_IN_PROGRESS' }));
  const fetched = [{ arn: ARN_A, error: { outcome: 'throttled' as const, retryable: true } }];
  const summaries = new Map([[ARN_A, snap({ status: 'ACTIVE', updateTime: T0 + 5, detail: 'summary' })]]);
  const main = decide(before, { ...none, fetched, summaries }, TARGETS, NOW);
  assert.deepEqual([main.upsert, main.remove, main.enqueue, main.transitions], [[], [], [], []], 'no decision from an unanswered Get');
  assert.equal(main.retryableFailure, true);
  assert.equal(main.jobErrors, 1);
  const backfill = decide(before, { ...none, fetched, summaries, backfill: true }, TARGETS, NOW);
  assert.equal(backfill.retryableFailure, false);
  assert.equal(backfill.jobErrors, 1);
});

test('a Get refused for good (AccessDenied on Get only): the List summary stands in; without one nothing changes', () => {
  const before = state(snap({ status: 'CREATE_IN_PROGRESS', updateTime: T0 }));
  const summary = snap({ status: 'ACTIVE', updateTime: T0 + 5, detail: 'summary' });
  const fetched = [{ arn: ARN_A, error: { outcome: 'access_denied' as const, retryable: false } }];
  const d = decide(before, { ...none, fetched, summaries: new Map([[ARN_A, summary]]) }, TARGETS, NOW);
  assert.deepEqual(d.upsert, [{ ...summary, statusSince: T0 + 5 }]);
  assert.deepEqual(
    d.transitions.map((t) => t.to),
    ['ACTIVE'],
  );
  assert.equal(d.retryableFailure, false);
  assert.equal(d.jobErrors, 1);
  assert.deepEqual(decide(before, { ...none, fetched }, TARGETS, NOW).upsert, []);
});

test('forgotten jobs (unwatched, retired) are removed without a transition or notification', () => {
  const before = state(snap({ status: 'ACTIVE' }), snap({ arn: ARN_B, status: 'ACTIVE' }));
  const d = decide(before, { ...none, forget: [ARN_B] }, TARGETS, NOW);
  assert.deepEqual([d.remove, d.transitions, d.enqueue], [[ARN_B], [], []]);
});

test('an older observation (lagging replica) and an identical one change nothing', () => {
  const prev = snap({ status: 'ACTIVE', updateTime: T0 });
  const d = decide(
    state(prev),
    {
      ...none,
      fetched: [
        { arn: ARN_A, job: snap({ status: 'CREATE_IN_PROGRESS', updateTime: T0 - 1 }) },
        { arn: ARN_C, job: snap({ arn: ARN_C }) },
      ],
    },
    TARGETS,
    NOW,
  );
  assert.deepEqual(
    d.transitions.map((t) => [t.arn, t.kind]),
    [[ARN_C, 'first_seen']],
  );
  assert.deepEqual(
    d.upsert.map((j) => j.arn),
    [ARN_C],
  );
  assert.deepEqual(decide(state(prev), { ...none, fetched: [{ arn: ARN_A, job: { ...prev } }] }, TARGETS, NOW), {
    upsert: [],
    remove: [],
    enqueue: [],
    transitions: [],
    jobErrors: 0,
    retryableFailure: false,
  });
});

test('metrics appearing on a finished job: stored and reported as metrics_appeared; only everyTransition targets hear it', () => {
  const prev = snap({ status: 'ACTIVE', updateTime: T0 });
  const job = snap({ status: 'ACTIVE', updateTime: T0, metrics: { relevanceMetrics: [], recallMetric: 0.5 } });
  const d = decide(state(prev), { ...none, fetched: [{ arn: ARN_A, job }] }, TARGETS, NOW);
  assert.deepEqual(d.upsert, [{ ...job, statusSince: T0 }], 'the status did not change: it still began at T0');
  assert.deepEqual(
    d.transitions.map((t) => [t.kind, t.from, t.to]),
    [['metrics_appeared', 'ACTIVE', 'ACTIVE']],
  );
  assert.deepEqual(d.enqueue, []);
  const every = decide(
    state(prev),
    { ...none, fetched: [{ arn: ARN_A, job }] },
    { ...TARGETS, targets: [{ name: 'all', statuses: [], everyTransition: true }] },
    NOW,
  );
  assert.equal(every.enqueue.length, 1);
});
