import { test } from 'node:test';
import assert from 'node:assert/strict';
import { route, type RoutableTarget } from '../../src/notify/route.js';
import { compileJobNamePattern } from '../../src/config/job-name-pattern.js';
import { eventId } from '../../src/notify/event-id.js';
import { ARN, T0, change, snap } from '../helpers/notify-fixtures.js';

const DEFAULT: RoutableTarget = { name: 'slack', statuses: ['ACTIVE', 'CREATE_FAILED', 'DELETE_FAILED'] };
const opts = { notifyOnFirstSeenTerminal: false, now: T0 };

test('status_changed to a listed status notifies, unlisted does not', () => {
  assert.equal(route([change('CREATE_IN_PROGRESS', 'ACTIVE')], [DEFAULT], opts).length, 1);
  assert.equal(route([change('CREATE_PENDING', 'CREATE_IN_PROGRESS')], [DEFAULT], opts).length, 0);
  assert.equal(route([change('CREATE_IN_PROGRESS', 'CREATE_FAILED')], [DEFAULT], opts).length, 1);
  assert.equal(route([change('DELETE_IN_PROGRESS', 'DELETE_FAILED')], [DEFAULT], opts).length, 1);
});

test('entry carries the event of the resource and starts with no attempts', () => {
  const t = change('CREATE_IN_PROGRESS', 'ACTIVE');
  const [e] = route([t], [DEFAULT], opts);
  assert.ok(e);
  assert.equal(e.target, 'slack');
  assert.equal(e.attempts, 0);
  assert.equal(e.nextAttemptAt, T0);
  assert.equal(e.createdAt, T0);
  assert.deepEqual(e.event, {
    type: 'audience_generation_job.status_changed',
    kind: 'audienceGenerationJob',
    transition: 'status_changed',
    arn: ARN,
    name: 'lookalike-q3',
    previousStatus: 'CREATE_IN_PROGRESS',
    status: 'ACTIVE',
    updateTime: t.snapshot.updateTime,
    observedAt: t.observedAt,
    resource: t.snapshot,
  });
});

test('first_seen of a terminal job is not notified unless notifyOnFirstSeenTerminal', () => {
  for (const s of ['ACTIVE', 'CREATE_FAILED', 'DELETE_FAILED']) {
    assert.equal(route([change(null, s)], [DEFAULT], opts).length, 0, s);
    assert.equal(route([change(null, s)], [DEFAULT], { ...opts, notifyOnFirstSeenTerminal: true }).length, 1, s);
  }
});

test('first_seen of a non-terminal job notifies targets listing that status', () => {
  const t = change(null, 'CREATE_IN_PROGRESS');
  assert.equal(route([t], [DEFAULT], opts).length, 0);
  const e = route([t], [{ name: 'progress', statuses: ['CREATE_IN_PROGRESS'] }], opts);
  assert.equal(e.length, 1);
  assert.equal(e[0]?.event.previousStatus, null);
  assert.equal(e[0]?.event.transition, 'first_seen');
});

test('vanished notifies targets listing VANISHED only', () => {
  const t = change('ACTIVE', 'VANISHED', {}, 'vanished');
  assert.equal(route([t], [DEFAULT], opts).length, 0);
  const [e] = route([t], [{ name: 'v', statuses: ['VANISHED'] }], opts);
  assert.equal(e?.event.status, 'VANISHED');
  assert.equal(e?.event.previousStatus, 'ACTIVE');
});

