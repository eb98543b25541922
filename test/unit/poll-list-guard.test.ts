// The List guard with plain values: when a pagination stops (a repeated nextToken at once, or
// polling.maxListPages pages), and what the plan makes of a stopped List: the resources its pages
// held are decided like any listed ones, those it did not reach wait as they were (never asked
// one by one, never "gone", never retired).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { entryList } from '../../src/kinds/discovery.js';
import { KINDS } from '../../src/kinds/index.js';
import { listRunaway, stoppedListResults } from '../../src/poll/list-guard.js';
import { planSweep, type PlannedList, type Watch } from '../../src/poll/plan.js';
import { sourceKey, type Source } from '../../src/poll/spec.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { COLLABORATION, resource } from '../helpers/resources.js';
import { ARN_A, job } from '../helpers/snapshots.js';

const NOW = Date.parse('2026-12-01T00:00:00.000Z');
const arn = (i: number) => ARN_A.replace(/0001$/, String(9000 + i));
const known = (...ss: ResourceSnapshot[]) => new Map(ss.map((s) => [s.id, s]));
const ids = (xs: readonly { id: string }[]) => xs.map((x) => x.id);

function source(kind: 'audienceGenerationJob' | 'audienceExportJob', entry: Parameters<typeof entryList>[0]): Source {
  const l = entryList(entry, KINDS[kind]);
  if ('reason' in l) throw new Error(l.reason);
  return { key: sourceKey(kind, l.list, l.params, undefined), kind, list: l.list, params: l.params, view: l.list.view };
}

describe('listRunaway', () => {
  it('goes on below the cap with new tokens', () => {
    assert.equal(listRunaway(1, 't1', new Set(), 10_000), undefined);
    assert.equal(listRunaway(9_999, 't9999', new Set(['t1']), 10_000), undefined);
  });

  it('stops at once on a token it returned before, whatever the cap', () => {
    assert.match(
      listRunaway(2, 't1', new Set(['t1']), 10_000) ?? '',
      /^stopped after 2 pages: the List returned a nextToken it had returned before$/,
    );
  });

  it('stops after maxPages pages that still hand out a next token, naming the setting', () => {
    assert.match(listRunaway(10_000, 't10000', new Set(), 10_000) ?? '', /^stopped after 10000 pages \(polling\.maxListPages\)/);
    assert.equal(listRunaway(3, 'x', new Set(), 3)?.startsWith('stopped after 3 pages'), true);
  });
});

describe('a stopped List in the plan', () => {
  const AGJ = source('audienceGenerationJob', { collaborationId: COLLABORATION });
  const list: PlannedList = { ...AGJ, discovery: true };
  const watch: Watch = { sources: [AGJ], statics: new Map() };

  it('what it read is decided; what it did not reach is deferred, not asked by Get, not retired', () => {
    const moved = job({ arn: arn(1), status: 'CREATE_IN_PROGRESS', updateTime: NOW - 60_000 });
    const unreached = job({ arn: arn(2), status: 'CREATE_IN_PROGRESS', updateTime: NOW - 60_000 });
    // Past retention: a complete List without it would retire it.
    const old = job({ arn: arn(3), status: 'ACTIVE', updateTime: NOW - 30 * 86_400_000 });
    const read = [
      { ...moved, status: 'ACTIVE', updateTime: NOW - 1_000, detail: 'summary' as const },
      job({ arn: arn(4), status: 'ACTIVE', detail: 'summary' }),
    ];
    const p = planSweep({
      watch,
      known: known(moved, unreached, old),
      results: stoppedListResults(list, read),
      detailBudget: 10,
      now: NOW,
      retentionMs: 7 * 86_400_000,
    });
    assert.deepEqual(ids(p.get), [moved.id], 'the job that moved within the pages read');
    assert.deepEqual(ids(p.adopt), [arn(4)], 'first sight within the pages read');
    assert.deepEqual(p.deferred.sort(), [unreached.id, old.id].sort());
    assert.deepEqual([p.gone, p.retired, p.unwatched], [[], [], []]);
    // The same List complete: the unreached job is asked directly, the old one retired.
    const complete = planSweep({
      watch,
      known: known(moved, unreached, old),
      results: [{ list, items: read }],
      detailBudget: 10,
      now: NOW,
      retentionMs: 7 * 86_400_000,
    });
    assert.deepEqual([ids(complete.get).sort(), complete.retired], [[moved.id, unreached.id].sort(), [old.id]]);
  });

  it('a kind without a Get: what it did not reach is not "gone"', () => {
    const EXP = source('audienceExportJob', { collaborationId: COLLABORATION, kinds: ['audienceExportJob'] });
    const parent = job({ arn: arn(1), status: 'ACTIVE' });
    const exp: PlannedList = { ...EXP, key: `${EXP.key}|${parent.id}`, params: { audienceGenerationJobArn: parent.id }, discovery: true };
    const e = resource(KINDS.audienceExportJob, { detail: 'summary', parents: { audienceGenerationJobArn: parent.id } });
    const w: Watch = { sources: [EXP], statics: new Map() };
    const p = planSweep({ watch: w, known: known(parent, e), results: stoppedListResults(exp, []), detailBudget: 10, now: NOW });
    assert.deepEqual([p.gone, p.deferred], [[], [e.id]]);
  });
});
