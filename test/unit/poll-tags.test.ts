// AWS tags through the pure core, with plain values and injected time: a Get that carries them
// stamps them read, a List item keeps the last read; kinds without tags of their own take their
// parent's (and follow it when it is retagged); the discovery entries' `tags` filters keep a
// resource out of series and notifications until its tags match; the refresh reads each
// resource's tags again once per interval, spread over it, within the sweep's budget.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../src/config/load.js';
import { stampResourceStatusSince } from '../../src/kinds/diff.js';
import { KINDS } from '../../src/kinds/index.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { stampOwnTags, tagParentIds } from '../../src/kinds/tags.js';
import { decide, type Observed, type Targets } from '../../src/poll/decide.js';
import { planSweep, type ListResult, type PlannedList } from '../../src/poll/plan.js';
import { sweepSpec, type SweepSpec } from '../../src/poll/spec.js';
import { phaseOf, tagsRefreshAt } from '../../src/poll/tag-refresh.js';
import { tagScope } from '../../src/poll/tag-scope.js';
import { MEMBERSHIP, resource, TRAINED_MODEL_ARN } from '../helpers/resources.js';

const NOW = Date.parse('2026-12-01T00:00:00.000Z');
const HOUR = 3_600_000;
const none: Observed = { adopted: [], fetched: [], listed: new Map(), gone: [], forget: [], backfill: false };
const state = (...rs: ResourceSnapshot[]) => new Map(rs.map((r) => [r.id, stampResourceStatusSince(undefined, r)]));
const TARGETS: Targets = { targets: [{ name: 'all', statuses: ['inProgress', 'success', 'failure'] }], notifyOnFirstSeenTerminal: false };

const model = (over: Partial<ResourceSnapshot> = {}) =>
  resource(KINDS.trainedModel, { arn: TRAINED_MODEL_ARN, id: TRAINED_MODEL_ARN, status: 'ACTIVE', updateTime: NOW - HOUR, ...over });
const exportJob = (over: Partial<ResourceSnapshot> = {}) =>
  resource(KINDS.trainedModelExportJob, { view: 'collaboration', status: 'ACTIVE', updateTime: NOW - HOUR, ...over });
const channel = (n: number, over: Partial<ResourceSnapshot> = {}) => {
  const arn = `arn:aws:cleanrooms-ml:us-east-1:123456789012:membership/${MEMBERSHIP}/ml-input-channel/0f1e2d3c-aaaa-4bbb-8ccc-${String(n).padStart(12, '0')}`;
  return resource(KINDS.mlInputChannel, { arn, id: arn, status: 'ACTIVE', updateTime: NOW - HOUR, ...over });
};

async function spec(yaml: string): Promise<SweepSpec> {
  const readSecretFile = (p: string): never => {
    throw new Error(`no file reads here: ${p}`);
  };
  return sweepSpec(await parseConfig(yaml, { env: {}, readSecretFile }));
}

describe('own tags', () => {
  it('a Get that carries tags stamps them read now; a List item (no tags) keeps the last read', () => {
    const read = stampOwnTags(undefined, model({ tags: { team: 'risk' } }), NOW);
    assert.deepEqual([read.tags, read.tagsReadAt], [{ team: 'risk' }, NOW]);
    const listed = stampOwnTags(read, model({ status: 'DELETE_PENDING' }), NOW + HOUR);
    assert.deepEqual([listed.tags, listed.tagsReadAt, listed.status], [{ team: 'risk' }, NOW, 'DELETE_PENDING']);
    // A Get that answers without tags says there are none.
    const untagged = stampOwnTags(read, model({ tags: {} }), NOW + HOUR);
    assert.deepEqual([untagged.tags, untagged.tagsReadAt], [{}, NOW + HOUR]);
  });

  it('a retag read by a refresh Get (same status, same updateTime): stored, no transition, no notification', () => {
    const before = state(model({ tags: { team: 'risk' }, tagsReadAt: NOW - 6 * HOUR }));
    const d = decide(before, { ...none, fetched: [{ id: TRAINED_MODEL_ARN, snapshot: model({ tags: { team: 'fraud' } }) }] }, TARGETS, NOW);
    assert.deepEqual(
      d.upsert.map((s) => [s.tags, s.tagsReadAt]),
      [[{ team: 'fraud' }, NOW]],
    );
    assert.deepEqual([d.transitions, d.enqueue], [[], []]);
  });
});

