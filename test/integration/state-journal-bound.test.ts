// While checkpoints fail the journal is the only record and grows: the store says so (write
// error: readiness false, state_write_errors_total), retries at a bounded pace, refuses new
// records past maxJournalBytes with an error saying why, and recovers once a checkpoint works.
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

const log = createLogger({ level: 'silent' });
const tmp = () => mkdtemp(join(tmpdir(), 'crml-bound-'));

test('failing checkpoints: not ready, bounded retries, records refused past the cap, recovery', async () => {
  const dir = await tmp();
  let now = Date.parse('2026-11-28T12:00:00.000Z');
  const errors: Error[] = [];
  let oks = 0;
  const s = await openStateStore({
    dir,
    clock: { now: () => now },
    log,
    compactBytes: 4_000,
    maxJournalBytes: 20_000,
    checkpointRetryMs: 60_000,
    onWriteError: (e) => errors.push(e),
    onWriteOk: () => oks++,
  });
  // A directory where the checkpoint goes: renaming the new checkpoint over it fails (EISDIR).
  await mkdir(join(dir, `${STATE_FILE}.blocked`));
  const { rename } = await import('node:fs/promises');
  await rename(join(dir, STATE_FILE), join(dir, 'state.json.old'));
  await rename(join(dir, `${STATE_FILE}.blocked`), join(dir, STATE_FILE));

  let n = 0;
  const commit = () => s.commit({ upsert: [job({ name: `job-${n++}-${'x'.repeat(40)}`, updateTime: now + n })], remove: [], enqueue: [] });
  // Up to the first checkpoint attempt: all fine.
  while ((await stat(join(dir, JOURNAL_FILE))).size <= 4_000) await commit();
  assert.equal(errors.length, 1, 'the failed checkpoint is reported as a write error');
  const oksAtFailure = oks;
  // Under the cap, records still go in (the journal holds them), without retrying the checkpoint
  // on every record, and without claiming health.
  let refused: unknown;
  for (let i = 0; i < 200 && !refused; i++) await commit().catch((e: unknown) => (refused = e));
  assert.ok(refused instanceof StateJournalFullError, `refused: ${String(refused)}`);
  assert.match(
    (refused as Error).message,
    /more than 20000, because checkpoints keep failing \(last: .*\); new records are refused until a checkpoint succeeds/,
  );
  const size = (await stat(join(dir, JOURNAL_FILE))).size;
  assert.ok(size <= 20_000 + 1_000, `journal ${size} bytes`);
  assert.equal(oks, oksAtFailure, 'no write reported ok while checkpoints fail');
  assert.equal(errors.filter((e) => !(e instanceof StateJournalFullError)).length, 1, 'one checkpoint try within checkpointRetryMs');
  await assert.rejects(commit(), StateJournalFullError);

  // Space is back; after the retry pace the next record checkpoints and goes in.
  await rmdir(join(dir, STATE_FILE));
  now += 60_001;
  await commit();
  assert.ok((await stat(join(dir, JOURNAL_FILE))).size < 1_000, 'compacted');
  assert.ok(oks > oksAtFailure, 'healthy again');
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
