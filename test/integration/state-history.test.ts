// Histories and finished phases in the file store: they survive a restart (from the journal alone
// and from a checkpoint), go with their resource, stay within HISTORY_BYTES per resource whatever
// the text, and a version-2 state dir (written before histories) is read and rewritten as 3.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFile, mkdtemp, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore, JOURNAL_FILE, STATE_FILE } from '../../src/state/store.js';
import { HISTORY_BYTES, HISTORY_ENTRIES, type HistoryEntry } from '../../src/kinds/history.js';
import { createLogger } from '../../src/log.js';
import { job, ARN_A, ARN_B } from '../helpers/snapshots.js';

const T0 = Date.parse('2026-11-28T12:00:00.000Z');
const clock = { now: () => T0 };
const log = createLogger({ level: 'silent' });
const tmp = () => mkdtemp(join(tmpdir(), 'crml-history-'));
const STATUSES = ['CREATE_PENDING', 'CREATE_IN_PROGRESS', 'ACTIVE', 'DELETE_PENDING', 'DELETE_IN_PROGRESS'];
const entry = (i: number, extra: Partial<HistoryEntry> = {}): HistoryEntry => ({
  status: STATUSES[i % STATUSES.length]!,
  // The state keeps any finite ms (fractions included), not only whole ones.
  startedAt: T0 + i * 3_600_000 + 0.375,
  seenAt: T0 + i * 3_600_000 + 12_345.375,
  ...extra,
});

test('histories and finished phases survive a restart: from the journal alone, and from the checkpoint', async () => {
  const dir = await tmp();
  const a = await openStateStore({ dir, clock, log });
  await a.commit({
    upsert: [job(), job({ arn: ARN_B })],
    remove: [],
    enqueue: [],
    history: [
      { id: ARN_A, entry: entry(0, { firstSight: true }) },
      { id: ARN_A, entry: entry(1) },
      { id: ARN_A, entry: entry(1, { slowerAt: T0 + 2 * 3_600_000 }) },
      { id: ARN_B, entry: entry(2, { statusCode: 'E1', message: 'why' }) },
      { id: 'not-stored', entry: entry(3) },
    ],
    durations: {
      keep: 2,
      add: [5, 6, 7].map((seconds) => ({ kind: 'audienceGenerationJob' as const, status: 'CREATE_IN_PROGRESS', seconds })),
    },
  });
  const want = {
    a: [entry(0, { firstSight: true }), entry(1, { slowerAt: T0 + 2 * 3_600_000 })],
    b: [entry(2, { statusCode: 'E1', message: 'why' })],
  };
  // A crash now: the journal alone (copied while the store is open) holds everything.
  const crashed = await tmp();
  await copyFile(join(dir, JOURNAL_FILE), join(crashed, JOURNAL_FILE));
  for (const d of [crashed, dir]) {
    if (d === dir) await a.close(); // writes the checkpoint and empties the journal
    const b = await openStateStore({ dir: d, clock, log });
    assert.deepEqual(b.history(ARN_A), want.a, d);
    assert.deepEqual(b.history(ARN_B), want.b);
    assert.equal(b.history('not-stored'), undefined, 'no history without its resource');
    assert.deepEqual([...b.durations()], [['audienceGenerationJob CREATE_IN_PROGRESS', [6, 7]]], 'the newest `keep`');
    // Removed with its resource (vanished, or forgotten at retention), in the same commit.
    await b.commit({ upsert: [], remove: [ARN_A], enqueue: [] });
    await b.close();
    const c = await openStateStore({ dir: d, clock, log });
    assert.equal(c.history(ARN_A), undefined);
    assert.deepEqual(c.history(ARN_B), want.b);
    await c.close();
  }
  assert.match(await readFile(join(dir, STATE_FILE), 'utf8'), /^\{"version":3,/);
});

test(`a history is bounded: ${HISTORY_ENTRIES} entries, at most ${HISTORY_BYTES} bytes of the state per resource whatever the text`, async () => {
  const dir = await tmp();
  const s = await openStateStore({ dir, clock, log });
  const plain = ARN_A;
  const wordy = ARN_B;
  await s.commit({ upsert: [job({ arn: plain }), job({ arn: wordy })], remove: [], enqueue: [] });
  for (let i = 0; i < 120; i++) {
    await s.commit({
      upsert: [],
      remove: [],
      enqueue: [],
      history: [
        { id: plain, entry: entry(i) },
        { id: wordy, entry: entry(i, { statusCode: 'X'.repeat(500), message: '😀\u0001"'.repeat(500) }) },
      ],
    });
  }
  assert.equal(s.history(plain)?.length, HISTORY_ENTRIES);
  assert.equal(s.history(plain)?.at(-1)?.startedAt, entry(119).startedAt, 'the newest kept');
  assert.equal(s.history(wordy)?.at(-1)?.message !== undefined, true, 'the newest entry keeps its text');
  await s.close();
  const cp = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as { history: { id: string }[] };
  for (const item of cp.history) {
    const bytes = Buffer.byteLength(JSON.stringify(item));
    assert.ok(bytes <= HISTORY_BYTES, `${item.id}: ${bytes} bytes`);
  }
  // The journal is cut by the checkpoint: what 120 sweeps of history wrote does not stay.
  assert.equal((await stat(join(dir, JOURNAL_FILE))).size, 0);
});

test('a state dir written before histories (version 2) is read, every resource without history, and rewritten as 3', async () => {
  const dir = await tmp();
  const v2 = { version: 2, seq: 3, resources: [{ ...job(), statusSince: T0 }], outbox: [], deadLetters: [] };
  await writeFile(join(dir, STATE_FILE), JSON.stringify(v2));
  // A journal record of that release: no `hist`, no `dur`, no `v`.
  await writeFile(join(dir, JOURNAL_FILE), `${JSON.stringify({ s: 4, t: 'commit', upr: [job({ arn: ARN_B })], rmr: [], enq: [] })}\n`);
  const s = await openStateStore({ dir, clock, log });
  assert.deepEqual([...s.resources().keys()].sort(), [ARN_A, ARN_B].sort());
  assert.equal(s.history(ARN_A), undefined);
  assert.equal(s.durations().size, 0);
  await s.close();
  const cp = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8')) as { version: number; history: unknown[]; durations: unknown[] };
  assert.deepEqual([cp.version, cp.history, cp.durations], [3, [], []]);
});
