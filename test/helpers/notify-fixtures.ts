// Shared fixtures for the notify tests: audience generation jobs read from a GetAudienceGenerationJob
// answer the way the client reads one (snapshotFromWire), their transitions and entries.
import { snapshotFromWire } from '../../src/aws/resource-deserialize.js';
import type { ResourceTransition, ResourceTransitionKind } from '../../src/kinds/event.js';
import { KINDS } from '../../src/kinds/index.js';
import type { ResourceSnapshot } from '../../src/kinds/resource.js';
import { route, type RoutedEntry } from '../../src/notify/route.js';

export const ARN = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:audience-generation-job/0f1e2d3c-aaaa-bbbb-cccc-000000000001';
export const MODEL = 'arn:aws:cleanrooms-ml:us-east-1:123456789012:configured-audience-model/1a2b3c4d-0000-1111-2222-333344445555';
export const COLLABORATION = '5f6e7d8c-1111-2222-3333-444455556666';
export const T0 = Date.parse('2026-11-28T10:00:00.000Z');

const AGJ = KINDS.audienceGenerationJob;

/** The members of a GetAudienceGenerationJob answer the tests vary; times in epoch ms. */
export interface JobFields {
  arn: string;
  name: string;
  status: string;
  createTime: number;
  updateTime: number;
  configuredAudienceModelArn: string;
  collaborationId?: string | undefined;
  description?: string;
  statusDetails?: { statusCode?: string; message?: string };
  metrics?: { relevanceMetrics: Array<{ audienceSize: { type: string; value: number }; score?: number }>; recallMetric?: number };
  startedBy?: string;
  protectedQueryIdentifier?: string;
  includeSeedInOutput?: boolean;
}

/** The GetAudienceGenerationJob answer (ISO times) for these fields. */
export function getJson(over: Partial<JobFields> = {}): Record<string, unknown> {
  const f: JobFields = {
    arn: ARN,
    name: 'lookalike-q3',
    status: 'CREATE_IN_PROGRESS',
    createTime: T0,
    updateTime: T0 + 60_000,
    configuredAudienceModelArn: MODEL,
    collaborationId: COLLABORATION,
    ...over,
  };
  const { arn, createTime, updateTime, ...rest } = f;
  const o: Record<string, unknown> = {
    ...rest,
    audienceGenerationJobArn: arn,
    createTime: new Date(createTime).toISOString(),
    updateTime: new Date(updateTime).toISOString(),
  };
  for (const [k, v] of Object.entries(o)) if (v === undefined) delete o[k];
  return o;
}

/** The snapshot the client makes of that answer. */
export function snap(over: Partial<JobFields> = {}): ResourceSnapshot {
  return snapshotFromWire(AGJ, AGJ.get.member!, getJson(over), 'GetAudienceGenerationJob');
}

export function change(
  from: string | null,
  to: string,
  over: Partial<JobFields> = {},
  kind: ResourceTransitionKind = from === null ? 'first_seen' : 'status_changed',
): ResourceTransition {
  const s = snap({ status: to === 'VANISHED' ? (from ?? 'ACTIVE') : to, ...over });
  return { kind, id: s.id, from, to, observedAt: s.updateTime + 5_000, snapshot: s };
}

/** One entry for target `name` (statuses: everything). */
export function entryFor(target: string, t: ResourceTransition, now = T0): RoutedEntry {
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

/** A failed job with every member the monitor keeps: description, seed flag, who started it, query, failure, metrics. */
export const FAILED_JOB = {
  description: 'q3 lookalikes',
  includeSeedInOutput: false,
  startedBy: '111122223333',
  protectedQueryIdentifier: 'pq-1',
  statusDetails: { statusCode: 'INSUFFICIENT_SEED', message: 'Seed audience has fewer than 500 users' },
  metrics: {
    relevanceMetrics: [
      { audienceSize: { type: 'ABSOLUTE', value: 10000 }, score: 0.9123 },
      { audienceSize: { type: 'PERCENTAGE', value: 5 }, score: 0.8 },
    ],
    recallMetric: 0.42,
  },
};
