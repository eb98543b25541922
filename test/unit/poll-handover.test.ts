// What a pod does when the shard layout changes, as plain values: when a handover starts and from
// which instant (its own last complete sweep under the old layout, minus the lookback), how it
// ends (two complete sweeps), what a first sight during it notifies (a change since `from`, even
// at rest, read in full; nothing before), and the layout record read back with errors that name
// the field.
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type Observed, type Targets } from '../../src/poll/decide.js';
import {
  afterSweep,
  enterLayout,
  gainsFrom,
  HANDOVER_SWEEPS,
  layoutName,
  parseLayoutRecord,
  type Layout,
  type LayoutRecord,
} from '../../src/poll/handover.js';
import { planSweep, type PlannedList } from '../../src/poll/plan.js';
import { sourceKey, type Source } from '../../src/poll/spec.js';
import { eventId } from '../../src/notify/event-id.js';
import { KINDS } from '../../src/kinds/index.js';
import { ARN_A, ARN_B, job } from '../helpers/snapshots.js';
import { resource } from '../helpers/resources.js';

const NOW = Date.parse('2026-12-01T00:00:00.000Z');
const MIN = 60_000;
const L = 10 * MIN;
const layout = (total: number, index: number, scopes: Record<string, number> = {}): Layout => ({ total, index, scopes });

test("gainsFrom: another count or index, or a List now this pod's that was not; one pod gains only from several", () => {
  assert.equal(gainsFrom(undefined, layout(1, 0)), false, 'a single pod with no record: nothing to take over');
  assert.equal(gainsFrom(undefined, layout(3, 2)), true, 'a new shard (or a fresh install) cannot tell');
  assert.equal(gainsFrom(layout(2, 1), layout(3, 1)), true);
  assert.equal(gainsFrom(layout(3, 1), layout(1, 0)), true, "3 -> 1: the one pod takes over the others' resources");
  assert.equal(gainsFrom(layout(1, 0, { a: 0 }), layout(1, 0, { a: 0, b: 0 })), false, 'one pod: a new List is new, not taken over');
  assert.equal(gainsFrom(layout(2, 0, { a: 0, b: 1 }), layout(2, 0, { a: 0, b: 1, c: 1 })), false, 'a new List elsewhere');
  assert.equal(gainsFrom(layout(2, 0, { a: 0, b: 1 }), layout(2, 0, { a: 1, b: 0 })), true, 'b moved here');
  assert.equal(gainsFrom(layout(2, 0, { a: 0, b: 1 }), layout(2, 0, { b: 1 })), false, 'only lost a');
});

test('enterLayout: the same layout goes on; a new one starts a handover from the last complete sweep minus the lookback', () => {
  const old: LayoutRecord = { version: 1, ...layout(2, 1, { a: 0, b: 1 }), lastCompleteSweepAt: NOW - 5 * MIN };
  assert.equal(enterLayout(old, layout(2, 1, { b: 1, a: 0 }), NOW, L), old, 'unchanged (any key order)');
  const r = enterLayout(old, layout(3, 1, { a: 1, b: 2 }), NOW, L);
  assert.deepEqual(r, { version: 1, total: 3, index: 1, scopes: { a: 1, b: 2 }, handover: { from: NOW - 15 * MIN, completeSweeps: 0 } });
  assert.deepEqual(
    enterLayout(undefined, layout(3, 2), NOW, L).handover,
    { from: NOW - L, completeSweeps: 0 },
    'no record: from its first sweep',
  );
  assert.deepEqual(enterLayout(old, layout(3, 1), NOW, 0).handover?.from, NOW - 5 * MIN, 'lookback 0: exactly its last sweep');
  const again = enterLayout(r, layout(4, 1), NOW + MIN, L);
  assert.equal(again.handover?.from, NOW - 15 * MIN, 'a change during a handover keeps the earlier start');
  const lostOnly = enterLayout({ ...r, handover: { from: 5, completeSweeps: 1 } }, layout(3, 1, { a: 1 }), NOW, L);
  assert.deepEqual(lostOnly.handover, { from: 5, completeSweeps: 1 }, 'nothing gained: the handover under way goes on as it was');
  assert.equal(enterLayout(undefined, layout(1, 0, { a: 0 }), NOW, L).handover, undefined);
});

test('afterSweep: a complete sweep records its start and counts towards the end of the handover; an incomplete one changes nothing', () => {
  let r = enterLayout(undefined, layout(2, 0), NOW, L);
  assert.equal(afterSweep(r, NOW, false), r);
  for (let i = 1; i <= HANDOVER_SWEEPS; i++) {
    r = afterSweep(r, NOW + i * MIN, true);
    assert.equal(r.lastCompleteSweepAt, NOW + i * MIN);
    assert.equal(r.handover === undefined, i === HANDOVER_SWEEPS, `after ${i} complete sweeps`);
  }
  assert.equal(HANDOVER_SWEEPS, 2, 'the Lists gained, then the children of the parents gained');
});

test('layoutName: the same in every pod of a layout (not the index), another for another layout', () => {
  const h = (s: string) => createHash('sha256').update(s).digest('hex');
  assert.equal(layoutName(layout(3, 0, { a: 1, b: 2 }), h), layoutName(layout(3, 2, { b: 2, a: 1 }), h));
  assert.notEqual(layoutName(layout(3, 0, { a: 1 }), h), layoutName(layout(3, 0, { a: 2 }), h));
});

