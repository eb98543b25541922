// The pure sweep plan, with plain values, the same for every kind: which Lists a sweep calls
// (sweepLists, staticList), which resources are still watched (isWatched), and from the List
// pages which resources need a Get (planSweep): List first, a Get only for what moved, was never
// read in detail (within the budget) or left its listing; List items as the whole snapshot for
// kinds without a Get; nothing decided from a failed List.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ConnSpec } from '../../src/aws/connections.js';
import { entryList } from '../../src/kinds/discovery.js';
import { KINDS } from '../../src/kinds/index.js';
import type { KindName } from '../../src/kinds/kind.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import type { ScheduleParams } from '../../src/poll/due.js';
import {
  isWatched,
  parentIndex,
  planSweep,
  staticList,
  sweepLists,
  type PlanInput,
  type PlannedList,
  type Watch,
} from '../../src/poll/plan.js';
import { shardOf } from '../../src/poll/shard.js';
import { sourceKey, type Source, type StaticResource } from '../../src/poll/spec.js';
import { COLLABORATION, MEMBERSHIP, resource, TRAINED_MODEL_ARN } from '../helpers/resources.js';
import { ARN_A, ARN_B, MODEL_ARN, job } from '../helpers/snapshots.js';

const P: ScheduleParams = { activeIntervalMs: 30_000, terminalIntervalMs: 600_000, maxBackoffMs: 600_000, retentionMs: 7 * 86_400_000 };
const NOW = Date.parse('2026-12-01T00:00:00.000Z');
const COLLAB = COLLABORATION;
const OTHER_COLLAB = COLLAB.replace(/1$/, '2');
const OTHER_MODEL = MODEL_ARN.replace(/6666$/, '7777');
const EU: ConnSpec = { roleArn: 'arn:aws:iam::210987654321:role/reader', region: 'eu-west-1' };
const arn = (i: number) => ARN_A.replace(/0001$/, String(9000 + i));
const euArn = (i: number) => arn(i).replace('us-east-1', 'eu-west-1');

/** The discovery source of an entry, as sweepSpec builds it. */
function source(kind: KindName, entry: Parameters<typeof entryList>[0], extra: { region?: string; conn?: ConnSpec } = {}): Source {
  const l = entryList(entry, KINDS[kind]);
  if ('reason' in l) throw new Error(l.reason);
  const keyParams = l.perParent ? { ...l.params, '#parents': JSON.stringify(l.perParent.match) } : l.params;
  return {
    key: sourceKey(kind, l.list, keyParams, extra.conn),
    kind,
    list: l.list,
    params: l.params,
    view: l.list.view,
    ...(l.perParent ? { perParent: l.perParent } : {}),
    ...extra,
  };
}
/** A source as one sweep calls it. */
const planned = ({ perParent: _p, ...s }: Source): PlannedList => ({ ...s, discovery: true });
const staticOf = (s: ResourceSnapshot, conn?: ConnSpec): StaticResource => ({
  id: s.id,
  kind: s.kind,
  arn: s.arn!,
  params: s.parents.membershipId !== undefined ? { membershipId: s.parents.membershipId } : {},
  ...(conn ? { conn } : {}),
});
const ids = (xs: readonly { id: string }[]) => xs.map((x) => x.id);
const statics = (...ss: StaticResource[]) => new Map(ss.map((s) => [s.id, s]));
const known = (...ss: ResourceSnapshot[]) => new Map(ss.map((s) => [s.id, s]));

const AGJ = source('audienceGenerationJob', { collaborationId: COLLAB });
const LIST = planned(AGJ);
const watchAgj: Watch = { sources: [AGJ], statics: new Map() };
const plan = (over: Partial<PlanInput>) =>
  planSweep({ watch: watchAgj, known: new Map(), results: [], detailBudget: 100, now: NOW, ...over });

