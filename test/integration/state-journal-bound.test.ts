// While checkpoints fail the journal is the only record and grows: the store says so (health
// degraded), retries on a timer at checkpointRetryMs, refuses new records past maxJournalBytes
// with an error saying why (unwritable), and recovers once a checkpoint works.
// At start the journal is replayed line by line, never read whole.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rmdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log.js';
import { readJournalLines } from '../../src/state/journal-lines.js';
import { JOURNAL_FILE, openStateStore, STATE_FILE, StateJournalFullError } from '../../src/state/store.js';
import { job } from '../helpers/snapshots.js';
import { until } from '../helpers/daemon.js';

const log = createLogger({ level: 'silent' });
const tmp = () => mkdtemp(join(tmpdir(), 'crml-bound-'));

test('failing checkpoints: degraded while appends work, retried on a timer at checkpointRetryMs, records refused past the cap, recovery', async () => {
  const dir = await tmp();
  let now = Date.parse('2026-11-28T12:00:00.000Z');
  const writeErrors: Error[] = [];
  const checkpointErrors: Error[] = [];
  // The retry timer, fired by hand.
  const pending = new Map<number, { fn: () => void; ms: number }>();
  let ids = 0;
  const timers = {
    setTimeout: (fn: () => void, ms: number) => {
      pending.set(++ids, { fn, ms });
      return ids;
    },
    clearTimeout: (h: unknown) => void pending.delete(h as number),
    setInterval: () => 0,
    clearInterval: () => {},
  };
  // Fires the due retry, then waits until `done` holds (the try runs real file I/O).
  const fire = async (done: () => boolean = () => true) => {
    const due = [...pending.entries()];
    pending.clear();
    for (const [, t] of due) t.fn();
    await until(done, "the timer's checkpoint try", 5_000);
  };
  const s = await openStateStore({
    dir,
    clock: { now: () => now },
    log,
    compactBytes: 4_000,
    maxJournalBytes: 20_000,
    checkpointRetryMs: 60_000,
    timers,
    onWriteError: (e) => writeErrors.push(e),
    onCheckpointError: (e) => checkpointErrors.push(e),
  });
  assert.equal(s.health().status, 'ok');
  assert.equal(pending.size, 0, 'no retry timer while healthy');
  // A directory where the checkpoint goes: renaming the new checkpoint over it fails (EISDIR).
  await mkdir(join(dir, `${STATE_FILE}.blocked`));
  const { rename } = await import('node:fs/promises');
  await rename(join(dir, STATE_FILE), join(dir, 'state.json.old'));
  await rename(join(dir, `${STATE_FILE}.blocked`), join(dir, STATE_FILE));

  let n = 0;
  const commit = () => s.commit({ upsert: [job({ name: `job-${n++}-${'x'.repeat(40)}`, updateTime: now + n })], remove: [], enqueue: [] });
  // Up to the first checkpoint attempt: all fine.
  while ((await stat(join(dir, JOURNAL_FILE))).size <= 4_000) await commit();
  assert.equal(checkpointErrors.length, 1, 'the failed checkpoint is reported');
  assert.equal(writeErrors.length, 0, 'but no record failed');
  assert.equal(s.health().status, 'degraded');
  assert.match(
    s.health().reason!,
    /^state checkpoint failing \(EISDIR: .*\); every record still goes to the journal \(0\.0 MiB of its 0\.0 MiB limit\)$/,
  );
  assert.equal(s.health().checkpointFailingSince, now);
  assert.deepEqual(
    [...pending.values()].map((t) => t.ms),
    [60_000],
    'one retry, checkpointRetryMs after the failed try',
  );
  // Fired early (a timer may be late or early by a tick): not due yet, so no try, only a new timer.
  now += 59_000;
  await fire(() => pending.size === 1);
  assert.equal(checkpointErrors.length, 1, 'no try within checkpointRetryMs');
  assert.deepEqual(
    [...pending.values()].map((t) => t.ms),
    [1_000],
  );
  // Due: the timer tries (and fails again) without any append, and schedules the next try.
  now += 1_000;
  await fire(() => checkpointErrors.length >= 2 && pending.size === 1);
  assert.equal(checkpointErrors.length, 2, 'the timer retried the checkpoint');
  assert.deepEqual(
    [...pending.values()].map((t) => t.ms),
    [60_000],
  );

  // Under the cap, records still go in (the journal holds them), without retrying the checkpoint
  // on every record.
  let refused: unknown;
  for (let i = 0; i < 200 && !refused; i++) await commit().catch((e: unknown) => (refused = e));
  assert.ok(refused instanceof StateJournalFullError, `refused: ${String(refused)}`);
  assert.match(
    (refused as Error).message,
    /more than 20000, because checkpoints keep failing \(last: .*\); new records are refused until a checkpoint succeeds/,
  );
  const size = (await stat(join(dir, JOURNAL_FILE))).size;
  assert.ok(size <= 20_000 + 1_000, `journal ${size} bytes`);
  assert.equal(checkpointErrors.length, 2, 'no checkpoint try within checkpointRetryMs');
  assert.equal(writeErrors.length, 1, 'the refused record is a write error');
  assert.equal(s.health().status, 'unwritable');
  assert.match(s.health().reason!, /^state journal full \(0\.0 MiB, limit 0\.0 MiB\) because checkpoints keep failing/);
  await assert.rejects(commit(), StateJournalFullError);

  // Space is back; the timer's next try (checkpointRetryMs later) compacts: healthy, no timer.
  await rmdir(join(dir, STATE_FILE));
  now += 60_001;
  await fire(() => s.health().status === 'ok');
  assert.equal(s.health().journalBytes, 0, 'compacted');
  assert.equal(pending.size, 0, 'the retry timer is gone');
  await commit();
  assert.ok((await stat(join(dir, JOURNAL_FILE))).size < 1_000);
  await s.close();
  const again = await openStateStore({ dir, clock: { now: () => now }, log });
  assert.equal(again.resources().size, 1);
  assert.equal(again.resources().values().next().value!.name, `job-${n - 1}-${'x'.repeat(40)}`);
  await again.close();
});

test('the journal is read line by line: lines across read chunks, a torn tail, an empty file', async () => {
  const dir = await tmp();
  const p = join(dir, 'j');
  const big = 'b'.repeat(3 * 1024 * 1024 + 17);
  await writeFile(p, `a\n${big}\n\nc\ntorn`);
  const lines = [];
  for await (const l of readJournalLines(p)) lines.push([l.text.length > 10 ? l.text.length : l.text, l.complete]);
  assert.deepEqual(lines, [
    ['a', true],
    [big.length, true],
    ['', true],
    ['c', true],
    ['torn', false],
  ]);
  await writeFile(p, '');
  for await (const _ of readJournalLines(p)) assert.fail('no line in an empty file');
  for await (const _ of readJournalLines(join(dir, 'missing'))) assert.fail('no line in a missing file');
});
