// Valid JSON of the wrong shape in the journal or the checkpoint is corruption like bad JSON:
// the file is moved aside (kept), counted in loadReport.quarantined, and the store opens with
// everything before it, instead of throwing on replay and crash-looping the daemon.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createLogger } from '../../src/log.js';
import { JOURNAL_FILE, openStateStore, STATE_FILE } from '../../src/state/store.js';
import { ARN_A, ARN_B, snap } from '../helpers/snapshots.js';

const clock = { now: () => Date.parse('2026-11-28T12:00:00.000Z') };
const log = createLogger({ level: 'silent' });
const tmp = () => mkdtemp(join(tmpdir(), 'crml-shape-'));

const good = `{"s":1,"t":"commit","up":[${JSON.stringify(snap())}],"rm":[],"enq":[]}`;
const later = `{"s":3,"t":"commit","up":[${JSON.stringify(snap({ arn: ARN_B }))}],"rm":[],"enq":[]}`;

const WRONG_RECORDS: Array<[string, string]> = [
  ['a commit without its lists', '{"s":2,"t":"commit"}'],
  ['a commit whose snapshot lacks a time', `{"s":2,"t":"commit","up":[{"arn":"${ARN_B}","name":"n","status":"ACTIVE"}],"rm":[],"enq":[]}`],
  ['a commit with an outbox entry without an event', '{"s":2,"t":"commit","up":[],"rm":[],"enq":[{"id":"evt_1","target":"t"}]}'],
  ['an attempt without its counts', '{"s":2,"t":"attempt","id":"evt_1"}'],
  ['a dead letter with a numeric reason', '{"s":2,"t":"dead","id":"evt_1","reason":5,"at":1}'],
  ['a revive of one id instead of a list', '{"s":2,"t":"revive","ids":"evt_1","at":1}'],
  ['an unknown record type', '{"s":2,"t":"bogus"}'],
  ['a string sequence number', '{"s":"2","t":"delivered","id":"x"}'],
  ['an array', '[1,2,3]'],
  ['null', 'null'],
];

for (const [what, line] of WRONG_RECORDS) {
  test(`journal: ${what} quarantines the journal, keeps the records before it`, async () => {
    const dir = await tmp();
    await writeFile(join(dir, JOURNAL_FILE), `${good}\n${line}\n${later}\n`);
    const s = await openStateStore({ dir, clock, log });
    try {
      assert.deepEqual([...s.resources().keys()], [ARN_A]);
      assert.equal(s.loadReport.quarantined.length, 1);
      const aside = s.loadReport.quarantined[0]!;
      assert.match(aside, /^journal\.ndjson\.corrupt-/);
      // Nothing recorded is lost: the whole file is kept aside, the bad line and what followed included.
      assert.equal(await readFile(join(dir, aside), 'utf8'), `${good}\n${line}\n${later}\n`);
    } finally {
      await s.close();
    }
  });
}

const WRONG_CHECKPOINTS: Array<[string, unknown]> = [
  [
    'a job without a name',
    {
      version: 1,
      seq: 1,
      jobs: [{ arn: ARN_A, status: 'ACTIVE', updateTime: 1, createTime: 1, configuredAudienceModelArn: 'm' }],
      outbox: [],
      deadLetters: [],
    },
  ],
  [
    'an outbox entry without its event',
    { version: 1, seq: 1, jobs: [], outbox: [{ id: 'evt_1', target: 't', createdAt: 1, attempts: 0, nextAttemptAt: 1 }], deadLetters: [] },
  ],
  ['a dead letter without deadAt', { version: 1, seq: 1, jobs: [], outbox: [], deadLetters: [{ id: 'evt_1' }] }],
  ['a non-numeric seq', { version: 1, seq: 'x', jobs: [], outbox: [], deadLetters: [] }],
  ['a null seq (was NaN)', { version: 1, seq: null, jobs: [], outbox: [], deadLetters: [] }],
];

for (const [what, cp] of WRONG_CHECKPOINTS) {
  test(`checkpoint: ${what} is moved aside and the store opens`, async () => {
    const dir = await tmp();
    await writeFile(join(dir, STATE_FILE), JSON.stringify(cp));
    const s = await openStateStore({ dir, clock, log });
    try {
      assert.equal(s.resources().size, 0);
      assert.equal(s.loadReport.quarantined.length, 1);
      assert.ok((await readdir(dir)).some((f) => f.startsWith('state.json.corrupt-')));
    } finally {
      await s.close();
    }
  });
}

test('a metric that is null or out of range is repaired, not quarantined; everything else is kept', async () => {
  const dir = await tmp();
  const job = {
    ...snap(),
    metrics: {
      relevanceMetrics: [
        { audienceSize: { type: 'ABSOLUTE', value: 10 }, score: null },
        { audienceSize: { type: 'ABSOLUTE', value: null }, score: 1 },
        { audienceSize: { type: 'PERCENTAGE', value: 5 }, score: 2 },
      ],
      recallMetric: null,
    },
    statusDetails: { message: 'm'.repeat(100_000) },
  };
  await writeFile(join(dir, STATE_FILE), JSON.stringify({ version: 1, seq: 1, jobs: [job], outbox: [], deadLetters: [] }));
  await writeFile(
    join(dir, JOURNAL_FILE),
    `{"s":2,"t":"commit","up":[${JSON.stringify({ ...snap({ arn: ARN_B }), metrics: { relevanceMetrics: [], recallMetric: Number.POSITIVE_INFINITY } }).replace('null', '1e400')}],"rm":[],"enq":[]}\n`,
  );
  const s = await openStateStore({ dir, clock, log });
  try {
    assert.deepEqual(s.loadReport.quarantined, []);
    assert.equal(s.loadReport.repaired, 5);
    const a = s.resources().get(ARN_A)!;
    // Read as a snapshot of any kind: the entry without a score has no sample, the recall none.
    assert.deepEqual(a.results, {
      relevance_score: [{ labels: { audience_size_type: 'PERCENTAGE', audience_size: '5' }, value: 2 }],
    });
    assert.ok(a.statusDetails!.message!.length < 600);
    assert.deepEqual(s.resources().get(ARN_B)!.results, { relevance_score: [] });
  } finally {
    await s.close();
  }
  // The repaired state was written back: a second start finds nothing to repair.
  const again = await openStateStore({ dir, clock, log });
  assert.equal(again.loadReport.repaired, 0);
  await again.close();
});
