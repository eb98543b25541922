// Resources of every kind in the state dir: committed through the journal, checkpointed, read
// back as written; a state dir of version 1 (audience generation jobs in their own shape) loads.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JOURNAL_FILE, openStateStore, STATE_FILE } from '../../src/state/store.js';
import { resourceFromJob } from '../../src/state/legacy-job.js';
import { createLogger } from '../../src/log.js';
import { KINDS } from '../../src/kinds/index.js';
import { job, snap, ARN_A, ARN_B } from '../helpers/snapshots.js';
import { oneOfEach, resource } from '../helpers/resources.js';

const clock = { now: () => Date.parse('2026-11-28T12:00:00.000Z') };
const log = createLogger({ level: 'silent' });

test('resources of every kind survive the journal and a checkpoint, and removals too', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crml-state-res-'));
  const all = [...oneOfEach().values(), job()];
  const a = await openStateStore({ dir, clock, log });
  await a.commit({ upsert: all, remove: [], enqueue: [] });
  await a.commit({ upsert: [{ ...all[0]!, status: 'ACTIVE', statusSince: 5 }], remove: [all[1]!.id], enqueue: [] });
  await a.close(); // journal only: replayed on open
  const b = await openStateStore({ dir, clock, log });
  assert.equal(b.resources().size, all.length - 1);
  assert.deepEqual(b.resources().get(all[0]!.id), { ...all[0]!, status: 'ACTIVE', statusSince: 5 });
  assert.deepEqual(b.resources().get(all[2]!.id), all[2]);
  assert.deepEqual(b.resources().get(ARN_A), job());
  await b.close(); // open wrote a checkpoint: read back from it
  const cp = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8'));
  assert.equal(cp.version, 3);
  assert.equal(cp.resources.length, all.length - 1);
  assert.equal('jobs' in cp, false);
  const c = await openStateStore({ dir, clock, log });
  assert.deepEqual([...c.resources().values()], [...b.resources().values()]);
  await c.close();
});

test('a version 1 state dir (jobs in their own shape, other kinds beside, a pending job event) loads as the current version: nothing lost', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crml-state-res-'));
  const old = snap({
    status: 'ACTIVE',
    description: 'q4 lookalikes',
    startedBy: 'arn:aws:iam::123456789012:role/ml',
    metrics: { relevanceMetrics: [{ audienceSize: { type: 'ABSOLUTE', value: 1000 }, score: 2.5 }], recallMetric: 0.4 },
    statusSince: 7,
  });
  const model = resource(KINDS.trainedModel);
  const event = {
    type: 'audience_generation_job.status_changed',
    transition: 'status_changed',
    arn: old.arn,
    name: old.name,
    previousStatus: 'CREATE_IN_PROGRESS',
    status: 'ACTIVE',
    updateTime: old.updateTime,
    observedAt: 9,
    job: old,
  };
  const entry = { id: 'evt_kept', target: 'audit', event, createdAt: 9, attempts: 1, nextAttemptAt: 10 };
  await writeFile(
    join(dir, STATE_FILE),
    JSON.stringify({ version: 1, seq: 1, jobs: [old], outbox: [entry], deadLetters: [], resources: [model] }),
  );
  // And a version 1 journal record after it: a job in `up`, another kind in `upr`.
  const later = snap({ arn: ARN_B, name: 'second' });
  await writeFile(join(dir, JOURNAL_FILE), `${JSON.stringify({ s: 2, t: 'commit', up: [later], rm: [], enq: [], upr: [], rmr: [] })}\n`);
  const s = await openStateStore({ dir, clock, log });
  try {
    assert.deepEqual(s.loadReport.quarantined, []);
    assert.deepEqual(s.resources().get(old.arn), resourceFromJob(old));
    assert.equal(s.resources().get(old.arn)!.attributes?.['description'], 'q4 lookalikes');
    assert.deepEqual(s.resources().get(old.arn)!.results['recall_ratio'], [{ labels: {}, value: 0.4 }]);
    assert.deepEqual(s.resources().get(ARN_B), resourceFromJob(later));
    assert.deepEqual(s.resources().get(model.id), model);
    const [pending] = s.pending();
    assert.equal(pending?.id, 'evt_kept', 'the same webhook-id: an upgrade never re-sends under a new id');
    assert.equal(pending?.attempts, 1);
    assert.equal('resource' in pending!.event && pending.event.kind, 'audienceGenerationJob');
  } finally {
    await s.close();
  }
  const cp = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8'));
  assert.equal(cp.version, 3, 'written back as the current version at once');
  assert.equal(cp.resources.length, 3);
});

test('a resource of an unknown kind in the checkpoint is corruption: the file is moved aside, named', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crml-state-res-'));
  const bad = { ...resource(KINDS.trainedModel), kind: 'spaceship' };
  await writeFile(join(dir, STATE_FILE), JSON.stringify({ version: 1, seq: 0, jobs: [], outbox: [], deadLetters: [], resources: [bad] }));
  const s = await openStateStore({ dir, clock, log });
  assert.equal(s.loadReport.quarantined.length, 1);
  assert.equal(s.resources().size, 0);
  await s.close();
});
