// The pure plan and decision of the other kinds' sweep, with plain values: List first, a Get only
// for what moved (or was never read in detail, within the budget), List items as the whole
// snapshot for kinds without a Get, nothing decided from a failed List.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KINDS } from '../../src/kinds/index.js';
import { entryList } from '../../src/kinds/discovery.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { decideResources, planResources } from '../../src/poll/resource-plan.js';
import type { ResourceSource } from '../../src/poll/spec.js';
import { MEMBERSHIP, resource, T0 } from '../helpers/resources.js';

function source(kind: keyof typeof KINDS, entry: Record<string, string>): ResourceSource {
  const l = entryList(entry, KINDS[kind]);
  if ('reason' in l) throw new Error(l.reason);
  return { key: `${kind}|${l.list.name}`, kind, list: l.list, params: l.params, view: l.list.view };
}
const TM = source('trainedModel', { membershipId: MEMBERSHIP });
const EXP = source('audienceExportJob', {});
const summary = (over: Partial<ResourceSnapshot>): ResourceSnapshot =>
  resource(KINDS.trainedModel, { detail: 'summary', results: {}, ...over });

describe('planResources', () => {
  it('a Get for what moved, none for what did not; the budget bounds first sight and backfill', () => {
    const known = summary({ detail: 'full', status: 'CREATE_IN_PROGRESS' });
    const moved = { ...known, detail: 'summary' as const, status: 'ACTIVE', updateTime: T0 + 1 };
    const other = summary({ id: 'arn:other', arn: 'arn:other', status: 'CREATE_IN_PROGRESS' });
    const plan = planResources({
      results: [{ source: TM, items: [moved, other] }],
      statics: [],
      known: new Map([[known.id, known]]),
      detailBudget: 0,
    });
    assert.deepEqual(
      plan.get.map((g) => g.id),
      [known.id],
    );
    // Beyond the budget, a new one is adopted from its summary.
    assert.deepEqual(
      plan.take.map((s) => s.id),
      ['arn:other'],
    );
    const unchanged = planResources({
      results: [{ source: TM, items: [known] }],
      statics: [],
      known: new Map([[known.id, known]]),
      detailBudget: 5,
    });
    assert.deepEqual(unchanged.get, []);
    assert.deepEqual(unchanged.take, []);
    // Never read in detail: a backfill Get within the budget.
    const shallow = { ...known, detail: 'summary' as const };
    assert.equal(
      planResources({ results: [{ source: TM, items: [shallow] }], statics: [], known: new Map([[known.id, shallow]]), detailBudget: 1 })
        .get.length,
      1,
    );
    assert.equal(
      planResources({ results: [{ source: TM, items: [shallow] }], statics: [], known: new Map([[known.id, shallow]]), detailBudget: 0 })
        .get.length,
      0,
    );
  });
  it('kinds without a Get take the List item; absent from a complete List, they are gone', () => {
    const e = resource(KINDS.audienceExportJob, { detail: 'summary', view: 'member', parents: {} });
    const p1 = planResources({ results: [{ source: EXP, items: [e] }], statics: [], known: new Map(), detailBudget: 10 });
    assert.deepEqual(p1.take, [e]);
    assert.deepEqual(p1.get, []);
    const p2 = planResources({ results: [{ source: EXP, items: [] }], statics: [], known: new Map([[e.id, e]]), detailBudget: 10 });
    assert.deepEqual(p2.gone, [e.id]);
  });
  it('a failed List decides nothing; a resource no source covers any more is forgotten', () => {
    const known = summary({ detail: 'full' });
    const failed = planResources({
      results: [{ source: TM, items: undefined }],
      statics: [],
      known: new Map([[known.id, known]]),
      detailBudget: 10,
    });
    assert.deepEqual([failed.get, failed.take, failed.gone, failed.forget], [[], [], [], []]);
    const unwatched = planResources({ results: [], statics: [], known: new Map([[known.id, known]]), detailBudget: 10 });
    assert.deepEqual(unwatched.forget, [known.id]);
  });
});

