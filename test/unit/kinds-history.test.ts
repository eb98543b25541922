import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  capEntry,
  currentEntry,
  HISTORY_CODE_CHARS,
  HISTORY_ENTRIES,
  HISTORY_ENTRY_BYTES,
  HISTORY_MESSAGE_CHARS,
  historyStep,
  lastChange,
  phaseJson,
  phasesOf,
  withEntry,
  type HistoryEntry,
} from '../../src/kinds/history.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { job } from '../helpers/snapshots.js';

const T0 = Date.parse('2026-11-28T12:00:00.000Z');
const at = (s: ResourceSnapshot, status: string, updateTime: number, extra: Partial<ResourceSnapshot> = {}): ResourceSnapshot => ({
  ...s,
  status,
  updateTime,
  statusSince: updateTime,
  ...extra,
});

/** The history after applying the steps of these transitions, as the sweep records them. */
function replay(steps: Array<{ prev: ResourceSnapshot | undefined; next: ResourceSnapshot; observedAt: number }>) {
  let h: HistoryEntry[] | undefined;
  const ended: Array<{ status: string; seconds: number }> = [];
  for (const { prev, next, observedAt } of steps) {
    const step = historyStep(h, prev, {
      kind: prev === undefined ? 'first_seen' : 'status_changed',
      from: prev?.status ?? null,
      observedAt,
      snapshot: next,
    });
    for (const e of step.entries) h = withEntry(h, e);
    if (step.ended) ended.push(step.ended);
  }
  return { history: h ?? [], ended };
}

describe('historyStep', () => {
  const base = job();
  const pending = at(base, 'CREATE_PENDING', T0);
  const running = at(base, 'CREATE_IN_PROGRESS', T0 + 60_000);
  const active = at(base, 'ACTIVE', T0 + 60_000 + 7_980_000);

  it('records first sight unmeasured, then measures each phase it saw begin, by updateTime', () => {
    const { history, ended } = replay([
      { prev: undefined, next: pending, observedAt: T0 + 5_000 },
      { prev: pending, next: running, observedAt: T0 + 65_000 },
      { prev: running, next: active, observedAt: T0 + 8_050_000 },
    ]);
    assert.deepEqual(history, [
      { status: 'CREATE_PENDING', startedAt: T0, seenAt: T0 + 5_000, firstSight: true },
      { status: 'CREATE_IN_PROGRESS', startedAt: T0 + 60_000, seenAt: T0 + 65_000 },
      { status: 'ACTIVE', startedAt: T0 + 8_040_000, seenAt: T0 + 8_050_000 },
    ]);
    // CREATE_PENDING began before the monitor looked: not measured. CREATE_IN_PROGRESS: 2 h 13 min.
    assert.deepEqual(ended, [{ status: 'CREATE_IN_PROGRESS', seconds: 7980 }]);
  });

  it('falls back to the times it saw each status when updateTime did not move', () => {
    const sameTime = at(base, 'ACTIVE', T0 + 60_000);
    const { ended } = replay([
      { prev: undefined, next: pending, observedAt: T0 + 5_000 },
      { prev: pending, next: running, observedAt: T0 + 65_000 },
      { prev: running, next: sameTime, observedAt: T0 + 125_000 },
    ]);
    assert.deepEqual(ended, [{ status: 'CREATE_IN_PROGRESS', seconds: 60 }]);
  });

  it('a resource without a history gets its previous status, unmeasured', () => {
    // A state written before histories: the first change after the upgrade.
    const { history, ended } = replay([{ prev: running, next: active, observedAt: T0 + 8_050_000 }]);
    assert.deepEqual(ended, []);
    assert.deepEqual(history, [
      { status: 'CREATE_IN_PROGRESS', startedAt: T0 + 60_000, firstSight: true },
      { status: 'ACTIVE', startedAt: T0 + 8_040_000, seenAt: T0 + 8_050_000 },
    ]);
  });

  it('keeps failure details, capped; none for other statuses', () => {
    const failed = at(base, 'CREATE_FAILED', T0 + 120_000, {
      statusDetails: { statusCode: 'X'.repeat(500), message: `${'m'.repeat(HISTORY_MESSAGE_CHARS - 1)}😀 and more` },
    });
    const { history } = replay([
      { prev: undefined, next: { ...running, statusDetails: { statusCode: 'not kept', message: 'not kept' } }, observedAt: T0 },
      { prev: running, next: failed, observedAt: T0 + 125_000 },
    ]);
    assert.equal(history[0]!.statusCode, undefined);
    assert.equal(history[0]!.message, undefined);
    assert.equal(history[1]!.statusCode, 'X'.repeat(HISTORY_CODE_CHARS));
    // Never half a surrogate pair.
    assert.equal(history[1]!.message, 'm'.repeat(HISTORY_MESSAGE_CHARS - 1));
  });

  it('other transitions do not change the history', () => {
    assert.deepEqual(historyStep([], running, { kind: 'metrics_appeared', from: 'ACTIVE', observedAt: T0, snapshot: active }), {
      entries: [],
    });
    assert.deepEqual(historyStep([], running, { kind: 'vanished', from: 'ACTIVE', observedAt: T0, snapshot: active }), {
      entries: [],
    });
  });
});

