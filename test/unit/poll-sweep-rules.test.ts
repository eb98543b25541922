// The decisions a sweep takes between its IO steps, from plain values.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ScheduleParams } from '../../src/poll/due.js';
import type { StaticResource } from '../../src/poll/spec.js';
import { dueTimes, getAnswer, stillFailing } from '../../src/poll/sweep-rules.js';
import type { ResourceRuntime } from '../../src/poll/tracker.js';
import { ARN_A, ARN_B, job } from '../helpers/snapshots.js';

const P: ScheduleParams = { activeIntervalMs: 30_000, terminalIntervalMs: 600_000, maxBackoffMs: 600_000, retentionMs: 7 * 86_400_000 };
const NOW = Date.parse('2026-12-01T00:00:00.000Z');
const rt = (o: Partial<ResourceRuntime>): ResourceRuntime => ({ consecutiveFailures: 0, backoffMs: 0, dueAt: 0, ...o });

test('resources held back are still failing only while one backs off after throttling or an error', () => {
  const runtimes = new Map<string, ResourceRuntime>([
    ['ok', rt({})],
    ['throttled', rt({ consecutiveFailures: 2, lastError: { outcome: 'throttled', message: 'slow down', at: NOW } })],
    ['5xx', rt({ consecutiveFailures: 1, lastError: { outcome: 'error', message: 'boom', at: NOW } })],
    ['denied', rt({ consecutiveFailures: 1, lastError: { outcome: 'access_denied', message: 'no', at: NOW } })],
    ['recovered', rt({ consecutiveFailures: 0, lastError: { outcome: 'error', message: 'boom', at: NOW } })],
  ]);
  const of = (id: string) => runtimes.get(id);
  assert.equal(stillFailing([], of), false);
  assert.equal(stillFailing(['ok', 'unknown', 'denied', 'recovered'], of), false);
  assert.equal(stillFailing(['ok', 'throttled'], of), true);
  assert.equal(stillFailing(['5xx'], of), true);
});

test("a Get's answer: itself when it names what was asked; a static entry follows the latest version; a listed version keeps its item", () => {
  const asked = job({ arn: ARN_A, detail: 'summary' });
  const got = job({ arn: ARN_A, status: 'ACTIVE' });
  const none = { listed: new Map(), stored: new Map() };
  assert.equal(getAnswer(asked, got, none, false), got);
  // The answer names another resource (the latest version of a trained model).
  const other = job({ arn: ARN_B, status: 'ACTIVE' });
  assert.deepEqual(getAnswer(asked, other, none, true), { ...other, id: ARN_A });
  const item = job({ arn: ARN_A, status: 'CREATE_PENDING', detail: 'summary' });
  assert.deepEqual(getAnswer(asked, other, { listed: new Map([[ARN_A, item]]), stored: new Map() }, false), { ...item, detail: 'full' });
  assert.deepEqual(
    getAnswer(asked, other, { listed: new Map(), stored: new Map([[ARN_A, item]]) }, false),
    { ...item, detail: 'full' },
    'or what is stored of it',
  );
  assert.equal(getAnswer(asked, other, none, false), undefined);
  // The latest version's tags are this one's too (tags belong to the model's ARN).
  const tagged = { ...other, tags: { team: 'risk' } };
  assert.deepEqual(getAnswer(asked, tagged, { listed: new Map([[ARN_A, item]]), stored: new Map() }, false), {
    ...item,
    detail: 'full',
    tags: { team: 'risk' },
  });
});

test('next due times: failing ones after their backoff, at rest after the terminal interval, statics of a List with it', () => {
  const atRest = job({ arn: ARN_A, status: 'ACTIVE', updateTime: NOW - 86_400_000 });
  const working = job({ arn: ARN_B, status: 'CREATE_IN_PROGRESS' });
  const NEVER_SEEN = `${ARN_A}9`;
  const statics = new Map<string, StaticResource>([
    [ARN_A, {} as StaticResource],
    [NEVER_SEEN, {} as StaticResource],
  ]);
  const runtimes = new Map<string, ResourceRuntime>([
    [ARN_A, rt({ lastCheckedAt: NOW - 1_000 })],
    [ARN_B, rt({ consecutiveFailures: 1, backoffMs: 45_000, lastError: { outcome: 'error', message: 'x', at: NOW - 5_000 } })],
  ]);
  const input = {
    spec: { sources: [], statics, staticIds: new Set(statics.keys()) },
    known: new Map([
      [ARN_A, atRest],
      [ARN_B, working],
    ]),
    members: new Map<string, (typeof atRest)[]>(),
    scopeLastListedAt: () => undefined,
    runtimeOf: (id: string) => runtimes.get(id),
  };
  const due = dueTimes(input, P);
  assert.deepEqual(
    [...due].sort(),
    [
      [ARN_A, NOW - 1_000 + P.terminalIntervalMs],
      [`${ARN_A}9`, 0],
      [ARN_B, NOW - 5_000 + 45_000],
    ].sort(),
  );
  // Read through a List of statics: due with that List.
  const viaList = dueTimes({ ...input, members: new Map([['static|k', [atRest]]]), scopeLastListedAt: () => NOW }, P);
  assert.equal(viaList.get(ARN_A), NOW + P.terminalIntervalMs);
});