describe('inherited tags', () => {
  it('an export job takes the tags of its trained model, the id of which it names', () => {
    const j = exportJob();
    assert.deepEqual(tagParentIds(j), [TRAINED_MODEL_ARN]);
    // An inference job read through its own membership's Get carries its own tags: it inherits nothing.
    assert.deepEqual(tagParentIds(resource(KINDS.trainedModelInferenceJob, { view: 'member' })), []);
    assert.deepEqual(tagParentIds(resource(KINDS.trainedModelInferenceJob, { view: 'collaboration' })), [TRAINED_MODEL_ARN]);
  });

  it('a new export job under a watched model carries its tags into the event; without the model, none', () => {
    const before = state(model({ tags: { team: 'risk' }, tagsReadAt: NOW - HOUR }));
    const j = exportJob({ status: 'CREATE_IN_PROGRESS' });
    const d = decide(before, { ...none, adopted: [j] }, TARGETS, NOW);
    assert.deepEqual(
      d.upsert.map((s) => [s.id, s.tags, s.tagsFrom, s.tagsReadAt]),
      [[j.id, { team: 'risk' }, TRAINED_MODEL_ARN, undefined]],
    );
    assert.deepEqual(
      d.enqueue.map((e) => e.event.resource.tags),
      [{ team: 'risk' }],
    );
    assert.equal(decide(new Map(), { ...none, adopted: [j] }, TARGETS, NOW).upsert[0]!.tags, undefined);
  });

  it('a retag of the model reaches its stored export jobs (no transition); the model leaving takes them away', () => {
    const m = model({ tags: { team: 'risk' }, tagsReadAt: NOW - 7 * HOUR });
    const j = exportJob({ tags: { team: 'risk' }, tagsFrom: TRAINED_MODEL_ARN });
    const before = state(m, j);
    const d = decide(
      before,
      { ...none, fetched: [{ id: m.id, snapshot: model({ tags: { team: 'fraud', 'cost-center': '7' } }) }] },
      TARGETS,
      NOW,
    );
    assert.deepEqual(d.upsert.map((s) => [s.kind, s.tags]).sort(), [
      ['trainedModel', { team: 'fraud', 'cost-center': '7' }],
      ['trainedModelExportJob', { team: 'fraud', 'cost-center': '7' }],
    ]);
    assert.deepEqual(d.transitions, []);
    const gone = decide(before, { ...none, forget: [m.id] }, TARGETS, NOW);
    assert.deepEqual(
      gone.upsert.map((s) => [s.id, s.tags, s.tagsFrom]),
      [[j.id, undefined, undefined]],
    );
    // Nothing changed on the model: its children are not touched.
    assert.deepEqual(
      decide(before, { ...none, fetched: [{ id: m.id, snapshot: model({ tags: { team: 'risk' } }) }] }, TARGETS, NOW).upsert.length,
      1,
    );
  });
});

