// The ResourceView contract, built from plain snapshots, runtime facts and extras with an injected
// `now`: what each member is made from, what is left out when unknown, the history's rules and
// the list's order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ALL_KINDS, KIND_NAMES } from '../../src/kinds/index.js';
import { compareViews, resourceDetailView, resourceList, resourceView, type CheckFacts } from '../../src/http/resource-view.js';
import { resource, T0 } from '../helpers/resources.js';

const [first, second] = ALL_KINDS as [(typeof ALL_KINDS)[number], (typeof ALL_KINDS)[number]];
const check: CheckFacts = { runtime: undefined, source: 'discovery' };
const MIN = 60_000;

test('resourceView: since and time in status come from statusSince, not updateTime; times are ISO', () => {
  const s = resource(first, { status: 'ACTIVE', updateTime: T0 + 30 * MIN, statusSince: T0, createTime: T0 - MIN });
  const v = resourceView(s, check, {}, T0 + 90 * MIN + 999);
  assert.equal(v.since, new Date(T0).toISOString());
  assert.equal(v.inStatusSeconds, 90 * 60);
  assert.equal(v.updateTime, new Date(T0 + 30 * MIN).toISOString());
  assert.equal(v.createTime, new Date(T0 - MIN).toISOString());
  assert.equal(v.statusClass, 'success');
  assert.equal(v.kind, first.kind);
  assert.equal(v.id, s.id);
  // A snapshot stored before statusSince existed: its updateTime stands in.
  const old = resource(first, { updateTime: T0 + MIN, statusSince: undefined });
  assert.equal(resourceView(old, check, {}, T0 + 2 * MIN).since, new Date(T0 + MIN).toISOString());
  // AWS's clock ahead of ours: never a negative time.
  assert.equal(resourceView(old, check, {}, T0).inStatusSeconds, 0);
});

test('resourceView: unknown members are absent (never null); known extras are carried', () => {
  const s = resource(first, { status: 'CREATE_IN_PROGRESS', statusSince: T0, statusDetails: undefined });
  const bare = resourceView(s, check, {}, T0);
  for (const k of ['failure', 'tags', 'lastTransition', 'slowerThanUsual', 'history', 'lastCheckedAt', 'lastError', 'nextCheckAt'])
    assert.ok(!(k in bare), `${k} absent`);
  assert.equal(bare.consecutiveFailures, 0);
  assert.ok(!JSON.stringify(bare).includes('null'));

  const full = resourceView(
    { ...s, status: 'CREATE_FAILED', statusDetails: { statusCode: 'X_ERR', message: '<b>boom</b>' } },
    {
      runtime: {
        lastCheckedAt: T0 + MIN,
        lastCheckedVia: 'get',
        consecutiveFailures: 2,
        lastError: { outcome: 'throttled', message: 'slow down', at: T0 + MIN },
        backoffMs: 0,
        dueAt: T0 + 5 * MIN,
      },
      source: 'static',
      nextSweepAt: T0 + 2 * MIN,
    },
    {
      tags: { team: 'growth' },
      lastTransition: { from: 'CREATE_IN_PROGRESS', to: 'CREATE_FAILED', at: T0, seenAt: T0 + 1000 },
      slowerThanUsual: { usualP50Seconds: 60, usualP90Seconds: 120, samples: 7 },
    },
    T0 + 3 * MIN,
  );
  assert.equal(full.statusClass, 'failure');
  assert.deepEqual(
    full.failure,
    { statusCode: 'X_ERR', message: '<b>boom</b>' },
    'text kept as AWS wrote it: escaping is the renderer’s job',
  );
  assert.deepEqual(full.tags, { team: 'growth' });
  assert.deepEqual(full.lastTransition, {
    from: 'CREATE_IN_PROGRESS',
    to: 'CREATE_FAILED',
    at: new Date(T0).toISOString(),
    seenAt: new Date(T0 + 1000).toISOString(),
  });
  assert.deepEqual(full.slowerThanUsual, { usualP50Seconds: 60, usualP90Seconds: 120, samples: 7 });
  assert.equal(full.source, 'static');
  assert.equal(full.lastCheckedVia, 'get');
  assert.equal(full.consecutiveFailures, 2);
  assert.deepEqual(full.lastError, { outcome: 'throttled', message: 'slow down', at: new Date(T0 + MIN).toISOString() });
  assert.equal(full.nextCheckAt, new Date(T0 + 5 * MIN).toISOString(), 'the later of its due time and the next sweep');
  assert.ok(!('history' in full), 'rows carry no history');
});

test('resourceDetailView: without a recorded history, the current status alone, seen when its transition was seen', () => {
  const s = resource(first, { status: 'CREATE_FAILED', statusSince: T0, updateTime: T0, statusDetails: { statusCode: 'E', message: 'm' } });
  const seen = resourceDetailView(
    s,
    check,
    { lastTransition: { from: 'CREATE_IN_PROGRESS', to: 'CREATE_FAILED', at: T0, seenAt: T0 + 500 } },
    T0 + MIN,
  );
  assert.deepEqual(seen.history, [
    {
      status: 'CREATE_FAILED',
      statusClass: 'failure',
      startedAt: new Date(T0).toISOString(),
      seenAt: new Date(T0 + 500).toISOString(),
      statusCode: 'E',
      message: 'm',
    },
  ]);
  // After a restart nothing recorded the transition: no seenAt rather than a guess.
  const after = resourceDetailView(s, check, {}, T0 + MIN);
  assert.equal(after.history?.length, 1);
  assert.ok(!('seenAt' in after.history![0]!));
});