describe('planSweep: audience generation jobs', () => {
  it('changed jobs Get, unchanged ones not, first sight within budget (running jobs first), backfill separate', () => {
    const k = known(
      job({ arn: arn(1), status: 'CREATE_IN_PROGRESS', updateTime: NOW - 60_000 }),
      job({ arn: arn(2), status: 'ACTIVE', updateTime: NOW - 60_000 }),
      job({ arn: arn(3), status: 'ACTIVE', updateTime: NOW - 60_000, detail: 'summary' }),
    );
    const listed = [
      job({ arn: arn(1), status: 'ACTIVE', updateTime: NOW - 1000, detail: 'summary' }),
      job({ arn: arn(2), status: 'ACTIVE', updateTime: NOW - 60_000, detail: 'summary' }),
      job({ arn: arn(3), status: 'ACTIVE', updateTime: NOW - 60_000, detail: 'summary' }),
      job({ arn: arn(4), status: 'ACTIVE', updateTime: NOW - 90_000, detail: 'summary' }),
      job({ arn: arn(5), status: 'CREATE_PENDING', updateTime: NOW - 5_000, detail: 'summary' }),
    ];
    const results = [{ list: LIST, items: listed }];
    const p = plan({ known: k, results, detailBudget: 1, retentionMs: P.retentionMs });
    assert.deepEqual(ids(p.get), [arn(1), arn(5)], 'the change, then the new running job (budget 1)');
    assert.deepEqual(ids(p.adopt), [arn(4)], 'old finished job adopted from its summary');
    assert.deepEqual(p.backfill, [], 'no budget left');
    assert.deepEqual(
      [...p.listed.keys()],
      listed.map((s) => s.id),
      'every listed snapshot kept as the fallback of a refused Get',
    );
    const roomy = plan({ known: k, results, detailBudget: 10 });
    assert.deepEqual(ids(roomy.get), [arn(1), arn(5)]);
    assert.deepEqual(ids(roomy.adopt), [arn(4)], 'finished first sights are adopted at once...');
    assert.deepEqual(ids(roomy.backfill), [arn(4), arn(3)], '...and read in full after the main commit');
    assert.deepEqual(roomy.get[0], {
      id: arn(1),
      kind: 'audienceGenerationJob',
      view: 'member',
      arn: arn(1),
      parents: k.get(arn(1))!.parents,
    });
  });

  it('a failed List decides nothing; a skipped (slow) List defers without failing', () => {
    const k = known(job({ status: 'CREATE_IN_PROGRESS' }), job({ arn: ARN_B, status: 'ACTIVE' }));
    for (const r of [
      { list: LIST, items: undefined },
      { list: LIST, items: undefined, skipped: true },
    ]) {
      const p = plan({ known: k, results: [r] });
      assert.deepEqual(p.get, [], 'no Get: absence from a failed listing is not evidence');
      assert.deepEqual([p.unwatched, p.retired, p.gone, p.adopt], [[], [], [], []]);
      assert.deepEqual(p.deferred.sort(), [ARN_A, ARN_B].sort());
    }
    // A complete listing without ARN_B: only then is it asked directly (it may have vanished).
    const p = plan({
      known: k,
      results: [{ list: LIST, items: [job({ detail: 'summary', status: 'CREATE_IN_PROGRESS' })] }],
      detailBudget: 0,
    });
    assert.deepEqual(ids(p.get), [ARN_B]);
    assert.deepEqual(p.deferred, []);
  });

  it('discovered jobs at rest past retention are retired and never re-adopted; static ones stay', () => {
    const oldActive = (a: string) => job({ arn: a, status: 'ACTIVE', updateTime: NOW - 8 * 86_400_000, detail: 'summary' });
    const input = {
      watch: { sources: [AGJ], statics: statics(staticOf(job({ arn: ARN_B }))) },
      results: [{ list: LIST, items: [oldActive(arn(1)), oldActive(arn(2)), oldActive(ARN_B)] }],
      retentionMs: P.retentionMs,
    };
    const p = plan({ ...input, known: known({ ...oldActive(arn(1)), detail: 'full' }) });
    assert.deepEqual(p.retired, [arn(1)]);
    assert.deepEqual([...ids(p.adopt), ...ids(p.backfill)], [ARN_B, ARN_B], 'the static job is first seen (and kept), details backfilled');
    assert.ok(!p.listed.has(arn(2)) && !p.adopt.some((s) => s.id === arn(2)), 'first sight of a long-finished job: not tracked');
    // The next sweep, with the job forgotten, decides the same: nothing flaps back.
    const again = plan({ ...input, known: new Map() });
    assert.deepEqual([...ids(again.get), ...ids(again.adopt)], [ARN_B]);
    assert.deepEqual(again.retired, []);
    // A newer update (its deletion) brings it back as a first sight.
    const deleting = plan({
      ...input,
      known: new Map(),
      results: [{ list: LIST, items: [job({ arn: arn(1), status: 'DELETE_PENDING', updateTime: NOW - 1000, detail: 'summary' })] }],
    });
    assert.deepEqual(ids(deleting.get).sort(), [arn(1), ARN_B].sort());
    // Known, absent from its complete listing and past retention: retired without a Get.
    const absent = plan({ ...input, known: known({ ...oldActive(arn(3)), detail: 'full' }), results: [{ list: LIST, items: [] }] });
    assert.deepEqual([absent.retired, ids(absent.get)], [[arn(3)], [ARN_B]]);
  });

  it('a status no model lists retires by its class: CANCELLED after the retention like a finished job, UPDATE_IN_PROGRESS never', () => {
    const at = (a: string, status: string, age: number) => job({ arn: a, status, updateTime: NOW - age, detail: 'full' });
    const week = P.retentionMs;
    const k = known(at(arn(1), 'CANCELLED', week), at(arn(2), 'UPDATE_IN_PROGRESS', 30 * 86_400_000), at(arn(3), 'CANCELLED', week - 1));
    const listedAs = (s: ResourceSnapshot) => ({ ...s, detail: 'summary' as const });
    const p = plan({ known: k, results: [{ list: LIST, items: [...k.values()].map(listedAs) }], retentionMs: week });
    assert.deepEqual(p.retired, [arn(1)], 'at rest for the whole retention: retired, series removed');
    assert.deepEqual(ids(p.get), [], 'nothing moved');
    // One millisecond later the younger one goes too (the decision depends on status, updateTime and now only).
    const later = planSweep({
      watch: watchAgj,
      known: k,
      results: [{ list: LIST, items: [...k.values()].map(listedAs) }],
      detailBudget: 100,
      now: NOW + 1,
      retentionMs: week,
    });
    assert.deepEqual(later.retired.sort(), [arn(1), arn(3)].sort());
    // Absent from its complete listing and past retention: retired without a Get, like a known finished status.
    const absent = plan({ known: known(at(arn(4), 'CANCELLED', week)), results: [{ list: LIST, items: [] }], retentionMs: week });
    assert.deepEqual([absent.retired, ids(absent.get)], [[arn(4)], []]);
  });

  it('backoff and slow interval hold Gets back (isDue), changes and backfill included; the known state stays', () => {
    const k = known(
      job({ status: 'CREATE_IN_PROGRESS', updateTime: NOW - 60_000 }),
      job({ arn: arn(3), status: 'ACTIVE', detail: 'summary' }),
    );
    const p = plan({
      watch: { sources: [AGJ], statics: statics(staticOf(job({ arn: ARN_B }))) },
      known: k,
      results: [
        {
          list: LIST,
          items: [
            job({ status: 'ACTIVE', updateTime: NOW - 1000, detail: 'summary' }),
            job({ arn: arn(3), status: 'ACTIVE', detail: 'summary' }),
          ],
        },
      ],
      detailBudget: 10,
      isDue: () => false,
    });
    assert.deepEqual([p.get, p.backfill, p.adopt], [[], [], []]);
    assert.deepEqual(p.notDue.sort(), [ARN_A, ARN_B, arn(3)].sort());
  });

  it("shards: a List and what it finds go to the List's shard; a static no List covers by its id; a known one another shard owns is forgotten here", () => {
    const two = (index: number): Watch => ({
      sources: [{ ...AGJ, shard: 1 }],
      // ARN_A is this shard's static by its id hash; ARN_B another's, but in the List's collaboration.
      statics: index === 1 ? statics(staticOf(job({ arn: ARN_A, collaborationId: OTHER_COLLAB }))) : statics(staticOf(job({ arn: ARN_B }))),
      staticIds: new Set([ARN_A, ARN_B]),
      shard: { index, total: 2 },
    });
    const items = [
      job({ arn: arn(7), detail: 'summary', status: 'ACTIVE', updateTime: NOW - 60_000 }),
      job({ arn: ARN_B, detail: 'summary', status: 'ACTIVE', updateTime: NOW - 30 * 86_400_000 }),
    ];
    assert.deepEqual(
      sweepLists({ watch: two(1), known: new Map(), now: NOW, lastListedAt: () => undefined }).due.map((l) => l.key),
      [AGJ.key],
    );
    assert.deepEqual(
      sweepLists({ watch: two(0), known: new Map(), now: NOW, lastListedAt: () => undefined }).due,
      [],
      'shard 0 does not call it',
    );
    const p = plan({ watch: two(1), results: [{ list: LIST, items }], detailBudget: 10, retentionMs: P.retentionMs });
    assert.deepEqual([...p.listed.keys()], [arn(7), ARN_B], 'the static ARN_B goes with the List that covers it, and does not retire');
    assert.deepEqual(ids(p.get), [ARN_A], 'its own static no List covers: read by id');
    assert.deepEqual(ids(p.adopt), [arn(7), ARN_B]);
    const other = plan({ watch: two(0), results: [], detailBudget: 10 });
    assert.deepEqual(ids(other.get), [ARN_B], 'shard 0 reads ARN_B once (its facts are unknown until then)...');
    const seen = plan({ watch: two(0), results: [], detailBudget: 10, seenStatics: new Map([[ARN_B, job({ arn: ARN_B })]]) });
    assert.deepEqual(seen.get, [], "...and not again once they show shard 1's List covers it");
    const moved = plan({ watch: two(0), known: known(job({ arn: arn(7) })), results: [] });
    assert.deepEqual(moved.unwatched, [arn(7)], "another shard's now: forgotten silently");
  });

  it("shards: a per-parent List and its children go with the parent's shard", () => {
    const EXP = source('audienceExportJob', { collaborationId: COLLAB, kinds: ['audienceExportJob'] });
    const parent = job({ arn: arn(1) });
    const child = resource(KINDS.audienceExportJob, { parents: { audienceGenerationJobArn: parent.id } });
    for (const index of [0, 1]) {
      const watch: Watch = { sources: [{ ...AGJ, shard: 1 }, EXP], statics: new Map(), shard: { index, total: 2 } };
      const lists = sweepLists({ watch, known: known(parent), now: NOW, lastListedAt: () => undefined });
      const perParent = lists.due.filter((l) => l.kind === 'audienceExportJob');
      assert.equal(perParent.length, index === 1 ? 1 : 0, `the export jobs of the parent are listed by shard 1 only (shard ${index})`);
      const p = plan({
        watch,
        known: known(parent),
        results: [
          { list: { ...planned(EXP), key: `${EXP.key}|${parent.id}`, params: { audienceGenerationJobArn: parent.id } }, items: [child] },
        ],
      });
      assert.deepEqual([...p.listed.keys()], index === 1 ? [child.id] : [], `child kept by its parent's shard only (shard ${index})`);
    }
  });

  it('a job no source covers any more is forgotten (config changed); a static one is asked with its own identity', () => {
    const p = plan({
      watch: { sources: [], statics: statics(staticOf(job({ arn: ARN_B }), EU)) },
      known: known(job({ arn: arn(1), collaborationId: OTHER_COLLAB })),
    });
    assert.deepEqual(p.unwatched, [arn(1)]);
    assert.deepEqual(p.get, [{ id: ARN_B, kind: 'audienceGenerationJob', view: 'member', arn: ARN_B, parents: {}, conn: EU }]);
  });

  it('each Get is made with the identity of what lists the resource: its static entry, else the first covering source', () => {
    const euSrc = source('audienceGenerationJob', { collaborationId: COLLAB }, { region: 'eu-west-1', conn: EU });
    const watch: Watch = { sources: [AGJ, euSrc], statics: statics(staticOf(job({ arn: arn(2) }), EU)) };
    const k = known(
      job({ arn: euArn(1), status: 'CREATE_IN_PROGRESS' }),
      job({ arn: arn(2), status: 'CREATE_IN_PROGRESS' }),
      job({ arn: arn(3), status: 'CREATE_IN_PROGRESS' }),
      job({ arn: euArn(4), status: 'CREATE_IN_PROGRESS' }),
    );
    const moved = (a: string) => job({ arn: a, status: 'ACTIVE', updateTime: NOW, detail: 'summary' });
    const p = plan({
      watch,
      known: k,
      results: [
        { list: planned(AGJ), items: [moved(arn(2)), moved(euArn(4))] },
        { list: planned(euSrc), items: [moved(euArn(1))] },
      ],
    });
    const conns = Object.fromEntries(p.get.map((r) => [r.id, r.conn]));
    assert.deepEqual(conns, {
      [arn(2)]: EU, // the static entry names its identity, whichever List saw it
      [euArn(4)]: undefined, // the first source (in config order) listed it: the default identity
      [euArn(1)]: EU,
      [arn(3)]: undefined, // absent from the complete us List: asked with that List's identity
    });
  });
});