describe('discovery tag filters', () => {
  const yaml = `discovery:\n  - membershipId: ${MEMBERSHIP}\n    kinds: [mlInputChannel]\n    tags: {team: [fraud, risk]}\n`;

  it('a resource outside the filter is stored marked, with no transition; a retag into it is its first sight', async () => {
    const s = await spec(yaml);
    const t: Targets = { ...TARGETS, tagScope: tagScope(s) };
    const growth = channel(1, { status: 'CREATE_IN_PROGRESS', tags: { team: 'growth' } });
    const risk = channel(2, { status: 'CREATE_IN_PROGRESS', tags: { team: 'risk' } });
    const d = decide(
      new Map(),
      {
        ...none,
        fetched: [
          { id: growth.id, snapshot: growth },
          { id: risk.id, snapshot: risk },
        ],
      },
      t,
      NOW,
    );
    assert.deepEqual(
      d.upsert.map((x) => [x.id, x.tagFiltered]),
      [
        [growth.id, true],
        [risk.id, undefined],
      ],
    );
    assert.deepEqual(
      d.transitions.map((x) => [x.kind, x.id]),
      [['first_seen', risk.id]],
    );
    // Later its tags change to match: first seen now, and notified as such.
    const before = new Map(d.upsert.map((x) => [x.id, x]));
    const retag = decide(
      before,
      { ...none, fetched: [{ id: growth.id, snapshot: { ...growth, tags: { team: 'fraud' } } }] },
      t,
      NOW + HOUR,
    );
    assert.deepEqual(
      retag.transitions.map((x) => [x.kind, x.id]),
      [['first_seen', growth.id]],
    );
    assert.equal(retag.upsert[0]!.tagFiltered, undefined);
    assert.equal(retag.enqueue.length, 1);
    // And out again: marked, silently (no VANISHED).
    const out = decide(
      new Map(retag.upsert.map((x) => [x.id, x])),
      { ...none, fetched: [{ id: growth.id, snapshot: { ...growth, status: 'ACTIVE', tags: {} } }] },
      t,
      NOW + 2 * HOUR,
    );
    assert.deepEqual([out.upsert[0]!.tagFiltered, out.transitions, out.enqueue], [true, [], []]);
  });

  it('rescope: after the filter changes, stored resources are checked without being read', async () => {
    const loose = await spec(`discovery:\n  - membershipId: ${MEMBERSHIP}\n    kinds: [mlInputChannel]\n`);
    const before = state(channel(1, { tags: { team: 'growth' }, tagsReadAt: NOW - HOUR }));
    assert.deepEqual(decide(before, none, { ...TARGETS, tagScope: tagScope(loose), rescope: true }, NOW).upsert, []);
    const strict = await spec(yaml);
    const d = decide(before, none, { ...TARGETS, tagScope: tagScope(strict), rescope: true }, NOW);
    assert.deepEqual(
      d.upsert.map((x) => x.tagFiltered),
      [true],
    );
    // Without rescope only what is observed is checked.
    assert.deepEqual(decide(before, none, { ...TARGETS, tagScope: tagScope(strict) }, NOW).upsert, []);
  });

  it('two entries listing the same resources: watched when either would watch them; a static resource always', async () => {
    const s = await spec(`${yaml}  - membershipId: ${MEMBERSHIP}\n    kinds: [mlInputChannel]\n    tags: {team: growth}\n`);
    const scope = tagScope(s)!;
    assert.equal(scope(channel(1, { tags: { team: 'growth' } })), false);
    assert.equal(scope(channel(1, { tags: { team: 'risk' } })), false);
    assert.equal(scope(channel(1, { tags: { team: 'other' } })), true);
    assert.equal(scope(channel(1)), true, 'tags not known: outside');
    const open = await spec(`${yaml}  - membershipId: ${MEMBERSHIP}\n    kinds: [mlInputChannel]\n`);
    assert.equal(tagScope(open), undefined, 'an entry without a filter on the same List watches all');
    const stat = channel(9);
    const withStatic = await spec(`${yaml}jobs:\n  - arn: ${stat.arn}\n`);
    assert.equal(tagScope(withStatic)!(stat), false);
  });

  it('a resource first listed under a filter is read (its Get carries the tags) before it is kept, within the budget', async () => {
    const s = await spec(yaml);
    const list: PlannedList = { ...s.sources[0]!, discovery: true };
    const items = [channel(1), channel(2), channel(3)].map((c) => ({ ...c, detail: 'summary' as const }));
    const results: ListResult[] = [{ list, items }];
    const plan = planSweep({ watch: s, known: new Map(), results, detailBudget: 2, now: NOW });
    assert.deepEqual(
      plan.get.map((r) => r.id),
      [items[0]!.id, items[1]!.id],
    );
    assert.deepEqual([plan.adopt, plan.backfill], [[], []], 'none adopted unread; the third waits for the next sweep');
    const open = await spec(`discovery:\n  - membershipId: ${MEMBERSHIP}\n    kinds: [mlInputChannel]\n`);
    const plain = planSweep({
      watch: open,
      known: new Map(),
      results: [{ list: { ...open.sources[0]!, discovery: true }, items }],
      detailBudget: 2,
      now: NOW,
    });
    assert.equal(plain.adopt.length, 3, 'without a filter, resting resources are adopted from the List');
  });
});