describe('decideResources', () => {
  const t = { targets: [{ name: 'w' }], notifyOnFirstSeenTerminal: false };
  it('stores, diffs and routes; a 404 of a known one vanishes it; retryable errors leave it as it was', () => {
    const prev = summary({ detail: 'full', status: 'CREATE_IN_PROGRESS' });
    const next = { ...prev, status: 'CREATE_FAILED', updateTime: T0 + 5 };
    const d = decideResources(
      new Map([[prev.id, prev]]),
      { take: [], listed: new Map(), gone: [], forget: [] },
      [{ id: prev.id, snapshot: next }],
      t,
      9,
    );
    assert.deepEqual(
      d.upsert.map((s) => [s.status, s.statusSince]),
      [['CREATE_FAILED', T0 + 5]],
    );
    assert.deepEqual(
      d.enqueue.map((e) => e.event.type),
      ['trained_model.status_changed'],
    );
    const gone = decideResources(
      new Map([[prev.id, prev]]),
      { take: [], listed: new Map(), gone: [], forget: [] },
      [{ id: prev.id, error: { notFound: true, retryable: false } }],
      t,
      9,
    );
    assert.deepEqual(gone.remove, [prev.id]);
    assert.deepEqual(
      gone.transitions.map((x) => x.to),
      ['VANISHED'],
    );
    const flaky = decideResources(
      new Map([[prev.id, prev]]),
      { take: [], listed: new Map([[prev.id, next]]), gone: [], forget: [] },
      [{ id: prev.id, error: { notFound: false, retryable: true } }],
      t,
      9,
    );
    assert.deepEqual([flaky.upsert, flaky.remove, flaky.retryableFailure], [[], [], true]);
    // Refused for good: the List's view stands.
    const denied = decideResources(
      new Map([[prev.id, prev]]),
      { take: [], listed: new Map([[prev.id, next]]), gone: [], forget: [] },
      [{ id: prev.id, error: { notFound: false, retryable: false } }],
      t,
      9,
    );
    assert.deepEqual(
      denied.upsert.map((s) => s.status),
      ['CREATE_FAILED'],
    );
  });
});

describe('expandPerParent (trained model export jobs)', async () => {
  const { expandPerParent } = await import('../../src/poll/resource-sweep.js');
  const { JobTracker } = await import('../../src/poll/tracker.js');
  const l = entryList({ collaborationId: 'c-1', view: 'collaboration' }, KINDS.trainedModelExportJob);
  if ('reason' in l) throw new Error(l.reason);
  const src: ResourceSource = {
    key: 'exp',
    kind: 'trainedModelExportJob',
    list: l.list,
    params: l.params,
    view: 'collaboration',
    perParent: 'trainedModelArn',
  };
  const sched = { activeIntervalMs: 30_000, terminalIntervalMs: 600_000, maxBackoffMs: 600_000, retentionMs: 0 };
  const NOW = T0 + 86_400_000;
  const model = resource(KINDS.trainedModel, { status: 'ACTIVE', parents: { collaborationId: 'c-1' }, updateTime: T0 });
  const exp = resource(KINDS.trainedModelExportJob, { status: 'ACTIVE', parents: { collaborationId: 'c-1', trainedModelArn: model.arn! } });
  it('one List per known model of the collaboration; every sweep until first listed, then at terminalInterval', () => {
    const tracker = new JobTracker();
    const known = new Map([
      [model.id, model],
      [exp.id, exp],
    ]);
    const first = expandPerParent({ resourceSources: [src], schedule: sched }, known, NOW, { tracker });
    assert.deepEqual(
      first.due.map((s) => s.params),
      [{ collaborationId: 'c-1', trainedModelArn: model.arn }],
    );
    tracker.scopeListed(first.due[0]!.key, NOW);
    assert.equal(expandPerParent({ resourceSources: [src], schedule: sched }, known, NOW + 30_000, { tracker }).skipped.length, 1);
    assert.equal(expandPerParent({ resourceSources: [src], schedule: sched }, known, NOW + 600_000, { tracker }).due.length, 1);
  });
  it('listed every sweep while an export is unfinished or the model changed recently; models of other collaborations are not', () => {
    const tracker = new JobTracker();
    tracker.scopeListed(`exp|${model.arn}`, NOW);
    const running = new Map([
      [model.id, model],
      [exp.id, { ...exp, status: 'CREATE_IN_PROGRESS' }],
    ]);
    assert.equal(expandPerParent({ resourceSources: [src], schedule: sched }, running, NOW + 30_000, { tracker }).due.length, 1);
    const fresh = new Map([[model.id, { ...model, updateTime: NOW }]]);
    assert.equal(expandPerParent({ resourceSources: [src], schedule: sched }, fresh, NOW + 30_000, { tracker }).due.length, 1);
    const other = new Map([[model.id, { ...model, parents: { collaborationId: 'c-2' } }]]);
    assert.deepEqual(expandPerParent({ resourceSources: [src], schedule: sched }, other, NOW, { tracker }), { due: [], skipped: [] });
  });
});
