// Lane scheduling as plain values: what a lane sends next, and when it looks again.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLanes, pickNext, type HeldBack } from '../../src/notify/lane.js';
import type { OutboxEntry } from '../../src/state/types.js';
import { change, entryFor, ARN, T0 } from '../helpers/notify-fixtures.js';
import { parseTarget } from '../helpers/targets.js';

const ARN_B = ARN.replace(/1$/, '2');
const policy = { maxAttempts: 0, maxAgeMs: 86_400_000, baseDelayMs: 1000, maxDelayMs: 60_000 };
const lane = (over: { ratePerSecond?: number } = {}) =>
  createLanes(
    [parseTarget({ name: 'audit', type: 'webhook', url: 'https://hooks.example.com/x', statuses: ['ACTIVE'], ...over })],
    () => policy,
  ).get('audit')!;
const entry = (to: string, arn = ARN, over: Partial<OutboxEntry> = {}): OutboxEntry => ({
  ...entryFor('audit', change('CREATE_PENDING', to, { arn, updateTime: T0 + to.length })),
  ...over,
});
const nothingHeld: HeldBack = { isSettled: () => false, dueAt: () => undefined };

test('lanes: one per target, its rate as an interval, its type concurrency and the policy given', () => {
  const l = lane({ ratePerSecond: 4 });
  assert.equal(l.intervalMs, 250);
  assert.equal(l.concurrency, l.type.defaults.concurrency);
  assert.deepEqual(l.policy, policy);
});

test('pickNext: the head of each resource in outbox order; later events of a resource wait behind it', () => {
  const first = entry('ACTIVE');
  const later = entry('DELETE_PENDING');
  const other = entry('ACTIVE', ARN_B);
  const l = lane();
  assert.deepEqual(pickNext(l, [first, later, other], T0, nothingHeld), { send: first });
  l.inFlight.set(first.id, ARN);
  assert.deepEqual(pickNext(l, [first, later, other], T0, nothingHeld), { send: other }, 'the other resource goes on');
  l.inFlight.set(other.id, ARN_B);
  assert.deepEqual(pickNext(l, [first, later, other], T0, nothingHeld), { idle: true });
});

test('pickNext: a head not due yet holds its resource and says when to look again; entries of other targets are not its', () => {
  const l = lane();
  const waiting = entry('ACTIVE', ARN, { nextAttemptAt: T0 + 5000 });
  const behind = entry('DELETE_PENDING');
  const foreign = { ...entry('ACTIVE', ARN_B), target: 'other' };
  assert.deepEqual(pickNext(l, [waiting, behind, foreign], T0, nothingHeld), { wakeAt: T0 + 5000 });
  assert.deepEqual(pickNext(l, [waiting, behind, foreign], T0 + 5000, nothingHeld), { send: waiting });
});

test('pickNext: the rate gate and a Retry-After pause come first', () => {
  const l = lane();
  l.nextSendAt = T0 + 1000;
  l.pausedUntil = T0 + 30_000;
  assert.deepEqual(pickNext(l, [entry('ACTIVE')], T0, nothingHeld), { wakeAt: T0 + 30_000 });
  assert.deepEqual(Object.hasOwn(pickNext(l, [entry('ACTIVE')], T0 + 30_000, nothingHeld), 'send'), true);
});

test('pickNext: what the state could not record yet: a settled entry is never sent again and holds its resource; an unrecorded attempt keeps its backoff', () => {
  const l = lane();
  const settled = entry('ACTIVE');
  const behind = entry('DELETE_PENDING');
  const failing = entry('ACTIVE', ARN_B);
  const held: HeldBack = { isSettled: (id) => id === settled.id, dueAt: (id) => (id === failing.id ? T0 + 8000 : undefined) };
  assert.deepEqual(pickNext(l, [settled, behind, failing], T0, held), { wakeAt: T0 + 8000 });
  assert.deepEqual(pickNext(l, [settled, behind, failing], T0 + 8000, held), { send: failing });
});
