// The sweep's pure decision, with plain values: what to store, remove, enqueue and report, the
// same for every kind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type Fetched, type Observed, type Targets } from '../../src/poll/decide.js';
import { stampResourceStatusSince } from '../../src/kinds/diff.js';
import { KINDS } from '../../src/kinds/index.js';
import { eventId } from '../../src/notify/event-id.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { ARN_A, ARN_B, job } from '../helpers/snapshots.js';
import { resource } from '../helpers/resources.js';

const NOW = Date.parse('2026-12-01T00:00:00.000Z');
const T0 = NOW - 60_000;
const ARN_C = ARN_A.replace(/0001$/, '0003');
const TARGETS: Targets = {
  targets: [{ name: 'ops', statuses: ['ACTIVE', 'CREATE_FAILED', 'DELETE_FAILED'] }],
  notifyOnFirstSeenTerminal: false,
};
const none: Observed = { adopted: [], fetched: [], listed: new Map(), gone: [], forget: [], backfill: false };
// Stored snapshots carry when their status began, as the store holds them.
const state = (...rs: ResourceSnapshot[]) => new Map(rs.map((r) => [r.id, stampResourceStatusSince(undefined, r)]));
const got = (snapshot: ResourceSnapshot): Fetched => ({ id: snapshot.id, snapshot });

test('a Get that shows a new status: stored, one transition, one notification per target that lists the status', () => {
  const before = state(job({ status: 'CREATE_IN_PROGRESS', updateTime: T0 }));
  const j = job({ status: 'ACTIVE', updateTime: T0 + 1000 });
  const d = decide(before, { ...none, fetched: [got(j)] }, TARGETS, NOW);
  assert.deepEqual(d.upsert, [{ ...j, statusSince: T0 + 1000 }], 'a new status began at the update that shows it');
  assert.deepEqual(d.remove, []);
  assert.deepEqual(
    d.transitions.map((t) => [t.kind, t.id, t.from, t.to, t.observedAt]),
    [['status_changed', ARN_A, 'CREATE_IN_PROGRESS', 'ACTIVE', NOW]],
  );
  assert.deepEqual(
    d.enqueue.map((e) => [e.target, e.event.type, e.event.status, e.createdAt]),
    [['ops', 'audience_generation_job.status_changed', 'ACTIVE', NOW]],
  );
  assert.equal(d.errors, 0);
  assert.equal(d.retryableFailure, false);
  // A target that does not list ACTIVE hears nothing.
  assert.deepEqual(
    decide(before, { ...none, fetched: [got(j)] }, { ...TARGETS, targets: [{ name: 'x', statuses: ['CREATE_FAILED'] }] }, NOW).enqueue,
    [],
  );
});

test('any kind takes the same path: a trained model failing is stored, diffed and routed with its own event type', () => {
  const prev = resource(KINDS.trainedModel, { status: 'CREATE_IN_PROGRESS', updateTime: T0 });
  const next = { ...prev, status: 'CREATE_FAILED', updateTime: T0 + 5, statusDetails: { statusCode: 'ERR', message: 'boom' } };
  const d = decide(state(prev), { ...none, fetched: [got(next)] }, { targets: [{ name: 'w' }], notifyOnFirstSeenTerminal: false }, NOW);
  assert.deepEqual(
    d.upsert.map((s) => [s.status, s.statusSince]),
    [['CREATE_FAILED', T0 + 5]],
  );
  assert.deepEqual(
    d.enqueue.map((e) => [e.target, e.event.type, 'kind' in e.event ? e.event.kind : undefined, e.event.status]),
    [['w', 'trained_model.status_changed', 'trainedModel', 'CREATE_FAILED']],
    'a target without statuses hears the kind defaults (its failures included)',
  );
});

test('a resource first seen already finished: stored, reported as first_seen, notified only with notifyOnFirstSeenTerminal', () => {
  const s = job({ status: 'ACTIVE', detail: 'summary' });
  const d = decide(new Map(), { ...none, adopted: [s] }, TARGETS, NOW);
  assert.deepEqual(d.upsert, [{ ...s, statusSince: s.updateTime }]);
  assert.deepEqual(
    d.transitions.map((t) => [t.kind, t.from, t.to]),
    [['first_seen', null, 'ACTIVE']],
  );
  assert.deepEqual(d.enqueue, []);
  assert.equal(decide(new Map(), { ...none, adopted: [s] }, { ...TARGETS, notifyOnFirstSeenTerminal: true }, NOW).enqueue.length, 1);
});

test('404: a resource seen before vanished (removed, reported); a configured one never seen is an error and nothing is stored', () => {
  const before = state(job({ status: 'ACTIVE' }));
  const d = decide(
    before,
    {
      ...none,
      fetched: [
        { id: ARN_A, error: { outcome: 'not_found', retryable: false } },
        { id: ARN_B, error: { outcome: 'not_found', retryable: false } },
      ],
    },
    TARGETS,
    NOW,
  );
  assert.deepEqual(d.remove, [ARN_A]);
  assert.deepEqual(d.upsert, []);
  assert.deepEqual(
    d.transitions.map((t) => [t.id, t.kind, t.from, t.to]),
    [[ARN_A, 'vanished', 'ACTIVE', 'VANISHED']],
  );
  assert.equal(d.errors, 1, 'only the never-seen ARN');
});

test('gone (kinds without a Get, absent from their complete listing): removed and reported as vanished', () => {
  const exp = resource(KINDS.audienceExportJob, { status: 'CREATE_IN_PROGRESS' });
  const d = decide(
    state(exp),
    { ...none, gone: [exp.id] },
    { targets: [{ name: 'w', everyTransition: true }], notifyOnFirstSeenTerminal: false },
    NOW,
  );
  assert.deepEqual(d.remove, [exp.id]);
  assert.deepEqual(
    d.transitions.map((t) => [t.kind, t.to]),
    [['vanished', 'VANISHED']],
  );
  assert.equal(d.errors, 0);
  // Something already forgotten that a stale plan calls gone: nothing to report.
  assert.deepEqual(decide(new Map(), { ...none, gone: [exp.id] }, TARGETS, NOW).transitions, []);
});

