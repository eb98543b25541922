// The time part of a sweep, through the pure decision and the memory store (the same history store
// the file store uses): history per resource, finished phases and their usual, slower than usual
// sent once per phase, the webhook fields it feeds, and history removed with the resource.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decide, type Observed, type Targets } from '../../src/poll/decide.js';
import type { TimesInput } from '../../src/poll/times.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import type { DurationSettings } from '../../src/kinds/usual.js';
import { createMemoryStore } from '../../src/state/memory.js';
import type { StateStore } from '../../src/state/types.js';
import { buildWebhookBody } from '../../src/targets/webhook-body.js';
import { buildSlackMessage } from '../../src/targets/slack-message.js';
import { buildTeamsMessage } from '../../src/targets/teams-card.js';
import { ARN_A, ARN_B, job } from '../helpers/snapshots.js';

const T0 = Date.parse('2026-11-28T12:00:00.000Z');
const MIN = 60_000;
const SETTINGS: DurationSettings = { samples: 4, slowerThanUsual: { factor: 2, minimum: 10 * MIN, minSamples: 3 } };
const TARGETS: Targets = {
  targets: [
    { name: 'ops', statuses: ['success', 'failure'] },
    { name: 'quiet', slowerThanUsual: false },
  ],
  notifyOnFirstSeenTerminal: false,
};
const none: Observed = { adopted: [], fetched: [], listed: new Map(), gone: [], forget: [], backfill: false };

/** One sweep that read `seen` at `now`, committed to `store` as the sweep does. */
async function sweep(store: StateStore, seen: ResourceSnapshot[], now: number, extra: Partial<Observed> = {}) {
  const times: TimesInput = { history: (id) => store.history(id), durations: store.durations(), settings: SETTINGS, checkSlower: true };
  const d = decide(store.resources(), { ...none, ...extra, fetched: seen.map((s) => ({ id: s.id, snapshot: s })) }, TARGETS, now, times);
  await store.commit({
    upsert: d.upsert,
    remove: d.remove,
    enqueue: d.enqueue,
    history: d.history ?? [],
    ...(d.durations ? { durations: d.durations } : {}),
  });
  return d;
}

const a = (status: string, updateTime: number, arn = ARN_A) => job({ arn, status, updateTime });
const other = (i: number) => ARN_B.replace(/0002$/, String(9000 + i));

/** A resource of its own that is seen to begin CREATE_IN_PROGRESS at T0 and leaves it after `minutes`. */
async function phase(store: StateStore, i: number, minutes: number) {
  await sweep(store, [a('CREATE_PENDING', T0 - MIN, other(i))], T0 - MIN);
  await sweep(store, [a('CREATE_IN_PROGRESS', T0, other(i))], T0);
  return sweep(store, [a('ACTIVE', T0 + minutes * MIN, other(i))], T0 + minutes * MIN);
}

test('history: first sight unmeasured, each phase seen to begin measured by updateTime, the usual from the last `samples`', async () => {
  const store = createMemoryStore();
  await sweep(store, [a('CREATE_PENDING', T0)], T0 + 5_000);
  const d1 = await sweep(store, [a('CREATE_IN_PROGRESS', T0 + MIN)], T0 + MIN + 3_000);
  assert.equal(d1.transitions[0]!.durationSeconds, undefined, 'first sight is not measured');
  assert.deepEqual(d1.durations?.add, []);
  const d2 = await sweep(store, [a('ACTIVE', T0 + 61 * MIN)], T0 + 62 * MIN);
  assert.equal(d2.transitions[0]!.durationSeconds, 3600, 'updateTime at exit minus updateTime at entry');
  assert.deepEqual(d2.durations, { keep: 4, add: [{ kind: 'audienceGenerationJob', status: 'CREATE_IN_PROGRESS', seconds: 3600 }] });
  assert.deepEqual(
    store.history(ARN_A)!.map((e) => [e.status, e.startedAt - T0, e.seenAt! - T0, e.firstSight ?? false]),
    [
      ['CREATE_PENDING', 0, 5_000, true],
      ['CREATE_IN_PROGRESS', MIN, MIN + 3_000, false],
      ['ACTIVE', 61 * MIN, 62 * MIN, false],
    ],
  );
  // The webhook body: the time in the status left, and the history with it, oldest first.
  const [e] = d2.enqueue;
  const body = JSON.parse(buildWebhookBody(e!)) as {
    data: Record<string, unknown> & { history: { status: string; durationSeconds?: number }[] };
  };
  assert.equal(body.data['durationSeconds'], 3600);
  assert.deepEqual(
    body.data.history.map((p) => [p.status, p.durationSeconds]),
    [
      ['CREATE_PENDING', undefined],
      ['CREATE_IN_PROGRESS', 3600],
      ['ACTIVE', undefined],
    ],
  );
  assert.equal(body.data['usual'], undefined, 'no usual before minSamples phases');
  // A usual from the last 4 phases once 3 are known: p50 and p90 by nearest rank.
  for (const [i, minutes] of [30, 90, 120, 240].entries()) await phase(store, i, minutes);
  assert.deepEqual(
    store.durations().get('audienceGenerationJob CREATE_IN_PROGRESS'),
    [1800, 5400, 7200, 14400],
    'the oldest dropped past `samples`',
  );
  const done = await phase(store, 9, 100);
  const ev = done.enqueue.find((x) => x.target === 'ops')!.event;
  assert.deepEqual(ev.usual, { p50Seconds: 5400, p90Seconds: 14400, samples: 4 });
  assert.equal(buildSlackMessage(ev).blocks[1]?.type, 'section');
  assert.match(JSON.stringify(buildSlackMessage(ev).blocks[1]), /Took 1 h 40 min in CREATE_IN_PROGRESS \(usual 1 h 30 min\)/);
  assert.match(
    JSON.stringify(buildTeamsMessage(ev)),
    /"title":"Time in status","value":"Took 1 h 40 min in CREATE_IN_PROGRESS \(usual 1 h 30 min\)"/,
  );
});