test('resourceDetailView: a recorded history is kept oldest first, and ends with the current status', () => {
  const s = resource(first, { status: 'ACTIVE', statusSince: T0 + 10 * MIN, updateTime: T0 + 10 * MIN });
  const phases = [
    { status: 'CREATE_PENDING', startedAt: T0, seenAt: T0 + 1000, durationSeconds: 120 },
    {
      status: 'CREATE_IN_PROGRESS',
      startedAt: T0 + 2 * MIN,
      seenAt: T0 + 2 * MIN + 900,
      durationSeconds: 480,
      usual: { p50Seconds: 400, p90Seconds: 600 },
    },
  ];
  const appended = resourceDetailView(s, check, { history: phases }, T0 + 20 * MIN);
  assert.deepEqual(
    appended.history?.map((e) => [e.status, e.startedAt, e.durationSeconds, e.usual?.p90Seconds]),
    [
      ['CREATE_PENDING', new Date(T0).toISOString(), 120, undefined],
      ['CREATE_IN_PROGRESS', new Date(T0 + 2 * MIN).toISOString(), 480, 600],
      ['ACTIVE', new Date(T0 + 10 * MIN).toISOString(), undefined, undefined],
    ],
  );
  // A history that already ends with the current status is not given it twice.
  const complete = [...phases, { status: 'ACTIVE', startedAt: T0 + 10 * MIN, seenAt: T0 + 10 * MIN + 300 }];
  const kept = resourceDetailView(s, check, { history: complete }, T0 + 20 * MIN);
  assert.equal(kept.history?.length, 3);
  assert.equal(kept.history?.[2]?.seenAt, new Date(T0 + 10 * MIN + 300).toISOString());
});

test('resourceList: rows in kind order, then name, then id; configured resources never read are listed apart', () => {
  const a = resource(second, { id: 'id-b', name: 'alpha' });
  const b = resource(first, { id: 'id-c', name: 'zulu' });
  const c = resource(first, { id: 'id-a', name: 'alpha' });
  const d = resource(first, { id: 'id-0', name: 'alpha' });
  const list = resourceList({
    resources: new Map([a, b, c, d].map((s) => [s.id, s])),
    runtime: (id) =>
      id === 'arn:never'
        ? { consecutiveFailures: 3, backoffMs: 0, dueAt: 0, lastError: { outcome: 'not_found', message: 'gone', at: T0 } }
        : undefined,
    runtimeIds: () => ['arn:never', 'id-a'],
    statics: new Map([
      ['arn:never', { kind: first.kind }],
      ['id-c', { kind: first.kind }],
    ]),
    extras: () => ({}),
    now: T0,
  });
  assert.deepEqual(
    list.resources.map((v) => v.id),
    ['id-0', 'id-a', 'id-c', 'id-b'],
  );
  assert.equal(list.resources.find((v) => v.id === 'id-c')?.source, 'static');
  assert.deepEqual(list.unseen, [
    {
      kind: first.kind,
      id: 'arn:never',
      source: 'static',
      consecutiveFailures: 3,
      lastError: { outcome: 'not_found', message: 'gone', at: new Date(T0).toISOString() },
    },
  ]);
  // compareViews is a total order: equal only for the same id.
  const sorted = [...list.resources].sort(compareViews);
  assert.deepEqual(sorted, list.resources);
  assert.equal(KIND_NAMES.indexOf(first.kind) < KIND_NAMES.indexOf(second.kind), true);
});

test('tags: the snapshot’s own or inherited tags (with where from) are shown; a resource outside the discovery tag filters is not listed', () => {
  const own = resource(first, { id: 'own', tags: { team: 'risk' }, tagsReadAt: T0 });
  const inherited = resource(second, { id: 'child', tags: { team: 'growth' }, tagsFrom: 'own' });
  const hidden = resource(first, { id: 'hidden', tags: { team: 'other' }, tagFiltered: true });
  assert.deepEqual(resourceView(own, check, {}, T0).tags, { team: 'risk' });
  assert.equal(resourceView(own, check, {}, T0).tagsFrom, undefined);
  const v = resourceView(inherited, check, {}, T0);
  assert.deepEqual([v.tags, v.tagsFrom], [{ team: 'growth' }, 'own']);
  assert.equal(resourceView(resource(first, { tags: {} }), check, {}, T0).tags, undefined, 'no tags: no member');
  const list = resourceList({
    resources: new Map([own, inherited, hidden].map((s) => [s.id, s])),
    runtime: () => undefined,
    runtimeIds: () => ['hidden'],
    statics: new Map(),
    extras: () => ({}),
    now: T0,
  });
  assert.deepEqual(list.resources.map((x) => x.id).sort(), ['child', 'own']);
  assert.deepEqual(list.unseen, [], 'kept for its tags, not an unseen resource either');
});