test('a retryable failure leaves the resource as it was and fails the main pass, not the backfill', () => {
  const before = state(job({ status: 'CREATE_IN_PROGRESS' }));
  const fetched: Fetched[] = [{ id: ARN_A, error: { outcome: 'throttled', retryable: true } }];
  const listed = new Map([[ARN_A, job({ status: 'ACTIVE', updateTime: T0 + 5, detail: 'summary' })]]);
  const main = decide(before, { ...none, fetched, listed }, TARGETS, NOW);
  assert.deepEqual([main.upsert, main.remove, main.enqueue, main.transitions], [[], [], [], []], 'no decision from an unanswered Get');
  assert.equal(main.retryableFailure, true);
  assert.equal(main.errors, 1);
  const backfill = decide(before, { ...none, fetched, listed, backfill: true }, TARGETS, NOW);
  assert.equal(backfill.retryableFailure, false);
  assert.equal(backfill.errors, 1);
});

test('a Get refused for good (AccessDenied on Get only): the listed snapshot stands in; without one nothing changes', () => {
  const before = state(job({ status: 'CREATE_IN_PROGRESS', updateTime: T0 }));
  const summary = job({ status: 'ACTIVE', updateTime: T0 + 5, detail: 'summary' });
  const fetched: Fetched[] = [{ id: ARN_A, error: { outcome: 'access_denied', retryable: false } }];
  const d = decide(before, { ...none, fetched, listed: new Map([[ARN_A, summary]]) }, TARGETS, NOW);
  assert.deepEqual(d.upsert, [{ ...summary, statusSince: T0 + 5 }]);
  assert.deepEqual(
    d.transitions.map((t) => t.to),
    ['ACTIVE'],
  );
  assert.equal(d.retryableFailure, false);
  assert.equal(d.errors, 1);
  assert.deepEqual(decide(before, { ...none, fetched }, TARGETS, NOW).upsert, []);
});

test('forgotten resources (unwatched, retired) are removed without a transition or notification', () => {
  const before = state(job({ status: 'ACTIVE' }), job({ arn: ARN_B, status: 'ACTIVE' }));
  const d = decide(before, { ...none, forget: [ARN_B] }, TARGETS, NOW);
  assert.deepEqual([d.remove, d.transitions, d.enqueue], [[ARN_B], [], []]);
});

test('an older observation (lagging replica) and an identical one change nothing', () => {
  const prev = job({ status: 'ACTIVE', updateTime: T0 });
  const d = decide(
    state(prev),
    { ...none, fetched: [got(job({ status: 'CREATE_IN_PROGRESS', updateTime: T0 - 1 })), got(job({ arn: ARN_C }))] },
    TARGETS,
    NOW,
  );
  assert.deepEqual(
    d.transitions.map((t) => [t.id, t.kind]),
    [[ARN_C, 'first_seen']],
  );
  assert.deepEqual(
    d.upsert.map((s) => s.id),
    [ARN_C],
  );
  assert.deepEqual(decide(state(prev), { ...none, fetched: [got({ ...prev })] }, TARGETS, NOW), {
    upsert: [],
    remove: [],
    enqueue: [],
    transitions: [],
    errors: 0,
    retryableFailure: false,
  });
});

test('metrics appearing on a finished job: stored and reported as metrics_appeared, the status still began when it began', () => {
  const prev = job({ status: 'ACTIVE', updateTime: T0 });
  const j = job({ status: 'ACTIVE', updateTime: T0, metrics: { relevanceMetrics: [], recallMetric: 0.5 } });
  const d = decide(state(prev), { ...none, fetched: [got(j)] }, TARGETS, NOW);
  assert.deepEqual(d.upsert, [{ ...j, statusSince: T0 }], 'the status did not change: it still began at T0');
  assert.deepEqual(
    d.transitions.map((t) => [t.kind, t.from, t.to]),
    [['metrics_appeared', 'ACTIVE', 'ACTIVE']],
  );
});

test('metrics appearing are not a status event: only everyTransition targets hear them, under an id of their own', () => {
  const prev = job({ status: 'ACTIVE', updateTime: T0 });
  const j = job({ status: 'ACTIVE', updateTime: T0, metrics: { relevanceMetrics: [], recallMetric: 0.5 } });
  const observed = { ...none, fetched: [got(j)] };
  assert.deepEqual(decide(state(prev), observed, TARGETS, NOW).enqueue, [], 'a target listing ACTIVE already heard of ACTIVE');
  const all = { ...TARGETS, targets: [{ name: 'all', statuses: [], everyTransition: true }] };
  const every = decide(state(prev), observed, all, NOW);
  assert.deepEqual(
    every.enqueue.map((e) => [e.event.transition, e.event.type]),
    [['metrics_appeared', 'audience_generation_job.status_changed']],
  );
  assert.equal(every.enqueue[0]!.id, eventId(ARN_A, 'ACTIVE#metrics', T0, 'all'), 'the same id as releases before: never sent twice');
  // The status event of the same update (had it been sent) has another id: the receiver keeps both.
  const statusEvent = decide(new Map(), { ...none, fetched: [got(j)] }, { ...all, notifyOnFirstSeenTerminal: true }, NOW);
  assert.equal(statusEvent.enqueue.length, 1);
  assert.notEqual(statusEvent.enqueue[0]!.id, every.enqueue[0]!.id);
});