describe('planSweep: static resources grouped under a List', () => {
  const s1 = job({ arn: arn(1), status: 'CREATE_IN_PROGRESS' });
  const s2 = job({ arn: arn(2), status: 'ACTIVE' });
  const watch: Watch = { sources: [], statics: statics(staticOf(s1), staticOf(s2)) };
  const list = staticList(s1, watch.statics.get(s1.id)!)!;

  it('the List decides for its statics only: a neighbour it returns is not watched, a changed static is read', () => {
    const p = planSweep({
      watch,
      known: known(s1, s2),
      results: [
        { list, items: [{ ...s1, status: 'ACTIVE', updateTime: NOW, detail: 'summary' }, s2, job({ arn: arn(3), detail: 'summary' })] },
      ],
      detailBudget: 10,
      now: NOW,
    });
    assert.deepEqual(ids(p.get), [s1.id]);
    assert.deepEqual([p.adopt, p.backfill, p.unwatched], [[], [], []]);
    assert.ok(!p.listed.has(arn(3)));
  });

  it('a failed List of statics defers them; a discovered job it would cover but its own complete List lacks is still asked', () => {
    const euSrc = source('audienceGenerationJob', { collaborationId: COLLAB }, { region: 'eu-west-1', conn: EU });
    const gone = job({ arn: euArn(5), status: 'CREATE_IN_PROGRESS' });
    const p = planSweep({
      watch: { ...watch, sources: [euSrc] },
      known: known(s1, s2, gone),
      results: [
        { list, items: undefined },
        { list: planned(euSrc), items: [] },
      ],
      detailBudget: 10,
      now: NOW,
    });
    assert.deepEqual(p.deferred.sort(), [s1.id, s2.id].sort());
    assert.deepEqual(ids(p.get), [gone.id], 'its own List is complete: absence there is evidence');
  });

  it('a static absent from its complete List is asked directly; statics stay past retention', () => {
    const old = { ...s2, updateTime: NOW - 30 * 86_400_000 };
    const p = planSweep({
      watch,
      known: known(s1, old),
      results: [{ list, items: [s1] }],
      detailBudget: 0,
      now: NOW,
      retentionMs: P.retentionMs,
    });
    assert.deepEqual([ids(p.get), p.retired], [[s2.id], []]);
  });
});

