// Resources of every kind in the state dir: committed through the journal, checkpointed, read
// back as written; a state dir written before (audience generation jobs only) loads as is.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore, STATE_FILE } from '../../src/state/store.js';
import { createLogger } from '../../src/log.js';
import { KINDS } from '../../src/kinds/index.js';
import { snap, ARN_A } from '../helpers/snapshots.js';
import { oneOfEach, resource } from '../helpers/resources.js';

const clock = { now: () => Date.parse('2026-11-28T12:00:00.000Z') };
const log = createLogger({ level: 'silent' });

test('resources of every kind survive the journal and a checkpoint, and removals too', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crml-state-res-'));
  const all = [...oneOfEach().values()].filter((s) => s.kind !== 'audienceGenerationJob');
  const a = await openStateStore({ dir, clock, log });
  await a.commit({ upsert: [snap()], remove: [], enqueue: [], upsertResources: all });
  await a.commit({
    upsert: [],
    remove: [],
    enqueue: [],
    upsertResources: [{ ...all[0]!, status: 'ACTIVE', statusSince: 5 }],
    removeResources: [all[1]!.id],
  });
  await a.close(); // journal only: replayed on open
  const b = await openStateStore({ dir, clock, log });
  assert.equal(b.resources().size, all.length - 1);
  assert.deepEqual(b.resources().get(all[0]!.id), { ...all[0]!, status: 'ACTIVE', statusSince: 5 });
  assert.deepEqual(b.resources().get(all[2]!.id), all[2]);
  assert.equal(b.jobs().size, 1);
  await b.close(); // open wrote a checkpoint: read back from it
  const cp = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8'));
  assert.equal(cp.resources.length, all.length - 1);
  const c = await openStateStore({ dir, clock, log });
  assert.deepEqual([...c.resources().values()], [...b.resources().values()]);
  await c.close();
});

test('a checkpoint of audience generation jobs alone (no resources member) loads, and is written back the same way', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'crml-state-res-'));
  const a = await openStateStore({ dir, clock, log });
  await a.commit({ upsert: [snap()], remove: [], enqueue: [] });
  await a.close();
  const before = JSON.parse(await readFile(join(dir, STATE_FILE), 'utf8'));
  assert.equal('resources' in before, false);
  const b = await openStateStore({ dir, clock, log });
  assert.deepEqual([...b.jobs().keys()], [ARN_A]);
  assert.equal(b.resources().size, 0);
  await b.close();
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
