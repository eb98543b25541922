// The pure diff of any kind: what changed between two observations of one resource.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { diffResource, stampResourceStatusSince } from '../../src/kinds/diff.js';
import { KINDS } from '../../src/kinds/index.js';
import { job } from '../helpers/snapshots.js';
import { resource } from '../helpers/resources.js';

const NOW = Date.parse('2026-11-28T12:05:00.000Z');
const later = (ms: number) => Date.parse('2026-11-28T12:00:00.000Z') + ms;
const METRICS = { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE' as const, value: 1000 }, score: 0.9 }], recallMetric: 0.4 };

test('first sight yields first_seen from null', () => {
  const t = diffResource(undefined, job({ status: 'CREATE_IN_PROGRESS' }), NOW);
  assert.deepEqual(
    t.map((x) => [x.kind, x.id, x.from, x.to, x.observedAt]),
    [['first_seen', job().id, null, 'CREATE_IN_PROGRESS', NOW]],
  );
});

test('a status change yields status_changed with both statuses and the new snapshot', () => {
  const t = diffResource(job(), job({ status: 'ACTIVE', updateTime: later(60_000) }), NOW);
  assert.deepEqual(
    t.map((x) => [x.kind, x.from, x.to]),
    [['status_changed', 'CREATE_PENDING', 'ACTIVE']],
  );
  assert.equal(t[0]!.snapshot.status, 'ACTIVE');
});

test('no change yields nothing, even with a newer updateTime', () => {
  assert.deepEqual(diffResource(job(), job(), NOW), []);
  assert.deepEqual(diffResource(job(), job({ updateTime: later(5) }), NOW), []);
});

test('an older observation never reports a status going backwards', () => {
  const prev = job({ status: 'ACTIVE', updateTime: later(60_000) });
  assert.deepEqual(diffResource(prev, job({ status: 'CREATE_IN_PROGRESS', updateTime: later(1_000) }), NOW), []);
});

test('metrics appearing on an unchanged status: metrics_appeared, only from a full view, only once', () => {
  const prev = job({ status: 'ACTIVE' });
  assert.deepEqual(
    diffResource(prev, job({ status: 'ACTIVE', metrics: METRICS }), NOW).map((x) => [x.kind, x.from, x.to]),
    [['metrics_appeared', 'ACTIVE', 'ACTIVE']],
  );
  // A List summary never carries results: its lack of them says nothing.
  assert.deepEqual(diffResource(prev, job({ status: 'ACTIVE', metrics: METRICS, detail: 'summary' }), NOW), []);
  assert.deepEqual(diffResource(job({ status: 'ACTIVE', metrics: METRICS }), job({ status: 'ACTIVE', metrics: METRICS }), NOW), []);
  // Only the recall alone is enough; an empty relevance list alone is not a result.
  assert.deepEqual(
    diffResource(prev, job({ status: 'ACTIVE', metrics: { relevanceMetrics: [], recallMetric: 0.5 } }), NOW).map((x) => x.kind),
    ['metrics_appeared'],
  );
  assert.deepEqual(diffResource(prev, job({ status: 'ACTIVE', metrics: { relevanceMetrics: [] } }), NOW), []);
  // Metrics that come with the status change are part of that change: one transition.
  assert.deepEqual(
    diffResource(job(), job({ status: 'ACTIVE', metrics: METRICS, updateTime: later(1) }), NOW).map((x) => x.kind),
    ['status_changed'],
  );
});

test("metrics_appeared only for results declared arrivesLate: other kinds' results landing are not an event", () => {
  const tm = KINDS.trainedModel;
  assert.ok(
    tm.results.some((r) => r.type === 'number') && !tm.results.some((r) => r.type === 'number' && r.arrivesLate === true),
    'the trained model has number results, none arriving late',
  );
  const full = resource(tm, { status: 'ACTIVE' });
  assert.ok(Object.keys(full.results).length > 0);
  assert.deepEqual(diffResource({ ...full, results: {} }, full, NOW), []);
  // The same rule on the audience generation job declaration: its late results are relevance and recall.
  assert.deepEqual(
    KINDS.audienceGenerationJob.results.filter((r) => r.type === 'number' && r.arrivesLate === true).map((r) => r.key),
    ['relevance_score', 'recall_ratio'],
  );
});

test('a 404 after being seen yields vanished from the last status, with the last snapshot', () => {
  const prev = job({ status: 'ACTIVE' });
  const t = diffResource(prev, undefined, NOW);
  assert.deepEqual(
    t.map((x) => [x.kind, x.from, x.to, x.snapshot]),
    [['vanished', 'ACTIVE', 'VANISHED', prev]],
  );
  assert.deepEqual(diffResource(undefined, undefined, NOW), []);
});

test('an unknown future status is diffed as given', () => {
  const t = diffResource(job({ status: 'ACTIVE' }), job({ status: 'ARCHIVED' as never, updateTime: later(1) }), NOW);
  assert.deepEqual(
    t.map((x) => x.to),
    ['ARCHIVED'],
  );
});

test('statusSince survives snapshots that keep the status and restarts at the update that changes it', () => {
  const first = stampResourceStatusSince(undefined, job({ updateTime: later(0) }));
  assert.equal(first.statusSince, later(0));
  const same = stampResourceStatusSince(first, job({ updateTime: later(10) }));
  assert.equal(same.statusSince, later(0));
  const moved = stampResourceStatusSince(same, job({ status: 'ACTIVE', updateTime: later(20) }));
  assert.equal(moved.statusSince, later(20));
  assert.equal(stampResourceStatusSince(moved, moved), moved, 'unchanged: the same object');
});

test('the backfill Get of a job adopted from its List item is no metrics_appeared: the item never carries metrics', () => {
  const METRICS = { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 0.5 }], recallMetric: 0.3 };
  const adopted = job({ status: 'ACTIVE', detail: 'summary' });
  const read = job({ status: 'ACTIVE', detail: 'full', metrics: METRICS });
  assert.deepEqual(diffResource(adopted, read, 1), []);
  // Read in full before, without metrics: their arrival is news.
  const bare = job({ status: 'ACTIVE', detail: 'full' });
  assert.deepEqual(
    diffResource(bare, read, 1).map((t) => t.kind),
    ['metrics_appeared'],
  );
});