describe('planSweep: other kinds', () => {
  const TM = source('trainedModel', { membershipId: MEMBERSHIP });
  const summary = (over: Partial<ResourceSnapshot>): ResourceSnapshot =>
    resource(KINDS.trainedModel, { detail: 'summary', results: {}, ...over });
  const watch: Watch = { sources: [TM], statics: new Map() };
  const plan = (over: Partial<PlanInput>) => planSweep({ watch, known: new Map(), results: [], detailBudget: 10, now: NOW, ...over });

  it('a Get for what moved, none for what did not; the budget bounds first sight and backfill', () => {
    const k = summary({ detail: 'full', status: 'CREATE_IN_PROGRESS' });
    const moved = { ...k, detail: 'summary' as const, status: 'ACTIVE', updateTime: k.updateTime + 1 };
    const other = summary({ id: `${k.arn}-other`, arn: `${k.arn}-other`, status: 'CREATE_IN_PROGRESS' });
    const p = plan({ results: [{ list: planned(TM), items: [moved, other] }], known: known(k), detailBudget: 0 });
    assert.deepEqual(ids(p.get), [k.id], 'a change is never held back by the budget');
    assert.deepEqual(ids(p.adopt), [other.id], 'beyond the budget, a new one is adopted from its summary');
    const unchanged = plan({ results: [{ list: planned(TM), items: [k] }], known: known(k), detailBudget: 5 });
    assert.deepEqual([unchanged.get, unchanged.adopt, unchanged.backfill], [[], [], []]);
    // Never read in detail: a backfill Get within the budget.
    const shallow = { ...k, detail: 'summary' as const };
    assert.equal(plan({ results: [{ list: planned(TM), items: [shallow] }], known: known(shallow), detailBudget: 1 }).backfill.length, 1);
    assert.equal(plan({ results: [{ list: planned(TM), items: [shallow] }], known: known(shallow), detailBudget: 0 }).backfill.length, 0);
    // First seen at rest: adopted at once, and backfilled within the budget.
    const rest = summary({ id: `${k.arn}-rest`, arn: `${k.arn}-rest`, status: 'INACTIVE' });
    const first = plan({ results: [{ list: planned(TM), items: [rest] }], detailBudget: 1 });
    assert.deepEqual([ids(first.get), ids(first.adopt), ids(first.backfill)], [[], [rest.id], [rest.id]]);
  });

  it('kinds without a Get take the List item; absent from a complete List, they are gone; a failed List keeps them', () => {
    const EXP = source('audienceExportJob', { collaborationId: COLLAB, kinds: ['audienceExportJob'] });
    const parent = job({ arn: arn(1), status: 'ACTIVE' });
    const list: PlannedList = { ...planned(EXP), key: `${EXP.key}|${parent.id}`, params: { audienceGenerationJobArn: parent.id } };
    const w: Watch = { sources: [EXP], statics: new Map() };
    const e = resource(KINDS.audienceExportJob, { detail: 'summary', parents: { audienceGenerationJobArn: parent.id } });
    const p1 = planSweep({ watch: w, known: known(parent), results: [{ list, items: [e] }], detailBudget: 0, now: NOW });
    assert.deepEqual([p1.adopt, p1.get, p1.backfill], [[e], [], []]);
    const movedExp = { ...e, status: 'ACTIVE', updateTime: e.updateTime + 1 };
    assert.deepEqual(
      planSweep({ watch: w, known: known(parent, e), results: [{ list, items: [movedExp] }], detailBudget: 0, now: NOW }).adopt,
      [movedExp],
    );
    const p2 = planSweep({ watch: w, known: known(parent, e), results: [{ list, items: [] }], detailBudget: 10, now: NOW });
    assert.deepEqual([p2.gone, p2.get], [[e.id], []]);
    const p3 = planSweep({
      watch: w,
      known: known(parent, e),
      results: [{ list, items: undefined, skipped: true }],
      detailBudget: 10,
      now: NOW,
    });
    assert.deepEqual([p3.gone, p3.deferred], [[], [e.id]]);
    // Its parent forgotten (or of another collaboration): no List is called for it, it is no longer watched.
    const p4 = planSweep({ watch: w, known: known(e), results: [], detailBudget: 10, now: NOW });
    assert.deepEqual(p4.unwatched, [e.id]);
  });

  it('an item the List could not read keeps its resource as it was: not gone, not asked, not forgotten; an unnamed one makes absence no evidence', () => {
    const EXP = source('audienceExportJob', { collaborationId: COLLAB, kinds: ['audienceExportJob'] });
    const parent = job({ arn: arn(1), status: 'ACTIVE' });
    const list: PlannedList = { ...planned(EXP), key: `${EXP.key}|${parent.id}`, params: { audienceGenerationJobArn: parent.id } };
    const w: Watch = { sources: [EXP], statics: new Map() };
    const e = resource(KINDS.audienceExportJob, { detail: 'summary', parents: { audienceGenerationJobArn: parent.id } });
    const other = { ...e, id: `${e.id}-other`, name: 'other' };
    const moved = { ...other, status: 'ACTIVE', updateTime: other.updateTime + 1 };
    // e's item was refused, the other one moved: e stays as it was, the other's ACTIVE is taken.
    const p = planSweep({
      watch: w,
      known: known(parent, e, other),
      results: [{ list, items: [moved], refused: { ids: [e.id], unidentified: false } }],
      detailBudget: 10,
      now: NOW,
    });
    assert.deepEqual([p.gone, p.deferred, p.retired, ids(p.get)], [[], [e.id], [], []]);
    assert.ok(!p.unwatched.includes(e.id));
    assert.deepEqual(p.adopt, [moved]);
    // Refused without saying whose it is: absence from this List proves nothing about anyone.
    const q = planSweep({
      watch: w,
      known: known(parent, e, other),
      results: [{ list, items: [moved], refused: { ids: [], unidentified: true } }],
      detailBudget: 10,
      now: NOW,
    });
    assert.deepEqual([q.gone, q.deferred, q.adopt], [[], [e.id], [moved]]);
    // A kind with a Get: a refused item is not asked again by Get every sweep (the same answer would come).
    const k = job({ arn: arn(2), status: 'CREATE_IN_PROGRESS' });
    const r = planSweep({
      watch: watchAgj,
      known: known(k),
      results: [{ list: LIST, items: [], refused: { ids: [k.id], unidentified: false } }],
      detailBudget: 10,
      now: NOW,
    });
    assert.deepEqual([ids(r.get), r.deferred], [[], [k.id]]);
  });

  it('a failed List decides nothing; a resource no source covers any more is forgotten', () => {
    const k = summary({ detail: 'full' });
    const failed = plan({ results: [{ list: planned(TM), items: undefined }], known: known(k) });
    assert.deepEqual([failed.get, failed.adopt, failed.gone, failed.unwatched, failed.deferred], [[], [], [], [], [k.id]]);
    const unwatched = planSweep({ watch: { sources: [], statics: new Map() }, known: known(k), results: [], detailBudget: 10, now: NOW });
    assert.deepEqual(unwatched.unwatched, [k.id]);
  });
});