test('slower than usual: past max(factor x p90, minimum), once per resource and phase, to targets that did not opt out', async () => {
  const store = createMemoryStore();
  // Three finished phases of 10, 20 and 30 min: p90 = 30 min, threshold 60 min.
  for (const [i, minutes] of [10, 20, 30].entries()) await phase(store, i, minutes);
  await sweep(store, [a('CREATE_IN_PROGRESS', T0)], T0 + 1_000);
  assert.equal((await sweep(store, [], T0 + 60 * MIN)).transitions.length, 0, 'not at the threshold');
  const d = await sweep(store, [], T0 + 60 * MIN + 1_000);
  assert.deepEqual(
    d.transitions.map((t) => [t.kind, t.id, t.to, t.inStatusSeconds]),
    [['slower_than_usual', ARN_A, 'CREATE_IN_PROGRESS', 3601]],
  );
  assert.deepEqual(
    d.enqueue.map((e) => [e.target, e.event.type]),
    [['ops', 'audience_generation_job.slower_than_usual']],
    'whatever `statuses` says; not to the target with slowerThanUsual: false',
  );
  const body = JSON.parse(buildWebhookBody(d.enqueue[0]!)) as { type: string; data: Record<string, unknown> };
  assert.equal(body.type, 'audience_generation_job.slower_than_usual');
  assert.deepEqual(
    [body.data['status'], body.data['inStatusSeconds'], body.data['usual']],
    ['CREATE_IN_PROGRESS', 3601, { p50Seconds: 1200, p90Seconds: 1800, samples: 3 }],
  );
  assert.match(buildSlackMessage(d.enqueue[0]!.event).text, /slower than usual: In CREATE_IN_PROGRESS for 1 h/);
  assert.match(JSON.stringify(buildTeamsMessage(d.enqueue[0]!.event)), /"title":"Slower than usual","value":"In CREATE/);
  assert.ok(store.history(ARN_A)!.at(-1)!.slowerAt !== undefined, 'the phase is marked in the state, in the same commit');
  assert.equal((await sweep(store, [], T0 + 5 * 60 * MIN)).enqueue.length, 0, 'once per phase');
  // A new phase of the same status (after another) is a new entry: it may be slower again.
  await sweep(store, [a('CREATE_FAILED', T0 + 6 * 60 * MIN)], T0 + 6 * 60 * MIN);
  await sweep(store, [a('CREATE_IN_PROGRESS', T0 + 7 * 60 * MIN)], T0 + 7 * 60 * MIN);
  assert.equal((await sweep(store, [], T0 + 9 * 60 * MIN)).enqueue.length, 1);
  // A status at rest is never slower; nor is an under-way one below `minimum`.
  const rest = createMemoryStore();
  await sweep(rest, [a('ACTIVE', T0)], T0);
  assert.equal((await sweep(rest, [], T0 + 1e9)).transitions.length, 0);
});

test('the history goes with its resource (vanished, or forgotten at retention); the backfill never looks for slower ones', async () => {
  const store = createMemoryStore();
  await sweep(store, [a('CREATE_IN_PROGRESS', T0), a('CREATE_IN_PROGRESS', T0, ARN_B)], T0);
  await sweep(store, [a('ACTIVE', T0 + MIN), a('ACTIVE', T0 + MIN, ARN_B)], T0 + MIN);
  assert.equal(store.history(ARN_A)?.length, 2);
  await sweep(store, [], T0 + 2 * MIN, { forget: [ARN_A] });
  assert.equal(store.history(ARN_A), undefined, 'forgotten at retention: its history too');
  assert.equal(store.history(ARN_B)?.length, 2);
  const times: TimesInput = { history: (id) => store.history(id), durations: store.durations(), settings: SETTINGS, checkSlower: false };
  const d = decide(store.resources(), { ...none, backfill: true }, TARGETS, T0 + 1e9, times);
  assert.deepEqual(d.transitions, []);
});