describe('tag refresh', () => {
  it('due once per interval after the last read, at a phase of its own; 0 or a kind without tags: never', () => {
    const c = channel(1, { tagsReadAt: NOW });
    const at = tagsRefreshAt(c, 6 * HOUR, NOW)!;
    assert.ok(at > NOW && at <= NOW + 6 * HOUR, 'within one interval of the read');
    assert.equal(tagsRefreshAt({ ...c, tagsReadAt: at }, 6 * HOUR, at), at + 6 * HOUR, 'then every interval');
    assert.equal(tagsRefreshAt({ ...c, tagsReadAt: undefined }, 6 * HOUR, NOW), NOW, 'never read: due now');
    assert.equal(tagsRefreshAt(c, 0, NOW), undefined);
    assert.equal(tagsRefreshAt(exportJob(), 6 * HOUR, NOW), undefined);
  });

  it('resources read together are spread evenly over the interval', () => {
    const n = 1000;
    const buckets = new Array<number>(10).fill(0);
    for (let i = 0; i < n; i++) {
      const at = tagsRefreshAt(channel(i, { tagsReadAt: NOW }), 6 * HOUR, NOW)!;
      buckets[Math.floor(((at - NOW) / (6 * HOUR)) * 10)]!++;
    }
    for (const b of buckets) assert.ok(b > 70 && b < 130, `each tenth of the interval has about 100: ${buckets}`);
    assert.ok(phaseOf('a') !== phaseOf('b'));
  });

  it('planned after the backfill, most overdue first, within what the budget leaves; not what is read anyway', async () => {
    const s = await spec(`discovery:\n  - membershipId: ${MEMBERSHIP}\n    kinds: [mlInputChannel]\n`);
    const list: PlannedList = { ...s.sources[0]!, discovery: true };
    const fresh = channel(1, { tagsReadAt: NOW });
    // Due in (read, read + 6h]: these three ranges do not overlap, so the order is known.
    const stale = [2, 3, 4].map((i) => channel(i, { tagsReadAt: NOW - (7 * i - 1) * HOUR }));
    const moved = channel(5, { tagsReadAt: NOW - 9 * HOUR });
    const known = new Map([fresh, ...stale, moved].map((x) => [x.id, x]));
    const items = [fresh, ...stale, { ...moved, updateTime: NOW - 1000, status: 'DELETE_PENDING' }];
    const plan = planSweep({ watch: s, known, results: [{ list, items }], detailBudget: 2, now: NOW, tagsRefreshMs: 6 * HOUR });
    assert.deepEqual(
      plan.get.map((r) => r.id),
      [moved.id],
      'the changed one is read anyway (its Get carries the tags)',
    );
    assert.deepEqual(
      plan.backfill.map((r) => r.id),
      [stale[2]!.id, stale[1]!.id],
    );
    assert.equal(plan.tagRefreshes, 2);
    const off = planSweep({ watch: s, known, results: [{ list, items }], detailBudget: 10, now: NOW, tagsRefreshMs: 0 });
    assert.deepEqual([off.backfill, off.tagRefreshes], [[], 0]);
  });
});