describe('sweepLists', () => {
  const lastListed = (m: Record<string, number>) => (key: string) => m[key];

  it('discovery Lists are called on every sweep', () => {
    const l = sweepLists({ watch: watchAgj, known: new Map(), now: NOW, lastListedAt: () => NOW - 1, schedule: P });
    assert.deepEqual([l.due, l.skipped], [[LIST], []]);
  });

  it('per-parent Lists (trained model export jobs): one per known model of the collaboration; every sweep until first listed, then at terminalInterval', () => {
    const EXP = source('trainedModelExportJob', { collaborationId: COLLAB, view: 'collaboration' });
    assert.ok(EXP.perParent);
    const model = resource(KINDS.trainedModel, { status: 'ACTIVE', parents: { collaborationId: COLLAB }, updateTime: NOW - 86_400_000 });
    const otherModel = resource(KINDS.trainedModel, {
      id: `${model.arn}-2`,
      arn: `${model.arn}-2`,
      status: 'ACTIVE',
      parents: { collaborationId: OTHER_COLLAB },
      updateTime: NOW - 86_400_000,
    });
    const exp = resource(KINDS.trainedModelExportJob, {
      status: 'ACTIVE',
      view: 'collaboration',
      parents: { collaborationId: COLLAB, trainedModelArn: model.arn! },
    });
    const watch: Watch = { sources: [EXP], statics: new Map() };
    const k = known(model, otherModel, exp);
    const childKey = `${EXP.key}|${model.arn}`;
    const first = sweepLists({ watch, known: k, now: NOW, lastListedAt: () => undefined, schedule: P });
    assert.deepEqual(
      first.due.map((l) => [l.key, l.params, l.discovery]),
      [[childKey, { collaborationId: COLLAB, trainedModelArn: model.arn }, true]],
      'the model of another collaboration is not listed',
    );
    assert.ok(!('perParent' in first.due[0]!), 'called as a plain List');
    const soon = sweepLists({ watch, known: k, now: NOW + 30_000, lastListedAt: lastListed({ [childKey]: NOW }), schedule: P });
    assert.deepEqual([soon.due, soon.skipped.map((l) => l.key)], [[], [childKey]]);
    assert.equal(
      sweepLists({ watch, known: k, now: NOW + 600_000, lastListedAt: lastListed({ [childKey]: NOW }), schedule: P }).due.length,
      1,
    );
    // Every sweep while an export is unfinished, or while the model changed within terminalInterval.
    const running = known(model, { ...exp, status: 'CREATE_IN_PROGRESS' });
    assert.equal(
      sweepLists({ watch, known: running, now: NOW + 30_000, lastListedAt: lastListed({ [childKey]: NOW }), schedule: P }).due.length,
      1,
    );
    const fresh = known({ ...model, updateTime: NOW });
    assert.equal(
      sweepLists({ watch, known: fresh, now: NOW + 30_000, lastListedAt: lastListed({ [childKey]: NOW }), schedule: P }).due.length,
      1,
    );
    // No schedule (once): every List now.
    assert.equal(sweepLists({ watch, known: k, now: NOW + 30_000, lastListedAt: lastListed({ [childKey]: NOW }) }).due.length, 1);
    // No known model: no List at all.
    assert.deepEqual(sweepLists({ watch, known: known(otherModel), now: NOW, lastListedAt: () => undefined, schedule: P }).due, []);
  });

  it('per-parent Lists (audience export jobs): one per audience generation job of the entry, its ARN as the filter', () => {
    const EXP = source('audienceExportJob', { collaborationId: COLLAB, kinds: ['audienceExportJob'] });
    const watch: Watch = { sources: [AGJ, EXP], statics: new Map() };
    const mine = job({ arn: arn(1), status: 'ACTIVE', updateTime: NOW - 86_400_000 });
    const theirs = job({ arn: arn(2), status: 'ACTIVE', collaborationId: OTHER_COLLAB });
    const l = sweepLists({ watch, known: known(mine, theirs), now: NOW, lastListedAt: () => undefined, schedule: P });
    assert.deepEqual(
      l.due.map((x) => [x.list.name, x.params]),
      [
        ['ListAudienceGenerationJobs', { collaborationId: COLLAB }],
        ['ListAudienceExportJobs', { audienceGenerationJobArn: mine.id }],
      ],
    );
    const key = `${EXP.key}|${mine.id}`;
    const later = sweepLists({
      watch,
      known: known(mine, theirs),
      now: NOW + 30_000,
      lastListedAt: lastListed({ [key]: NOW }),
      schedule: P,
    });
    assert.deepEqual(
      later.skipped.map((x) => x.key),
      [key],
      'a job at rest for a day: its exports at terminalInterval',
    );
  });

  it('statics are grouped under one List per parents; it is slow only while every member is at rest; covered or never-read statics get none', () => {
    const a = job({ arn: arn(1), status: 'ACTIVE' });
    const b = job({ arn: arn(2), status: 'CREATE_FAILED' });
    const c = job({ arn: arn(3), status: 'ACTIVE', configuredAudienceModelArn: OTHER_MODEL });
    const covered = job({ arn: arn(4), status: 'CREATE_IN_PROGRESS' });
    const watch: Watch = {
      sources: [source('audienceGenerationJob', { configuredAudienceModelArn: OTHER_MODEL, collaborationId: OTHER_COLLAB })],
      statics: statics(staticOf(a), staticOf(b), staticOf(c), staticOf(job({ arn: arn(5) }))),
    };
    const k = known(a, b, c);
    const first = sweepLists({ watch, known: k, now: NOW, lastListedAt: () => undefined, schedule: P });
    const statLists = first.due.filter((l) => !l.discovery);
    assert.deepEqual(
      statLists.map((l) => l.params),
      [
        { configuredAudienceModelArn: MODEL_ARN, collaborationId: COLLAB },
        { configuredAudienceModelArn: OTHER_MODEL, collaborationId: COLLAB },
      ],
      'two models: two Lists for three statics; the one never read waits for its Get',
    );
    assert.deepEqual(ids(first.members.get(statLists[0]!.key)!), [a.id, b.id]);
    const at = lastListed(Object.fromEntries(statLists.map((l) => [l.key, NOW])));
    const rest = sweepLists({ watch, known: k, now: NOW + 30_000, lastListedAt: at, schedule: P });
    assert.equal(rest.due.filter((l) => !l.discovery).length, 0);
    assert.equal(rest.skipped.length, 2, 'every member at rest: listed at terminalInterval');
    assert.equal(sweepLists({ watch, known: k, now: NOW + 600_000, lastListedAt: at, schedule: P }).due.length, 3);
    const busy = sweepLists({
      watch,
      known: known({ ...a, status: 'CREATE_IN_PROGRESS' }, b, c),
      now: NOW + 30_000,
      lastListedAt: at,
      schedule: P,
    });
    assert.deepEqual(
      busy.skipped.map((l) => l.key),
      [statLists[1]!.key],
      'one member at work: its List every sweep',
    );
    // A static that a discovery source covers is read from that source, not from a List of its own.
    const withCovered: Watch = { sources: [AGJ], statics: statics(staticOf(covered)) };
    const l2 = sweepLists({ watch: withCovered, known: known(covered), now: NOW, lastListedAt: () => undefined, schedule: P });
    assert.deepEqual(l2.due, [LIST]);
    assert.equal(l2.members.size, 0);
  });
});