test('a status no kind lists yet is routed by its class: the default hears a new failure, not a new status at rest', () => {
  const byDefault: RoutableTarget = { name: 'default' };
  for (const [to, heard] of [
    ['CANCEL_FAILED', true],
    ['SOMETHING_FAILED', true],
    ['ACTIVE', true],
    ['CANCELLED', false],
    ['UPDATE_IN_PROGRESS', false],
    ['INACTIVE', false],
  ] as const)
    assert.equal(route([change('CREATE_IN_PROGRESS', to)], [byDefault], opts).length, heard ? 1 : 0, to);
  // The default is written by class in config too: [success, failure].
  assert.equal(route([change('CREATE_IN_PROGRESS', 'SOMETHING_FAILED')], [{ name: 'f', statuses: ['failure'] }], opts).length, 1);
  assert.equal(route([change('CREATE_IN_PROGRESS', 'ACTIVE')], [{ name: 'f', statuses: ['failure'] }], opts).length, 0);
  // A class names every status of it; a word names only itself.
  assert.equal(route([change('ACTIVE', 'CANCELLED')], [{ name: 'o', statuses: ['other'] }], opts).length, 1);
  assert.equal(route([change('ACTIVE', 'CANCELLED')], [{ name: 'c', statuses: ['CANCELLED'] }], opts).length, 1);
  assert.equal(route([change('ACTIVE', 'ARCHIVED')], [{ name: 'c', statuses: ['CANCELLED'] }], opts).length, 0);
  assert.equal(route([change('ACTIVE', 'UPDATE_PENDING')], [{ name: 'w', statuses: ['inProgress'] }], opts).length, 1);
  // VANISHED is no class: `other` does not hear it.
  assert.equal(route([change('ACTIVE', 'VANISHED', {}, 'vanished')], [{ name: 'o', statuses: ['other'] }], opts).length, 0);
  // First sight of a resource already at rest in a new status is old news, as for known ones; under way it is not.
  assert.equal(route([change(null, 'CANCELLED')], [{ name: 'c', statuses: ['CANCELLED'] }], opts).length, 0);
  assert.equal(route([change(null, 'UPDATE_IN_PROGRESS')], [{ name: 'w', statuses: ['inProgress'] }], opts).length, 1);
});

test('metrics_appeared is not a status event; only everyTransition targets get it, with a distinct id', () => {
  const m = change('ACTIVE', 'ACTIVE', { status: 'ACTIVE', metrics: { relevanceMetrics: [], recallMetric: 0.5 } }, 'metrics_appeared');
  assert.equal(route([m], [DEFAULT], opts).length, 0);
  const [e] = route([m], [{ ...DEFAULT, everyTransition: true }], opts);
  assert.ok(e);
  const s = route([change('CREATE_IN_PROGRESS', 'ACTIVE')], [{ ...DEFAULT, everyTransition: true }], opts)[0];
  assert.notEqual(e.id, s?.id);
});

test('everyTransition: every status change regardless of statuses; first-seen terminal still gated', () => {
  const every: RoutableTarget = { name: 'all', statuses: ['ACTIVE'], everyTransition: true };
  assert.equal(route([change('CREATE_PENDING', 'CREATE_IN_PROGRESS')], [every], opts).length, 1);
  assert.equal(route([change(null, 'CREATE_PENDING')], [every], opts).length, 1);
  assert.equal(route([change('ACTIVE', 'VANISHED', {}, 'vanished')], [every], opts).length, 1);
  assert.equal(route([change(null, 'ACTIVE')], [every], opts).length, 0);
});

test('several targets fan out, one entry each, ids differ per target', () => {
  const e = route([change('CREATE_IN_PROGRESS', 'ACTIVE')], [DEFAULT, { ...DEFAULT, name: 'audit' }], opts);
  assert.deepEqual(
    e.map((x) => x.target),
    ['slack', 'audit'],
  );
  assert.notEqual(e[0]?.id, e[1]?.id);
});

test('event id: evt_ + 32 hex, deterministic from (arn, status, updateTime, target) only', () => {
  const a = route([change('CREATE_IN_PROGRESS', 'ACTIVE')], [DEFAULT], opts)[0];
  // Re-derived later (after a crash), observed at another time, from first sight: same id.
  const b = route([change(null, 'ACTIVE')], [DEFAULT], { notifyOnFirstSeenTerminal: true, now: T0 + 999_999 })[0];
  assert.ok(a && b);
  assert.match(a.id, /^evt_[0-9a-f]{32}$/);
  assert.equal(a.id, b.id);
  assert.equal(a.id, eventId(ARN, 'ACTIVE', a.event.updateTime, 'slack'));
  assert.notEqual(a.id, eventId(ARN, 'ACTIVE', a.event.updateTime + 1, 'slack'));
  assert.notEqual(a.id, eventId(ARN, 'CREATE_FAILED', a.event.updateTime, 'slack'));
  assert.notEqual(a.id, eventId(`${ARN}x`, 'ACTIVE', a.event.updateTime, 'slack'));
  // Known vector: pins the derivation so a refactor cannot silently change ids of queued events.
  // sha256('["v1","arn","ACTIVE",0,"t"]'), first 128 bits.
  assert.equal(eventId('arn', 'ACTIVE', 0, 't'), 'evt_29b46b74ab53a2579e9bc24a6f1fd47c');
  assert.notEqual(eventId('a|b', 'c', 0, 't'), eventId('a', 'b|c', 0, 't'));
});

