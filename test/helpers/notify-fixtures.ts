// Shared fixtures for the notify tests: snapshots, transitions, entries.
import type { JobSnapshot, OutboxEntry, Transition } from '../../src/domain.js';
import { route } from '../../src/notify/route.js';

export const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-bbbb-cccc-000000000001';
export const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/1a2b3c4d-0000-1111-2222-333344445555';
export const T0 = Date.parse('2026-11-28T10:00:00.000Z');

export function snap(over: Partial<JobSnapshot> = {}): JobSnapshot {
  return {
    arn: ARN,
    name: 'lookalike-q3',
    status: 'CREATE_IN_PROGRESS',
    createTime: T0,
    updateTime: T0 + 60_000,
    configuredAudienceModelArn: MODEL,
    collaborationId: '5f6e7d8c-1111-2222-3333-444455556666',
    detail: 'full',
    ...over,
  };
}

export function change(
  from: string | null,
  to: string,
  over: Partial<JobSnapshot> = {},
  kind: Transition['kind'] = from === null ? 'first_seen' : 'status_changed',
): Transition {
  const s = snap({ status: to === 'VANISHED' ? (from ?? 'ACTIVE') : to, ...over });
  return { kind, arn: s.arn, from, to, observedAt: s.updateTime + 5_000, snapshot: s };
}

/** One entry for target `name` (statuses: everything). */
export function entryFor(target: string, t: Transition, now = T0): OutboxEntry {
  const [e] = route(
    [t],
    [
      {
        name: target,
        statuses: [
          'CREATE_PENDING',
          'CREATE_IN_PROGRESS',
          'ACTIVE',
          'CREATE_FAILED',
          'DELETE_PENDING',
          'DELETE_IN_PROGRESS',
          'DELETE_FAILED',
          'VANISHED',
        ],
      },
    ],
    { notifyOnFirstSeenTerminal: true, now },
  );
  if (e === undefined) throw new Error('no entry routed');
  return e;
}