describe('staticList', () => {
  it('audience generation jobs: ListAudienceGenerationJobs filtered by their model and collaboration, with their identity', () => {
    const s = job({ arn: arn(1) });
    const l = staticList(s, staticOf(s, EU))!;
    assert.equal(l.list.name, 'ListAudienceGenerationJobs');
    assert.deepEqual(l.params, { configuredAudienceModelArn: MODEL_ARN, collaborationId: COLLAB });
    assert.deepEqual([l.kind, l.view, l.discovery, l.conn, l.region], ['audienceGenerationJob', 'member', false, EU, undefined]);
    assert.ok(l.key.startsWith('static|'), 'never the key of a discovery source');
    assert.notEqual(l.key, staticList(s, staticOf(s))!.key, 'another identity: another List');
    assert.equal(
      staticList(job({ arn: arn(2) }), staticOf(job({ arn: arn(2) })))!.key,
      staticList(s, staticOf(s))!.key,
      'same parents: one List',
    );
    const noCollab = job({ arn: arn(3), collaborationId: undefined });
    assert.deepEqual(staticList(noCollab, staticOf(noCollab))!.params, { configuredAudienceModelArn: MODEL_ARN });
  });

  it('trained model inference jobs: the membership List filtered by the trained model (and its version when known)', () => {
    const tij = resource(KINDS.trainedModelInferenceJob, {
      parents: { membershipId: MEMBERSHIP, collaborationId: COLLAB, trainedModelArn: TRAINED_MODEL_ARN },
    });
    const l = staticList(tij, staticOf(tij))!;
    assert.equal(l.list.name, 'ListTrainedModelInferenceJobs');
    assert.deepEqual(l.params, { membershipId: MEMBERSHIP, trainedModelArn: TRAINED_MODEL_ARN });
    const v = { ...tij, parents: { ...tij.parents, trainedModelVersionIdentifier: 'v-1' } };
    assert.deepEqual(staticList(v, staticOf(v))!.params, {
      membershipId: MEMBERSHIP,
      trainedModelArn: TRAINED_MODEL_ARN,
      trainedModelVersionIdentifier: 'v-1',
    });
    // Without a membership (neither in the snapshot nor the static entry) no member List can read it.
    const bare = { ...tij, parents: {} };
    assert.equal(staticList(bare, { ...staticOf(bare), params: {} }), undefined);
  });
});