test('filters: collaborationIds and anchored jobNamePattern', () => {
  const t = change('CREATE_IN_PROGRESS', 'ACTIVE');
  assert.equal(route([t], [{ ...DEFAULT, collaborationIds: ['other'] }], opts).length, 0);
  assert.equal(route([t], [{ ...DEFAULT, collaborationIds: ['other', t.snapshot.parents.collaborationId!] }], opts).length, 1);
  const noCollab = change('CREATE_IN_PROGRESS', 'ACTIVE', { collaborationId: undefined });
  assert.equal(route([noCollab], [{ ...DEFAULT, collaborationIds: ['x'] }], opts).length, 0);
  assert.equal(route([t], [{ ...DEFAULT, jobNamePattern: 'lookalike-.*' }], opts).length, 1);
  assert.equal(route([t], [{ ...DEFAULT, jobNamePattern: 'lookalike' }], opts).length, 0, 'anchored: a prefix is not a match');
  assert.equal(route([t], [{ ...DEFAULT, jobNamePattern: '(' }], opts).length, 1, 'invalid pattern fails open');
  assert.equal(compileJobNamePattern('('), undefined);
  assert.ok(compileJobNamePattern('a|b')?.test('b'));
  assert.equal(compileJobNamePattern('a|b')?.test('ab'), false);
});

test('audience generation job ids are those earlier releases gave the same transitions: an upgrade never re-sends', () => {
  // Computed by the release that routed audience generation jobs on their own path, same fixtures.
  const every: RoutableTarget = { name: 'slack', everyTransition: true, statuses: ['ACTIVE'] };
  const cases: Array<[ReturnType<typeof change>, string]> = [
    [change('CREATE_IN_PROGRESS', 'ACTIVE'), 'evt_5082567459ee3e4bc3e9fa3aff4f667a'],
    [
      change('ACTIVE', 'ACTIVE', { metrics: { relevanceMetrics: [], recallMetric: 0.5 } }, 'metrics_appeared'),
      'evt_eadd9f1f350a9a61c3d67c503d60182e',
    ],
    [change('ACTIVE', 'VANISHED', {}, 'vanished'), 'evt_35810127d23afe47b1ebc02c1dec4825'],
    [change(null, 'CREATE_PENDING'), 'evt_d5c70c286500560ca3589fead687b04d'],
    [
      change('CREATE_IN_PROGRESS', 'CREATE_FAILED', { updateTime: Date.parse('2026-11-28T11:00:00.000Z') }),
      'evt_ba65cd15d0a99d549675ac099000f58f',
    ],
  ];
  for (const [t, id] of cases) {
    const [e] = route([t], [every], { notifyOnFirstSeenTerminal: true, now: 0 });
    assert.equal(e?.id, id, `${t.kind} ${t.to}`);
  }
  const m = route([cases[1]![0]], [every], opts)[0]!;
  assert.equal(m.id, eventId(ARN, 'ACTIVE#metrics', m.event.updateTime, 'slack'));
});

test('kinds and the declaration: a target of other kinds hears nothing; defaults are the kind success and failures', () => {
  const t = change('CREATE_IN_PROGRESS', 'ACTIVE');
  assert.equal(route([t], [{ name: 'x', kinds: ['trainedModel'] }], opts).length, 0);
  assert.equal(route([t], [{ name: 'x', kinds: ['trainedModel', 'audienceGenerationJob'] }], opts).length, 1);
  for (const to of ['ACTIVE', 'CREATE_FAILED', 'DELETE_FAILED'])
    assert.equal(route([change('CREATE_IN_PROGRESS', to)], [{ name: 'd' }], opts).length, 1, to);
  for (const to of ['CREATE_PENDING', 'DELETE_IN_PROGRESS'])
    assert.equal(route([change('CREATE_IN_PROGRESS', to)], [{ name: 'd' }], opts).length, 0, to);
  // A status the model does not know is at rest (class "other"): its first sight is old news.
  assert.equal(route([change(null, 'ARCHIVED')], [{ name: 'all', everyTransition: true }], opts).length, 0);
  assert.equal(route([change('ACTIVE', 'ARCHIVED')], [{ name: 'all', everyTransition: true }], opts).length, 1);
});

test('route is pure: does not mutate its inputs', () => {
  const ts = [change('CREATE_IN_PROGRESS', 'ACTIVE')];
  const before = JSON.stringify(ts);
  route(ts, [DEFAULT], opts);
  assert.equal(JSON.stringify(ts), before);
  assert.ok(snap());
});