describe('withEntry', () => {
  it('keeps the newest HISTORY_ENTRIES', () => {
    let h: HistoryEntry[] = [];
    for (let i = 0; i < HISTORY_ENTRIES + 7; i++) h = withEntry(h, { status: i % 2 ? 'ACTIVE' : 'CREATE_IN_PROGRESS', startedAt: i });
    assert.equal(h.length, HISTORY_ENTRIES);
    assert.equal(h[0]!.startedAt, 7);
    assert.equal(h.at(-1)!.startedAt, HISTORY_ENTRIES + 6);
  });

  it('replaces the last entry of the same phase (a mark such as slowerAt)', () => {
    const h = withEntry([{ status: 'CREATE_IN_PROGRESS', startedAt: 5 }], { status: 'CREATE_IN_PROGRESS', startedAt: 5, slowerAt: 9 });
    assert.deepEqual(h, [{ status: 'CREATE_IN_PROGRESS', startedAt: 5, slowerAt: 9 }]);
  });
});

describe('phasesOf and the views', () => {
  const history: HistoryEntry[] = [
    { status: 'CREATE_PENDING', startedAt: T0, seenAt: T0 + 5_000, firstSight: true },
    { status: 'CREATE_IN_PROGRESS', startedAt: T0 + 60_000, seenAt: T0 + 65_000 },
    { status: 'CREATE_FAILED', startedAt: T0 + 3_660_000, seenAt: T0 + 3_661_000, statusCode: 'E', message: 'm' },
  ];
  const usual = (status: string) => (status === 'CREATE_IN_PROGRESS' ? { p50Seconds: 3000, p90Seconds: 4000, samples: 9 } : undefined);

  it('gives each finished phase seen to begin its duration, and the usual of every status that has one', () => {
    assert.deepEqual(phasesOf(history, usual), [
      { status: 'CREATE_PENDING', startedAt: T0, seenAt: T0 + 5_000 },
      {
        status: 'CREATE_IN_PROGRESS',
        startedAt: T0 + 60_000,
        seenAt: T0 + 65_000,
        durationSeconds: 3600,
        usual: { p50Seconds: 3000, p90Seconds: 4000 },
      },
      { status: 'CREATE_FAILED', startedAt: T0 + 3_660_000, seenAt: T0 + 3_661_000, statusCode: 'E', message: 'm' },
    ]);
    assert.deepEqual(phaseJson(phasesOf(history, usual)[1]!), {
      status: 'CREATE_IN_PROGRESS',
      statusClass: 'inProgress',
      startedAt: '2026-11-28T12:01:00.000Z',
      seenAt: '2026-11-28T12:01:05.000Z',
      durationSeconds: 3600,
      usual: { p50Seconds: 3000, p90Seconds: 4000 },
    });
  });

  it('the last change is the last entry seen to begin after another', () => {
    assert.deepEqual(lastChange(history), { from: 'CREATE_IN_PROGRESS', to: 'CREATE_FAILED', at: T0 + 3_660_000, seenAt: T0 + 3_661_000 });
    assert.equal(lastChange(history.slice(0, 1)), undefined);
    assert.equal(lastChange([]), undefined);
  });

  it('the current entry is the last one when it is the current phase, else the snapshot unmeasured', () => {
    const s = at(job(), 'CREATE_FAILED', T0 + 3_660_000);
    assert.equal(currentEntry(history, s), history[2]);
    const moved = at(job(), 'DELETE_PENDING', T0 + 4_000_000);
    assert.deepEqual(currentEntry(history, moved), { status: 'DELETE_PENDING', startedAt: T0 + 4_000_000, firstSight: true });
  });
});

describe('the size of an entry', () => {
  it('is bounded: status, three times, a capped code and message', () => {
    // The worst case in JSON: the longest status the reader takes (64 characters, each escaped),
    // every time set, code and message in characters JSON writes as six bytes each (\u00XX).
    const worst = capEntry({
      status: '\u0001'.repeat(64),
      startedAt: 8.64e15,
      seenAt: 8.64e15,
      firstSight: true,
      slowerAt: 8.64e15,
      statusCode: '\u0001'.repeat(1000),
      message: '\u0001'.repeat(1000),
    });
    const bytes = Buffer.byteLength(JSON.stringify(worst));
    assert.ok(bytes <= HISTORY_ENTRY_BYTES, `${bytes} bytes`);
    // Text of wide characters is cut by bytes too, never through a pair.
    const wide = capEntry({ status: 'CREATE_FAILED', startedAt: 0, message: '😀'.repeat(300), statusCode: 'é'.repeat(300) });
    assert.ok(Buffer.byteLength(JSON.stringify(wide.message)) <= 400);
    assert.ok(Buffer.byteLength(JSON.stringify(wide.statusCode)) <= 200);
    assert.match(wide.message!, /^(😀)+$/);
    assert.equal(capEntry(wide), wide, 'capping twice changes nothing');
    // A phase without failure text, as most are.
    const plain = { status: 'CREATE_IN_PROGRESS', startedAt: T0, seenAt: T0 + 12_345 };
    assert.ok(Buffer.byteLength(JSON.stringify(plain)) <= 80);
  });
});