describe('isWatched', () => {
  const TMS = source('trainedModel', { membershipId: MEMBERSHIP });
  const tm = resource(KINDS.trainedModel, { status: 'ACTIVE' });
  const st = job({ arn: arn(1) });
  const none = () => new Set<string>();

  it('static and discovered resources, only those this replica owns', () => {
    const w: Watch = { sources: [TMS], statics: statics(staticOf(st)) };
    assert.equal(isWatched(st, w, none), true);
    assert.equal(isWatched(tm, w, none), true);
    assert.equal(isWatched(job({ arn: arn(2) }), w, none), false, 'neither static nor covered');
    assert.equal(
      isWatched({ ...tm, parents: { ...tm.parents, membershipId: MEMBERSHIP.replace(/d$/, 'e') } }, w, none),
      false,
      'another membership',
    );
    assert.equal(isWatched({ ...tm, view: 'collaboration' }, w, none), false, 'another view');
    const stShard = shardOf(st.id, 2);
    const on = (index: number): Watch => ({ ...w, sources: [{ ...TMS, shard: 1 - stShard }], shard: { index, total: 2 } });
    assert.equal(isWatched(st, on(stShard), none), true, "a static no List covers: its own id's shard");
    assert.equal(isWatched(tm, on(stShard), none), false, 'covered by a List of the other shard');
    assert.equal(isWatched(tm, on(1 - stShard), none), true);
    assert.equal(isWatched(st, on(1 - stShard), none), false, 'a static another replica owns');
  });

  it('a source limited to a region watches that region only; per-parent ones only the children of known parents', () => {
    const eu: Watch = {
      sources: [source('audienceGenerationJob', { collaborationId: COLLAB }, { region: 'eu-west-1', conn: EU })],
      statics: new Map(),
    };
    assert.equal(isWatched(job({ arn: euArn(1) }), eu, none), true);
    assert.equal(isWatched(job({ arn: arn(1) }), eu, none), false);
    const EXP = source('audienceExportJob', { collaborationId: COLLAB, kinds: ['audienceExportJob'] });
    const parent = job({ arn: arn(1) });
    const e = resource(KINDS.audienceExportJob, { parents: { audienceGenerationJobArn: parent.id } });
    const w: Watch = { sources: [EXP], statics: new Map() };
    assert.equal(isWatched(e, w, parentIndex(known(parent))), true);
    assert.equal(isWatched(e, w, parentIndex(new Map())), false);
    assert.equal(isWatched(e, w, parentIndex(known({ ...parent, parents: { ...parent.parents, collaborationId: OTHER_COLLAB } }))), false);
  });
});