test('parseLayoutRecord: round trip, and errors that name what is wrong', () => {
  const r: LayoutRecord = {
    version: 1,
    total: 3,
    index: 2,
    scopes: { a: 0 },
    lastCompleteSweepAt: NOW,
    handover: { from: NOW - L, completeSweeps: 1 },
  };
  assert.deepEqual(parseLayoutRecord(JSON.stringify(r)), r);
  for (const [text, what] of [
    ['{', /not JSON/],
    ['[]', /not an object/],
    ['{"version":2,"total":1,"index":0,"scopes":{}}', /version 2/],
    ['{"version":1,"total":0,"index":0,"scopes":{}}', /total/],
    ['{"version":1,"total":2,"index":2,"scopes":{}}', /index/],
    ['{"version":1,"total":2,"index":0,"scopes":{"k":5}}', /scopes\.k/],
    ['{"version":1,"total":2,"index":0,"scopes":{},"handover":{"from":"x"}}', /handover/],
  ] as const)
    assert.throws(() => parseLayoutRecord(text), what);
});

const TARGETS: Targets = {
  targets: [{ name: 'ops', statuses: ['ACTIVE', 'CREATE_FAILED', 'CREATE_IN_PROGRESS'] }],
  notifyOnFirstSeenTerminal: false,
};
const none: Observed = { adopted: [], fetched: [], listed: new Map(), gone: [], forget: [], backfill: false };

test('decide during a handover: a first sight updated since `from` is notified (at rest too) with the id its previous shard would use; one before, not at all', () => {
  const from = NOW - L;
  const moved = job({ arn: ARN_A, status: 'ACTIVE', updateTime: from + MIN, detail: 'full' });
  const old = job({ arn: ARN_B, status: 'CREATE_IN_PROGRESS', updateTime: from - MIN });
  const exp = resource(KINDS.audienceExportJob, { status: 'ACTIVE', updateTime: from + 2 * MIN });
  const d = decide(
    new Map(),
    { ...none, fetched: [{ id: moved.id, snapshot: moved }], adopted: [old, exp] },
    { ...TARGETS, handoverFrom: from },
    NOW,
  );
  assert.deepEqual(
    d.enqueue.map((e) => e.id).sort(),
    [eventId(ARN_A, 'ACTIVE', from + MIN, 'ops'), eventId(exp.id, 'ACTIVE', from + 2 * MIN, 'ops')].sort(),
  );
  assert.equal(d.upsert.length, 3, 'all three stored');
  const normal = decide(new Map(), { ...none, fetched: [{ id: moved.id, snapshot: moved }], adopted: [old] }, TARGETS, NOW);
  assert.deepEqual(
    normal.enqueue.map((e) => e.event.arn),
    [ARN_B],
    'without a handover: first sight at rest is old news, at work notified',
  );
});

const COLLAB = '5f6e7d8c-0000-4000-8000-000000000001';
const agj = KINDS.audienceGenerationJob.lists[0]!;
const SRC: Source = {
  key: sourceKey('audienceGenerationJob', agj, { collaborationId: COLLAB }, undefined),
  kind: 'audienceGenerationJob',
  list: agj,
  params: { collaborationId: COLLAB },
  view: 'member',
};
const LIST: PlannedList = { ...SRC, discovery: true };

test('plan during a handover: a first sight updated since `from` is read in full now (not left to the budget); one before is adopted', () => {
  const from = NOW - L;
  const items = [
    job({ arn: ARN_A, status: 'ACTIVE', updateTime: from + MIN, detail: 'summary' }),
    job({ arn: ARN_B, status: 'ACTIVE', updateTime: from - MIN, detail: 'summary' }),
  ];
  const p = planSweep({
    watch: { sources: [SRC], statics: new Map() },
    known: new Map(),
    results: [{ list: LIST, items }],
    detailBudget: 0,
    now: NOW,
    handoverFrom: from,
  });
  assert.deepEqual(
    p.get.map((r) => r.id),
    [ARN_A],
  );
  assert.deepEqual(
    p.adopt.map((r) => r.id),
    [ARN_B],
  );
  const seconds = planSweep({
    watch: { sources: [SRC], statics: new Map() },
    known: new Map(),
    results: [
      {
        list: LIST,
        items: [job({ arn: ARN_A, status: 'ACTIVE', updateTime: from - (from % 1000), detail: 'summary' })],
        precisionMs: 1000,
      },
    ],
    detailBudget: 0,
    now: NOW,
    handoverFrom: from + 400,
  });
  assert.deepEqual(
    seconds.get.map((r) => r.id),
    [ARN_A],
    'a List in whole seconds: its second may hold `from`',
  );
});

test('plan: a List in whole seconds and a Get in milliseconds name the same update (no Get); a later second is a change', () => {
  const stored = job({ arn: ARN_A, status: 'ACTIVE', updateTime: NOW - 60_000 + 734, detail: 'full' });
  const known = new Map([[ARN_A, stored]]);
  const at = (t: number, precisionMs?: number) =>
    planSweep({
      watch: { sources: [SRC], statics: new Map() },
      known,
      results: [
        {
          list: LIST,
          items: [job({ arn: ARN_A, status: 'ACTIVE', updateTime: t, detail: 'summary' })],
          ...(precisionMs ? { precisionMs } : {}),
        },
      ],
      detailBudget: 10,
      now: NOW,
    });
  assert.deepEqual(at(NOW - 60_000, 1000).get, [], 'idle: no Get');
  assert.deepEqual(
    at(NOW - 59_000, 1000).get.map((r) => r.id),
    [ARN_A],
    'updated a second later: Get',
  );
  assert.deepEqual(
    at(NOW - 60_000).get.map((r) => r.id),
    [ARN_A],
    'compared exactly (the old behaviour) it would look changed',
  );
});
